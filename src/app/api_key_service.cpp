#include "app/api_key_service.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <set>

#include "app/change_store.hpp"
#include "app/product_admins.hpp"
#include "core/blocking.hpp"
#include "core/encoding.hpp"

namespace vault::app {

using core::Capability;
using core::Code;
using core::Fail;
using core::Result;

namespace {

constexpr core::Timestamp kMaxGrace = 30 * 24 * 3600;             // a roll's grace: at most 30 days
constexpr core::Timestamp kMaxLifetime = 10LL * 365 * 24 * 3600;  // expiry at most ~10 years ahead
constexpr std::size_t kMaxAllowedIps = 50;

core::Error KeyNotFound() {
  return core::Error{Code::kNotFound, "api_key.not_found", "", "no such API key in this workspace"};
}

core::Error Denied() {
  return core::Error{
      Code::kPermissionDenied, "permission.denied", "",
      "managing API keys needs a workspace Owner or Admin, or the product's Admin role"};
}

Result<core::Timestamp> CheckExpiry(core::Timestamp at, core::Timestamp now, const char* field) {
  if (at == 0) return at;
  if (at <= now)
    return Fail(Code::kInvalidArgument, "api_key.expiry_in_past",
                "the expiry must be in the future", field);
  if (at > now + kMaxLifetime)
    return Fail(Code::kInvalidArgument, "api_key.expiry_too_far",
                "the expiry must be within 10 years", field);
  return at;
}

std::string Cursor(const core::ApiKey& k) {
  return core::Base64Url(std::to_string(k.created_at) + ":" + k.id);
}

bool ParseCursor(const std::string& cursor, core::ApiKeyQuery& q) {
  auto raw = core::Base64UrlDecode(cursor);
  if (!raw) return false;
  auto colon = raw->find(':');
  if (colon == std::string::npos || colon == 0) return false;
  core::Timestamp t = 0;
  auto [end, ec] = std::from_chars(raw->data(), raw->data() + colon, t);
  if (ec != std::errc() || end != raw->data() + colon || t <= 0) return false;
  q.before_created_at = t;
  q.before_id = raw->substr(colon + 1);
  return core::IsValidUtf8(q.before_id) && q.before_id.size() <= 64;
}

}  // namespace

struct ApiKeyService::Scope {
  WorkspaceAccess access;
  bool all_products = false;             // workspace Owner or Admin
  std::set<std::string> admin_products;  // products where the caller holds the admin role
  bool Sees(const std::string& product_id) const {
    return all_products || admin_products.contains(product_id);
  }
};

ApiKeyService::ApiKeyService(Ports ports, WorkspaceService& workspaces, AccessModel& model,
                             std::size_t max_cached, std::size_t cache_bytes)
    : p_(ports),
      workspaces_(workspaces),
      model_(model),
      audit_(ports.secrets, ports.random, ports.clock),
      index_(std::min(max_cached, cache_bytes / kBytesPerKey)) {}

Result<ApiKeyService::Scope> ApiKeyService::OpenScope(core::Tx& tx, const AuthContext& ctx,
                                                      const std::string& ws, bool for_write) {
  VAULT_ASSIGN_OR_RETURN(auto access, for_write
                                          ? workspaces_.OpenForWrite(tx, ctx, ws, Capability::kView)
                                          : workspaces_.OpenIn(tx, ctx, ws, Capability::kView));
  Scope scope{std::move(access)};
  if (core::Allows(scope.access.membership.role, Capability::kManageAccess)) {
    scope.all_products = true;
    return scope;
  }
  // A product's Admins: the admin role reaches them directly or through one of their groups.
  VAULT_ASSIGN_OR_RETURN(auto mine,
                         AdministeredProducts(tx, scope.access.workspace.id, ctx.account.id));
  scope.admin_products = std::move(mine);
  if (scope.admin_products.empty()) return Fail(Denied());
  return scope;
}

Result<core::ApiKey> ApiKeyService::FindVisible(core::Tx& tx, const Scope& scope,
                                                const std::string& id) {
  VAULT_ASSIGN_OR_RETURN(auto k, tx.FindApiKey(id));
  // Another workspace's key, or a product the caller does not administer: not there.
  if (!k || (k)->workspace_id != scope.access.workspace.id || !scope.Sees((k)->product_id))
    return Fail(KeyNotFound());
  return std::move(*k);
}

Result<void> ApiKeyService::Authorize(const AuthContext& ctx, const std::string& ws) {
  return p_.store.Read([&](core::Tx& tx) -> Result<void> {
    VAULT_TRY(OpenScope(tx, ctx, ws, false));
    return {};
  });
}

Result<core::ApiKey> ApiKeyService::Issue(core::Tx& tx, const AuthContext& ctx, core::ApiKey key,
                                          std::string* text) {
  key.id = core::NewApiKeyId(p_.random);
  *text = core::FormatApiKey(key.environment, key.id, core::NewApiKeySecret(p_.random));
  // Only a keyed hash is stored: a database leak alone yields no usable key, and the HMAC
  // (not a slow password hash) is right for 256-bit random secrets that cannot be guessed.
  key.secret_hash = p_.secrets.KeyedHash(kHashPurpose, *text);
  key.last_four = text->substr(text->size() - 4);
  key.created_by = ctx.account.id;
  key.created_at = p_.clock.Now();
  key.revoked_at = key.last_used_at = 0;
  key.last_used_ip.clear();
  key.replaced_by.clear();
  VAULT_TRY(tx.InsertApiKey(key));
  // Other nodes learn the new id from the feed (they answer "unknown" for ids they do not know).
  NoteApiKeyChanged(tx, key.id);
  return key;
}

Result<IssuedKey> ApiKeyService::Create(const AuthContext& ctx, const std::string& ws,
                                        const NewKey& req) {
  VAULT_ASSIGN_OR_RETURN(auto name, core::ValidateWorkspaceName(req.name, "name"));
  VAULT_ASSIGN_OR_RETURN(auto env, core::ParseEnvironment(req.environment, "environment"));
  VAULT_ASSIGN_OR_RETURN(auto expires, CheckExpiry(req.expires_at, p_.clock.Now(), "expires_at"));
  if (req.allowed_ips.size() > kMaxAllowedIps)
    return Fail(Code::kInvalidArgument, "validation.too_many", "at most 50 networks",
                "allowed_ips");
  std::vector<std::string> networks;
  for (std::size_t i = 0; i < req.allowed_ips.size(); ++i) {
    VAULT_ASSIGN_OR_RETURN(
        auto net, core::ParseCidr(req.allowed_ips[i], "allowed_ips[" + std::to_string(i) + "]"));
    std::string canonical = net.ToString();
    if (std::find(networks.begin(), networks.end(), canonical) == networks.end())
      networks.push_back(canonical);
  }
  IssuedKey out;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto scope, OpenScope(tx, ctx, ws, true));
    VAULT_ASSIGN_OR_RETURN(auto product, tx.FindProduct(scope.access.workspace.id, req.product));
    if (!product)
      return Fail(Code::kNotFound, "product.not_found", "no such product in this workspace",
                  "product");
    if (!scope.Sees((product)->id)) return Fail(Denied());
    VAULT_ASSIGN_OR_RETURN(auto types, tx.ListProductTypes());
    std::vector<std::string> offered;
    for (const auto& t : types)
      if (t.id == (product)->type_id) offered = t.api_permissions;
    VAULT_ASSIGN_OR_RETURN(auto perms, core::ValidateKeyPermissions(req.permissions, offered));
    core::ApiKey key;
    key.workspace_id = scope.access.workspace.id;
    key.product_id = (product)->id;
    key.environment = env;
    key.name = name;
    key.permissions = std::move(perms);
    key.allowed_ips = networks;
    key.expires_at = expires;
    VAULT_ASSIGN_OR_RETURN(auto issued, Issue(tx, ctx, std::move(key), &out.text));
    out.key = std::move(issued);
    return audit_.Record(
        tx, ActorOf(ctx),
        {"api_key.created", "api_key", out.key.id,
         JsonSummary({{"name", out.key.name},
                      {"product", out.key.product_id},
                      {"environment", core::EnvironmentName(out.key.environment)},
                      {"permissions", core::JoinWords(out.key.permissions)},
                      {"allowed_ips", core::JoinWords(out.key.allowed_ips)},
                      {"expires_at", out.key.expires_at ? core::FormatRfc3339(out.key.expires_at)
                                                        : std::string("never")}}),
         out.key.workspace_id});
  });
  if (!r) return Fail(r.error());
  Changed(out.key.id);
  return out;
}

Result<KeyPage> ApiKeyService::List(const AuthContext& ctx, const std::string& ws,
                                    const KeyFilter& filter) {
  core::ApiKeyQuery q;
  q.limit = filter.limit + 1;  // one more tells whether a next page exists
  if (!filter.cursor.empty() && !ParseCursor(filter.cursor, q))
    return Fail(Code::kInvalidArgument, "validation.query", "not a cursor this API returned",
                "cursor");
  if (!filter.environment.empty()) {
    VAULT_ASSIGN_OR_RETURN(auto env, core::ParseEnvironment(filter.environment, "environment"));
    q.environment = std::string(core::EnvironmentName(env));
  }
  KeyPage page;
  auto r = p_.store.Read([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto scope, OpenScope(tx, ctx, ws, false));
    q.workspace_id = scope.access.workspace.id;
    if (!filter.product.empty()) {
      VAULT_ASSIGN_OR_RETURN(auto product, tx.FindProduct(q.workspace_id, filter.product));
      if (!product)
        return Fail(Code::kNotFound, "product.not_found", "no such product in this workspace",
                    "product");
      if (!scope.Sees((product)->id)) return Fail(Denied());
      q.product_ids = {(product)->id};
    } else if (!scope.all_products) {
      q.product_ids.assign(scope.admin_products.begin(), scope.admin_products.end());
    }
    VAULT_ASSIGN_OR_RETURN(auto keys, tx.ListApiKeys(q));
    page.items = std::move(keys);
    return {};
  });
  if (!r) return Fail(r.error());
  if (page.items.size() > static_cast<std::size_t>(filter.limit)) {
    page.items.pop_back();
    page.next_cursor = Cursor(page.items.back());
  }
  return page;
}

Result<core::ApiKey> ApiKeyService::Get(const AuthContext& ctx, const std::string& ws,
                                        const std::string& id) {
  return p_.store.Read([&](core::Tx& tx) -> Result<core::ApiKey> {
    VAULT_ASSIGN_OR_RETURN(auto scope, OpenScope(tx, ctx, ws, false));
    return FindVisible(tx, scope, id);
  });
}

Result<core::ApiKey> ApiKeyService::Revoke(const AuthContext& ctx, const std::string& ws,
                                           const std::string& id) {
  core::ApiKey out;
  VAULT_ASSIGN_OR_RETURN(auto changed, p_.store.Write([&](core::Tx& tx) -> Result<bool> {
    bool changed = false;
    VAULT_ASSIGN_OR_RETURN(auto scope, OpenScope(tx, ctx, ws, true));
    VAULT_ASSIGN_OR_RETURN(auto k, FindVisible(tx, scope, id));
    out = std::move(k);
    core::Timestamp now = p_.clock.Now();
    VAULT_ASSIGN_OR_RETURN(auto done, tx.RevokeApiKey(id, now));
    if (!done) return changed;  // already revoked
    changed = true;
    out.revoked_at = now;
    // The feed entry commits with the revocation: a crash right after the commit cannot leave
    // other nodes accepting the key.
    NoteApiKeyChanged(tx, id);
    VAULT_TRY(audit_.Record(
        tx, ActorOf(ctx),
        {"api_key.revoked", "api_key", id,
         JsonSummary({{"name", out.name}, {"product", out.product_id}}), out.workspace_id}));
    return changed;
  }));
  if (changed) Changed(id);
  return out;
}

Result<RolledKey> ApiKeyService::Roll(const AuthContext& ctx, const std::string& ws,
                                      const std::string& id, const RollOptions& options) {
  if (options.grace_seconds < 0 || options.grace_seconds > kMaxGrace)
    return Fail(Code::kInvalidArgument, "validation.range",
                "the grace period is 0 to 2592000 seconds (30 days)", "grace_seconds");
  core::Timestamp now = p_.clock.Now();
  if (options.expires_at) {
    VAULT_TRY(CheckExpiry(*options.expires_at, now, "expires_at"));
  }
  RolledKey out;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto scope, OpenScope(tx, ctx, ws, true));
    VAULT_ASSIGN_OR_RETURN(auto old, FindVisible(tx, scope, id));
    if (old.revoked_at != 0)
      return Fail(Code::kFailedPrecondition, "api_key.revoked", "a revoked key cannot be rolled");
    if (!old.replaced_by.empty())
      return Fail(Code::kFailedPrecondition, "api_key.already_rolled",
                  "this key was already rolled; roll its replacement instead");
    core::ApiKey next = old;
    next.rolled_from = old.id;
    if (options.expires_at)
      next.expires_at = *options.expires_at;
    else if (old.expires_at != 0)
      next.expires_at = now + std::max<core::Timestamp>(old.expires_at - old.created_at, 1);
    VAULT_ASSIGN_OR_RETURN(auto issued, Issue(tx, ctx, std::move(next), &out.key.text));
    out.key.key = std::move(issued);
    out.old = std::move(old);
    core::Timestamp old_expiry = out.old.expires_at;
    if (options.grace_seconds > 0 && (old_expiry == 0 || now + options.grace_seconds < old_expiry))
      old_expiry = now + options.grace_seconds;
    VAULT_ASSIGN_OR_RETURN(auto marked,
                           tx.MarkApiKeyRolled(out.old.id, out.key.key.id, old_expiry));
    if (!marked)
      return Fail(Code::kFailedPrecondition, "api_key.already_rolled", "the key changed meanwhile");
    out.old.replaced_by = out.key.key.id;
    out.old.expires_at = old_expiry;
    if (options.grace_seconds == 0) {
      VAULT_TRY(tx.RevokeApiKey(out.old.id, now));
      out.old.revoked_at = now;
    }
    NoteApiKeyChanged(tx, out.old.id);  // commits with the roll
    return audit_.Record(
        tx, ActorOf(ctx),
        {"api_key.rolled", "api_key", out.old.id,
         JsonSummary({{"new_key", out.key.key.id},
                      {"grace_seconds", std::to_string(options.grace_seconds)},
                      {"old_key_expires_at",
                       old_expiry ? core::FormatRfc3339(old_expiry) : std::string("never")}}),
         out.old.workspace_id});
  });
  if (!r) return Fail(r.error());
  Changed(out.old.id);
  Changed(out.key.key.id);
  return out;
}

}  // namespace vault::app
