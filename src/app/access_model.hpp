// AccessModel: the in-memory model behind the access-check API. It caches, per workspace, the
// members, products with their subscriptions and grants, and group memberships; per account,
// whether it exists, is disabled and has 2FA; and the product catalogue. Entries load lazily
// from the store and are dropped by the ChangeListener calls every write makes after its
// commit, so the very next check sees the change. The caches are bounded by an estimate of the
// bytes they hold and evict in CLOCK order, so the entries in use stay (ClockCache). Thread-safe
// (shared mutex; loads happen outside the lock and are kept only if nothing changed meanwhile).
#pragma once

#include <atomic>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/clock_cache.hpp"
#include "core/access.hpp"
#include "core/api_key.hpp"
#include "core/clock.hpp"
#include "core/ports.hpp"
#include "core/store.hpp"

namespace vault::app {

class AccessModel : public core::ChangeListener {
 public:
  // cache_bytes bounds the caches' estimated size, so memory stays flat however large the
  // database is: workspaces get 3/4 of it, accounts 3/16, the product → workspace index 1/16.
  static constexpr std::size_t kDefaultCacheBytes = std::size_t{2} << 30;
  AccessModel(core::Store& store, core::Clock& clock, std::size_t cache_bytes = kDefaultCacheBytes)
      : store_(store),
        clock_(clock),
        workspaces_(cache_bytes / 4 * 3),
        accounts_(cache_bytes / 16 * 3),
        product_workspace_(cache_bytes / 16) {}

  // Gathers the facts for (account, product). Fails only on storage errors.
  core::Result<core::AccessFacts> Facts(const std::string& account_id,
                                        const std::string& product_id);
  // Facts + DecideAccess at the current time.
  core::Result<core::AccessDecision> Check(const std::string& account_id,
                                           const std::string& product_id,
                                           const std::string& permission,
                                           core::AccessFacts* facts = nullptr);

  // Who and what a workspace's access decisions range over, from the same snapshot Check
  // reads: its members (account id → workspace role) and its product ids, each sorted by id.
  // Empty for an unknown workspace. Fails only on storage errors.
  struct Listing {
    std::vector<std::pair<std::string, core::Role>> members;
    std::vector<std::string> products;
  };
  core::Result<Listing> List(const std::string& workspace_id);

  // What API key verification needs about a product: whether it exists, is active now, and
  // its type still offers `permission` (empty: true).
  core::Result<core::KeyProductFacts> KeyProduct(const std::string& product_id,
                                                 const std::string& permission);

  void WorkspaceChanged(const std::string& workspace_id) override;
  void AccountChanged(const std::string& account_id) override;
  void CatalogChanged() override;

  std::size_t cached_workspaces() const;
  // The caches' estimated bytes, and how many entries the byte bound has evicted.
  std::size_t cache_bytes() const;
  std::uint64_t cache_evictions() const;

 private:
  struct ProductEntry {
    core::Product product;
    std::optional<core::Subscription> subscription;
    std::vector<core::Grant> grants;
    // Serialized once when the snapshot loads, so answers copy a pointer, not a document.
    std::shared_ptr<const std::string> config;
  };
  struct WorkspaceSnap {
    bool require_2fa = false;
    bool suspended = false;
    std::unordered_map<std::string, core::Role> members;
    std::unordered_map<std::string, ProductEntry> products;
    std::unordered_map<std::string, std::vector<std::string>> groups_of;  // account → groups
  };
  struct AccountSnap {
    bool exists = false, disabled = false, mfa = false;
  };
  using Types = std::vector<core::ProductType>;
  static std::size_t EstimateBytes(const WorkspaceSnap& ws);

  // A product with its workspace snapshot and the catalogue; product is null when there is no
  // such product.
  struct Found {
    std::shared_ptr<const WorkspaceSnap> workspace;
    const ProductEntry* product = nullptr;
    std::shared_ptr<const Types> types;
  };
  core::Result<Found> Find(const std::string& product_id);
  core::Result<std::shared_ptr<const WorkspaceSnap>> Workspace(const std::string& id);
  core::Result<AccountSnap> Account(const std::string& id);
  core::Result<std::string> WorkspaceOfProduct(const std::string& product_id);
  core::Result<std::shared_ptr<const Types>> Catalog();

  core::Store& store_;
  core::Clock& clock_;
  mutable std::shared_mutex mu_;
  std::atomic<std::uint64_t> generation_{0};  // bumped by every invalidation
  ClockCache<std::string, std::shared_ptr<const WorkspaceSnap>> workspaces_;
  ClockCache<std::string, AccountSnap> accounts_;
  // Never invalidated: a product keeps its workspace for life; a deleted one is simply absent
  // from that workspace's snapshot, and its entry ages out.
  ClockCache<std::string, std::string> product_workspace_;
  std::shared_ptr<const Types> types_;
};

}  // namespace vault::app
