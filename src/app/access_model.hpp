// AccessModel: the in-memory model behind the access-check API and API key verification
// (ADR 0014). It holds, per workspace, a compact snapshot (members, group memberships, products
// with their subscriptions, configurations and grants, every id interned as a 32-bit index in
// sorted vectors); per account whether it exists, is disabled and has 2FA (one byte); the
// product → workspace index; and the product catalogue. Load() fills it in bulk at start, a few
// range scans per thousand workspaces; the ChangeListener calls (this process's writes after
// their commit, other processes' through the change feed) drop exactly what changed, and the
// next check reads that one workspace or account again. Workspace snapshots are bounded by an
// estimate of their bytes and evicted in CLOCK order (ClockCache), so memory stays flat when the
// data outgrows the budget. Thread-safe: readers take a shared lock and copy nothing but the
// answer; writers hold the exclusive lock only to swap in what they built outside it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "app/clock_cache.hpp"
#include "app/id_table.hpp"
#include "core/access.hpp"
#include "core/api_key.hpp"
#include "core/clock.hpp"
#include "core/ports.hpp"
#include "core/store.hpp"

namespace vault::app {

class AccessModel : public core::ChangeListener {
 public:
  // cache_bytes bounds the workspace snapshots' estimated size (3/4 of it; the id table and
  // account flags, ~45 bytes per id, are held whole and counted in cache_bytes()).
  static constexpr std::size_t kDefaultCacheBytes = std::size_t{2} << 30;
  AccessModel(core::Store& store, core::Clock& clock, std::size_t cache_bytes = kDefaultCacheBytes)
      : store_(store),
        clock_(clock),
        workspaces_(
            cache_bytes / 4 * 3, [this](const std::uint32_t&, const Snap& snap) { Forget(snap); },
            [](const Snap& snap) -> std::atomic<bool>& { return snap->mark.used; }) {}

  // Reads every account's flags and every workspace's snapshot (until the budget is full) in
  // bulk; returns how many workspaces it holds. Fails only on storage errors; checks meanwhile
  // are answered (what is not loaded yet reads storage).
  core::Result<std::size_t> Load();

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
  // its type still offers `permission` (empty: true). index_hint (optional): where the caller
  // keeps the product id's index in this model between calls, so a verification skips hashing
  // and probing the id (kNone until the first answer sets it; an index never changes).
  core::Result<core::KeyProductFacts> KeyProduct(const std::string& product_id,
                                                 const std::string& permission,
                                                 std::atomic<std::uint32_t>* index_hint = nullptr);

  void WorkspaceChanged(const std::string& workspace_id) override;
  void AccountChanged(const std::string& account_id) override;
  void CatalogChanged() override;

  std::size_t cached_workspaces() const;
  // Estimated bytes held (snapshots, id table, account flags), of which the workspace
  // snapshots (the part the budget bounds), and how many snapshots the byte bound has evicted.
  std::size_t cache_bytes() const;
  std::size_t snapshot_bytes() const;
  std::uint64_t cache_evictions() const;

 private:
  struct Grant {
    std::uint32_t principal;  // account or group id index
    std::uint32_t role;       // role name index
    bool group;
    auto Key() const { return std::make_pair(principal, group); }
  };
  struct ProductEntry {
    std::uint32_t id;
    core::Product product;
    std::optional<core::Subscription> subscription;
    // Serialized once when the snapshot loads, so answers copy a pointer, not a document.
    std::shared_ptr<const std::string> config;
    std::vector<Grant> grants;  // sorted by (principal, group)
  };
  // A snapshot's used mark for the workspace cache (ClockCache's mark_of): in the snapshot's
  // first line, which every answer reads (flags below), not in the cache's map node, which a
  // lookup through product_at_ would otherwise load only for it. Copies start unmarked.
  struct UsedMark {
    mutable std::atomic<bool> used{false};
    UsedMark() = default;
    UsedMark(const UsedMark&) {}
    UsedMark& operator=(const UsedMark&) { return *this; }
  };
  struct WorkspaceSnap {
    UsedMark mark;
    bool require_2fa = false;
    bool suspended = false;
    std::vector<std::pair<std::uint32_t, core::Role>> members;       // sorted by account
    std::vector<std::pair<std::uint32_t, std::uint32_t>> groups_of;  // (account, group), sorted
    std::vector<ProductEntry> products;
  };
  using Snap = std::shared_ptr<const WorkspaceSnap>;
  using Types = std::vector<core::ProductType>;
  // Account flags, one byte per id index.
  static constexpr std::uint8_t kKnown = 1, kExists = 2, kDisabled = 4, kMfa = 8;

  // What a lookup under the shared lock found.
  struct Found {
    std::uint8_t account = 0;
    std::uint32_t account_index = IdTable::kNone;  // kNone: never interned
    const WorkspaceSnap* ws = nullptr;
    const ProductEntry* product = nullptr;  // null: no such product
    const Types* types = nullptr;
    std::uint32_t product_index = IdTable::kNone;
  };
  // What a read brought, used by the lookup in place of the model's own state (which keeps it
  // only when nothing changed meanwhile). workspace: the product's, kNone when it does not exist.
  struct Overrides {
    std::uint32_t product_index = IdTable::kNone;  // the caller's hint: kNone, or the id's index
    std::optional<std::uint8_t> account;
    std::optional<std::uint32_t> workspace;
    Snap snap;
    std::shared_ptr<const Types> types;
  };
  // What must be read before a lookup can answer.
  enum class Missing { kNone, kAccount, kProduct, kWorkspace, kCatalog };
  // Runs fn(found, overrides) under the shared lock once everything the answer needs is in
  // memory, reading what is not (which fails WouldBlock where blocking is not allowed).
  // account_id null: product facts only.
  template <typename Fn>
  core::Result<void> WithProduct(const std::string* account_id, const std::string& product_id,
                                 Fn&& fn, std::uint32_t product_index = IdTable::kNone);
  Missing Lookup(const std::string* account_id, const std::string& product_id, const Overrides& o,
                 Found* out) const;  // mu_ held
  // Keeps the catalogue an answer points into alive for this thread until its next answer.
  void KeepCatalogue(const Overrides& o) const;  // mu_ held (shared)
  core::Result<void> Fill(Missing missing, const std::string* account_id,
                          const std::string& product_id, Overrides& o);
  core::Result<std::uint8_t> ReadAccount(const std::string& id);
  core::Result<std::uint32_t> ReadProductWorkspace(const std::string& product_id);
  core::Result<Snap> ReadWorkspace(const std::string& id);
  core::Result<std::shared_ptr<const Types>> ReadCatalog();
  // Builds the snapshots of `rows` (interning their ids) and keeps each whose workspace had no
  // change noted after `generation`; returns how many it kept. bulk: stops (setting *full) when
  // the next would pass the budget. first: set to the first snapshot built. mu_ held
  // exclusively.
  std::size_t Install(const core::AccessRows& rows, std::uint64_t generation, bool bulk, bool* full,
                      Snap* first);
  void Reserve(std::uint32_t index);  // grows the per-index vectors; mu_ held exclusively
  // Puts a snapshot in the cache and points product_at_ at its products; mu_ held exclusively.
  void Keep(std::uint32_t workspace, Snap snap, std::size_t bytes);
  void Forget(const Snap& snap);  // a snapshot leaves the cache; mu_ held exclusively
  std::uint64_t ChangedAt(std::uint32_t index) const {
    return index < changed_at_.size() ? changed_at_[index] : 0;
  }
  void FactsOf(const Found& found, core::AccessFacts& f) const;  // mu_ held
  static std::size_t EstimateBytes(const WorkspaceSnap& ws);

  core::Store& store_;
  core::Clock& clock_;
  mutable std::shared_mutex mu_;
  std::atomic<std::uint64_t> generation_{0};       // bumped by every change noted
  std::atomic<std::uint64_t> catalog_changes_{0};  // bumped by every catalogue change
  IdTable ids_;
  std::vector<std::uint8_t> account_flags_;  // by id index
  std::vector<std::uint32_t> workspace_of_;  // by product id index; kNone otherwise
  std::vector<std::uint64_t> changed_at_;    // by id index: generation of its last change
  // By product id index, for the products of the snapshots in workspaces_: the snapshot and the
  // product's entry in it, so a lookup reaches a product in one load and then its entry and
  // workspace (with the cache's used mark) side by side, rather than through the workspace
  // index, the cache's hash map, its node and the snapshot, each waiting on the one before
  // (16 bytes per id index up to the largest product's).
  struct ProductAt {
    const WorkspaceSnap* ws = nullptr;
    const ProductEntry* entry = nullptr;  // null: not in a cached snapshot
  };
  std::vector<ProductAt> product_at_;
  ClockCache<std::uint32_t, Snap> workspaces_;  // by workspace id index
  std::shared_ptr<const Types> types_;
};

}  // namespace vault::app
