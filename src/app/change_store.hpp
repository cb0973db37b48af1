// Change notes (ADR 0005): a write that changes something server processes cache (access
// grants, sessions, keys, clients, signing keys, revocations) notes it with NoteChange(tx, …)
// inside its transaction. ChangeStore, a Store decorator, appends every note of a write to the
// change feed in that same transaction just before it commits, so the feed row exists exactly
// when the change does (a crash cannot leave other nodes stale); after the commit it hands the
// notes to on_committed (this process's caches, at once). A Tx from a store without a
// ChangeStore (some unit tests) keeps no notes. Thread-safe: transactions run on the calling
// thread and the notes of the write in progress live in a thread-local frame.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/ports.hpp"
#include "core/store.hpp"

namespace vault::app {

// Notes in tx that `kind` ("workspace", "account", "catalog", "service_client", "api_key",
// "signing_keys", "oauth_revocations", "sessions" with the account id) changed for `subject` (empty
// for catalog-wide kinds). A note repeated in one transaction is kept once.
void NoteChange(core::Tx& tx, const std::string& kind, const std::string& subject);
inline void NoteWorkspaceChanged(core::Tx& tx, const std::string& id) {
  NoteChange(tx, "workspace", id);
}
inline void NoteAccountChanged(core::Tx& tx, const std::string& id) {
  NoteChange(tx, "account", id);
}
inline void NoteCatalogChanged(core::Tx& tx) { NoteChange(tx, "catalog", ""); }
inline void NoteServiceClientChanged(core::Tx& tx, const std::string& id) {
  NoteChange(tx, "service_client", id);
}
inline void NoteApiKeyChanged(core::Tx& tx, const std::string& id) {
  NoteChange(tx, "api_key", id);
}
// Sessions of the account ended, began or changed what they carry (ADR 0016).
inline void NoteSessionsChanged(core::Tx& tx, const std::string& account_id) {
  NoteChange(tx, "sessions", account_id);
}
inline void NoteSigningKeysChanged(core::Tx& tx) { NoteChange(tx, "signing_keys", ""); }
inline void NoteOAuthRevocationsChanged(core::Tx& tx) { NoteChange(tx, "oauth_revocations", ""); }

// Tells every listener of one change (kind and subject as NoteChange takes them).
void DeliverChange(const std::vector<core::ChangeListener*>& listeners, const std::string& kind,
                   const std::string& subject);

class ChangeStore : public core::Store {
 public:
  using OnCommitted = std::function<void(const std::vector<core::ChangeEntry>&)>;
  ChangeStore(core::Store& inner, core::Clock& clock, OnCommitted on_committed = {})
      : inner_(inner), clock_(clock), on_committed_(std::move(on_committed)) {}

  core::Result<void> Ping() override { return inner_.Ping(); }

 protected:
  core::Result<void> DoWrite(const TxFunction& fn) override;
  core::Result<void> DoRead(const TxFunction& fn) override;

 private:
  core::Store& inner_;
  core::Clock& clock_;
  OnCommitted on_committed_;
};

}  // namespace vault::app
