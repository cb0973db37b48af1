// TokenService, the person's grants (ADR 0010): the authorization code exchange with PKCE, the
// refresh token grant with rotation and reuse detection, and the tokens both issue (RFC 9068
// access token, ID token, the next refresh token). Client credentials, introspection, revocation
// and userinfo: token_service.cpp.
#include <algorithm>
#include <boost/json.hpp>

#include "core/encoding.hpp"
#include "core/product.hpp"
#include "oidc/claims.hpp"
#include "oidc/digest.hpp"
#include "oidc/oauth_error.hpp"
#include "oidc/token_service.hpp"

namespace vault::oidc {

using core::Fail;
using core::Result;

const std::vector<std::string>& UserScopes() {
  static const std::vector<std::string> scopes{"openid", "profile", "email", "offline_access"};
  return scopes;
}

Result<TokenService::Grantee> TokenService::LoadGrantee(core::Tx& tx, const std::string& account_id,
                                                        const std::string& workspace_id) {
  Grantee g;
  VAULT_ASSIGN_OR_RETURN(g.account, tx.FindAccountById(account_id));
  VAULT_ASSIGN_OR_RETURN(auto ws, tx.FindWorkspace(workspace_id));
  if (ws) g.shortname = ws->shortname;
  return g;
}

Result<TokenService::Minted> TokenService::MintUserTokens(
    const core::ServiceClient& client, const core::OAuthSubject& subject, const Grantee& grantee,
    const std::string& nonce, const std::string& family_id, core::Timestamp family_expires_at) {
  if (!grantee.account) return Fail(OAuthFailure("invalid_grant", "the account no longer exists"));
  if (grantee.shortname.empty())
    return Fail(OAuthFailure("invalid_grant", "the workspace no longer exists"));
  const core::Account& account = *grantee.account;
  const std::string& shortname = grantee.shortname;
  VAULT_ASSIGN_OR_RETURN(auto decision,
                         clients_.Check(client, {subject.account_id, subject.product_id, ""}));
  if (!decision.allowed) return Fail(OAuthFailure("invalid_grant", decision.reason));

  const core::Timestamp now = p_.clock.Now();
  Minted m;
  m.jti = core::NewId(p_.random, "at");
  // RFC 9068 access token for the client (aud), naming the one active workspace and product
  // and the person's effective role there — never every membership (ADR 0010).
  boost::json::object at{{"iss", settings_.issuer},
                         {"sub", subject.account_id},
                         {"aud", client.id},
                         {"client_id", client.id},
                         {"iat", now},
                         {"exp", now + settings_.access_token_seconds},
                         {"jti", m.jti},
                         {"scope", subject.scope},
                         {"auth_time", subject.auth_time},
                         {"sid", subject.session_id},
                         {"workspace_id", subject.workspace_id},
                         {"workspace", shortname},
                         {"product_id", subject.product_id},
                         {"product_role", decision.role}};
  VAULT_ASSIGN_OR_RETURN(m.issued.access_token, SignJwt("at+jwt", at, &m.kid));

  boost::json::object id{{"iss", settings_.issuer},
                         {"sub", subject.account_id},
                         {"aud", client.id},
                         {"iat", now},
                         {"exp", now + settings_.access_token_seconds},
                         {"auth_time", subject.auth_time},
                         {"amr", AmrOf(subject.amr)},
                         {"sid", subject.session_id},
                         {"workspace_id", subject.workspace_id},
                         {"workspace", shortname},
                         {"product_id", subject.product_id},
                         {"product_role", decision.role}};
  if (!nonce.empty()) id["nonce"] = nonce;
  // at_hash: the left half of the access token's hash with the hash of the signing algorithm;
  // for EdDSA over Ed25519 that is SHA-512 (as openid-client and oidc-provider compute it).
  id["at_hash"] = core::Base64Url(Sha512(m.issued.access_token).substr(0, 32));
  AddProfileClaims(id, account, subject.scope);
  VAULT_ASSIGN_OR_RETURN(m.issued.id_token, SignJwt("JWT", id));

  // The next refresh token: 256 random bits, stored only as a keyed hash (purpose
  // oauth_refresh), so a database copy cannot be replayed.
  m.issued.refresh_token = "avr_" + core::Base64Url(p_.random.Bytes(32));
  m.refresh.id = core::NewId(p_.random, "rt");
  m.refresh.family_id = family_id;
  m.refresh.token_hash = p_.secrets.KeyedHash("oauth_refresh", m.issued.refresh_token);
  m.refresh.subject = subject;
  m.refresh.created_at = now;
  m.refresh.family_expires_at = family_expires_at;
  m.refresh.expires_at = std::min(now + settings_.refresh_idle_seconds, family_expires_at);
  m.issued.expires_in = settings_.access_token_seconds;
  m.issued.scope = subject.scope;
  return m;
}

Result<IssuedToken> TokenService::ExchangeCode(const core::ServiceClient& client,
                                               const TokenRequest& request,
                                               const app::ClientInfo& from) {
  if (request.code.empty()) return Fail(OAuthFailure("invalid_request", "code is required"));
  if (request.redirect_uri.empty())
    return Fail(OAuthFailure("invalid_request", "redirect_uri is required"));
  if (request.code_verifier.empty())
    return Fail(OAuthFailure("invalid_request", "code_verifier is required (PKCE)"));
  if (!IsCodeVerifier(request.code_verifier))
    return Fail(OAuthFailure("invalid_grant", "code_verifier is not a valid PKCE verifier"));
  std::optional<core::AuthorizationCode> code;
  Grantee grantee;
  VAULT_TRY(p_.store.Read([&](core::Tx& tx) -> Result<void> {
    // Under every keyring key: a code issued just before a rotation is still exchanged.
    VAULT_ASSIGN_OR_RETURN(code, core::FindUnderAnyKey(p_.secrets, "oauth_code", request.code,
                                                       [&](const std::string& hash) {
                                                         return tx.FindAuthorizationCode(hash);
                                                       }));
    if (!code) return {};
    VAULT_ASSIGN_OR_RETURN(grantee,
                           LoadGrantee(tx, code->subject.account_id, code->subject.workspace_id));
    return {};
  }));
  const core::Timestamp now = p_.clock.Now();
  // Another client's code is unknown to this one; nothing about it is revealed or changed.
  if (!code || code->subject.client_id != client.id)
    return Fail(OAuthFailure("invalid_grant", "unknown authorization code"));
  app::Actor actor{"service_client", client.id, from.ip, from.user_agent};
  if (code->used_at != 0) {
    // A code used twice: somebody else may hold it. The tokens of its first exchange go.
    VAULT_TRY(p_.store.Write([&](core::Tx& tx) -> Result<void> {
      if (!code->family_id.empty()) VAULT_TRY(tx.RevokeRefreshFamily(code->family_id, now));
      return audit_.Record(
          tx, actor,
          {"oauth.code_reuse_detected", "account", code->subject.account_id,
           app::JsonSummary({{"client_id", client.id}, {"family_id", code->family_id}}),
           code->subject.workspace_id});
    }));
    return Fail(OAuthFailure("invalid_grant", "the authorization code was already used"));
  }
  if (code->expires_at <= now)
    return Fail(OAuthFailure("invalid_grant", "the authorization code has expired"));
  if (code->redirect_uri != request.redirect_uri)
    return Fail(OAuthFailure("invalid_grant", "redirect_uri differs from the authorization's"));
  // PKCE (RFC 7636 §4.6), compared in constant time: the challenge guards the code.
  if (!core::ConstantTimeEquals(S256Challenge(request.code_verifier), code->code_challenge))
    return Fail(OAuthFailure("invalid_grant", "code_verifier does not match the code_challenge"));

  const std::string family = core::NewId(p_.random, "rf");
  core::Timestamp family_end = now + settings_.refresh_absolute_seconds;
  if (code->session_expires_at > 0) family_end = std::min(family_end, code->session_expires_at);
  VAULT_ASSIGN_OR_RETURN(
      auto minted, MintUserTokens(client, code->subject, grantee, code->nonce, family, family_end));
  bool first = false;
  VAULT_TRY(commits_.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(first, tx.UseAuthorizationCode(code->code_hash, now, family));
    if (!first) return {};  // a racing exchange took it first
    VAULT_TRY(tx.InsertRefreshToken(minted.refresh));
    VAULT_TRY(audit_.Record(tx, actor,
                            {"oauth.token_issued", "account", code->subject.account_id,
                             app::JsonSummary({{"grant_type", "authorization_code"},
                                               {"client_id", client.id},
                                               {"jti", minted.jti},
                                               {"kid", minted.kid},
                                               {"scope", code->subject.scope},
                                               {"product_id", code->subject.product_id},
                                               {"family_id", family}}),
                             code->subject.workspace_id}));
    return {};
  }));
  if (!first) return Fail(OAuthFailure("invalid_grant", "the authorization code was already used"));
  return minted.issued;
}

Result<IssuedToken> TokenService::RevokeFamily(const core::RefreshToken& t,
                                               const std::string& action, const std::string& reason,
                                               const app::ClientInfo& from) {
  const core::Timestamp now = p_.clock.Now();
  app::Actor actor{"service_client", t.subject.client_id, from.ip, from.user_agent};
  VAULT_TRY(p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_TRY(tx.RevokeRefreshFamily(t.family_id, now));
    return audit_.Record(
        tx, actor,
        {action, "account", t.subject.account_id,
         app::JsonSummary(
             {{"client_id", t.subject.client_id}, {"family_id", t.family_id}, {"reason", reason}}),
         t.subject.workspace_id});
  }));
  return Fail(OAuthFailure("invalid_grant", reason));
}

Result<IssuedToken> TokenService::Refresh(const core::ServiceClient& client,
                                          const TokenRequest& request,
                                          const app::ClientInfo& from) {
  if (request.refresh_token.empty())
    return Fail(OAuthFailure("invalid_request", "refresh_token is required"));
  // The workspace the new tokens will name: the token's, or the one switched to.
  std::optional<core::RefreshToken> found;
  Grantee grantee;
  VAULT_TRY(p_.store.Read([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(
        found,
        core::FindUnderAnyKey(p_.secrets, "oauth_refresh", request.refresh_token,
                              [&](const std::string& hash) { return tx.FindRefreshToken(hash); }));
    if (!found) return {};
    const std::string& ws =
        request.workspace_id.empty() ? found->subject.workspace_id : request.workspace_id;
    VAULT_ASSIGN_OR_RETURN(grantee, LoadGrantee(tx, found->subject.account_id, ws));
    return {};
  }));
  const core::Timestamp now = p_.clock.Now();
  if (!found || found->subject.client_id != client.id)
    return Fail(OAuthFailure("invalid_grant", "unknown refresh token"));
  const core::RefreshToken& t = *found;
  if (t.revoked_at != 0)
    return Fail(OAuthFailure("invalid_grant", "the refresh token was revoked"));
  if (t.used_at != 0)  // rotated already: whoever presents it again may have stolen it
    return RevokeFamily(t, "oauth.refresh_reuse_detected", "the refresh token was already used",
                        from);
  if (t.expires_at <= now) return Fail(OAuthFailure("invalid_grant", "the refresh token expired"));

  core::OAuthSubject subject = t.subject;
  if (request.scope) {  // RFC 6749 §6: a narrower scope may be asked for, never a wider one
    std::vector<std::string> asked = core::SplitWords(*request.scope);
    for (const auto& s : asked)
      if (!HasScope(t.subject.scope, s))
        return Fail(OAuthFailure("invalid_scope", "scope may only narrow on refresh"));
    subject.scope = core::JoinWords(asked);
  }
  if (!request.workspace_id.empty() || !request.product_id.empty()) {
    // Switching the active workspace: the new product must be of this client's type and the
    // person allowed there, as at the authorization (no password prompt).
    if (request.workspace_id.empty() || request.product_id.empty())
      return Fail(OAuthFailure("invalid_request", "send workspace_id with product_id"));
    core::AccessFacts facts;
    VAULT_ASSIGN_OR_RETURN(
        auto d, clients_.Check(client, {t.subject.account_id, request.product_id, ""}, &facts));
    if (!d.allowed || facts.product.workspace_id != request.workspace_id)
      return Fail(OAuthFailure("invalid_grant",
                               "that workspace and product are not available to this person"));
    subject.workspace_id = request.workspace_id;
    subject.product_id = request.product_id;
  }
  // The access chain is checked again on every refresh: a disabled account, a removed member,
  // a revoked grant or an inactive product ends the family.
  auto minted = MintUserTokens(client, subject, grantee, "", t.family_id, t.family_expires_at);
  if (!minted) {
    // A suspension is temporary: the refresh is refused but the family lives on, so sign-ins
    // through the product work again as soon as a Super Admin resumes the workspace.
    if (minted.error().id == "oauth.invalid_grant" &&
        minted.error().detail != "workspace_suspended")
      return RevokeFamily(t, "oauth.refresh_denied", minted.error().detail, from);
    return Fail(minted.error());
  }
  app::Actor actor{"service_client", client.id, from.ip, from.user_agent};
  bool won = false;
  VAULT_TRY(commits_.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(won, tx.UseRefreshToken(t.id, now));
    if (!won) return {};
    VAULT_TRY(tx.InsertRefreshToken(minted->refresh));
    VAULT_TRY(audit_.Record(tx, actor,
                            {"oauth.token_refreshed", "account", subject.account_id,
                             app::JsonSummary({{"client_id", client.id},
                                               {"jti", minted->jti},
                                               {"kid", minted->kid},
                                               {"scope", subject.scope},
                                               {"product_id", subject.product_id},
                                               {"family_id", t.family_id}}),
                             subject.workspace_id}));
    return {};
  }));
  if (!won)  // a racing use of the same token: one of the two is a replay
    return RevokeFamily(t, "oauth.refresh_reuse_detected", "the refresh token was already used",
                        from);
  return minted->issued;
}

}  // namespace vault::oidc
