// SqlTx: the OpenID Connect provider's signing keys, authorization codes, refresh tokens and
// revoked access-token ids.
#include "storage/sql_tx.hpp"

namespace vault::storage {

using core::Result;

namespace {

constexpr const char* kSigningKeyCols =
    "kid, alg, public_key, sealed_private_key, created_at, retired_at, verify_until";

core::SigningKey ToSigningKey(const SqlRow& r) {
  return core::SigningKey{r.Str(0), r.Str(1), r.Str(2), r.Str(3), r.Int(4), r.Int(5), r.Int(6)};
}

// The OAuthSubject columns, in this order, in both grant tables.
constexpr const char* kSubjectCols =
    "client_id, account_id, session_id, workspace_id, product_id, scope, auth_time, amr";

void AddSubject(std::vector<SqlValue>& v, const core::OAuthSubject& s) {
  for (const std::string* x :
       {&s.client_id, &s.account_id, &s.session_id, &s.workspace_id, &s.product_id, &s.scope})
    v.emplace_back(*x);
  v.emplace_back(s.auth_time);
  v.emplace_back(s.amr);
}

core::OAuthSubject ToSubject(const SqlRow& r, std::size_t at) {
  return core::OAuthSubject{r.Str(at),     r.Str(at + 1), r.Str(at + 2), r.Str(at + 3),
                            r.Str(at + 4), r.Str(at + 5), r.Int(at + 6), r.Str(at + 7)};
}

// "$1, $2, … $n"
std::string Placeholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 1; i <= n; ++i) out += (i > 1 ? ", $" : "$") + std::to_string(i);
  return out;
}

Result<void> InsertRow(SqlConn& conn, const std::string& table, const std::string& cols,
                       const std::vector<SqlValue>& values, const char* taken_id) {
  auto r = conn.Query(
      "INSERT INTO " + table + " (" + cols + ") VALUES (" + Placeholders(values.size()) + ")",
      values);
  if (!r) {
    if (r.error().code == core::Code::kAlreadyExists)
      return core::Fail(core::Code::kAlreadyExists, taken_id, "this grant exists already");
    return core::Fail(r.error());
  }
  return {};
}

const std::string kCodeCols = std::string("code_hash, ") + kSubjectCols +
                              ", redirect_uri, code_challenge, nonce, created_at, expires_at, "
                              "used_at, family_id, session_expires_at";
const std::string kRefreshCols = std::string("id, family_id, token_hash, ") + kSubjectCols +
                                 ", created_at, expires_at, family_expires_at, used_at, revoked_at";

}  // namespace

Result<void> SqlTx::InsertAuthorizationCode(const core::AuthorizationCode& c) {
  std::vector<SqlValue> v{c.code_hash};
  AddSubject(v, c.subject);
  v.insert(v.end(), {c.redirect_uri, c.code_challenge, c.nonce, c.created_at, c.expires_at,
                     c.used_at, c.family_id, c.session_expires_at});
  return InsertRow(conn_, "oauth_codes", kCodeCols, v, "oauth_code.taken");
}

Result<std::optional<core::AuthorizationCode>> SqlTx::FindAuthorizationCode(
    const std::string& code_hash) {
  auto rows =
      conn_.Query("SELECT " + kCodeCols + " FROM oauth_codes WHERE code_hash = $1", {code_hash});
  if (!rows) return core::Fail(rows.error());
  if (rows->empty()) return std::optional<core::AuthorizationCode>();
  const SqlRow& r = rows->front();
  return std::optional<core::AuthorizationCode>(
      core::AuthorizationCode{r.Str(0), ToSubject(r, 1), r.Str(9), r.Str(10), r.Str(11), r.Int(12),
                              r.Int(13), r.Int(14), r.Str(15), r.Int(16)});
}

Result<bool> SqlTx::UseAuthorizationCode(const std::string& code_hash, core::Timestamp now,
                                         const std::string& family_id) {
  auto r = conn_.Query(
      "UPDATE oauth_codes SET used_at = $2, family_id = $3 WHERE code_hash = $1 AND used_at = 0 "
      "RETURNING code_hash",
      {code_hash, now, family_id});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

Result<void> SqlTx::InsertRefreshToken(const core::RefreshToken& t) {
  std::vector<SqlValue> v{t.id, t.family_id, t.token_hash};
  AddSubject(v, t.subject);
  v.insert(v.end(), {t.created_at, t.expires_at, t.family_expires_at, t.used_at, t.revoked_at});
  return InsertRow(conn_, "oauth_refresh_tokens", kRefreshCols, v, "refresh_token.taken");
}

Result<std::optional<core::RefreshToken>> SqlTx::FindRefreshToken(const std::string& token_hash) {
  auto rows = conn_.Query(
      "SELECT " + kRefreshCols + " FROM oauth_refresh_tokens WHERE token_hash = $1", {token_hash});
  if (!rows) return core::Fail(rows.error());
  if (rows->empty()) return std::optional<core::RefreshToken>();
  const SqlRow& r = rows->front();
  return std::optional<core::RefreshToken>(core::RefreshToken{r.Str(0), r.Str(1), r.Str(2),
                                                              ToSubject(r, 3), r.Int(11), r.Int(12),
                                                              r.Int(13), r.Int(14), r.Int(15)});
}

Result<bool> SqlTx::UseRefreshToken(const std::string& id, core::Timestamp now) {
  auto r = conn_.Query(
      "UPDATE oauth_refresh_tokens SET used_at = $2 WHERE id = $1 AND used_at = 0 AND "
      "revoked_at = 0 RETURNING id",
      {id, now});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

Result<int> SqlTx::RevokeRefreshFamily(const std::string& family_id, core::Timestamp now) {
  auto r = conn_.Query(
      "UPDATE oauth_refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at = 0 "
      "RETURNING id",
      {family_id, now});
  if (!r) return core::Fail(r.error());
  return static_cast<int>(r->size());
}

Result<int> SqlTx::RevokeRefreshTokensOfSession(const std::string& session_id,
                                                core::Timestamp now) {
  auto r = conn_.Query(
      "UPDATE oauth_refresh_tokens SET revoked_at = $2 WHERE session_id = $1 AND revoked_at = 0 "
      "RETURNING id",
      {session_id, now});
  if (!r) return core::Fail(r.error());
  return static_cast<int>(r->size());
}

Result<int> SqlTx::RevokeRefreshTokensOfAccount(const std::string& account_id,
                                                const std::string& keep_session_id,
                                                core::Timestamp now) {
  auto r = conn_.Query(
      "UPDATE oauth_refresh_tokens SET revoked_at = $3 WHERE account_id = $1 AND session_id <> $2 "
      "AND revoked_at = 0 RETURNING id",
      {account_id, keep_session_id, now});
  if (!r) return core::Fail(r.error());
  return static_cast<int>(r->size());
}

Result<void> SqlTx::InsertRevokedAccessToken(const std::string& jti, core::Timestamp expires_at) {
  auto r = conn_.Query(
      "INSERT INTO oauth_revoked_tokens (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO "
      "NOTHING",
      {jti, expires_at});
  if (!r) return core::Fail(r.error());
  return {};
}

Result<std::vector<std::pair<std::string, core::Timestamp>>> SqlTx::ListRevokedAccessTokens(
    core::Timestamp now) {
  auto rows = conn_.Query(
      "SELECT jti, expires_at FROM oauth_revoked_tokens WHERE expires_at > $1 ORDER BY jti", {now});
  if (!rows) return core::Fail(rows.error());
  std::vector<std::pair<std::string, core::Timestamp>> out;
  for (const auto& r : *rows) out.emplace_back(r.Str(0), r.Int(1));
  return out;
}

Result<int> SqlTx::DeleteExpiredOAuthGrants(core::Timestamp now, int limit) {
  int total = 0;
  for (auto [table, key] :
       {std::pair{"oauth_codes", "code_hash"}, std::pair{"oauth_refresh_tokens", "id"},
        std::pair{"oauth_revoked_tokens", "jti"}}) {
    VAULT_ASSIGN_OR_RETURN(int n, Purge(table, key, "expires_at <= $1", {now}, limit));
    total += n;
  }
  return total;
}

Result<void> SqlTx::InsertSigningKey(const core::SigningKey& k) {
  auto r = conn_.Query(std::string("INSERT INTO signing_keys (") + kSigningKeyCols +
                           ") VALUES ($1, $2, $3, $4, $5, $6, $7)",
                       {k.kid, k.alg, k.public_key, k.sealed_private_key, k.created_at,
                        k.retired_at, k.verify_until});
  if (!r) {
    if (r.error().code == core::Code::kAlreadyExists)
      return core::Fail(core::Code::kAlreadyExists, "signing_key.kid_taken",
                        "a signing key with this kid exists");
    return core::Fail(r.error());
  }
  return {};
}

Result<std::vector<core::SigningKey>> SqlTx::ListSigningKeys() {
  auto rows = conn_.Query(std::string("SELECT ") + kSigningKeyCols +
                              " FROM signing_keys ORDER BY created_at DESC, kid DESC",
                          {});
  if (!rows) return core::Fail(rows.error());
  std::vector<core::SigningKey> out;
  out.reserve(rows->size());
  for (const auto& r : *rows) out.push_back(ToSigningKey(r));
  return out;
}

Result<int> SqlTx::RetireSigningKeys(const std::string& keep_kid, core::Timestamp now,
                                     core::Timestamp verify_until) {
  auto r = conn_.Query(
      "UPDATE signing_keys SET retired_at = $2, verify_until = $3 WHERE kid <> $1 AND "
      "retired_at = 0 RETURNING kid",
      {keep_kid, now, verify_until});
  if (!r) return core::Fail(r.error());
  return static_cast<int>(r->size());
}

Result<int> SqlTx::DeleteExpiredSigningKeys(core::Timestamp now) {
  auto r = conn_.Query(
      "DELETE FROM signing_keys WHERE retired_at <> 0 AND verify_until <= $1 RETURNING kid", {now});
  if (!r) return core::Fail(r.error());
  return static_cast<int>(r->size());
}

}  // namespace vault::storage
