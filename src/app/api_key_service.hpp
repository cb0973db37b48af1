// ApiKeyService: API keys of a workspace (SPEC §6) — create, list, get, revoke and roll for
// workspace Owners/Admins and a product's Admins (for that product), each audited — and the
// product-facing verification, answered from a compact in-memory index of every key (KeyIndex:
// loaded in bulk at start, marked stale per key by ApiKeyChanged after every create, revoke or
// roll on any node, re-read on the next use) plus the AccessModel's product state. Once the
// index holds every id, an id that was never issued is answered "unknown" without a database
// read: known and unknown ids cost the same (no id oracle by timing). Last use is buffered in
// memory and written in one transaction per flush (FlushUsage), never one write per
// verification. Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/access_model.hpp"
#include "app/api_key_index.hpp"
#include "app/workspace_service.hpp"
#include "core/api_key.hpp"

namespace vault::app {

struct NewKey {
  std::string product;      // id or shortname
  std::string environment;  // production, staging or development
  std::string name;
  std::vector<std::string> permissions;
  core::Timestamp expires_at = 0;  // 0 = never
  std::vector<std::string> allowed_ips;
};

struct IssuedKey {
  core::ApiKey key;
  std::string text;  // the full key: shown once, never stored
};

struct RollOptions {
  core::Timestamp grace_seconds = 0;  // 0: the old key is revoked now
  std::optional<core::Timestamp>
      expires_at;  // the new key's; default: the old key's lifetime from now
};

struct RolledKey {
  IssuedKey key;
  core::ApiKey old;
};

struct KeyFilter {
  std::string product;  // id or shortname; "" = all the caller may see
  std::string environment;
  std::string cursor;
  int limit = 100;
};

struct KeyPage {
  std::vector<core::ApiKey> items;
  std::string next_cursor;  // "" on the last page
};

// A verification's answer: valid (reason empty) with the key's scope, or a reason code. The
// views point into the service's key index (valid for the service's life) or into the key's
// row copy the verdict holds, so a verdict copies no string it does not have to.
struct KeyVerdict {
  std::string reason;
  std::string key_id;
  std::string_view workspace_id, product_id, name;
  core::Environment environment = core::Environment::kProduction;
  const std::vector<std::string>* permissions = nullptr;  // set when valid
  core::Timestamp expires_at = 0;
  // Of the product's plan (null: none), in the catalogue the access model keeps alive for this
  // thread until its next answer: render the verdict before asking the model anything else.
  const std::vector<std::string>* features = nullptr;
  std::shared_ptr<const std::string> config;     // the product's configuration, serialized JSON
  std::shared_ptr<const KeyIndex::RowCopy> row;  // a key read from the database: what it shows
};

class ApiKeyService : public core::ChangeListener {
 public:
  // Last use is kept to this many seconds: a key verified continuously is written once a
  // minute, however many requests it serves (and however many keys are busy).
  static constexpr core::Timestamp kUsageResolution = 60;

  // The index holds at most min(max_cached, cache_bytes / kBytesPerKey) keys (ids known,
  // loaded or not); past it, ids it does not hold are read from the database.
  static constexpr std::size_t kDefaultCacheBytes = std::size_t{512} << 20;
  static constexpr std::size_t kBytesPerKey = 128;  // a bound; ~100 measured (ADR 0006)
  ApiKeyService(Ports ports, WorkspaceService& workspaces, AccessModel& model,
                std::size_t max_cached = 2000000, std::size_t cache_bytes = kDefaultCacheBytes);

  // Whether the caller may manage any key of workspace `ws` (an Owner or Admin, or a product's
  // Admin); handlers ask before validating input, so authorisation always comes first.
  core::Result<void> Authorize(const AuthContext& ctx, const std::string& ws);
  core::Result<IssuedKey> Create(const AuthContext& ctx, const std::string& ws,
                                 const NewKey& request);
  core::Result<KeyPage> List(const AuthContext& ctx, const std::string& ws,
                             const KeyFilter& filter);
  core::Result<core::ApiKey> Get(const AuthContext& ctx, const std::string& ws,
                                 const std::string& id);
  // Idempotent: revoking a revoked key returns it unchanged (and records nothing).
  core::Result<core::ApiKey> Revoke(const AuthContext& ctx, const std::string& ws,
                                    const std::string& id);
  // Fails failed_precondition "api_key.revoked" / "api_key.already_rolled".
  core::Result<RolledKey> Roll(const AuthContext& ctx, const std::string& ws, const std::string& id,
                               const RollOptions& options);

  // The verification a product service client asks for. Fails only on storage errors (and
  // WouldBlock when a cache miss needs the database but blocking is not allowed).
  core::Result<KeyVerdict> Verify(const core::ServiceClient& client, std::string_view key_text,
                                  const core::KeyCheck& check);

  // Writes buffered last-use records in one transaction; returns how many keys it wrote.
  core::Result<int> FlushUsage();
  // Loads unrevoked keys into the index, then every other id (as stale), up to the bound;
  // returns how many keys it loaded.
  core::Result<std::size_t> WarmUp();

  std::uint64_t usage_flushes() const { return flushes_.load(); }
  // Verifications that had to read the database (a key not loaded in the index).
  std::uint64_t lookup_db_reads() const { return db_reads_.load(); }
  std::size_t cached_keys() const;
  std::size_t cache_bytes() const;
  std::uint64_t cache_evictions() const;

  void ApiKeyChanged(const std::string& key_id) override;
  void WorkspaceChanged(const std::string&) override {}
  void AccountChanged(const std::string&) override {}
  void CatalogChanged() override {}

 private:
  // Keys are stored as HMAC-SHA-256 under the server secret with this purpose.
  static constexpr const char* kHashPurpose = "api_key";
  struct Scope;  // what the caller may manage in the workspace

  core::Result<Scope> OpenScope(core::Tx& tx, const AuthContext& ctx, const std::string& ws,
                                bool for_write);
  core::Result<core::ApiKey> FindVisible(core::Tx& tx, const Scope& scope, const std::string& id);
  // Fills `out` from the index, or from the database when the index does not hold the key;
  // false: no such key. `packed` is KeyIndex::Pack(id).
  core::Result<bool> Lookup(const std::string& id, const std::optional<KeyIndex::Id>& packed,
                            KeyIndex::View* out);
  void Changed(const std::string& key_id);
  // Loads every key id (revoked ones too) and marks the index complete when all fit.
  core::Result<void> WarmIds();
  core::Result<core::ApiKey> Issue(core::Tx& tx, const AuthContext& ctx, core::ApiKey key,
                                   std::string* text);

  Ports p_;
  WorkspaceService& workspaces_;
  AccessModel& model_;
  AuditLog audit_;

  KeyIndex index_;
  std::atomic<std::uint64_t> db_reads_{0};

  // One buffered last-use record, with no heap memory of its own: after a start every busy key
  // records its first use within seconds, and a node-and-strings map made that burst cost an
  // allocation or three per request plus frees across threads at the flush.
  struct PendingUse {
    std::array<char, 23> id;  // "ak_" + 20 base32 characters (what ParseApiKey accepts)
    std::uint8_t ip_size = 0;
    std::array<char, 45> ip;  // the longest textual IPv6 address; longer is not recorded
    core::Timestamp at = 0;
  };
  std::mutex usage_mu_;
  std::vector<PendingUse> usage_;  // in arrival order; FlushUsage keeps each key's newest
  std::atomic<std::size_t> usage_capacity_hint_{0};  // the last flush's record count
  std::atomic<std::uint64_t> flushes_{0};
};

}  // namespace vault::app
