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
