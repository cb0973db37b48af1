#include "app/api_key_service.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <set>

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
constexpr const char* kHashPurpose = "api_key";

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
                             std::size_t max_cached)
    : p_(ports),
      workspaces_(workspaces),
      model_(model),
      audit_(ports.secrets, ports.random, ports.clock),
      max_cached_(max_cached) {}

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
  const std::string& me = ctx.account.id;
  VAULT_ASSIGN_OR_RETURN(auto members, tx.ListGroupMembers(scope.access.workspace.id));
  std::set<std::string> my_groups;
  for (const auto& [group, account] : members)
    if (account == me) my_groups.insert(group);
  VAULT_ASSIGN_OR_RETURN(auto grants, tx.ListWorkspaceGrants(scope.access.workspace.id));
  for (const auto& g : grants) {
    bool mine = g.principal_type == core::PrincipalType::kAccount
                    ? g.principal_id == me
                    : my_groups.contains(g.principal_id);
    if (mine && g.role == "admin") scope.admin_products.insert(g.product_id);
  }
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
  VAULT_TRY(tx.AppendChange("api_key", key.id, key.created_at));
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
    VAULT_TRY(tx.AppendChange("api_key", id, now));
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
    VAULT_TRY(tx.AppendChange("api_key", out.old.id, now));  // commits with the roll
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

void ApiKeyService::Changed(const std::string& key_id) {
  // Other processes learn it from the feed entry written in the same transaction; this one
  // drops the key now.
  ApiKeyChanged(key_id);
}

void ApiKeyService::ApiKeyChanged(const std::string& key_id) {
  std::unique_lock lock(mu_);
  generation_++;
  if (auto k = PackId(key_id)) {
    keys_.erase(*k);
    RememberId(*k);  // created, revoked or rolled: it exists (a miss reads it again)
  }
}

void ApiKeyService::RememberId(const IdKey& id) {
  if (known_ids_.contains(id)) return;
  if (known_ids_.size() >= max_cached_) {
    ids_complete_ = false;  // past the bound: misses read the database again
    return;
  }
  known_ids_.insert(id);
}

std::optional<ApiKeyService::IdKey> ApiKeyService::PackId(std::string_view id) {
  constexpr std::string_view kPrefix = "ak_";
  if (id.size() != kPrefix.size() + 20 || id.substr(0, kPrefix.size()) != kPrefix)
    return std::nullopt;
  IdKey k;
  for (std::size_t i = 0; i < 20; ++i) {
    char c = id[kPrefix.size() + i];
    std::uint64_t v;
    if (c >= 'a' && c <= 'z')
      v = static_cast<std::uint64_t>(c - 'a');
    else if (c >= '2' && c <= '7')
      v = static_cast<std::uint64_t>(c - '2' + 26);
    else
      return std::nullopt;
    std::uint64_t& word = i < 8 ? k.hi : k.lo;  // 8 characters (40 bits), then 12 (60 bits)
    word = (word << 5) | v;
  }
  return k;
}

std::size_t ApiKeyService::cached_keys() const {
  std::shared_lock lock(mu_);
  return keys_.size();
}

std::shared_ptr<const ApiKeyService::Cached> ApiKeyService::ToCached(const core::ApiKey& k) {
  auto c = std::make_shared<Cached>();
  c->workspace_id = k.workspace_id;
  c->product_id = k.product_id;
  c->name = k.name;
  if (k.secret_hash.size() == c->secret_hash.size())
    std::memcpy(c->secret_hash.data(), k.secret_hash.data(), c->secret_hash.size());
  c->state.environment = k.environment;
  c->state.expires_at = k.expires_at;
  c->state.revoked_at = k.revoked_at;
  c->state.permissions = k.permissions;
  c->state.networks = core::KeyNetworks(k);
  c->last_recorded.store(k.last_used_at, std::memory_order_relaxed);
  return c;
}

Result<std::shared_ptr<const ApiKeyService::Cached>> ApiKeyService::Lookup(const std::string& id) {
  const std::optional<IdKey> packed = PackId(id);
  if (!packed) return std::shared_ptr<const Cached>();  // never issued in that shape
  {
    std::shared_lock lock(mu_);
    if (auto it = keys_.find(*packed); it != keys_.end()) return it->second;
    // An id never issued is answered from memory like a cached one: no timing oracle on ids.
    if (ids_complete_ && !known_ids_.contains(*packed)) return std::shared_ptr<const Cached>();
  }
  if (!core::BlockingAllowed()) return Fail(core::WouldBlock());
  db_reads_++;
  std::uint64_t gen = generation_.load();
  VAULT_ASSIGN_OR_RETURN(auto found,
                         p_.store.Read([&](core::Tx& tx) -> Result<std::optional<core::ApiKey>> {
                           std::optional<core::ApiKey> found;
                           VAULT_ASSIGN_OR_RETURN(auto k, tx.FindApiKey(id));
                           found = std::move(k);
                           return found;
                         }));
  if (!found) {  // unknown ids are not cached: probes must not grow memory
    std::unique_lock lock(mu_);
    if (generation_.load() == gen) known_ids_.erase(*packed);  // deleted with its product
    return std::shared_ptr<const Cached>();
  }
  auto c = ToCached(*found);
  std::unique_lock lock(mu_);
  if (generation_.load() == gen) {  // nothing was invalidated while we read: safe to keep
    if (keys_.size() >= max_cached_) keys_.erase(keys_.begin());
    keys_[*packed] = c;
  }
  return c;
}

Result<std::size_t> ApiKeyService::WarmUp() {
  std::string after;
  std::size_t loaded = 0;
  constexpr int kPage = 5000;
  for (int retries = 0; loaded < max_cached_;) {
    std::uint64_t gen = generation_.load();
    VAULT_ASSIGN_OR_RETURN(auto page,
                           p_.store.Read([&](core::Tx& tx) -> Result<std::vector<core::ApiKey>> {
                             std::vector<core::ApiKey> page;
                             VAULT_ASSIGN_OR_RETURN(auto keys, tx.ScanLiveApiKeys(after, kPage));
                             page = std::move(keys);
                             return page;
                           }));
    if (page.empty()) break;
    std::vector<std::pair<std::string, std::shared_ptr<const Cached>>> built;
    built.reserve(page.size());
    for (const auto& k : page) built.emplace_back(k.id, ToCached(k));
    {
      std::unique_lock lock(mu_);
      if (generation_.load() != gen && retries < 3) {
        ++retries;  // a key changed while this page was read: read the page again
        continue;
      }
      if (generation_.load() == gen)
        for (auto& [id, c] : built)
          if (auto k = PackId(id);
              k && keys_.size() < max_cached_ && keys_.emplace(*k, std::move(c)).second)
            ++loaded;
    }
    retries = 0;
    after = page.back().id;
  }
  VAULT_TRY(WarmIds());
  return loaded;
}

Result<void> ApiKeyService::WarmIds() {
  std::string after;
  constexpr int kPage = 20000;
  for (;;) {
    std::vector<std::string> page;
    auto r = p_.store.Read([&](core::Tx& tx) -> Result<void> {
      VAULT_ASSIGN_OR_RETURN(auto ids, tx.ScanApiKeyIds(after, kPage));
      page = std::move(ids);
      return {};
    });
    if (!r) return r;
    std::unique_lock lock(mu_);
    for (const auto& id : page) {
      auto k = PackId(id);
      if (!k) continue;
      if (known_ids_.size() >= max_cached_ && !known_ids_.contains(*k))
        return {};  // stays incomplete
      known_ids_.insert(*k);
    }
    if (page.size() < static_cast<std::size_t>(kPage)) {
      // Ids created meanwhile arrived through ApiKeyChanged, which also fills known_ids_.
      ids_complete_ = true;
      return {};
    }
    after = page.back();
  }
}

Result<KeyVerdict> ApiKeyService::Verify(const core::ServiceClient& client,
                                         std::string_view key_text, const core::KeyCheck& check) {
  KeyVerdict v;
  auto parsed = core::ParseApiKey(key_text);
  if (!parsed) {  // wrong shape or checksum: answered without touching storage
    v.reason = "malformed";
    return v;
  }
  VAULT_ASSIGN_OR_RETURN(auto cached, Lookup(parsed->id));
  const Cached* c = cached.get();
  std::string hash = p_.secrets.KeyedHash(kHashPurpose, key_text);
  // Constant-time compare of the stored keyed hash with the presented key's.
  if (c && (!core::ConstantTimeEquals(
                std::string_view(c->secret_hash.data(), c->secret_hash.size()), hash) ||
            c->state.environment != parsed->environment))
    c = nullptr;
  core::KeyProductFacts product;
  if (c) {
    VAULT_ASSIGN_OR_RETURN(auto facts, model_.KeyProduct(c->product_id, check.permission));
    product = std::move(facts);
    // A key of another product type is not this client's to know about.
    if (product.type_id != client.type_id) product.exists = false;
  }
  core::Timestamp now = p_.clock.Now();
  v.reason = core::DecideKey(c ? &c->state : nullptr, product, check, now);
  if (!v.reason.empty()) return v;
  v.key_id = parsed->id;
  v.workspace_id = c->workspace_id;
  v.product_id = c->product_id;
  v.name = c->name;
  v.environment = c->state.environment;
  v.permissions = c->state.permissions;
  v.expires_at = c->state.expires_at;
  core::Timestamp last = c->last_recorded.load(std::memory_order_relaxed);
  if (now - last >= kUsageResolution &&
      c->last_recorded.compare_exchange_strong(last, now, std::memory_order_relaxed)) {
    std::lock_guard lock(usage_mu_);
    auto& u = usage_[v.key_id];
    u.at = now;
    if (u.ip != check.ip) u.ip = check.ip;
  }
  return v;
}

Result<int> ApiKeyService::FlushUsage() {
  std::unordered_map<std::string, core::ApiKeyUsage> pending;
  {
    std::lock_guard lock(usage_mu_);
    pending.swap(usage_);
  }
  if (pending.empty()) return 0;
  std::vector<core::ApiKeyUsage> batch;
  batch.reserve(pending.size());
  for (auto& [id, u] : pending) batch.push_back({id, u.at, std::move(u.ip)});
  auto r = p_.store.Write([&](core::Tx& tx) { return tx.RecordApiKeyUsage(batch); });
  flushes_++;
  if (!r) {
    // Put the records back (newer ones recorded meanwhile win) for the next flush.
    std::lock_guard lock(usage_mu_);
    for (auto& u : batch)
      if (auto it = usage_.find(u.id); it == usage_.end()) usage_.emplace(u.id, std::move(u));
    return Fail(r.error());
  }
  return static_cast<int>(batch.size());
}

}  // namespace vault::app
