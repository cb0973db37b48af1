// Storage port: a Store runs a function inside one database transaction, handing it a Tx with
// the repository operations. A function that returns an error rolls the transaction back.
// Store implementations are thread-safe; a Tx belongs to one thread for one transaction.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "core/account.hpp"
#include "core/api_key.hpp"
#include "core/callback_secret.hpp"
#include "core/error.hpp"
#include "core/oauth.hpp"
#include "core/outbox.hpp"
#include "core/paging.hpp"
#include "core/product.hpp"
#include "core/security.hpp"
#include "core/workspace.hpp"

namespace vault::core {

// A member as the members page shows them.
struct MemberView {
  Membership membership;
  std::string name, email;
  bool mfa_enabled = false;
  Timestamp last_sign_in_at = 0;
  std::vector<std::pair<std::string, std::string>> groups;  // (group id, name)
};

// A workspace as the account's workspace cards show it.
struct WorkspaceCard {
  Workspace workspace;
  Role role = Role::kMember;
  bool has_logo = false;
};

struct Logo {
  std::string content_type;
  std::string data;  // raw bytes
  Timestamp updated_at = 0;
};

struct ChangeEntry {
  std::int64_t seq = 0;
  std::string kind, subject;
};

// Accounts, sessions and one-time tokens (storage/sql_tx.cpp).
class AccountsPort {
 public:
  virtual ~AccountsPort() = default;

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
  // Newest first: (created_at DESC, id); `page` continues after (after_time, after_id).
  virtual Result<std::vector<Session>> ListSessions(const std::string& account_id,
                                                    const Page& page) = 0;
  Result<std::vector<Session>> ListSessions(const std::string& account_id) {
    return ListSessions(account_id, Page{});
  }
  // Sets each session's last seen time and address (ids may repeat: the newest time wins;
  // unknown ids are skipped).
  virtual Result<void> TouchSessions(const std::vector<SessionTouch>& touches) = 0;
  // Returns whether a session with that id belonged to the account and was deleted.
  virtual Result<bool> DeleteSession(const std::string& account_id, const std::string& id) = 0;
  // Deletes every session of the account except `keep_id` (none when empty); returns the count.
  virtual Result<int> DeleteSessionsOfAccount(const std::string& account_id,
                                              const std::string& keep_id) = 0;
  // Retention: deletes at most `limit` sessions whose expiry is before `now`; returns how many.
  virtual Result<int> PurgeExpiredSessions(Timestamp now, int limit) = 0;
  // Up to `limit` sessions whose expiry is after `now`, ordered by id, after `after_id` (empty:
  // from the first): pages of the session cache's bulk load at start (ADR 0016).
  virtual Result<std::vector<Session>> ListLiveSessions(Timestamp now, const std::string& after_id,
                                                        int limit) = 0;

  // One-time tokens.
  virtual Result<void> InsertToken(const OneTimeToken& token) = 0;
  virtual Result<std::optional<OneTimeToken>> FindToken(const std::string& token_hash,
                                                        TokenPurpose purpose) = 0;
  // Marks the token consumed if it is unconsumed and unexpired at `now`; returns whether this
  // call consumed it (false when a concurrent call won, or it had expired).
  virtual Result<bool> ConsumeToken(const std::string& token_hash, TokenPurpose purpose,
                                    Timestamp now) = 0;

  // Marks every unconsumed token of the account consumed at `now` (only those of `purpose` when
  // given): a change of password, email or second factor voids every outstanding link.
  // Returns how many were voided.
  virtual Result<int> VoidTokensOfAccount(const std::string& account_id,
                                          std::optional<TokenPurpose> purpose, Timestamp now) = 0;
  // Retention: deletes at most `limit` one-time tokens (used or not) that expired before
  // `before`; returns how many.
  virtual Result<int> PurgeExpiredTokens(Timestamp before, int limit) = 0;

  // Deletes the account and everything personal hanging off it (sessions, tokens, 2FA,
  // memberships, group memberships, direct grants); not_found when absent.
  virtual Result<void> DeleteAccount(const std::string& id) = 0;

  // Platform administration: accounts whose email or name contains `query` (ignoring the
  // case of ASCII letters, alike on every backend; all when empty), ordered by id, after
  // `after_id`.
  virtual Result<std::vector<Account>> SearchAccounts(const std::string& query,
                                                      const std::string& after_id, int limit) = 0;
};

// Brute-force throttling, second factors and the audit chain (storage/sql_tx_security.cpp).
class SecurityPort {
 public:
  virtual ~SecurityPort() = default;

  // Throttling. ReserveAttempt atomically counts one attempt for `key` (a new window starts when
  // the old one is older than `window` seconds or its lock has ended) and returns the state
  // after counting; concurrent callers on any node see distinct counts.
  virtual Result<ThrottleState> ReserveAttempt(const std::string& key, Timestamp now,
                                               Timestamp window) = 0;
  virtual Result<void> LockThrottle(const std::string& key, Timestamp until) = 0;
  // Shared rate limits, by GCRA (a token bucket held as one time): admits a request for `key`
  // at `now_us` (wall clock, microseconds) when the key's theoretical arrival time is at most
  // `tolerance_us` ahead of it, and moves that time `interval_us` on (interval = 1/rate,
  // tolerance = (burst - 1) * interval). Atomic across every node. Returns 0 when admitted,
  // else the microseconds until a request would be. Kept in the throttle table (its window
  // start is `now`, in seconds, so retention purges keys idle for a day).
  virtual Result<std::int64_t> TakeRateToken(const std::string& key, Timestamp now,
                                             std::int64_t now_us, std::int64_t interval_us,
                                             std::int64_t tolerance_us) = 0;
  virtual Result<void> ResetThrottle(const std::string& key) = 0;
  // Retention: deletes at most `limit` throttle rows whose window started before
  // `window_before` and whose lock (if any) ended by `now`; returns how many.
  virtual Result<int> PurgeThrottle(Timestamp window_before, Timestamp now, int limit) = 0;

  // TOTP credentials and recovery codes.
  virtual Result<std::optional<TotpCredential>> FindTotp(const std::string& account_id) = 0;
  virtual Result<void> PutTotp(const TotpCredential& credential) = 0;  // insert or replace
  virtual Result<void> DeleteTotp(const std::string& account_id) = 0;  // recovery codes too
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
  // Audit retention: the current anchor (seq 0 when nothing was ever pruned).
  virtual Result<AuditAnchor> GetAuditAnchor() = 0;
  // Audit retention: deletes every event with seq <= anchor.seq and stores the anchor; returns
  // how many events were deleted.
  virtual Result<int> PruneAuditEvents(const AuditAnchor& anchor) = 0;

  // Keyring check values (ADR 0011), ordered by kid. Insert returns false, changing nothing,
  // when the kid is already recorded (another node registered it first).
  virtual Result<std::vector<KeyringKeyRecord>> ListKeyringKeys() = 0;
  virtual Result<bool> InsertKeyringKey(const KeyringKeyRecord& key) = 0;
};

// Workspaces, memberships, logos and invitations (storage/sql_tx_workspaces.cpp).
class WorkspacesPort {
 public:
  virtual ~WorkspacesPort() = default;

  // Workspaces. Insert/Update fail already_exists "workspace.shortname_taken".
  virtual Result<void> InsertWorkspace(const Workspace& w) = 0;
  virtual Result<void> UpdateWorkspace(const Workspace& w) = 0;
  virtual Result<void> DeleteWorkspace(const std::string& id) = 0;  // cascades everything inside
  // By id ("ws_…") or shortname (any case).
  virtual Result<std::optional<Workspace>> FindWorkspace(const std::string& id_or_shortname) = 0;
  // Takes the workspace row's lock until commit, serialising membership changes (last Owner).
  virtual Result<void> LockWorkspace(const std::string& id) = 0;
  virtual Result<void> PutLogo(const std::string& workspace_id, const Logo& logo) = 0;
  virtual Result<std::optional<Logo>> GetLogo(const std::string& workspace_id) = 0;
  virtual Result<bool> DeleteLogo(const std::string& workspace_id) = 0;

  // Memberships.
  // Fails already_exists "member.exists" when the account is already a member.
  virtual Result<void> InsertMembership(const Membership& m) = 0;
  virtual Result<std::optional<Membership>> FindMembership(const std::string& workspace_id,
                                                           const std::string& account_id) = 0;
  virtual Result<void> UpdateMembershipRole(const std::string& workspace_id,
                                            const std::string& account_id, Role role) = 0;
  // Returns whether the account was a member; its direct grants and group memberships in the
  // workspace go too.
  virtual Result<bool> DeleteMembership(const std::string& workspace_id,
                                        const std::string& account_id) = 0;
  virtual Result<int> CountOwners(const std::string& workspace_id) = 0;
  // By (email_norm, account id); `page` continues after (after_key, after_id).
  // MemberView::groups is left empty (callers join ListGroupMembers).
  virtual Result<std::vector<MemberView>> ListMembers(const std::string& workspace_id,
                                                      const Page& page) = 0;
  Result<std::vector<MemberView>> ListMembers(const std::string& workspace_id) {
    return ListMembers(workspace_id, Page{});
  }
  // By workspace name.
  virtual Result<std::vector<WorkspaceCard>> ListWorkspacesOf(const std::string& account_id) = 0;
  // Workspaces in which the account is the only Owner.
  virtual Result<std::vector<Workspace>> SoleOwnerWorkspaces(const std::string& account_id) = 0;

  // Invitations.
  virtual Result<void> InsertInvitation(const Invitation& i) = 0;
  virtual Result<void> UpdateInvitation(const Invitation& i) = 0;
  virtual Result<std::optional<Invitation>> FindInvitation(const std::string& workspace_id,
                                                           const std::string& id) = 0;
  virtual Result<std::optional<Invitation>> FindInvitationByToken(
      const std::string& token_hash) = 0;
  // These two list pending invitations only, newest first: (created_at DESC, id); `page`
  // continues after (after_time, after_id).
  virtual Result<std::vector<Invitation>> ListPendingInvitations(const std::string& workspace_id,
                                                                 const Page& page) = 0;
  Result<std::vector<Invitation>> ListPendingInvitations(const std::string& workspace_id) {
    return ListPendingInvitations(workspace_id, Page{});
  }
  virtual Result<std::vector<Invitation>> ListInvitationsForEmail(
      const std::string& email_norm) = 0;
  // Retention: deletes at most `limit` invitations (answered or not) whose expiry is before
  // `expired_before`; returns how many.
  virtual Result<int> PurgeInvitations(Timestamp expired_before, int limit) = 0;

  // Platform administration: workspaces whose name or shortname contains `query` (ignoring
  // the case of ASCII letters, alike on every backend; all when empty), ordered by id, after
  // `after_id`.
  virtual Result<std::vector<Workspace>> SearchWorkspaces(const std::string& query,
                                                          const std::string& after_id,
                                                          int limit) = 0;
};

// The product catalogue, products, subscriptions, groups, grants, service clients, the
// change feed and webhook idempotency (storage/sql_tx_products.cpp).
class ProductsPort {
 public:
  virtual ~ProductsPort() = default;

  // Product catalogue: types by (key, id), each with its roles by rank (highest first) and its
  // plans by seats (unlimited last); `page` continues after (after_key, after_id).
  virtual Result<std::vector<ProductType>> ListProductTypes(const Page& page) = 0;
  Result<std::vector<ProductType>> ListProductTypes() { return ListProductTypes(Page{}); }
  // Inserts the type with its roles and plans; already_exists "product_type.key_taken".
  virtual Result<void> InsertProductType(const ProductType& t) = 0;
  // Stores the type's name, api_permissions and retired flag, and creates or replaces each of its
  // roles and plans (a role or plan is never deleted, only retired); not_found
  // "product_type.not_found" for an unknown id.
  virtual Result<void> UpdateProductType(const ProductType& t) = 0;

  // Products (shortname unique per workspace: already_exists "product.shortname_taken").
  virtual Result<void> InsertProduct(const Product& p) = 0;
  virtual Result<void> UpdateProduct(const Product& p) = 0;
  virtual Result<void> DeleteProduct(const std::string& id) = 0;  // grants, subscription go too
  // By id or shortname within the workspace.
  virtual Result<std::optional<Product>> FindProduct(const std::string& workspace_id,
                                                     const std::string& id_or_shortname) = 0;
  virtual Result<std::optional<Product>> FindProductById(const std::string& id) = 0;
  // By (name, id); `page` continues after (after_key, after_id).
  virtual Result<std::vector<Product>> ListProducts(const std::string& workspace_id,
                                                    const Page& page) = 0;
  Result<std::vector<Product>> ListProducts(const std::string& workspace_id) {
    return ListProducts(workspace_id, Page{});
  }
  virtual Result<void> LockProduct(const std::string& id) = 0;  // serialises seat counting
  virtual Result<std::optional<Subscription>> FindSubscription(const std::string& product_id) = 0;
  virtual Result<std::vector<Subscription>> ListSubscriptions(const std::string& workspace_id) = 0;
  virtual Result<void> PutSubscription(const Subscription& s) = 0;
  // Every subscription billed by this provider, by product id (the reconciliation's list).
  virtual Result<std::vector<Subscription>> ListSubscriptionsByProvider(
      const std::string& provider) = 0;
  virtual Result<std::optional<Subscription>> FindSubscriptionByExternal(
      const std::string& provider, const std::string& external_id) = 0;
  // A product's configuration (nullopt: never set; deleted with the product).
  virtual Result<std::optional<ProductConfig>> FindProductConfig(const std::string& product_id) = 0;
  virtual Result<std::vector<ProductConfig>> ListProductConfigs(
      const std::string& workspace_id) = 0;
  // Inserts or replaces the product's configuration.
  virtual Result<void> PutProductConfig(const ProductConfig& c) = 0;

  // Groups (name unique per workspace, any case: already_exists "group.name_taken").
  virtual Result<void> InsertGroup(const Group& g) = 0;
  virtual Result<void> UpdateGroup(const Group& g) = 0;
  virtual Result<void> DeleteGroup(const std::string& id) = 0;  // its grants and members go too
  virtual Result<std::optional<Group>> FindGroup(const std::string& workspace_id,
                                                 const std::string& id) = 0;
  // By (name_norm, id); `page` continues after (after_key, after_id).
  virtual Result<std::vector<Group>> ListGroups(const std::string& workspace_id,
                                                const Page& page) = 0;
  Result<std::vector<Group>> ListGroups(const std::string& workspace_id) {
    return ListGroups(workspace_id, Page{});
  }
  // Returns false when already a member.
  virtual Result<bool> AddGroupMember(const std::string& workspace_id, const std::string& group_id,
                                      const std::string& account_id) = 0;
  virtual Result<bool> RemoveGroupMember(const std::string& group_id,
                                         const std::string& account_id) = 0;
  // (group_id, account_id) pairs of every group in the workspace.
  virtual Result<std::vector<std::pair<std::string, std::string>>> ListGroupMembers(
      const std::string& workspace_id) = 0;

  // Grants.
  virtual Result<void> PutGrant(const Grant& g) = 0;  // insert or change the role
  virtual Result<bool> DeleteGrant(const std::string& product_id, PrincipalType type,
                                   const std::string& principal_id) = 0;
  // By principal type (accounts first), then principal id; `page` continues after
  // (after_key = principal type name, after_id = principal id).
  virtual Result<std::vector<Grant>> ListGrants(const std::string& product_id,
                                                const Page& page) = 0;
  Result<std::vector<Grant>> ListGrants(const std::string& product_id) {
    return ListGrants(product_id, Page{});
  }
  virtual Result<std::vector<Grant>> ListWorkspaceGrants(const std::string& workspace_id) = 0;
  // Distinct accounts with access to the product, directly or through a group.
  virtual Result<int> CountSeats(const std::string& product_id) = 0;

  // Product service clients.
  virtual Result<void> InsertServiceClient(const ServiceClient& c) = 0;
  virtual Result<std::optional<ServiceClient>> FindServiceClient(const std::string& id) = 0;
  // By id, revoked too; `page` continues after after_id.
  virtual Result<std::vector<ServiceClient>> ListServiceClients(const Page& page) = 0;
  Result<std::vector<ServiceClient>> ListServiceClients() { return ListServiceClients(Page{}); }
  virtual Result<bool> RevokeServiceClient(const std::string& id, Timestamp now) = 0;
  // Replaces the secret hash of a live confidential client; false when there is no such
  // client (unknown, revoked, or public: a public client has no secret). previous_hash is
  // accepted until previous_expires_at (empty and 0: the old secret stops at once).
  virtual Result<bool> SetServiceClientSecret(const std::string& id, const std::string& secret_hash,
                                              const std::string& previous_hash,
                                              Timestamp previous_expires_at) = 0;
  // Replaces the redirect URIs of a live client (public or not); false when there is no such
  // client (unknown or revoked).
  virtual Result<bool> SetServiceClientRedirectUris(const std::string& id,
                                                    const std::vector<std::string>& uris) = 0;

  // Change feed: what changed (kind "workspace", "account", "catalog", "service_client",
  // "api_key", "signing_keys"), so every server process can drop what it cached. Seq grows; readers
  // re-read a window.
  virtual Result<void> AppendChange(const std::string& kind, const std::string& subject,
                                    Timestamp now) = 0;
  virtual Result<std::vector<ChangeEntry>> ChangesAfter(std::int64_t after_seq, int limit) = 0;
  virtual Result<std::int64_t> LastChangeSeq() = 0;
  // Deletes entries with seq < before_seq, always keeping the newest one, so that seq never
  // restarts and LastChangeSeq never goes back.
  virtual Result<void> PruneChanges(std::int64_t before_seq) = 0;

  // Records a provider webhook event id; false when it was seen before (idempotency).
  virtual Result<bool> RecordWebhookEvent(const std::string& event_id, Timestamp now) = 0;
  // Retention: forgets at most `limit` webhook event ids received before `before`; returns
  // how many.
  virtual Result<int> PurgeWebhookEvents(Timestamp before, int limit) = 0;
};

// API keys (storage/sql_tx_api_keys.cpp).
class ApiKeysPort {
 public:
  virtual ~ApiKeysPort() = default;

  // API keys. Find by id across workspaces (callers check the workspace).
  virtual Result<void> InsertApiKey(const ApiKey& k) = 0;
  virtual Result<std::optional<ApiKey>> FindApiKey(const std::string& id) = 0;
  virtual Result<std::vector<ApiKey>> ListApiKeys(const ApiKeyQuery& query) = 0;
  // Revokes a live key; false when it is already revoked or absent.
  virtual Result<bool> RevokeApiKey(const std::string& id, Timestamp now) = 0;
  // Marks a live, not yet rolled key as replaced by `replaced_by`, with a new expiry (0 keeps
  // none); false when it was revoked or rolled meanwhile.
  virtual Result<bool> MarkApiKeyRolled(const std::string& id, const std::string& replaced_by,
                                        Timestamp expires_at) = 0;
  // Unrevoked keys of every workspace with id > after_id, by id (cache warm-up).
  virtual Result<std::vector<ApiKey>> ScanLiveApiKeys(const std::string& after_id, int limit) = 0;
  // Ids of every key, revoked ones included, in id order after `after_id` (a page of `limit`).
  virtual Result<std::vector<std::string>> ScanApiKeyIds(const std::string& after_id,
                                                         int limit) = 0;
  // Records last use (time and address) of each key, keeping the newest time (ids may repeat;
  // unknown ids, such as a key deleted since its use, are skipped).
  virtual Result<void> RecordApiKeyUsage(const std::vector<ApiKeyUsage>& usage) = 0;
};

// The OpenID Connect provider: token-signing keys (storage/sql_tx_oauth.cpp).
class OAuthPort {
 public:
  virtual ~OAuthPort() = default;

  // Fails already_exists "signing_key.kid_taken" when the kid is used.
  virtual Result<void> InsertSigningKey(const SigningKey& k) = 0;
  // Every stored key, newest first (created_at, then kid, descending).
  virtual Result<std::vector<SigningKey>> ListSigningKeys() = 0;
  // Retires every live key but `keep_kid` at `now`, published until `verify_until`; returns how
  // many it retired.
  virtual Result<int> RetireSigningKeys(const std::string& keep_kid, Timestamp now,
                                        Timestamp verify_until) = 0;
  // Deletes the retired keys no longer published at `now` (verify_until <= now); returns how
  // many. Live keys are never deleted.
  virtual Result<int> DeleteExpiredSigningKeys(Timestamp now) = 0;

  // Authorization codes. Fails already_exists for a taken hash.
  virtual Result<void> InsertAuthorizationCode(const AuthorizationCode& c) = 0;
  virtual Result<std::optional<AuthorizationCode>> FindAuthorizationCode(
      const std::string& code_hash) = 0;
  // Marks an unused code used at `now`, recording the refresh family its exchange starts;
  // false when it was already used (a replay, or a racing exchange).
  virtual Result<bool> UseAuthorizationCode(const std::string& code_hash, Timestamp now,
                                            const std::string& family_id) = 0;

  // Refresh tokens. Fails already_exists for a taken id or hash.
  virtual Result<void> InsertRefreshToken(const RefreshToken& t) = 0;
  virtual Result<std::optional<RefreshToken>> FindRefreshToken(const std::string& token_hash) = 0;
  // Marks a token that is neither used nor revoked used at `now`; false otherwise.
  virtual Result<bool> UseRefreshToken(const std::string& id, Timestamp now) = 0;
  // Revokes every unrevoked token of the family / bound to the console session; returns how
  // many.
  virtual Result<int> RevokeRefreshFamily(const std::string& family_id, Timestamp now) = 0;
  virtual Result<int> RevokeRefreshTokensOfSession(const std::string& session_id,
                                                   Timestamp now) = 0;
  // Revokes every unrevoked token of the account except those bound to `keep_session_id`.
  virtual Result<int> RevokeRefreshTokensOfAccount(const std::string& account_id,
                                                   const std::string& keep_session_id,
                                                   Timestamp now) = 0;

  // Access tokens revoked before their expiry, by jti (inserting a known jti is a no-op).
  virtual Result<void> InsertRevokedAccessToken(const std::string& jti, Timestamp expires_at) = 0;
  // The revoked jtis that have not expired at `now`, with their expiry.
  virtual Result<std::vector<std::pair<std::string, Timestamp>>> ListRevokedAccessTokens(
      Timestamp now) = 0;
  // Deletes expired codes, refresh tokens and revoked jtis (expires_at <= now), at most
  // `limit` rows of each; returns how many in all.
  virtual Result<int> DeleteExpiredOAuthGrants(Timestamp now, int limit) = 0;
};

// Callback signing secrets of product instances (storage/sql_tx_signing.cpp).
class CallbackSecretsPort {
 public:
  virtual ~CallbackSecretsPort() = default;

  // Fails already_exists for a taken id.
  virtual Result<void> InsertCallbackSecret(const CallbackSecret& s) = 0;
  // By id across products (callers check the workspace and product).
  virtual Result<std::optional<CallbackSecret>> FindCallbackSecret(const std::string& id) = 0;
  // A page of the product's secrets, every state, newest first (created_at DESC, then id).
  virtual Result<std::vector<CallbackSecret>> ListCallbackSecrets(const std::string& product_id,
                                                                  const Page& page) = 0;
  // The product's secrets that sign at `now` (unrevoked, no expiry or a later one), newest
  // first.
  virtual Result<std::vector<CallbackSecret>> ListValidCallbackSecrets(
      const std::string& product_id, Timestamp now) = 0;
  // Gives an active secret (unrevoked, no expiry) its replacement and expiry; false when it is
  // absent, revoked or already rolled.
  virtual Result<bool> RollCallbackSecret(const std::string& id, const std::string& replaced_by,
                                          Timestamp expires_at) = 0;
  // Revokes an unrevoked secret at `now`; false when it is absent or already revoked.
  virtual Result<bool> RevokeCallbackSecret(const std::string& id, Timestamp now) = 0;
  // Retention: deletes at most `limit` secrets that ended (revoked, or their grace period over)
  // before `before`; returns how many.
  virtual Result<int> PurgeCallbackSecrets(Timestamp before, int limit) = 0;
};

// The durable mail outbox (storage/sql_tx_mail.cpp, issue 16).
class MailPort {
 public:
  virtual ~MailPort() = default;

  // Adds a row (normally queued, due now). Fails already_exists for a taken id.
  virtual Result<void> EnqueueMail(const OutboxMail& m) = 0;
  // Claims at most `limit` queued rows due at `now` (next_attempt_at <= now) whose claim has
  // lapsed (claimed_until <= now), earliest due first, for `claimer` until `until`, and returns
  // them with the claim set. Concurrent claimers (other nodes) never both get a row while a
  // claim holds: the update re-checks the claim on the row it locks.
  virtual Result<std::vector<OutboxMail>> ClaimDueMail(Timestamp now, const std::string& claimer,
                                                       Timestamp until, int limit) = 0;
  // Deletes a delivered row that `claimer` still holds; false when it lost the claim.
  virtual Result<bool> DeleteSentMail(const std::string& id, const std::string& claimer) = 0;
  // After a failed attempt by `claimer` (still holding the row): attempts + 1, last_error set,
  // the claim released, and the row either queued again for `next_attempt_at` or dead. False
  // when the claim was lost.
  virtual Result<bool> RecordMailFailure(const std::string& id, const std::string& claimer,
                                         Timestamp next_attempt_at, bool dead,
                                         const std::string& last_error) = 0;
  // Rows in `state`, newest first (created_at DESC, id); `page` continues after (after_time,
  // after_id).
  virtual Result<std::vector<OutboxMail>> ListMail(MailState state, const Page& page) = 0;
  // Puts a dead row back in the queue, due at `now` with no failed attempts; false when no dead
  // row has that id.
  virtual Result<bool> RequeueDeadMail(const std::string& id, Timestamp now) = 0;
  // How many rows are queued and dead.
  virtual Result<MailCounts> CountMail() = 0;
};

// What the in-memory access model holds about a range of workspaces (AccessModel::Load, ADR
// 0014): every row of theirs the model needs, read with one range scan per table.
struct AccessRows {
  std::vector<Workspace> workspaces;
  std::vector<Membership> memberships;
  std::vector<Product> products;
  std::vector<Subscription> subscriptions;
  std::vector<ProductConfig> configs;
  std::vector<Grant> grants;
  struct GroupMember {
    std::string workspace_id, group_id, account_id;
  };
  std::vector<GroupMember> group_members;
};

// What an access check needs about an account.
struct AccountFlags {
  std::string id;
  bool disabled = false;
  bool mfa = false;  // a confirmed TOTP credential
};

// Bulk reads that fill the in-memory model at start (storage/sql_tx_model.cpp). Ranges and
// pages follow the database's own order of ids (its collation), so a caller passes back only
// ids the same database returned.
class ModelPort {
 public:
  virtual ~ModelPort() = default;
  // Up to `limit` workspace ids after `after` ("" = from the first), in the database's order.
  virtual Result<std::vector<std::string>> ListWorkspaceIds(const std::string& after,
                                                            int limit) = 0;
  // The model's rows of every workspace with first <= id <= last.
  virtual Result<AccessRows> LoadAccessRows(const std::string& first, const std::string& last) = 0;
  // Up to `limit` accounts after id `after`, in the database's order of ids.
  virtual Result<std::vector<AccountFlags>> ListAccountFlags(const std::string& after,
                                                             int limit) = 0;
};

// One transaction's repository operations: every aggregate's port, one per storage file. Use
// cases take the Tx a Store hands them; a function that needs one aggregate only may take that
// port instead.
class Tx : public AccountsPort,
           public SecurityPort,
           public WorkspacesPort,
           public ProductsPort,
           public ApiKeysPort,
           public OAuthPort,
           public CallbackSecretsPort,
           public MailPort,
           public ModelPort {
 public:
  ~Tx() override = default;
};

class Store {
 public:
  virtual ~Store() = default;

  // Runs fn(Tx&) -> Result<T> in a read-write transaction, committed durably when fn succeeds
  // and rolled back when it fails, and returns fn's result: the value leaves the transaction as
  // the return value.
  //   return store.Write([&](Tx& tx) -> Result<Account> { ...; return account; });
  template <typename Fn>
  auto Write(Fn&& fn) {
    return Run(fn, [this](const TxFunction& f) { return DoWrite(f); });
  }
  // The same in a read-only transaction.
  template <typename Fn>
  auto Read(Fn&& fn) {
    return Run(fn, [this](const TxFunction& f) { return DoRead(f); });
  }
  // Fails unavailable when the database cannot be reached.
  virtual Result<void> Ping() = 0;

 protected:
  using TxFunction = std::function<Result<void>(Tx&)>;
  // What an implementation provides: run f in one transaction (write or read-only).
  virtual Result<void> DoWrite(const TxFunction& f) = 0;
  virtual Result<void> DoRead(const TxFunction& f) = 0;

 private:
  template <typename Fn, typename Exec>
  static auto Run(Fn& fn, const Exec& exec) -> std::invoke_result_t<Fn&, Tx&> {
    using R = std::invoke_result_t<Fn&, Tx&>;
    using T = typename R::value_type;
    if constexpr (std::is_void_v<T>) {
      return exec([&fn](Tx& tx) -> Result<void> { return fn(tx); });
    } else {
      std::optional<T> out;  // set by the last (committed) run of fn
      VAULT_TRY(exec([&](Tx& tx) -> Result<void> {
        R r = fn(tx);
        if (!r) return Fail(std::move(r).error());
        out.emplace(std::move(*r));
        return {};
      }));
      return R(std::move(*out));
    }
  }
};

}  // namespace vault::core
