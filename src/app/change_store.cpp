#include "app/change_store.hpp"

#include <algorithm>

namespace vault::app {

namespace {

// The write in progress on this thread: its Tx (to match notes to it) and its notes. Frames
// chain for a store stacked over another ChangeStore (never in the server, harmless if so).
struct Frame {
  core::Tx* tx = nullptr;
  std::vector<core::ChangeEntry> notes;
  Frame* outer = nullptr;
};
thread_local Frame* tl_frame = nullptr;

}  // namespace

void NoteChange(core::Tx& tx, const std::string& kind, const std::string& subject) {
  for (Frame* f = tl_frame; f; f = f->outer) {
    if (f->tx != &tx) continue;
    bool seen = std::any_of(f->notes.begin(), f->notes.end(), [&](const core::ChangeEntry& e) {
      return e.kind == kind && e.subject == subject;
    });
    if (!seen) f->notes.push_back(core::ChangeEntry{0, kind, subject});
    return;
  }
}

void DeliverChange(const std::vector<core::ChangeListener*>& listeners, const std::string& kind,
                   const std::string& subject) {
  for (auto* l : listeners) {
    if (kind == "workspace")
      l->WorkspaceChanged(subject);
    else if (kind == "account")
      l->AccountChanged(subject);
    else if (kind == "catalog")
      l->CatalogChanged();
    else if (kind == "service_client")
      l->ServiceClientChanged(subject);
    else if (kind == "api_key")
      l->ApiKeyChanged(subject);
    else if (kind == "sessions")
      l->SessionsChanged(subject);
    else if (kind == "signing_keys")
      l->SigningKeysChanged();
    else if (kind == "oauth_revocations")
      l->OAuthRevocationsChanged();
  }
}

core::Result<void> ChangeStore::DoWrite(const TxFunction& fn) {
  Frame frame;
  frame.outer = tl_frame;
  tl_frame = &frame;
  struct Pop {  // also when fn throws
    Frame& f;
    ~Pop() { tl_frame = f.outer; }
  } pop{frame};
  auto r = inner_.Write([&](core::Tx& tx) -> core::Result<void> {
    frame.tx = &tx;
    frame.notes.clear();  // a retried attempt notes its changes again
    VAULT_TRY(fn(tx));
    // Before the commit, in the same transaction: the feed row commits and rolls back with the
    // change it describes (and PostgreSQL's NOTIFY, sent by AppendChange, goes out at commit).
    const core::Timestamp now = clock_.Now();
    for (const auto& note : frame.notes) VAULT_TRY(tx.AppendChange(note.kind, note.subject, now));
    return {};
  });
  if (r && !frame.notes.empty() && on_committed_) on_committed_(frame.notes);
  return r;
}

core::Result<void> ChangeStore::DoRead(const TxFunction& fn) { return inner_.Read(fn); }

}  // namespace vault::app
