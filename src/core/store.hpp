// Storage port: a Store runs a function inside one database transaction, handing it a Tx with
// the repository operations. A function that returns an error rolls the transaction back.
// Store implementations are thread-safe; a Tx belongs to one thread for one transaction.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/account.hpp"
#include "core/error.hpp"
#include "core/security.hpp"

namespace vault::core {

class Tx {
 public:
  virtual ~Tx() = default;

  // Accounts. Insert fails already_exists "account.email_taken" when email_norm is used.
  virtual Result<std::optional<Account>> FindAccountById(const std::string& id) = 0;
  virtual Result<std::optional<Account>> FindAccountByEmail(const std::string& email_norm) = 0;
  virtual Result<void> InsertAccount(const Account& account) = 0;
  // Updates every mutable field of the account with this id; fails already_exists
  // "account.email_taken" when the new email_norm is used; not_found when absent.
  virtual Result<void> UpdateAccount(const Account& account) = 0;

  // Sessions.
  virtual Result<void> InsertSession(const Session& session) = 0;
  virtual Result<std::optional<Session>> FindSessionByTokenHash(const std::string& token_hash) = 0;
  virtual Result<std::vector<Session>> ListSessions(const std::string& account_id) = 0;
  virtual Result<void> TouchSession(const std::string& id, Timestamp last_seen_at,
                                    const std::string& ip) = 0;
  // Returns whether a session with that id belonged to the account and was deleted.
  virtual Result<bool> DeleteSession(const std::string& account_id, const std::string& id) = 0;
  // Deletes every session of the account except `keep_id` (none when empty); returns the count.
  virtual Result<int> DeleteSessionsOfAccount(const std::string& account_id,
                                              const std::string& keep_id) = 0;

  // One-time tokens.
  virtual Result<void> InsertToken(const OneTimeToken& token) = 0;
  virtual Result<std::optional<OneTimeToken>> FindToken(const std::string& token_hash,
                                                        TokenPurpose purpose) = 0;
  // Marks the token consumed if it is unconsumed and unexpired at `now`; returns whether this
  // call consumed it (false when a concurrent call won, or it had expired).
  virtual Result<bool> ConsumeToken(const std::string& token_hash, TokenPurpose purpose,
                                    Timestamp now) = 0;

  // Deletes the account and everything personal hanging off it (sessions, tokens, 2FA).
  virtual Result<void> DeleteAccount(const std::string& id) = 0;

  // Throttling. ReserveAttempt atomically counts one attempt for `key` (a new window starts when
  // the old one is older than `window` seconds or its lock has ended) and returns the state
  // after counting; concurrent callers on any node see distinct counts.
  virtual Result<ThrottleState> ReserveAttempt(const std::string& key, Timestamp now,
                                               Timestamp window) = 0;
  virtual Result<void> LockThrottle(const std::string& key, Timestamp until) = 0;
  virtual Result<void> ResetThrottle(const std::string& key) = 0;

  // TOTP credentials and recovery codes.
  virtual Result<std::optional<TotpCredential>> FindTotp(const std::string& account_id) = 0;
  virtual Result<void> PutTotp(const TotpCredential& credential) = 0;  // insert or replace
  virtual Result<void> DeleteTotp(const std::string& account_id) = 0;
  // Records `step` as used if it is newer than the last used one; false when it is not
  // (replay, or a concurrent use of the same code won).
  virtual Result<bool> AdvanceTotpStep(const std::string& account_id, std::int64_t step) = 0;
  virtual Result<void> ReplaceRecoveryCodes(const std::string& account_id,
                                            const std::vector<std::string>& code_hashes) = 0;
  // Marks an unused code used; false when there is no such unused code.
  virtual Result<bool> UseRecoveryCode(const std::string& account_id, const std::string& code_hash,
                                       Timestamp now) = 0;
  virtual Result<int> CountUnusedRecoveryCodes(const std::string& account_id) = 0;

  // Audit chain. AdvanceAuditHead reserves the next sequence number and returns it with the
  // previous event's hash, holding the chain head until commit (appends are serialised).
  virtual Result<AuditHead> AdvanceAuditHead() = 0;
  virtual Result<void> AppendAuditEvent(const AuditEvent& event) = 0;  // also moves the head hash
  // Newest first, filtered; at most query.limit events.
  virtual Result<std::vector<AuditEvent>> QueryAudit(const AuditQuery& query) = 0;
  // Oldest first from seq > after_seq, at most limit events (for chain verification).
  virtual Result<std::vector<AuditEvent>> AuditEventsAfter(std::int64_t after_seq, int limit) = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  // Runs fn in a read-write transaction; commits durably when fn succeeds.
  virtual Result<void> Write(const std::function<Result<void>(Tx&)>& fn) = 0;
  // Runs fn in a read-only transaction.
  virtual Result<void> Read(const std::function<Result<void>(Tx&)>& fn) = 0;
  // Fails unavailable when the database cannot be reached.
  virtual Result<void> Ping() = 0;
};

}  // namespace vault::core
