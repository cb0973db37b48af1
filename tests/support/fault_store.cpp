#include "support/fault_store.hpp"

#include <array>
#include <utility>

namespace vault::testing {
namespace {

using namespace vault::core;  // the Tx signatures below are core's, spelled as in store.hpp

// Forwards one Tx method, counted (and failed when armed) by the store. The signatures are
// store.hpp's: a missing or mistyped one fails to compile (Tx's methods are pure virtual and
// each is marked override).
#define VAULT_FORWARD(Name, Params, Args)                              \
  auto Name Params->decltype(std::declval<Tx&>().Name Args) override { \
    if (auto fault = store_.Count(#Name, read_only_); !fault)          \
      return Fail(std::move(fault).error());                           \
    return in_.Name Args;                                              \
  }

class FaultTx : public Tx {
 public:
  FaultTx(Tx& in, FaultStore& store, bool read_only)
      : in_(in), store_(store), read_only_(read_only) {}

  VAULT_FORWARD(FindAccountById, (const std::string& id), (id))
  VAULT_FORWARD(FindAccountByEmail, (const std::string& email_norm), (email_norm))
  VAULT_FORWARD(InsertAccount, (const Account& account), (account))
  VAULT_FORWARD(UpdateAccount, (const Account& account), (account))
  VAULT_FORWARD(InsertSession, (const Session& session), (session))
  VAULT_FORWARD(FindSessionByTokenHash, (const std::string& token_hash), (token_hash))
  VAULT_FORWARD(ListSessions, (const std::string& account_id, const core::Page& page),
                (account_id, page))
  VAULT_FORWARD(TouchSessions, (const std::vector<core::SessionTouch>& touches), (touches))
  VAULT_FORWARD(DeleteSession, (const std::string& account_id, const std::string& id),
                (account_id, id))
  VAULT_FORWARD(DeleteSessionsOfAccount,
                (const std::string& account_id, const std::string& keep_id), (account_id, keep_id))
  VAULT_FORWARD(InsertToken, (const OneTimeToken& token), (token))
  VAULT_FORWARD(FindToken, (const std::string& token_hash, TokenPurpose purpose),
                (token_hash, purpose))
  VAULT_FORWARD(ConsumeToken, (const std::string& token_hash, TokenPurpose purpose, Timestamp now),
                (token_hash, purpose, now))
  VAULT_FORWARD(VoidTokensOfAccount,
                (const std::string& account_id, std::optional<TokenPurpose> purpose, Timestamp now),
                (account_id, purpose, now))
  VAULT_FORWARD(DeleteAccount, (const std::string& id), (id))
  VAULT_FORWARD(ReserveAttempt, (const std::string& key, Timestamp now, Timestamp window),
                (key, now, window))
  VAULT_FORWARD(LockThrottle, (const std::string& key, Timestamp until), (key, until))
  VAULT_FORWARD(TakeRateToken,
                (const std::string& key, Timestamp now, std::int64_t now_us,
                 std::int64_t interval_us, std::int64_t tolerance_us),
                (key, now, now_us, interval_us, tolerance_us))
  VAULT_FORWARD(ResetThrottle, (const std::string& key), (key))
  VAULT_FORWARD(FindTotp, (const std::string& account_id), (account_id))
  VAULT_FORWARD(PutTotp, (const TotpCredential& credential), (credential))
  VAULT_FORWARD(DeleteTotp, (const std::string& account_id), (account_id))
  VAULT_FORWARD(AdvanceTotpStep, (const std::string& account_id, std::int64_t step),
                (account_id, step))
  VAULT_FORWARD(ReplaceRecoveryCodes,
                (const std::string& account_id, const std::vector<std::string>& code_hashes),
                (account_id, code_hashes))
  VAULT_FORWARD(UseRecoveryCode,
                (const std::string& account_id, const std::string& code_hash, Timestamp now),
                (account_id, code_hash, now))
  VAULT_FORWARD(CountUnusedRecoveryCodes, (const std::string& account_id), (account_id))
  VAULT_FORWARD(InsertWorkspace, (const Workspace& w), (w))
  VAULT_FORWARD(UpdateWorkspace, (const Workspace& w), (w))
  VAULT_FORWARD(DeleteWorkspace, (const std::string& id), (id))
  VAULT_FORWARD(FindWorkspace, (const std::string& id_or_shortname), (id_or_shortname))
  VAULT_FORWARD(LockWorkspace, (const std::string& id), (id))
  VAULT_FORWARD(PutLogo, (const std::string& workspace_id, const Logo& logo), (workspace_id, logo))
  VAULT_FORWARD(GetLogo, (const std::string& workspace_id), (workspace_id))
  VAULT_FORWARD(DeleteLogo, (const std::string& workspace_id), (workspace_id))
  VAULT_FORWARD(InsertMembership, (const Membership& m), (m))
  VAULT_FORWARD(FindMembership, (const std::string& workspace_id, const std::string& account_id),
                (workspace_id, account_id))
  VAULT_FORWARD(UpdateMembershipRole,
                (const std::string& workspace_id, const std::string& account_id, Role role),
                (workspace_id, account_id, role))
  VAULT_FORWARD(DeleteMembership, (const std::string& workspace_id, const std::string& account_id),
                (workspace_id, account_id))
  VAULT_FORWARD(CountOwners, (const std::string& workspace_id), (workspace_id))
  VAULT_FORWARD(ListMembers, (const std::string& workspace_id, const core::Page& page),
                (workspace_id, page))
  VAULT_FORWARD(ListWorkspacesOf, (const std::string& account_id), (account_id))
  VAULT_FORWARD(SoleOwnerWorkspaces, (const std::string& account_id), (account_id))
  VAULT_FORWARD(InsertInvitation, (const Invitation& i), (i))
  VAULT_FORWARD(UpdateInvitation, (const Invitation& i), (i))
  VAULT_FORWARD(FindInvitation, (const std::string& workspace_id, const std::string& id),
                (workspace_id, id))
  VAULT_FORWARD(FindInvitationByToken, (const std::string& token_hash), (token_hash))
  VAULT_FORWARD(ListPendingInvitations, (const std::string& workspace_id, const core::Page& page),
                (workspace_id, page))
  VAULT_FORWARD(ListInvitationsForEmail, (const std::string& email_norm), (email_norm))
  VAULT_FORWARD(ListProductTypes, (const core::Page& page), (page))
  VAULT_FORWARD(InsertProductType, (const ProductType& t), (t))
  VAULT_FORWARD(UpdateProductType, (const ProductType& t), (t))
  VAULT_FORWARD(InsertProduct, (const Product& p), (p))
  VAULT_FORWARD(UpdateProduct, (const Product& p), (p))
  VAULT_FORWARD(DeleteProduct, (const std::string& id), (id))
  VAULT_FORWARD(FindProduct, (const std::string& workspace_id, const std::string& id_or_shortname),
                (workspace_id, id_or_shortname))
  VAULT_FORWARD(FindProductById, (const std::string& id), (id))
  VAULT_FORWARD(ListProducts, (const std::string& workspace_id, const core::Page& page),
                (workspace_id, page))
  VAULT_FORWARD(LockProduct, (const std::string& id), (id))
  VAULT_FORWARD(FindSubscription, (const std::string& product_id), (product_id))
  VAULT_FORWARD(ListSubscriptions, (const std::string& workspace_id), (workspace_id))
  VAULT_FORWARD(PutSubscription, (const Subscription& s), (s))
  VAULT_FORWARD(ListSubscriptionsByProvider, (const std::string& provider), (provider))
  VAULT_FORWARD(FindSubscriptionByExternal,
                (const std::string& provider, const std::string& external_id),
                (provider, external_id))
  VAULT_FORWARD(FindProductConfig, (const std::string& product_id), (product_id))
  VAULT_FORWARD(ListProductConfigs, (const std::string& workspace_id), (workspace_id))
  VAULT_FORWARD(PutProductConfig, (const ProductConfig& c), (c))
  VAULT_FORWARD(InsertGroup, (const Group& g), (g))
  VAULT_FORWARD(UpdateGroup, (const Group& g), (g))
  VAULT_FORWARD(DeleteGroup, (const std::string& id), (id))
  VAULT_FORWARD(FindGroup, (const std::string& workspace_id, const std::string& id),
                (workspace_id, id))
  VAULT_FORWARD(ListGroups, (const std::string& workspace_id, const core::Page& page),
                (workspace_id, page))
  VAULT_FORWARD(AddGroupMember,
                (const std::string& workspace_id, const std::string& group_id,
                 const std::string& account_id),
                (workspace_id, group_id, account_id))
  VAULT_FORWARD(RemoveGroupMember, (const std::string& group_id, const std::string& account_id),
                (group_id, account_id))
  VAULT_FORWARD(ListGroupMembers, (const std::string& workspace_id), (workspace_id))
  VAULT_FORWARD(PutGrant, (const Grant& g), (g))
  VAULT_FORWARD(DeleteGrant,
                (const std::string& product_id, PrincipalType type,
                 const std::string& principal_id),
                (product_id, type, principal_id))
  VAULT_FORWARD(ListGrants, (const std::string& product_id, const core::Page& page),
                (product_id, page))
  VAULT_FORWARD(ListWorkspaceIds, (const std::string& after, int limit), (after, limit))
  VAULT_FORWARD(LoadAccessRows, (const std::string& first, const std::string& last), (first, last))
  VAULT_FORWARD(ListAccountFlags, (const std::string& after, int limit), (after, limit))
  VAULT_FORWARD(ListWorkspaceGrants, (const std::string& workspace_id), (workspace_id))
  VAULT_FORWARD(CountSeats, (const std::string& product_id), (product_id))
  VAULT_FORWARD(InsertServiceClient, (const ServiceClient& c), (c))
  VAULT_FORWARD(FindServiceClient, (const std::string& id), (id))
  VAULT_FORWARD(ListServiceClients, (const core::Page& page), (page))
  VAULT_FORWARD(RevokeServiceClient, (const std::string& id, Timestamp now), (id, now))
  VAULT_FORWARD(InsertApiKey, (const ApiKey& k), (k))
  VAULT_FORWARD(FindApiKey, (const std::string& id), (id))
  VAULT_FORWARD(ListApiKeys, (const ApiKeyQuery& query), (query))
  VAULT_FORWARD(RevokeApiKey, (const std::string& id, Timestamp now), (id, now))
  VAULT_FORWARD(MarkApiKeyRolled,
                (const std::string& id, const std::string& replaced_by, Timestamp expires_at),
                (id, replaced_by, expires_at))
  VAULT_FORWARD(ScanLiveApiKeys, (const std::string& after_id, int limit), (after_id, limit))
  VAULT_FORWARD(ScanApiKeyIds, (const std::string& after_id, int limit), (after_id, limit))
  VAULT_FORWARD(RecordApiKeyUsage, (const std::vector<ApiKeyUsage>& usage), (usage))
  VAULT_FORWARD(InsertSigningKey, (const SigningKey& k), (k))
  VAULT_FORWARD(ListSigningKeys, (), ())
  VAULT_FORWARD(RetireSigningKeys,
                (const std::string& keep_kid, Timestamp now, Timestamp verify_until),
                (keep_kid, now, verify_until))
  VAULT_FORWARD(DeleteExpiredSigningKeys, (Timestamp now), (now))
  VAULT_FORWARD(InsertAuthorizationCode, (const AuthorizationCode& c), (c))
  VAULT_FORWARD(FindAuthorizationCode, (const std::string& code_hash), (code_hash))
  VAULT_FORWARD(UseAuthorizationCode,
                (const std::string& code_hash, Timestamp now, const std::string& family_id),
                (code_hash, now, family_id))
  VAULT_FORWARD(InsertRefreshToken, (const RefreshToken& t), (t))
  VAULT_FORWARD(FindRefreshToken, (const std::string& token_hash), (token_hash))
  VAULT_FORWARD(UseRefreshToken, (const std::string& id, Timestamp now), (id, now))
  VAULT_FORWARD(RevokeRefreshFamily, (const std::string& family_id, Timestamp now),
                (family_id, now))
  VAULT_FORWARD(RevokeRefreshTokensOfSession, (const std::string& session_id, Timestamp now),
                (session_id, now))
  VAULT_FORWARD(RevokeRefreshTokensOfAccount,
                (const std::string& account_id, const std::string& keep_session_id, Timestamp now),
                (account_id, keep_session_id, now))
  VAULT_FORWARD(InsertRevokedAccessToken, (const std::string& jti, Timestamp expires_at),
                (jti, expires_at))
  VAULT_FORWARD(ListRevokedAccessTokens, (Timestamp now), (now))
  VAULT_FORWARD(DeleteExpiredOAuthGrants, (Timestamp now, int limit), (now, limit))
  VAULT_FORWARD(InsertCallbackSecret, (const core::CallbackSecret& s), (s))
  VAULT_FORWARD(FindCallbackSecret, (const std::string& id), (id))
  VAULT_FORWARD(ListCallbackSecrets, (const std::string& product_id, const Page& page),
                (product_id, page))
  VAULT_FORWARD(ListValidCallbackSecrets, (const std::string& product_id, Timestamp now),
                (product_id, now))
  VAULT_FORWARD(RollCallbackSecret,
                (const std::string& id, const std::string& replaced_by, Timestamp expires_at),
                (id, replaced_by, expires_at))
  VAULT_FORWARD(RevokeCallbackSecret, (const std::string& id, Timestamp now), (id, now))
  VAULT_FORWARD(PurgeCallbackSecrets, (Timestamp before, int limit), (before, limit))
  VAULT_FORWARD(AppendChange, (const std::string& kind, const std::string& subject, Timestamp now),
                (kind, subject, now))
  VAULT_FORWARD(ChangesAfter, (std::int64_t after_seq, int limit), (after_seq, limit))
  VAULT_FORWARD(LastChangeSeq, (), ())
  VAULT_FORWARD(PruneChanges, (std::int64_t before_seq), (before_seq))
  VAULT_FORWARD(RecordWebhookEvent, (const std::string& event_id, Timestamp now), (event_id, now))
  VAULT_FORWARD(SetServiceClientSecret,
                (const std::string& id, const std::string& secret_hash,
                 const std::string& previous_hash, core::Timestamp previous_expires_at),
                (id, secret_hash, previous_hash, previous_expires_at))
  VAULT_FORWARD(SetServiceClientRedirectUris,
                (const std::string& id, const std::vector<std::string>& uris), (id, uris))
  VAULT_FORWARD(PurgeExpiredSessions, (Timestamp now, int limit), (now, limit))
  VAULT_FORWARD(ListLiveSessions, (Timestamp now, const std::string& after_id, int limit),
                (now, after_id, limit))
  VAULT_FORWARD(PurgeExpiredTokens, (Timestamp before, int limit), (before, limit))
  VAULT_FORWARD(PurgeThrottle, (Timestamp window_before, Timestamp now, int limit),
                (window_before, now, limit))
  VAULT_FORWARD(PurgeInvitations, (Timestamp expired_before, int limit), (expired_before, limit))
  VAULT_FORWARD(PurgeWebhookEvents, (Timestamp before, int limit), (before, limit))
  VAULT_FORWARD(SearchAccounts, (const std::string& query, const std::string& after_id, int limit),
                (query, after_id, limit))
  VAULT_FORWARD(SearchWorkspaces,
                (const std::string& query, const std::string& after_id, int limit),
                (query, after_id, limit))
  VAULT_FORWARD(AdvanceAuditHead, (), ())
  VAULT_FORWARD(AppendAuditEvent, (const AuditEvent& event), (event))
  VAULT_FORWARD(QueryAudit, (const AuditQuery& query), (query))
  VAULT_FORWARD(AuditEventsAfter, (std::int64_t after_seq, int limit), (after_seq, limit))
  VAULT_FORWARD(GetAuditAnchor, (), ())
  VAULT_FORWARD(PruneAuditEvents, (const AuditAnchor& anchor), (anchor))
  VAULT_FORWARD(ListKeyringKeys, (), ())
  VAULT_FORWARD(InsertKeyringKey, (const core::KeyringKeyRecord& key), (key))
  VAULT_FORWARD(EnqueueMail, (const OutboxMail& m), (m))
  VAULT_FORWARD(ClaimDueMail,
                (Timestamp now, const std::string& claimer, Timestamp until, int limit),
                (now, claimer, until, limit))
  VAULT_FORWARD(DeleteSentMail, (const std::string& id, const std::string& claimer), (id, claimer))
  VAULT_FORWARD(RecordMailFailure,
                (const std::string& id, const std::string& claimer, Timestamp next_attempt_at,
                 bool dead, const std::string& last_error),
                (id, claimer, next_attempt_at, dead, last_error))
  VAULT_FORWARD(ListMail, (MailState state, const core::Page& page), (state, page))
  VAULT_FORWARD(RequeueDeadMail, (const std::string& id, Timestamp now), (id, now))
  VAULT_FORWARD(CountMail, (), ())

 private:
  Tx& in_;
  FaultStore& store_;
  bool read_only_;
};

#undef VAULT_FORWARD

}  // namespace

bool FaultStore::IsRead(std::string_view method) {
  static constexpr std::array<std::string_view, 8> kReadPrefixes = {
      "Find", "List", "Get", "Count", "Scan", "Search", "Query", "SoleOwner"};
  static constexpr std::array<std::string_view, 3> kReads = {"ChangesAfter", "LastChangeSeq",
                                                             "AuditEventsAfter"};
  for (auto p : kReadPrefixes)
    if (method.starts_with(p)) return true;
  for (auto r : kReads)
    if (method == r) return true;
  return false;
}

void FaultStore::FailAt(int n) {
  std::lock_guard lock(mu_);
  fail_at_ = n;
  transactions_ = 0;
  status_ = {};
}

FaultStore::Status FaultStore::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

Result<void> FaultStore::Count(std::string_view method, bool in_read) {
  if (IsRead(method)) return {};
  std::lock_guard lock(mu_);
  if (++status_.writes != fail_at_) return {};
  status_ = {status_.writes, true, in_read ? 0 : transactions_, std::string(method)};
  return Fail(Code::kUnavailable, "storage.unavailable",
              "injected fault: write " + std::to_string(status_.writes) + " (" +
                  status_.failed_write + ")");
}

Result<void> FaultStore::DoWrite(const TxFunction& fn) {
  if (on_write_begin_) on_write_begin_();
  {
    std::lock_guard lock(mu_);
    ++transactions_;
  }
  return inner_.Write([&](Tx& tx) {
    FaultTx faulty(tx, *this, false);
    return fn(faulty);
  });
}

Result<void> FaultStore::DoRead(const TxFunction& fn) {
  return inner_.Read([&](Tx& tx) {
    FaultTx faulty(tx, *this, true);
    return fn(faulty);
  });
}

}  // namespace vault::testing
