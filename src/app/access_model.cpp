#include "app/access_model.hpp"

#include <algorithm>
#include <mutex>

#include "core/blocking.hpp"

namespace vault::app {

using core::Fail;
using core::Result;

void AccessModel::WorkspaceChanged(const std::string& workspace_id) {
  std::unique_lock lock(mu_);
  generation_++;
  workspaces_.Erase(workspace_id);
}

void AccessModel::AccountChanged(const std::string& account_id) {
  std::unique_lock lock(mu_);
  generation_++;
  accounts_.Erase(account_id);
}

void AccessModel::CatalogChanged() {
  std::unique_lock lock(mu_);
  generation_++;
  types_.reset();
}

std::size_t AccessModel::cached_workspaces() const {
  std::shared_lock lock(mu_);
  return workspaces_.size();
}

std::size_t AccessModel::cache_bytes() const {
  std::shared_lock lock(mu_);
  return workspaces_.bytes() + accounts_.bytes() + product_workspace_.bytes();
}

std::uint64_t AccessModel::cache_evictions() const {
  std::shared_lock lock(mu_);
  return workspaces_.evictions() + accounts_.evictions() + product_workspace_.evictions();
}

namespace {
// What a std::string holds beyond its own object: nothing when short (in place), else its
// buffer plus the allocator's header.
std::size_t Heap(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 16 : 0; }
// An unordered_map node: the pair, a next pointer and the cached hash, plus the bucket slot.
template <typename Pair>
constexpr std::size_t kNode = sizeof(Pair) + 2 * sizeof(void*) + 16 + sizeof(void*);
// A cache entry beyond its value: its map node's key and links, the clock ring's node and the
// entry's bookkeeping.
constexpr std::size_t kEntryOverhead = 160;
}  // namespace

std::size_t AccessModel::EstimateBytes(const WorkspaceSnap& ws) {
  std::size_t n = sizeof(WorkspaceSnap) + 64;  // the snapshot and its shared_ptr control block
  for (const auto& [id, role] : ws.members)
    n += kNode<std::pair<const std::string, core::Role>> + Heap(id);
  for (const auto& [id, entry] : ws.products) {
    n += kNode<std::pair<const std::string, ProductEntry>> + Heap(id) + Heap(entry.product.name) +
         Heap(entry.product.workspace_id) + Heap(entry.product.type_id) +
         Heap(entry.product.shortname);
    n += entry.grants.capacity() * sizeof(core::Grant);
    for (const auto& g : entry.grants)
      n += Heap(g.principal_id) + Heap(g.role) + Heap(g.product_id) + Heap(g.workspace_id);
    if (entry.config && entry.config.use_count() <= 2) n += entry.config->capacity() + 64;
  }
  for (const auto& [account, groups] : ws.groups_of) {
    n += kNode<std::pair<const std::string, std::vector<std::string>>> + Heap(account);
    n += groups.capacity() * sizeof(std::string);
    for (const auto& g : groups) n += Heap(g);
  }
  return n;
}

Result<std::shared_ptr<const AccessModel::Types>> AccessModel::Catalog() {
  {
    std::shared_lock lock(mu_);
    if (types_) return types_;
  }
  if (!core::BlockingAllowed()) return Fail(core::WouldBlock());
  std::uint64_t gen = generation_.load();
  auto types = std::make_shared<Types>();
  auto r = store_.Read([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto list, tx.ListProductTypes());
    *types = std::move(list);
    return {};
  });
  if (!r) return Fail(r.error());
  std::unique_lock lock(mu_);
  if (generation_.load() == gen) types_ = types;
  return std::shared_ptr<const Types>(types);
}

Result<AccessModel::AccountSnap> AccessModel::Account(const std::string& id) {
  {
    std::shared_lock lock(mu_);
    if (const AccountSnap* hit = accounts_.Find(id)) return *hit;
  }
  if (!core::BlockingAllowed()) return Fail(core::WouldBlock());
  std::uint64_t gen = generation_.load();
  VAULT_ASSIGN_OR_RETURN(auto snap, store_.Read([&](core::Tx& tx) -> Result<AccountSnap> {
    AccountSnap snap;
    VAULT_ASSIGN_OR_RETURN(auto a, tx.FindAccountById(id));
    if (!a) return snap;
    snap.exists = true;
    snap.disabled = (a)->disabled;
    VAULT_ASSIGN_OR_RETURN(auto totp, tx.FindTotp(id));
    snap.mfa = totp && (totp)->confirmed;
    return snap;
  }));
  // Unknown ids are not cached: random probes must not grow memory.
  if (snap.exists) {
    std::unique_lock lock(mu_);
    if (generation_.load() == gen) accounts_.Put(id, snap, kEntryOverhead + Heap(id));
  }
  return snap;
}

Result<std::string> AccessModel::WorkspaceOfProduct(const std::string& product_id) {
  {
    std::shared_lock lock(mu_);
    if (const std::string* hit = product_workspace_.Find(product_id)) return *hit;
  }
  if (!core::BlockingAllowed()) return Fail(core::WouldBlock());
  std::uint64_t gen = generation_.load();
  VAULT_ASSIGN_OR_RETURN(auto ws, store_.Read([&](core::Tx& tx) -> Result<std::string> {
    std::string ws;
    VAULT_ASSIGN_OR_RETURN(auto p, tx.FindProductById(product_id));
    if (p) ws = (p)->workspace_id;
    return ws;
  }));
  if (!ws.empty()) {
    std::unique_lock lock(mu_);
    if (generation_.load() == gen)
      product_workspace_.Put(product_id, ws, kEntryOverhead + Heap(product_id) + Heap(ws));
  }
  return ws;
}

Result<std::shared_ptr<const AccessModel::WorkspaceSnap>> AccessModel::Workspace(
    const std::string& id) {
  {
    std::shared_lock lock(mu_);
    if (const auto* hit = workspaces_.Find(id)) return *hit;
  }
  if (!core::BlockingAllowed()) return Fail(core::WouldBlock());
  std::uint64_t gen = generation_.load();
  auto snap = std::make_shared<WorkspaceSnap>();
  auto r = store_.Read([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto w, tx.FindWorkspace(id));
    if (!w) return {};
    snap->require_2fa = (w)->require_2fa;
    snap->suspended = (w)->suspended();
    VAULT_ASSIGN_OR_RETURN(auto members, tx.ListMembers(id));
    for (const auto& m : members) snap->members[m.membership.account_id] = m.membership.role;
    VAULT_ASSIGN_OR_RETURN(auto products, tx.ListProducts(id));
    for (auto& p : products) snap->products[p.id].product = std::move(p);
    VAULT_ASSIGN_OR_RETURN(auto subs, tx.ListSubscriptions(id));
    for (auto& s : subs)
      if (auto it = snap->products.find(s.product_id); it != snap->products.end())
        it->second.subscription = s;
    VAULT_ASSIGN_OR_RETURN(auto grants, tx.ListWorkspaceGrants(id));
    for (auto& g : grants)
      if (auto it = snap->products.find(g.product_id); it != snap->products.end())
        it->second.grants.push_back(std::move(g));
    VAULT_ASSIGN_OR_RETURN(auto configs, tx.ListProductConfigs(id));
    for (auto& c : configs)
      if (auto it = snap->products.find(c.product_id); it != snap->products.end())
        it->second.config = std::make_shared<const std::string>(std::move(c.config));
    static const auto kEmpty = std::make_shared<const std::string>("{}");
    for (auto& [pid, entry] : snap->products)
      if (!entry.config) entry.config = kEmpty;
    VAULT_ASSIGN_OR_RETURN(auto groups, tx.ListGroupMembers(id));
    for (auto& [group, account] : groups) snap->groups_of[account].push_back(group);
    return {};
  });
  if (!r) return Fail(r.error());
  std::size_t bytes = kEntryOverhead + Heap(id) + EstimateBytes(*snap);
  std::unique_lock lock(mu_);
  if (generation_.load() == gen) workspaces_.Put(id, snap, bytes);
  return std::shared_ptr<const WorkspaceSnap>(snap);
}

Result<AccessModel::Found> AccessModel::Find(const std::string& product_id) {
  Found out;
  VAULT_ASSIGN_OR_RETURN(auto ws_id, WorkspaceOfProduct(product_id));
  if (ws_id.empty()) return out;
  VAULT_ASSIGN_OR_RETURN(auto ws, Workspace(ws_id));
  auto product = (ws)->products.find(product_id);
  if (product == (ws)->products.end()) return out;
  VAULT_ASSIGN_OR_RETURN(auto types, Catalog());
  out.workspace = std::move(ws);
  out.product = &product->second;  // lives as long as out.workspace
  out.types = std::move(types);
  return out;
}

Result<core::AccessFacts> AccessModel::Facts(const std::string& account_id,
                                             const std::string& product_id) {
  core::AccessFacts f;
  VAULT_ASSIGN_OR_RETURN(auto account, Account(account_id));
  f.account_exists = account.exists;
  f.account_disabled = account.disabled;
  f.account_mfa = account.mfa;
  VAULT_ASSIGN_OR_RETURN(auto found, Find(product_id));
  if (!found.product) return f;
  const auto& ws = found.workspace;
  const ProductEntry* product = found.product;
  const auto& types = found.types;
  const core::ProductType* type = nullptr;
  for (const auto& t : *types)
    if (t.id == product->product.type_id) type = &t;
  // The catalogue outlives this call through `types_`; keep a reference alive for the caller.
  static thread_local std::shared_ptr<const Types> keep;
  keep = types;
  f.product_exists = true;
  f.product = product->product;
  f.type = type;
  f.subscription = product->subscription;
  f.config = product->config;
  f.workspace_requires_2fa = ws->require_2fa;
  f.workspace_suspended = ws->suspended;
  if (auto m = ws->members.find(account_id); m != ws->members.end()) f.membership = m->second;
  const std::vector<std::string>* groups = nullptr;
  if (auto g = ws->groups_of.find(account_id); g != ws->groups_of.end()) groups = &g->second;
  for (const core::Grant& g : product->grants) {
    bool reaches =
        g.principal_type == core::PrincipalType::kAccount
            ? g.principal_id == account_id
            : groups && std::find(groups->begin(), groups->end(), g.principal_id) != groups->end();
    if (!reaches) continue;
    const core::ProductRole* role = type ? type->FindRole(g.role) : nullptr;
    f.grants.push_back({g.principal_type == core::PrincipalType::kAccount ? "direct" : "group",
                        g.principal_type == core::PrincipalType::kGroup ? g.principal_id : "",
                        g.role, role ? role->rank : 0});
  }
  return f;
}

Result<AccessModel::Listing> AccessModel::List(const std::string& workspace_id) {
  VAULT_ASSIGN_OR_RETURN(auto ws, Workspace(workspace_id));
  Listing out;
  out.members.assign(ws->members.begin(), ws->members.end());
  std::sort(out.members.begin(), out.members.end());
  for (const auto& [id, entry] : ws->products) out.products.push_back(id);
  std::sort(out.products.begin(), out.products.end());
  return out;
}

Result<core::KeyProductFacts> AccessModel::KeyProduct(const std::string& product_id,
                                                      const std::string& permission) {
  core::KeyProductFacts f;
  auto decide = [&](const WorkspaceSnap& ws, const ProductEntry& product, const Types& types) {
    f.exists = true;
    f.workspace_suspended = ws.suspended;
    f.type_id = product.product.type_id;
    f.config = product.config;
    f.active = core::IsProductActive(product.product, product.subscription, clock_.Now());
    f.offers_permission = permission.empty();
    for (const auto& t : types)
      if (t.id == product.product.type_id) {
        f.offers_permission =
            permission.empty() || std::find(t.api_permissions.begin(), t.api_permissions.end(),
                                            permission) != t.api_permissions.end();
        if (product.subscription)
          if (const core::Plan* plan = t.FindPlan(product.subscription->plan_key); plan)
            f.features = plan->features;
      }
  };
  {
    // Fast path, the usual case: everything cached, read under one shared lock without
    // copying shared pointers (their counts are contended cache lines on every request).
    std::shared_lock lock(mu_);
    const std::string* pw = product_workspace_.Find(product_id);
    if (pw && types_) {
      if (const auto* ws = workspaces_.Find(*pw)) {
        auto product = (*ws)->products.find(product_id);
        if (product != (*ws)->products.end()) decide(**ws, product->second, *types_);
        return f;
      }
    }
  }
  VAULT_ASSIGN_OR_RETURN(auto found, Find(product_id));
  if (!found.product) return f;
  decide(*found.workspace, *found.product, *found.types);
  return f;
}

Result<core::AccessDecision> AccessModel::Check(const std::string& account_id,
                                                const std::string& product_id,
                                                const std::string& permission,
                                                core::AccessFacts* facts) {
  VAULT_ASSIGN_OR_RETURN(auto f, Facts(account_id, product_id));
  core::AccessDecision d = core::DecideAccess(f, permission, clock_.Now());
  if (facts) *facts = std::move(f);
  return d;
}

}  // namespace vault::app
