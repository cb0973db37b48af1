// AccessModel: the lookups and answers (Check, Facts, KeyProduct, List), what invalidates the
// model, and the snapshot cache's side array. Filling it from storage is in access_model_load.cpp.
#include "app/access_model.hpp"

#include <algorithm>
#include <mutex>

namespace vault::app {

using core::Fail;
using core::Result;

void AccessModel::Reserve(std::uint32_t index) {
  if (index < account_flags_.size()) return;
  std::size_t n = std::max<std::size_t>(index + 1, account_flags_.size() / 2 * 3 + 1024);
  account_flags_.resize(n, 0);
  workspace_of_.resize(n, IdTable::kNone);
  changed_at_.resize(n, 0);
}

void AccessModel::Keep(std::uint32_t workspace, Snap snap, std::size_t bytes) {
  const auto held = workspaces_.Put(workspace, std::move(snap), bytes);
  if (!held.value) return;
  for (const ProductEntry& e : (*held.value)->products) {
    if (e.id >= product_at_.size())
      product_at_.resize(std::max<std::size_t>(e.id + 1, product_at_.size() / 2 * 3));
    product_at_[e.id] = {held.value->get(), &e};
  }
}

void AccessModel::Forget(const Snap& snap) {
  if (!snap) return;
  for (const ProductEntry& e : snap->products)
    if (e.id < product_at_.size() && product_at_[e.id].entry == &e) product_at_[e.id] = {};
}

void AccessModel::WorkspaceChanged(const std::string& workspace_id) {
  std::unique_lock lock(mu_);
  // Interned even when not held: a load of it running now must see that it changed.
  std::uint32_t i = ids_.Intern(workspace_id);
  Reserve(i);
  changed_at_[i] = ++generation_;
  workspaces_.Erase(i);
}

void AccessModel::AccountChanged(const std::string& account_id) {
  std::unique_lock lock(mu_);
  std::uint32_t i = ids_.Intern(account_id);
  Reserve(i);
  changed_at_[i] = ++generation_;
  account_flags_[i] = 0;
}

void AccessModel::CatalogChanged() {
  std::unique_lock lock(mu_);
  catalog_changes_++;
  types_.reset();
}

std::size_t AccessModel::cached_workspaces() const {
  std::shared_lock lock(mu_);
  return workspaces_.size();
}

std::size_t AccessModel::cache_bytes() const {
  std::shared_lock lock(mu_);
  return workspaces_.bytes() + ids_.bytes() + account_flags_.capacity() +
         product_at_.capacity() * sizeof(ProductAt) +
         workspace_of_.capacity() * sizeof(std::uint32_t) +
         changed_at_.capacity() * sizeof(std::uint64_t);
}

std::size_t AccessModel::snapshot_bytes() const {
  std::shared_lock lock(mu_);
  return workspaces_.bytes();
}

std::uint64_t AccessModel::cache_evictions() const {
  std::shared_lock lock(mu_);
  return workspaces_.evictions();
}

AccessModel::Missing AccessModel::Lookup(const std::string* account_id,
                                         const std::string& product_id, const Overrides& o,
                                         Found* out) const {
  if (account_id) {
    std::uint8_t flags = 0;
    const std::uint32_t a = ids_.Find(*account_id);
    if (o.account) {
      flags = *o.account;
    } else if (a < account_flags_.size()) {
      flags = account_flags_[a];
    }
    out->account_index = a;
    if (!(flags & kKnown)) return Missing::kAccount;
    out->account = flags;
  }
  const std::uint32_t p =
      o.product_index != IdTable::kNone ? o.product_index : ids_.Find(product_id);
  out->product_index = p;
  const Types* types = o.types ? o.types.get() : types_.get();
  if (!o.workspace && !o.snap && p < product_at_.size())
    if (const ProductAt& at = product_at_[p]; at.entry) {  // in a cached snapshot
      if (!types) return Missing::kCatalog;
      ClockCache<std::uint32_t, Snap>::Touch(at.ws->mark.used);
      out->ws = at.ws;
      out->types = types;
      out->product = at.entry;
      return Missing::kNone;
    }
  std::uint32_t w = IdTable::kNone;
  if (o.workspace) {
    w = *o.workspace;
    if (w == IdTable::kNone) return Missing::kNone;  // no such product
  } else {
    if (p < workspace_of_.size()) w = workspace_of_[p];
    if (w == IdTable::kNone) return Missing::kProduct;
  }
  const WorkspaceSnap* ws = o.snap.get();
  if (!ws) {
    const Snap* cached = workspaces_.Find(w);
    if (!cached) return Missing::kWorkspace;
    ws = cached->get();
  }
  if (!types) return Missing::kCatalog;
  out->ws = ws;
  out->types = types;
  for (const auto& e : ws->products)
    if (e.id == p) out->product = &e;
  return Missing::kNone;
}

Result<void> AccessModel::Fill(Missing missing, const std::string* account_id,
                               const std::string& product_id, Overrides& o) {
  switch (missing) {
    case Missing::kAccount: {
      VAULT_ASSIGN_OR_RETURN(o.account, ReadAccount(*account_id));
      return {};
    }
    case Missing::kProduct: {
      VAULT_ASSIGN_OR_RETURN(o.workspace, ReadProductWorkspace(product_id));
      return {};
    }
    case Missing::kWorkspace: {
      std::string ws_id;
      {
        std::shared_lock lock(mu_);
        std::uint32_t w = o.workspace ? *o.workspace : workspace_of_[ids_.Find(product_id)];
        ws_id = std::string(ids_.Name(w));
      }
      VAULT_ASSIGN_OR_RETURN(o.snap, ReadWorkspace(ws_id));
      return {};
    }
    case Missing::kCatalog: {
      VAULT_ASSIGN_OR_RETURN(o.types, ReadCatalog());
      return {};
    }
    case Missing::kNone:
      return {};
  }
  return {};
}

template <typename Fn>
Result<void> AccessModel::WithProduct(const std::string* account_id, const std::string& product_id,
                                      Fn&& fn, std::uint32_t product_index) {
  // What a read brought is used even when a concurrent change kept it out of the model, so each
  // kind is read at most once: four reads at most, then the answer.
  Overrides o;
  o.product_index = product_index;
  for (int round = 0; round < 5; ++round) {
    Missing missing;
    {
      std::shared_lock lock(mu_);
      Found found;
      missing = Lookup(account_id, product_id, o, &found);
      if (missing == Missing::kNone) {
        fn(found, o);
        return {};
      }
    }
    VAULT_TRY(Fill(missing, account_id, product_id, o));
  }
  // Not reached: every Fill sets the override that answers its kind.
  return Fail(core::Code::kInternal, "access.model", "the access model did not settle");
}

void AccessModel::FactsOf(const Found& found, core::AccessFacts& f) const {
  f.account_exists = found.account & kExists;
  f.account_disabled = found.account & kDisabled;
  f.account_mfa = found.account & kMfa;
  if (!found.product) return;
  const WorkspaceSnap& ws = *found.ws;
  const ProductEntry& product = *found.product;
  const core::ProductType* type = nullptr;
  for (const auto& t : *found.types)
    if (t.id == product.product.type_id) type = &t;
  f.product_exists = true;
  f.product = product.product;
  f.type = type;
  f.subscription = product.subscription;
  f.config = product.config;
  f.workspace_requires_2fa = ws.require_2fa;
  f.workspace_suspended = ws.suspended;
  const std::uint32_t a = found.account_index;
  if (a == IdTable::kNone) return;
  auto member = std::lower_bound(ws.members.begin(), ws.members.end(), a,
                                 [](const auto& m, std::uint32_t id) { return m.first < id; });
  if (member != ws.members.end() && member->first == a) f.membership = member->second;
  // The grants that reach the account: its own, and each of its groups'; in the order the
  // product holds them.
  std::vector<std::size_t> reach;
  auto find = [&](std::uint32_t principal, bool group) {
    auto key = std::make_pair(principal, group);
    auto g = std::lower_bound(product.grants.begin(), product.grants.end(), key,
                              [](const Grant& x, const auto& k) { return x.Key() < k; });
    if (g != product.grants.end() && g->Key() == key) reach.push_back(g - product.grants.begin());
  };
  find(a, false);
  auto groups = std::lower_bound(ws.groups_of.begin(), ws.groups_of.end(), std::make_pair(a, 0u));
  for (; groups != ws.groups_of.end() && groups->first == a; ++groups) find(groups->second, true);
  std::sort(reach.begin(), reach.end());
  for (std::size_t i : reach) {
    const Grant& g = product.grants[i];
    std::string role(ids_.Name(g.role));
    const core::ProductRole* r = type ? type->FindRole(role) : nullptr;
    f.grants.push_back({g.group ? "group" : "direct",
                        g.group ? std::string(ids_.Name(g.principal)) : std::string(),
                        std::move(role), r ? r->rank : 0});
  }
}

void AccessModel::KeepCatalogue(const Overrides& o) const {
  // Answers point into the catalogue: keep it alive for the caller. A thread keeps the one it
  // last used, so the usual answer copies no shared pointer (a contended count).
  static thread_local std::shared_ptr<const Types> keep;
  const auto& current = o.types ? o.types : types_;
  if (keep != current) keep = current;
}

Result<core::AccessFacts> AccessModel::Facts(const std::string& account_id,
                                             const std::string& product_id) {
  core::AccessFacts f;
  VAULT_TRY(WithProduct(&account_id, product_id, [&](const Found& found, const Overrides& o) {
    FactsOf(found, f);
    KeepCatalogue(o);  // f.type points into it
  }));
  return f;
}

Result<core::KeyProductFacts> AccessModel::KeyProduct(const std::string& product_id,
                                                      const std::string& permission,
                                                      std::atomic<std::uint32_t>* index_hint) {
  core::KeyProductFacts f;
  auto facts = [&](const Found& found, const Overrides& o) {
    if (!found.product) return;
    KeepCatalogue(o);  // f.features points into it
    // Interned indexes are kept for the table's life, so the hint never goes stale.
    if (index_hint) index_hint->store(found.product_index, std::memory_order_relaxed);
    const ProductEntry& product = *found.product;
    f.exists = true;
    f.workspace_suspended = found.ws->suspended;
    f.type_id = product.product.type_id;
    f.config = product.config;
    f.active = core::IsProductActive(product.product, product.subscription, clock_.Now());
    f.offers_permission = permission.empty();
    for (const auto& t : *found.types)
      if (t.id == product.product.type_id) {
        f.offers_permission =
            permission.empty() || std::find(t.api_permissions.begin(), t.api_permissions.end(),
                                            permission) != t.api_permissions.end();
        if (product.subscription)
          if (const core::Plan* plan = t.FindPlan(product.subscription->plan_key); plan)
            f.features = &plan->features;
      }
  };
  VAULT_TRY(WithProduct(nullptr, product_id, facts,
                        index_hint ? index_hint->load(std::memory_order_relaxed) : IdTable::kNone));
  return f;
}

Result<AccessModel::Listing> AccessModel::List(const std::string& workspace_id) {
  Listing out;
  auto list = [&](const WorkspaceSnap& ws) {  // mu_ held (shared): names live in ids_
    for (const auto& [account, role] : ws.members)
      out.members.emplace_back(std::string(ids_.Name(account)), role);
    std::sort(out.members.begin(), out.members.end());
    for (const auto& e : ws.products) out.products.push_back(e.product.id);
    std::sort(out.products.begin(), out.products.end());
  };
  {
    std::shared_lock lock(mu_);
    if (std::uint32_t w = ids_.Find(workspace_id); w != IdTable::kNone)
      if (const Snap* cached = workspaces_.Find(w)) {
        list(**cached);
        return out;
      }
  }
  VAULT_ASSIGN_OR_RETURN(auto snap, ReadWorkspace(workspace_id));
  std::shared_lock lock(mu_);
  list(*snap);
  return out;
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
