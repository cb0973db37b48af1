// SqlTx: the repository operations of core::Tx written once in SQL common to SQLite and
// PostgreSQL, over a SqlConn that is inside a transaction. Not thread-safe (one transaction).
#pragma once

#include "core/store.hpp"
#include "storage/sql.hpp"

namespace vault::storage {

class SqlTx : public core::Tx {
 public:
  explicit SqlTx(SqlConn& conn) : conn_(conn) {}

  core::Result<std::optional<core::Account>> FindAccountById(const std::string& id) override;
  core::Result<std::optional<core::Account>> FindAccountByEmail(const std::string& email_norm) override;
  core::Result<void> InsertAccount(const core::Account& account) override;
  core::Result<void> UpdateAccount(const core::Account& account) override;

  core::Result<void> InsertSession(const core::Session& session) override;
  core::Result<std::optional<core::Session>> FindSessionByTokenHash(
      const std::string& token_hash) override;
  core::Result<std::vector<core::Session>> ListSessions(const std::string& account_id) override;
  core::Result<void> TouchSession(const std::string& id, core::Timestamp last_seen_at,
                                  const std::string& ip) override;
  core::Result<bool> DeleteSession(const std::string& account_id, const std::string& id) override;
  core::Result<int> DeleteSessionsOfAccount(const std::string& account_id,
                                            const std::string& keep_id) override;

  core::Result<void> InsertToken(const core::OneTimeToken& token) override;
  core::Result<std::optional<core::OneTimeToken>> FindToken(const std::string& token_hash,
                                                            core::TokenPurpose purpose) override;
  core::Result<bool> ConsumeToken(const std::string& token_hash, core::TokenPurpose purpose,
                                  core::Timestamp now) override;
  core::Result<void> DeleteAccount(const std::string& id) override;

  core::Result<core::ThrottleState> ReserveAttempt(const std::string& key, core::Timestamp now,
                                                   core::Timestamp window) override;
  core::Result<void> LockThrottle(const std::string& key, core::Timestamp until) override;
  core::Result<void> ResetThrottle(const std::string& key) override;

  core::Result<std::optional<core::TotpCredential>> FindTotp(const std::string& account_id) override;
  core::Result<void> PutTotp(const core::TotpCredential& credential) override;
  core::Result<void> DeleteTotp(const std::string& account_id) override;
  core::Result<bool> AdvanceTotpStep(const std::string& account_id, std::int64_t step) override;
  core::Result<void> ReplaceRecoveryCodes(const std::string& account_id,
                                          const std::vector<std::string>& code_hashes) override;
  core::Result<bool> UseRecoveryCode(const std::string& account_id, const std::string& code_hash,
                                     core::Timestamp now) override;
  core::Result<int> CountUnusedRecoveryCodes(const std::string& account_id) override;

  core::Result<void> InsertWorkspace(const core::Workspace& w) override;
  core::Result<void> UpdateWorkspace(const core::Workspace& w) override;
  core::Result<void> DeleteWorkspace(const std::string& id) override;
  core::Result<std::optional<core::Workspace>> FindWorkspace(const std::string& id_or_shortname) override;
  core::Result<void> LockWorkspace(const std::string& id) override;
  core::Result<void> PutLogo(const std::string& workspace_id, const core::Logo& logo) override;
  core::Result<std::optional<core::Logo>> GetLogo(const std::string& workspace_id) override;
  core::Result<bool> DeleteLogo(const std::string& workspace_id) override;
  core::Result<void> InsertMembership(const core::Membership& m) override;
  core::Result<std::optional<core::Membership>> FindMembership(const std::string& workspace_id,
                                                               const std::string& account_id) override;
  core::Result<void> UpdateMembershipRole(const std::string& workspace_id,
                                          const std::string& account_id, core::Role role) override;
  core::Result<bool> DeleteMembership(const std::string& workspace_id,
                                      const std::string& account_id) override;
  core::Result<int> CountOwners(const std::string& workspace_id) override;
  core::Result<std::vector<core::MemberView>> ListMembers(const std::string& workspace_id) override;
  core::Result<std::vector<core::WorkspaceCard>> ListWorkspacesOf(const std::string& account_id) override;
  core::Result<std::vector<core::Workspace>> SoleOwnerWorkspaces(const std::string& account_id) override;
  core::Result<void> InsertInvitation(const core::Invitation& i) override;
  core::Result<void> UpdateInvitation(const core::Invitation& i) override;
  core::Result<std::optional<core::Invitation>> FindInvitation(const std::string& workspace_id,
                                                               const std::string& id) override;
  core::Result<std::optional<core::Invitation>> FindInvitationByToken(const std::string& token_hash) override;
  core::Result<std::vector<core::Invitation>> ListPendingInvitations(const std::string& workspace_id) override;
  core::Result<std::vector<core::Invitation>> ListInvitationsForEmail(const std::string& email_norm) override;
  core::Result<std::vector<core::Account>> SearchAccounts(const std::string& query,
                                                          const std::string& after_id, int limit) override;
  core::Result<std::vector<core::Workspace>> SearchWorkspaces(const std::string& query,
                                                              const std::string& after_id, int limit) override;

  core::Result<core::AuditHead> AdvanceAuditHead() override;
  core::Result<void> AppendAuditEvent(const core::AuditEvent& event) override;
  core::Result<std::vector<core::AuditEvent>> QueryAudit(const core::AuditQuery& query) override;
  core::Result<std::vector<core::AuditEvent>> AuditEventsAfter(std::int64_t after_seq,
                                                               int limit) override;

 private:
  SqlConn& conn_;
};

}  // namespace vault::storage
