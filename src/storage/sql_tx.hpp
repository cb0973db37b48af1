// SqlTx: the repository operations of core::Tx written once in SQL common to SQLite and
// PostgreSQL, over a SqlConn that is inside a transaction. Not thread-safe (one transaction).
#pragma once

#include "core/store.hpp"
#include "storage/sql.hpp"

namespace vault::storage {

class SqlTx : public core::Tx {
 public:
  explicit SqlTx(SqlConn& conn) : conn_(conn) {}
  // The whole-list forms of the paged lists (core::Tx's).
  using core::Tx::ListGrants;
  using core::Tx::ListGroups;
  using core::Tx::ListMembers;
  using core::Tx::ListPendingInvitations;
  using core::Tx::ListProducts;
  using core::Tx::ListProductTypes;
  using core::Tx::ListServiceClients;
  using core::Tx::ListSessions;

  core::Result<std::optional<core::Account>> FindAccountById(const std::string& id) override;
  core::Result<std::optional<core::Account>> FindAccountByEmail(
      const std::string& email_norm) override;
  core::Result<void> InsertAccount(const core::Account& account) override;
  core::Result<void> UpdateAccount(const core::Account& account) override;

  core::Result<void> InsertSession(const core::Session& session) override;
  core::Result<std::optional<core::Session>> FindSessionByTokenHash(
      const std::string& token_hash) override;
  core::Result<std::vector<core::Session>> ListSessions(const std::string& account_id,
                                                        const core::Page& page) override;
  core::Result<void> TouchSessions(const std::vector<core::SessionTouch>& touches) override;
  core::Result<bool> DeleteSession(const std::string& account_id, const std::string& id) override;
  core::Result<int> DeleteSessionsOfAccount(const std::string& account_id,
                                            const std::string& keep_id) override;
  core::Result<std::vector<core::Session>> ListLiveSessions(core::Timestamp now,
                                                            const std::string& after_id,
                                                            int limit) override;

  core::Result<void> InsertToken(const core::OneTimeToken& token) override;
  core::Result<std::optional<core::OneTimeToken>> FindToken(const std::string& token_hash,
                                                            core::TokenPurpose purpose) override;
  core::Result<bool> ConsumeToken(const std::string& token_hash, core::TokenPurpose purpose,
                                  core::Timestamp now) override;
  core::Result<int> VoidTokensOfAccount(const std::string& account_id,
                                        std::optional<core::TokenPurpose> purpose,
                                        core::Timestamp now) override;
  core::Result<void> DeleteAccount(const std::string& id) override;

  core::Result<core::ThrottleState> ReserveAttempt(const std::string& key, core::Timestamp now,
                                                   core::Timestamp window) override;
  core::Result<void> LockThrottle(const std::string& key, core::Timestamp until) override;
  core::Result<std::int64_t> TakeRateToken(const std::string& key, core::Timestamp now,
                                           std::int64_t now_us, std::int64_t interval_us,
                                           std::int64_t tolerance_us) override;
  core::Result<void> ResetThrottle(const std::string& key) override;

  core::Result<std::optional<core::TotpCredential>> FindTotp(
      const std::string& account_id) override;
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
  core::Result<std::optional<core::Workspace>> FindWorkspace(
      const std::string& id_or_shortname) override;
  core::Result<void> LockWorkspace(const std::string& id) override;
  core::Result<void> PutLogo(const std::string& workspace_id, const core::Logo& logo) override;
  core::Result<std::optional<core::Logo>> GetLogo(const std::string& workspace_id) override;
  core::Result<bool> DeleteLogo(const std::string& workspace_id) override;
  core::Result<void> InsertMembership(const core::Membership& m) override;
  core::Result<std::optional<core::Membership>> FindMembership(
      const std::string& workspace_id, const std::string& account_id) override;
  core::Result<void> UpdateMembershipRole(const std::string& workspace_id,
                                          const std::string& account_id, core::Role role) override;
  core::Result<bool> DeleteMembership(const std::string& workspace_id,
                                      const std::string& account_id) override;
  core::Result<int> CountOwners(const std::string& workspace_id) override;
  core::Result<std::vector<core::MemberView>> ListMembers(const std::string& workspace_id,
                                                          const core::Page& page) override;
  core::Result<std::vector<core::WorkspaceCard>> ListWorkspacesOf(
      const std::string& account_id) override;
  core::Result<std::vector<core::Workspace>> SoleOwnerWorkspaces(
      const std::string& account_id) override;
  core::Result<void> InsertInvitation(const core::Invitation& i) override;
  core::Result<void> UpdateInvitation(const core::Invitation& i) override;
  core::Result<std::optional<core::Invitation>> FindInvitation(const std::string& workspace_id,
                                                               const std::string& id) override;
  core::Result<std::optional<core::Invitation>> FindInvitationByToken(
      const std::string& token_hash) override;
  core::Result<std::vector<core::Invitation>> ListPendingInvitations(
      const std::string& workspace_id, const core::Page& page) override;
  core::Result<std::vector<core::Invitation>> ListInvitationsForEmail(
      const std::string& email_norm) override;
  core::Result<std::vector<core::Account>> SearchAccounts(const std::string& query,
                                                          const std::string& after_id,
                                                          int limit) override;
  core::Result<std::vector<core::Workspace>> SearchWorkspaces(const std::string& query,
                                                              const std::string& after_id,
                                                              int limit) override;

  core::Result<std::vector<core::ProductType>> ListProductTypes(const core::Page& page) override;
  core::Result<void> InsertProductType(const core::ProductType& t) override;
  core::Result<void> UpdateProductType(const core::ProductType& t) override;
  core::Result<void> InsertProduct(const core::Product& p) override;
  core::Result<void> UpdateProduct(const core::Product& p) override;
  core::Result<void> DeleteProduct(const std::string& id) override;
  core::Result<std::optional<core::Product>> FindProduct(
      const std::string& workspace_id, const std::string& id_or_shortname) override;
  core::Result<std::optional<core::Product>> FindProductById(const std::string& id) override;
  core::Result<std::vector<core::Product>> ListProducts(const std::string& workspace_id,
                                                        const core::Page& page) override;
  core::Result<void> LockProduct(const std::string& id) override;
  core::Result<std::optional<core::Subscription>> FindSubscription(
      const std::string& product_id) override;
  core::Result<std::vector<core::Subscription>> ListSubscriptions(
      const std::string& workspace_id) override;
  core::Result<void> PutSubscription(const core::Subscription& s) override;
  core::Result<std::vector<core::Subscription>> ListSubscriptionsByProvider(
      const std::string& provider) override;
  core::Result<std::optional<core::Subscription>> FindSubscriptionByExternal(
      const std::string& provider, const std::string& external_id) override;
  core::Result<std::optional<core::ProductConfig>> FindProductConfig(
      const std::string& product_id) override;
  core::Result<std::vector<core::ProductConfig>> ListProductConfigs(
      const std::string& workspace_id) override;
  core::Result<void> PutProductConfig(const core::ProductConfig& c) override;
  core::Result<void> InsertGroup(const core::Group& g) override;
  core::Result<void> UpdateGroup(const core::Group& g) override;
  core::Result<void> DeleteGroup(const std::string& id) override;
  core::Result<std::optional<core::Group>> FindGroup(const std::string& workspace_id,
                                                     const std::string& id) override;
  core::Result<std::vector<core::Group>> ListGroups(const std::string& workspace_id,
                                                    const core::Page& page) override;
  core::Result<bool> AddGroupMember(const std::string& workspace_id, const std::string& group_id,
                                    const std::string& account_id) override;
  core::Result<bool> RemoveGroupMember(const std::string& group_id,
                                       const std::string& account_id) override;
  core::Result<std::vector<std::pair<std::string, std::string>>> ListGroupMembers(
      const std::string& workspace_id) override;
  core::Result<void> PutGrant(const core::Grant& g) override;
  core::Result<bool> DeleteGrant(const std::string& product_id, core::PrincipalType type,
                                 const std::string& principal_id) override;
  core::Result<std::vector<core::Grant>> ListGrants(const std::string& product_id,
                                                    const core::Page& page) override;
  core::Result<std::vector<core::Grant>> ListWorkspaceGrants(
      const std::string& workspace_id) override;
  core::Result<int> CountSeats(const std::string& product_id) override;
  core::Result<void> InsertServiceClient(const core::ServiceClient& c) override;
  core::Result<std::optional<core::ServiceClient>> FindServiceClient(
      const std::string& id) override;
  core::Result<std::vector<core::ServiceClient>> ListServiceClients(
      const core::Page& page) override;
  core::Result<bool> RevokeServiceClient(const std::string& id, core::Timestamp now) override;

  core::Result<void> InsertApiKey(const core::ApiKey& k) override;
  core::Result<std::optional<core::ApiKey>> FindApiKey(const std::string& id) override;
  core::Result<std::vector<core::ApiKey>> ListApiKeys(const core::ApiKeyQuery& query) override;
  core::Result<bool> RevokeApiKey(const std::string& id, core::Timestamp now) override;
  core::Result<bool> MarkApiKeyRolled(const std::string& id, const std::string& replaced_by,
                                      core::Timestamp expires_at) override;
  core::Result<std::vector<core::ApiKey>> ScanLiveApiKeys(const std::string& after_id,
                                                          int limit) override;
  core::Result<std::vector<std::string>> ScanApiKeyIds(const std::string& after_id,
                                                       int limit) override;

  core::Result<std::vector<std::string>> ListWorkspaceIds(const std::string& after,
                                                          int limit) override;
  core::Result<core::AccessRows> LoadAccessRows(const std::string& first,
                                                const std::string& last) override;
  core::Result<std::vector<core::AccountFlags>> ListAccountFlags(const std::string& after,
                                                                 int limit) override;
  core::Result<void> RecordApiKeyUsage(const std::vector<core::ApiKeyUsage>& usage) override;
  core::Result<void> InsertSigningKey(const core::SigningKey& k) override;
  core::Result<std::vector<core::SigningKey>> ListSigningKeys() override;
  core::Result<int> RetireSigningKeys(const std::string& keep_kid, core::Timestamp now,
                                      core::Timestamp verify_until) override;
  core::Result<int> DeleteExpiredSigningKeys(core::Timestamp now) override;
  core::Result<void> InsertAuthorizationCode(const core::AuthorizationCode& c) override;
  core::Result<std::optional<core::AuthorizationCode>> FindAuthorizationCode(
      const std::string& code_hash) override;
  core::Result<bool> UseAuthorizationCode(const std::string& code_hash, core::Timestamp now,
                                          const std::string& family_id) override;
  core::Result<void> InsertRefreshToken(const core::RefreshToken& t) override;
  core::Result<std::optional<core::RefreshToken>> FindRefreshToken(
      const std::string& token_hash) override;
  core::Result<bool> UseRefreshToken(const std::string& id, core::Timestamp now) override;
  core::Result<int> RevokeRefreshFamily(const std::string& family_id, core::Timestamp now) override;
  core::Result<int> RevokeRefreshTokensOfSession(const std::string& session_id,
                                                 core::Timestamp now) override;
  core::Result<int> RevokeRefreshTokensOfAccount(const std::string& account_id,
                                                 const std::string& keep_session_id,
                                                 core::Timestamp now) override;
  core::Result<void> InsertRevokedAccessToken(const std::string& jti,
                                              core::Timestamp expires_at) override;
  core::Result<std::vector<std::pair<std::string, core::Timestamp>>> ListRevokedAccessTokens(
      core::Timestamp now) override;
  core::Result<int> DeleteExpiredOAuthGrants(core::Timestamp now, int limit) override;

  core::Result<void> AppendChange(const std::string& kind, const std::string& subject,
                                  core::Timestamp now) override;
  core::Result<std::vector<core::ChangeEntry>> ChangesAfter(std::int64_t after_seq,
                                                            int limit) override;
  core::Result<std::int64_t> LastChangeSeq() override;
  core::Result<void> PruneChanges(std::int64_t before_seq) override;
  core::Result<bool> SetServiceClientSecret(const std::string& id, const std::string& secret_hash,
                                            const std::string& previous_hash,
                                            core::Timestamp previous_expires_at) override;
  core::Result<bool> SetServiceClientRedirectUris(const std::string& id,
                                                  const std::vector<std::string>& uris) override;
  core::Result<bool> RecordWebhookEvent(const std::string& event_id, core::Timestamp now) override;

  // Callback signing secrets (sql_tx_signing.cpp).
  core::Result<void> InsertCallbackSecret(const core::CallbackSecret& s) override;
  core::Result<std::optional<core::CallbackSecret>> FindCallbackSecret(
      const std::string& id) override;
  core::Result<std::vector<core::CallbackSecret>> ListCallbackSecrets(
      const std::string& product_id, const core::Page& page) override;
  core::Result<std::vector<core::CallbackSecret>> ListValidCallbackSecrets(
      const std::string& product_id, core::Timestamp now) override;
  core::Result<bool> RollCallbackSecret(const std::string& id, const std::string& replaced_by,
                                        core::Timestamp expires_at) override;
  core::Result<bool> RevokeCallbackSecret(const std::string& id, core::Timestamp now) override;
  core::Result<int> PurgeCallbackSecrets(core::Timestamp before, int limit) override;

  // Retention (sql_tx_retention.cpp).
  core::Result<int> PurgeExpiredSessions(core::Timestamp now, int limit) override;
  core::Result<int> PurgeExpiredTokens(core::Timestamp before, int limit) override;
  core::Result<int> PurgeThrottle(core::Timestamp window_before, core::Timestamp now,
                                  int limit) override;
  core::Result<int> PurgeInvitations(core::Timestamp expired_before, int limit) override;
  core::Result<int> PurgeWebhookEvents(core::Timestamp before, int limit) override;

  // The mail outbox (sql_tx_mail.cpp).
  core::Result<void> EnqueueMail(const core::OutboxMail& m) override;
  core::Result<std::vector<core::OutboxMail>> ClaimDueMail(core::Timestamp now,
                                                           const std::string& claimer,
                                                           core::Timestamp until,
                                                           int limit) override;
  core::Result<bool> DeleteSentMail(const std::string& id, const std::string& claimer) override;
  core::Result<bool> RecordMailFailure(const std::string& id, const std::string& claimer,
                                       core::Timestamp next_attempt_at, bool dead,
                                       const std::string& last_error) override;
  core::Result<std::vector<core::OutboxMail>> ListMail(core::MailState state,
                                                       const core::Page& page) override;
  core::Result<bool> RequeueDeadMail(const std::string& id, core::Timestamp now) override;
  core::Result<core::MailCounts> CountMail() override;

  core::Result<core::AuditHead> AdvanceAuditHead() override;
  core::Result<void> AppendAuditEvent(const core::AuditEvent& event) override;
  core::Result<std::vector<core::AuditEvent>> QueryAudit(const core::AuditQuery& query) override;
  core::Result<std::vector<core::AuditEvent>> AuditEventsAfter(std::int64_t after_seq,
                                                               int limit) override;
  core::Result<core::AuditAnchor> GetAuditAnchor() override;
  core::Result<int> PruneAuditEvents(const core::AuditAnchor& anchor) override;
  core::Result<std::vector<core::KeyringKeyRecord>> ListKeyringKeys() override;
  core::Result<bool> InsertKeyringKey(const core::KeyringKeyRecord& key) override;

 private:
  // Deletes at most `limit` rows of `table` matching `where` (parameters $1…); returns how many.
  core::Result<int> Purge(const char* table, const char* key, const char* where,
                          std::vector<SqlValue> params, int limit);

  // " AND <after the page's last row> ORDER BY <key>, <id> [LIMIT n]" for a list ordered by
  // (key, id), or by (key DESC, id) when key is a time column (time_desc); key nullptr = by id
  // alone. Parameters are appended to `params`.
  static std::string Keyset(const core::Page& page, const char* key, const char* id, bool time_desc,
                            std::vector<SqlValue>& params);

  SqlConn& conn_;
};

}  // namespace vault::storage
