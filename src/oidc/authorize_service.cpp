#include "oidc/authorize_service.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "app/change_store.hpp"
#include "core/encoding.hpp"
#include "core/product.hpp"
#include "oidc/claims.hpp"
#include "oidc/jwt.hpp"
#include "oidc/oauth_error.hpp"

namespace vault::oidc {

using core::Fail;
using core::Result;
using Kind = AuthorizePlan::Kind;

namespace {

constexpr std::size_t kMaxState = 1024, kMaxNonce = 512, kMaxHint = 320;

bool IsChallenge(std::string_view c) {
  // S256 challenges are base64url of 32 bytes: exactly 43 characters of its alphabet.
  if (c.size() != 43) return false;
  return std::all_of(c.begin(), c.end(), [](char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_';
  });
}

// The more a reason explains, the earlier: a person told "your workspace requires 2FA" can act.
int ReasonRank(const std::string& r) {
  if (r == "workspace_suspended") return 5;  // nothing the person can do but ask
  if (r == "workspace_requires_2fa") return 4;
  if (r == "product_inactive") return 3;
  if (r == "account_disabled") return 2;
  return 1;
}

}  // namespace

std::string WithParams(const std::string& uri,
                       const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out = uri;
  char sep = uri.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [k, v] : params) {
    out += sep;
    out += k + "=" + core::UrlEncode(v);
    sep = '&';
  }
  return out;
}

AuthorizeService::AuthorizeService(app::Ports ports, app::IntegrationService& clients,
                                   TokenService& tokens)
    : p_(ports),
      clients_(clients),
      tokens_(tokens),
      audit_(ports.secrets, ports.random, ports.clock) {}

Result<std::vector<AuthorizeChoice>> AuthorizeService::Choices(const core::ServiceClient& client,
                                                               const app::AuthContext& session,
                                                               std::string* denial) {
  struct Candidate {
    core::WorkspaceCard card;
    core::Product product;
  };
  VAULT_ASSIGN_OR_RETURN(
      auto candidates, p_.store.Read([&](core::Tx& tx) -> Result<std::vector<Candidate>> {
        std::vector<Candidate> out;
        VAULT_ASSIGN_OR_RETURN(auto cards, tx.ListWorkspacesOf(session.account.id));
        for (auto& card : cards) {
          VAULT_ASSIGN_OR_RETURN(auto products, tx.ListProducts(card.workspace.id));
          for (auto& p : products)
            if (p.type_id == client.type_id) out.push_back({card, p});
        }
        return out;
      }));
  std::vector<AuthorizeChoice> out;
  std::string reason = "no_grant";  // nothing of this product in any of the person's workspaces
  for (const auto& c : candidates) {
    VAULT_ASSIGN_OR_RETURN(auto d, clients_.Check(client, {session.account.id, c.product.id, ""}));
    if (!d.allowed) {
      if (ReasonRank(d.reason) > ReasonRank(reason)) reason = d.reason;
      continue;
    }
    out.push_back({c.card.workspace.id, c.card.workspace.name, c.card.workspace.shortname,
                   c.product.id, c.product.name, d.role,
                   c.card.workspace.id == session.account.last_workspace_id});
  }
  std::stable_sort(out.begin(), out.end(), [](const AuthorizeChoice& a, const AuthorizeChoice& b) {
    if (a.last_used != b.last_used) return a.last_used;
    if (a.workspace_name != b.workspace_name) return a.workspace_name < b.workspace_name;
    return a.product_name < b.product_name;
  });
  *denial = reason;
  return out;
}

Result<AuthorizePlan> AuthorizeService::Authorize(const AuthorizeParams& q,
                                                  const std::optional<app::AuthContext>& session,
                                                  bool issue) {
  AuthorizePlan plan;
  auto error = [&](std::string e, std::string d) {
    plan.kind = Kind::kError;
    plan.error = std::move(e);
    plan.description = std::move(d);
    return plan;
  };
  // Until the client and its redirect URI are known good, nothing is redirected (RFC 6749
  // §4.1.2.1): the person sees the error on Vault.
  if (q.repeated == "client_id" || q.repeated == "redirect_uri")
    return error("invalid_request", q.repeated + " is sent twice");
  if (q.client_id.empty()) return error("invalid_request", "client_id is required");
  VAULT_ASSIGN_OR_RETURN(auto named, clients_.LiveClient(q.client_id));
  if (!named) return error("invalid_client", "this application is not known to Vault");
  const core::ServiceClient& client = *named;
  plan.client_name = client.name;
  if (q.redirect_uri.empty()) return error("invalid_request", "redirect_uri is required");
  // Exact string match (ADR 0010): no normalisation, no prefix, no wildcard.
  if (std::find(client.redirect_uris.begin(), client.redirect_uris.end(), q.redirect_uri) ==
      client.redirect_uris.end())
    return error("invalid_request", "redirect_uri is not registered for this application");

  const std::string& issuer = tokens_.settings().issuer;
  auto to_client = [&](std::vector<std::pair<std::string, std::string>> params) {
    if (!q.state.empty()) params.emplace_back("state", q.state);
    params.emplace_back("iss", issuer);  // RFC 9207: which server answered
    return WithParams(q.redirect_uri, params);
  };
  auto deny = [&](std::string e, std::string d, std::string reason = "") {
    plan.kind = Kind::kDeny;
    plan.error = std::move(e);
    plan.description = std::move(d);
    plan.reason = std::move(reason);
    plan.redirect_to = to_client({{"error", plan.error}, {"error_description", plan.description}});
    return plan;
  };
  if (q.state.size() > kMaxState)  // not echoed: too long to send back
    return error("invalid_request", "state is longer than 1024 characters");
  if (!q.repeated.empty()) return deny("invalid_request", q.repeated + " is sent twice");
  if (q.response_type.empty()) return deny("invalid_request", "response_type is required");
  if (q.response_type != "code")
    return deny("unsupported_response_type", "this server supports response_type code");
  std::vector<std::string> scopes;
  bool openid = false;
  for (const auto& s : core::SplitWords(q.scope)) {
    const auto& known = UserScopes();
    if (std::find(known.begin(), known.end(), s) == known.end()) continue;  // ignored
    if (std::find(scopes.begin(), scopes.end(), s) != scopes.end()) continue;
    openid = openid || s == "openid";
    scopes.push_back(s);
  }
  if (!openid) return deny("invalid_scope", "scope must include openid");
  if (q.code_challenge_method != "S256")
    return deny("invalid_request", q.code_challenge_method.empty() || q.code_challenge.empty()
                                       ? "PKCE is required: code_challenge with "
                                         "code_challenge_method S256"
                                       : "code_challenge_method must be S256 (plain is refused)");
  if (!IsChallenge(q.code_challenge))
    return deny("invalid_request", "code_challenge must be 43 characters of base64url");
  if (q.nonce.size() > kMaxNonce) return deny("invalid_request", "nonce is too long");
  if (q.login_hint.size() > kMaxHint) return deny("invalid_request", "login_hint is too long");
  bool none = false, login = false, select = false;
  std::vector<std::string> prompts = core::SplitWords(q.prompt);
  for (const auto& p : prompts) {
    if (p == "none")
      none = true;
    else if (p == "login")
      login = true;
    else if (p == "select_account")
      select = true;
    else if (p != "consent")  // first-party clients: consent is implied
      return deny("invalid_request", "prompt may be none, login, consent or select_account");
  }
  if (none && prompts.size() > 1)
    return deny("invalid_request", "prompt none cannot be combined with other values");
  std::optional<core::Timestamp> max_age;
  if (!q.max_age.empty()) {
    if (q.max_age.size() > 9 || !std::all_of(q.max_age.begin(), q.max_age.end(),
                                             [](char c) { return c >= '0' && c <= '9'; }))
      return deny("invalid_request", "max_age must be a whole number of seconds");
    max_age = std::stoll(q.max_age);
  }

  const core::Timestamp now = p_.clock.Now();
  const bool too_old = session && max_age && now - session->session.created_at > *max_age;
  if (!session || login || too_old) {
    if (none) return deny("login_required", "the person is not signed in to Vault");
    plan.kind = Kind::kLogin;
    plan.fresh_login = session.has_value();
    plan.login_hint = q.login_hint;
    return plan;
  }
  const app::AuthContext& who = *session;

  std::string denial;
  VAULT_ASSIGN_OR_RETURN(auto choices, Choices(client, who, &denial));
  if (choices.empty()) {
    app::Actor actor = app::ActorOf(who);
    VAULT_TRY(p_.store.Write([&](core::Tx& tx) {
      return audit_.Record(tx, actor,
                           {"oauth.authorization_denied", "account", who.account.id,
                            app::JsonSummary({{"client_id", client.id}, {"reason", denial}})});
    }));
    return deny("access_denied", denial, denial);
  }
  const AuthorizeChoice* chosen = nullptr;
  if (!q.workspace_id.empty() || !q.product_id.empty()) {
    for (const auto& c : choices)
      if (c.workspace_id == q.workspace_id && c.product_id == q.product_id) chosen = &c;
  } else if (choices.size() == 1 && !select) {
    chosen = &choices.front();
  }
  if (!chosen) {
    if (none)
      return deny("account_selection_required", "the person must choose a workspace on Vault");
    plan.kind = Kind::kChoose;
    plan.choices = std::move(choices);
    return plan;
  }
  plan.kind = Kind::kRedirect;
  if (!issue) return plan;

  // The code: 256 random bits, single use, 60 s; stored only as a keyed hash (purpose
  // oauth_code), so a database copy cannot be exchanged.
  const std::string code = core::Base64Url(p_.random.Bytes(32));
  core::AuthorizationCode row;
  row.code_hash = p_.secrets.KeyedHash("oauth_code", code);
  row.subject = {client.id,
                 who.account.id,
                 who.session.id,
                 chosen->workspace_id,
                 chosen->product_id,
                 core::JoinWords(scopes),
                 who.session.created_at,
                 who.mfa_enabled ? "pwd otp" : "pwd"};
  row.redirect_uri = q.redirect_uri;
  row.code_challenge = q.code_challenge;
  row.nonce = q.nonce;
  row.created_at = now;
  row.expires_at = now + tokens_.settings().code_seconds;
  row.session_expires_at = who.session.expires_at;
  VAULT_TRY(tokens_.commits().Write([&](core::Tx& tx) { return tx.InsertAuthorizationCode(row); }));
  plan.redirect_to = to_client({{"code", code}});
  return plan;
}

Result<AuthorizeService::LogoutPlan> AuthorizeService::Logout(
    const std::string& id_token_hint, const std::string& post_logout_redirect_uri,
    const std::string& state, const std::string& client_id) {
  LogoutPlan plan;
  if (id_token_hint.empty()) {
    plan.error = "id_token_hint is required";
    return plan;
  }
  // An ID token this issuer signed; an expired one is fine (logout often comes later).
  JwtCheck check;
  check.now = p_.clock.Now();
  check.leeway = 100LL * 365 * 86400;
  check.typ = "JWT";
  check.issuer = tokens_.settings().issuer;
  auto verified = VerifyJwt(
      id_token_hint, check,
      [this](const std::string& kid) { return tokens_.keys().PublicKey(kid); },
      tokens_.keys().ed());
  if (!verified) {
    if (!verified.error().id.starts_with("jwt.")) return Fail(verified.error());
    plan.error = "id_token_hint is not an ID token of this server";
    return plan;
  }
  const auto& claims = verified->claims;
  const std::string aud = StringClaim(claims, "aud"), sub = StringClaim(claims, "sub"),
                    sid = StringClaim(claims, "sid");
  if (!client_id.empty() && client_id != aud) {
    plan.error = "client_id differs from the id_token_hint's audience";
    return plan;
  }
  VAULT_ASSIGN_OR_RETURN(auto client, clients_.LiveClient(aud));
  if (!post_logout_redirect_uri.empty()) {
    if (!client || std::find(client->redirect_uris.begin(), client->redirect_uris.end(),
                             post_logout_redirect_uri) == client->redirect_uris.end()) {
      plan.error = "post_logout_redirect_uri is not registered for this application";
      return plan;
    }
    plan.redirect_to = post_logout_redirect_uri;
    if (!state.empty()) plan.redirect_to = WithParams(plan.redirect_to, {{"state", state}});
  }
  plan.session_id = sid;
  const core::Timestamp now = p_.clock.Now();
  VAULT_TRY(p_.store.Write([&](core::Tx& tx) -> Result<void> {
    bool ended = false;
    if (!sid.empty() && !sub.empty()) {
      VAULT_ASSIGN_OR_RETURN(ended, tx.DeleteSession(sub, sid));
      app::NoteSessionsChanged(tx, sub);
      VAULT_TRY(tx.RevokeRefreshTokensOfSession(sid, now));
    }
    return audit_.Record(
        tx, app::Actor{"service_client", aud, "", ""},
        {"oauth.logout", "account", sub,
         app::JsonSummary({{"client_id", aud}, {"session_ended", ended ? "true" : "false"}})});
  }));
  return plan;
}

}  // namespace vault::oidc
