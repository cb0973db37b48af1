// AccessModel, filled from storage: the bulk load at start (Load), building and keeping a batch of
// workspace snapshots (Install), the single reads a lookup asks for when something is not in
// memory (ReadAccount, ReadProductWorkspace, ReadWorkspace, ReadCatalog), and the snapshots' size
// estimate the cache's budget counts. The lookups and answers are in access_model.cpp.
#include <algorithm>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include "app/access_model.hpp"
#include "core/blocking.hpp"

namespace vault::app {

using core::Fail;
using core::Result;

namespace {
// Rows per bulk read: enough that a read's fixed cost is noise, few enough that the exclusive
// lock taken to install them stays in the milliseconds.
constexpr int kAccountPage = 20000;
constexpr int kWorkspaceBatch = 500;

// What a std::string holds beyond its own object: nothing when short (in place), else its
// buffer plus the allocator's header.
std::size_t Heap(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 16 : 0; }
// A snapshot's entry in the workspace cache beyond the snapshot: its map node, the clock ring's
// node, the shared pointer's control block.
constexpr std::size_t kEntryOverhead = 128;
}  // namespace

std::size_t AccessModel::EstimateBytes(const WorkspaceSnap& ws) {
  std::size_t n = sizeof(WorkspaceSnap) + kEntryOverhead;
  n += ws.members.capacity() * sizeof(ws.members[0]) +
       ws.groups_of.capacity() * sizeof(ws.groups_of[0]);
  for (const auto& e : ws.products) {
    n += sizeof(ProductEntry) + Heap(e.product.id) + Heap(e.product.name) +
         Heap(e.product.workspace_id) + Heap(e.product.type_id) + Heap(e.product.shortname);
    n += e.grants.capacity() * sizeof(Grant);
    if (e.subscription)
      n += Heap(e.subscription->product_id) + Heap(e.subscription->plan_key) +
           Heap(e.subscription->provider) + Heap(e.subscription->external_id);
    if (e.config && e.config.use_count() <= 2) n += e.config->capacity() + 64;
  }
  return n;
}

std::size_t AccessModel::Install(const core::AccessRows& rows, std::uint64_t generation, bool bulk,
                                 bool* full, Snap* first) {
  static const auto kEmptyConfig = std::make_shared<const std::string>("{}");
  std::unordered_map<std::string_view, std::size_t> snap_of;  // workspace id → snaps index
  std::vector<std::pair<std::uint32_t, WorkspaceSnap>> snaps;
  snaps.reserve(rows.workspaces.size());
  for (const auto& w : rows.workspaces) {
    snap_of[w.id] = snaps.size();
    auto& [index, snap] = snaps.emplace_back(ids_.Intern(w.id), WorkspaceSnap{});
    Reserve(index);
    snap.require_2fa = w.require_2fa;
    snap.suspended = w.suspended();
  }
  // A product's entry, by product id: (snaps index, products index).
  std::unordered_map<std::string_view, std::pair<std::size_t, std::size_t>> entry_of;
  for (const auto& p : rows.products) {
    auto s = snap_of.find(p.workspace_id);
    if (s == snap_of.end()) continue;
    auto& [ws_index, snap] = snaps[s->second];
    std::uint32_t id = ids_.Intern(p.id);
    Reserve(id);
    workspace_of_[id] = ws_index;  // a product keeps its workspace for life
    entry_of[p.id] = {s->second, snap.products.size()};
    snap.products.push_back(ProductEntry{id, p, std::nullopt, kEmptyConfig, {}});
  }
  auto entry = [&](const std::string& product_id) -> ProductEntry* {
    auto e = entry_of.find(product_id);
    return e == entry_of.end() ? nullptr
                               : &snaps[e->second.first].second.products[e->second.second];
  };
  for (const auto& s : rows.subscriptions)
    if (ProductEntry* e = entry(s.product_id)) e->subscription = s;
  for (const auto& c : rows.configs)
    if (ProductEntry* e = entry(c.product_id))
      e->config = std::make_shared<const std::string>(c.config);
  for (const auto& g : rows.grants)
    if (ProductEntry* e = entry(g.product_id))
      e->grants.push_back({ids_.Intern(g.principal_id), ids_.Intern(g.role),
                           g.principal_type == core::PrincipalType::kGroup});
  for (const auto& m : rows.memberships)
    if (auto s = snap_of.find(m.workspace_id); s != snap_of.end())
      snaps[s->second].second.members.emplace_back(ids_.Intern(m.account_id), m.role);
  for (const auto& gm : rows.group_members)
    if (auto s = snap_of.find(gm.workspace_id); s != snap_of.end())
      snaps[s->second].second.groups_of.emplace_back(ids_.Intern(gm.account_id),
                                                     ids_.Intern(gm.group_id));
  std::size_t kept = 0;
  for (auto& [index, snap] : snaps) {
    std::sort(snap.members.begin(), snap.members.end());
    std::sort(snap.groups_of.begin(), snap.groups_of.end());
    for (auto& e : snap.products)
      std::sort(e.grants.begin(), e.grants.end(),
                [](const Grant& a, const Grant& b) { return a.Key() < b.Key(); });
    std::size_t bytes = EstimateBytes(snap);
    if (bulk && workspaces_.bytes() + bytes > workspaces_.max_bytes()) {
      if (full) *full = true;
      break;
    }
    auto built = std::make_shared<const WorkspaceSnap>(std::move(snap));
    if (first && !*first) *first = built;
    if (ChangedAt(index) > generation) continue;  // changed while read: the next check reads it
    Keep(index, std::move(built), bytes);
    kept++;
  }
  return kept;
}

Result<std::size_t> AccessModel::Load() {
  std::string after;
  for (;;) {
    std::uint64_t generation = generation_.load();
    VAULT_ASSIGN_OR_RETURN(auto page, store_.Read([&](core::Tx& tx) {
      return tx.ListAccountFlags(after, kAccountPage);
    }));
    if (page.empty()) break;
    std::unique_lock lock(mu_);
    for (const auto& a : page) {
      std::uint32_t i = ids_.Intern(a.id);
      Reserve(i);
      if (ChangedAt(i) <= generation)
        account_flags_[i] = kKnown | kExists | (a.disabled ? kDisabled : 0) | (a.mfa ? kMfa : 0);
    }
    after = page.back().id;
  }
  std::size_t loaded = 0;
  after.clear();
  for (;;) {
    std::uint64_t generation = generation_.load();
    std::vector<std::string> ids;
    core::AccessRows rows;
    VAULT_TRY(store_.Read([&](core::Tx& tx) -> Result<void> {
      VAULT_ASSIGN_OR_RETURN(ids, tx.ListWorkspaceIds(after, kWorkspaceBatch));
      if (ids.empty()) return {};
      VAULT_ASSIGN_OR_RETURN(rows, tx.LoadAccessRows(ids.front(), ids.back()));
      return {};
    }));
    if (ids.empty()) break;
    bool full = false;
    {
      std::unique_lock lock(mu_);
      loaded += Install(rows, generation, true, &full, nullptr);
    }
    // Past the budget the rest loads on first use, evicting the least used (ClockCache).
    if (full) break;
    after = ids.back();
  }
  VAULT_TRY(ReadCatalog());
  return loaded;
}

Result<std::uint8_t> AccessModel::ReadAccount(const std::string& id) {
  if (!core::BlockingAllowed()) return Fail(core::WouldBlock());
  std::uint64_t generation = generation_.load();
  VAULT_ASSIGN_OR_RETURN(auto flags, store_.Read([&](core::Tx& tx) -> Result<std::uint8_t> {
    VAULT_ASSIGN_OR_RETURN(auto a, tx.FindAccountById(id));
    if (!a) return kKnown;
    VAULT_ASSIGN_OR_RETURN(auto totp, tx.FindTotp(id));
    return static_cast<std::uint8_t>(kKnown | kExists | ((a)->disabled ? kDisabled : 0) |
                                     (totp && (totp)->confirmed ? kMfa : 0));
  }));
  std::unique_lock lock(mu_);
  // Ids that never existed are not interned: random probes must not grow memory.
  std::uint32_t i = (flags & kExists) ? ids_.Intern(id) : ids_.Find(id);
  if (i != IdTable::kNone) {
    Reserve(i);
    if (ChangedAt(i) <= generation) account_flags_[i] = flags;
  }
  return flags;
}

Result<std::uint32_t> AccessModel::ReadProductWorkspace(const std::string& product_id) {
  if (!core::BlockingAllowed()) return Fail(core::WouldBlock());
  VAULT_ASSIGN_OR_RETURN(auto product,
                         store_.Read([&](core::Tx& tx) { return tx.FindProductById(product_id); }));
  if (!product) return IdTable::kNone;
  std::unique_lock lock(mu_);
  std::uint32_t p = ids_.Intern(product_id), w = ids_.Intern(product->workspace_id);
  Reserve(std::max(p, w));
  workspace_of_[p] = w;
  return w;
}

Result<AccessModel::Snap> AccessModel::ReadWorkspace(const std::string& id) {
  if (!core::BlockingAllowed()) return Fail(core::WouldBlock());
  std::uint64_t generation = generation_.load();
  VAULT_ASSIGN_OR_RETURN(auto rows,
                         store_.Read([&](core::Tx& tx) { return tx.LoadAccessRows(id, id); }));
  std::unique_lock lock(mu_);
  if (rows.workspaces.empty()) {  // gone: remembered as empty, so its products answer "unknown"
    auto empty = std::make_shared<const WorkspaceSnap>();
    // Only ids that existed are interned (random probes must not grow memory).
    std::uint32_t i = ids_.Find(id);
    if (i != IdTable::kNone && ChangedAt(i) <= generation) Keep(i, empty, EstimateBytes(*empty));
    return Snap(empty);
  }
  Snap snap;
  Install(rows, generation, false, nullptr, &snap);
  return snap;
}

Result<std::shared_ptr<const AccessModel::Types>> AccessModel::ReadCatalog() {
  if (!core::BlockingAllowed()) return Fail(core::WouldBlock());
  std::uint64_t generation = catalog_changes_.load();
  auto types = std::make_shared<Types>();
  VAULT_ASSIGN_OR_RETURN(*types, store_.Read([&](core::Tx& tx) { return tx.ListProductTypes(); }));
  std::shared_ptr<const Types> out = std::move(types);
  std::unique_lock lock(mu_);
  if (catalog_changes_.load() == generation) types_ = out;
  return out;
}

}  // namespace vault::app
