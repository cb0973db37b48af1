// SqlTx: product catalogue, products, subscriptions, groups, grants, service clients, webhooks.
#include <cctype>
#include <map>

#include "storage/sql_rows.hpp"
#include "storage/sql_tx.hpp"

namespace vault::storage {

using core::Result;

namespace {

constexpr const char* kGroupCols = "id, workspace_id, name, name_norm, description, created_at";

core::Group ToGroup(const SqlRow& r) {
  return core::Group{r.Str(0), r.Str(1), r.Str(2), r.Str(3), r.Str(4), r.Int(5)};
}

constexpr const char* kClientCols =
    "id, type_id, name, secret_hash, created_at, revoked_at, redirect_uris, public_client, "
    "previous_secret_hash, previous_secret_expires_at";

core::ServiceClient ToClient(const SqlRow& r) {
  // Redirect URIs hold no whitespace (core::ValidateRedirectUris), so a space joins them.
  return core::ServiceClient{
      r.Str(0),      r.Str(1), r.Str(2), r.Str(3), r.Int(4), r.Int(5), core::SplitWords(r.Str(6)),
      r.Int(7) != 0, r.Str(8), r.Int(9)};
}

template <typename T, typename F>
Result<std::optional<T>> First(Result<std::vector<SqlRow>> rows, F f) {
  if (!rows) return core::Fail(rows.error());
  if (rows->empty()) return std::optional<T>{};
  return std::optional<T>{f(rows->front())};
}

Result<void> Done(const Result<std::vector<SqlRow>>& r) {
  if (!r) return core::Fail(r.error());
  return {};
}

core::Error Renamed(core::Error e, const char* id, const char* field, const char* detail) {
  if (e.code == core::Code::kAlreadyExists)
    return core::Error{core::Code::kAlreadyExists, id, field, detail};
  return e;
}

}  // namespace

Result<std::vector<core::ProductType>> SqlTx::ListProductTypes(const core::Page& page) {
  std::vector<SqlValue> params;
  std::string tail = Keyset(page, "key", "id", false, params);
  auto types = conn_.Query(
      "SELECT id, key, name, api_permissions, retired FROM product_types WHERE 1 = 1" + tail,
      params);
  if (!types) return core::Fail(types.error());
  std::vector<core::ProductType> out;
  std::map<std::string, std::size_t> index;
  for (const auto& r : *types) {
    index[r.Str(0)] = out.size();
    out.push_back(
        {r.Str(0), r.Str(1), r.Str(2), core::SplitWords(r.Str(3)), {}, {}, r.Int(4) != 0});
  }
  auto roles = conn_.Query(
      "SELECT type_id, name, rank, permissions, retired FROM product_type_roles "
      "ORDER BY type_id, rank DESC, name",
      {});
  if (!roles) return core::Fail(roles.error());
  for (const auto& r : *roles)
    if (auto it = index.find(r.Str(0)); it != index.end())
      out[it->second].roles.push_back(
          {r.Str(1), static_cast<int>(r.Int(2)), core::SplitWords(r.Str(3)), r.Int(4) != 0});
  auto plans = conn_.Query(
      "SELECT type_id, key, name, seats, trial_days, features, retired FROM product_type_plans "
      "ORDER BY type_id, seats = 0, seats, key",
      {});
  if (!plans) return core::Fail(plans.error());
  for (const auto& r : *plans)
    if (auto it = index.find(r.Str(0)); it != index.end())
      out[it->second].plans.push_back({r.Str(1), r.Str(2), static_cast<int>(r.Int(3)),
                                       static_cast<int>(r.Int(4)), core::SplitWords(r.Str(5)),
                                       r.Int(6) != 0});
  return out;
}

Result<void> SqlTx::InsertProductType(const core::ProductType& t) {
  auto r = conn_.Query(
      "INSERT INTO product_types (id, key, name, api_permissions, created_at) VALUES ($1, $2, $3, "
      "$4, 0)",
      {t.id, t.key, t.name, core::JoinWords(t.api_permissions)});
  if (!r)
    return core::Fail(Renamed(r.error(), "product_type.key_taken", "key",
                              "a product type with this key already exists"));
  for (const auto& role : t.roles)
    if (auto x = conn_.Query(
            "INSERT INTO product_type_roles (type_id, name, rank, permissions) VALUES ($1, $2, $3, "
            "$4)",
            {t.id, role.name, std::int64_t{role.rank}, core::JoinWords(role.permissions)});
        !x)
      return core::Fail(
          Renamed(x.error(), "product_type.duplicate_role", "roles", "role names must be unique"));
  for (const auto& plan : t.plans)
    if (auto x = conn_.Query(
            "INSERT INTO product_type_plans (type_id, key, name, seats, trial_days, features) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            {t.id, plan.key, plan.name, std::int64_t{plan.seats}, std::int64_t{plan.trial_days},
             core::JoinWords(plan.features)});
        !x)
      return core::Fail(
          Renamed(x.error(), "product_type.duplicate_plan", "plans", "plan keys must be unique"));
  return {};
}

Result<void> SqlTx::UpdateProductType(const core::ProductType& t) {
  auto r = conn_.Query(
      "UPDATE product_types SET name = $2, api_permissions = $3, retired = $4 WHERE id = $1 "
      "RETURNING id",
      {t.id, t.name, core::JoinWords(t.api_permissions), std::int64_t{t.retired}});
  if (!r) return core::Fail(r.error());
  if (r->empty())
    return core::Fail(core::Code::kNotFound, "product_type.not_found", "no such product type");
  for (const auto& role : t.roles)
    VAULT_TRY(Done(conn_.Query(
        "INSERT INTO product_type_roles (type_id, name, rank, permissions, retired) VALUES ($1, "
        "$2, "
        "$3, $4, $5) ON CONFLICT (type_id, name) DO UPDATE SET rank = excluded.rank, permissions = "
        "excluded.permissions, retired = excluded.retired",
        {t.id, role.name, std::int64_t{role.rank}, core::JoinWords(role.permissions),
         std::int64_t{role.retired}})));
  for (const auto& plan : t.plans)
    VAULT_TRY(Done(conn_.Query(
        "INSERT INTO product_type_plans (type_id, key, name, seats, trial_days, features, retired) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (type_id, key) DO UPDATE SET name = "
        "excluded.name, seats = excluded.seats, trial_days = excluded.trial_days, features = "
        "excluded.features, retired = excluded.retired",
        {t.id, plan.key, plan.name, std::int64_t{plan.seats}, std::int64_t{plan.trial_days},
         core::JoinWords(plan.features), std::int64_t{plan.retired}})));
  return {};
}

Result<void> SqlTx::InsertProduct(const core::Product& p) {
  auto r = conn_.Query(std::string("INSERT INTO products (") + kProductCols +
                           ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                       {p.id, p.workspace_id, p.type_id, p.name, p.shortname,
                        std::int64_t{p.disabled}, p.created_at, p.updated_at});
  if (!r)
    return core::Fail(Renamed(r.error(), "product.shortname_taken", "shortname",
                              "another product of this workspace uses this short name"));
  return {};
}

Result<void> SqlTx::UpdateProduct(const core::Product& p) {
  auto r = conn_.Query(
      "UPDATE products SET name = $2, shortname = $3, disabled = $4, updated_at = $5 WHERE id = $1",
      {p.id, p.name, p.shortname, std::int64_t{p.disabled}, p.updated_at});
  if (!r)
    return core::Fail(Renamed(r.error(), "product.shortname_taken", "shortname",
                              "another product of this workspace uses this short name"));
  return {};
}

Result<void> SqlTx::DeleteProduct(const std::string& id) {
  return Done(conn_.Query("DELETE FROM products WHERE id = $1", {id}));
}

Result<std::optional<core::Product>> SqlTx::FindProduct(const std::string& workspace_id,
                                                        const std::string& id_or_shortname) {
  std::string lower = id_or_shortname;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return First<core::Product>(
      conn_.Query(std::string("SELECT ") + kProductCols +
                      " FROM products WHERE workspace_id = $1 AND (id = $2 OR shortname = $3)",
                  {workspace_id, id_or_shortname, lower}),
      ToProduct);
}

Result<std::optional<core::Product>> SqlTx::FindProductById(const std::string& id) {
  return First<core::Product>(
      conn_.Query(std::string("SELECT ") + kProductCols + " FROM products WHERE id = $1", {id}),
      ToProduct);
}

Result<std::vector<core::Product>> SqlTx::ListProducts(const std::string& workspace_id,
                                                       const core::Page& page) {
  std::vector<SqlValue> params{workspace_id};
  std::string tail = Keyset(page, "name", "id", false, params);
  return Map<core::Product>(conn_.Query(std::string("SELECT ") + kProductCols +
                                            " FROM products WHERE workspace_id = $1" + tail,
                                        params),
                            ToProduct);
}

Result<void> SqlTx::LockProduct(const std::string& id) {
  return Done(conn_.Query("UPDATE products SET updated_at = updated_at WHERE id = $1", {id}));
}

Result<std::optional<core::Subscription>> SqlTx::FindSubscription(const std::string& product_id) {
  return First<core::Subscription>(conn_.Query(std::string("SELECT ") + kSubscriptionCols +
                                                   " FROM subscriptions s WHERE s.product_id = $1",
                                               {product_id}),
                                   ToSubscription);
}

Result<std::vector<core::Subscription>> SqlTx::ListSubscriptions(const std::string& workspace_id) {
  return Map<core::Subscription>(conn_.Query(std::string("SELECT ") + kSubscriptionCols +
                                                 " FROM subscriptions s JOIN products p ON p.id = "
                                                 "s.product_id WHERE p.workspace_id = $1",
                                             {workspace_id}),
                                 ToSubscription);
}

Result<std::vector<core::Subscription>> SqlTx::ListSubscriptionsByProvider(
    const std::string& provider) {
  return Map<core::Subscription>(
      conn_.Query(std::string("SELECT ") + kSubscriptionCols +
                      " FROM subscriptions s WHERE s.provider = $1 ORDER BY s.product_id",
                  {provider}),
      ToSubscription);
}

Result<void> SqlTx::PutSubscription(const core::Subscription& s) {
  return Done(conn_.Query(
      "INSERT INTO subscriptions (product_id, plan_key, status, provider, external_id, period_end, "
      "last_event_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
      "ON CONFLICT (product_id) DO UPDATE SET plan_key = $2, status = $3, provider = $4, "
      "external_id = $5, period_end = $6, last_event_at = $7, updated_at = $8",
      {s.product_id, s.plan_key, std::string(core::SubscriptionStatusName(s.status)), s.provider,
       s.external_id, s.period_end, s.last_event_at, s.updated_at}));
}

Result<std::optional<core::Subscription>> SqlTx::FindSubscriptionByExternal(
    const std::string& provider, const std::string& external_id) {
  return First<core::Subscription>(
      conn_.Query(std::string("SELECT ") + kSubscriptionCols +
                      " FROM subscriptions s WHERE s.provider = $1 AND s.external_id = $2",
                  {provider, external_id}),
      ToSubscription);
}

Result<std::optional<core::ProductConfig>> SqlTx::FindProductConfig(const std::string& product_id) {
  return First<core::ProductConfig>(
      conn_.Query(
          std::string("SELECT ") + kConfigCols + " FROM product_configs c WHERE c.product_id = $1",
          {product_id}),
      ToConfig);
}

Result<std::vector<core::ProductConfig>> SqlTx::ListProductConfigs(
    const std::string& workspace_id) {
  return Map<core::ProductConfig>(
      conn_.Query(std::string("SELECT ") + kConfigCols +
                      " FROM product_configs c JOIN products p ON p.id = c.product_id "
                      "WHERE p.workspace_id = $1",
                  {workspace_id}),
      ToConfig);
}

Result<void> SqlTx::PutProductConfig(const core::ProductConfig& c) {
  return Done(conn_.Query(
      "INSERT INTO product_configs (product_id, config, version, updated_at, updated_by) "
      "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (product_id) DO UPDATE SET config = $2, "
      "version = $3, updated_at = $4, updated_by = $5",
      {c.product_id, c.config, c.version, c.updated_at, c.updated_by}));
}

Result<void> SqlTx::InsertGroup(const core::Group& g) {
  auto r = conn_.Query(
      std::string("INSERT INTO groups (") + kGroupCols + ") VALUES ($1, $2, $3, $4, $5, $6)",
      {g.id, g.workspace_id, g.name, g.name_norm, g.description, g.created_at});
  if (!r)
    return core::Fail(
        Renamed(r.error(), "group.name_taken", "name", "a group with this name exists"));
  return {};
}

Result<void> SqlTx::UpdateGroup(const core::Group& g) {
  auto r =
      conn_.Query("UPDATE groups SET name = $2, name_norm = $3, description = $4 WHERE id = $1",
                  {g.id, g.name, g.name_norm, g.description});
  if (!r)
    return core::Fail(
        Renamed(r.error(), "group.name_taken", "name", "a group with this name exists"));
  return {};
}

Result<void> SqlTx::DeleteGroup(const std::string& id) {
  if (auto r = conn_.Query(
          "DELETE FROM grants WHERE principal_type = 'group' AND principal_id = $1", {id});
      !r)
    return core::Fail(r.error());
  return Done(conn_.Query("DELETE FROM groups WHERE id = $1", {id}));
}

Result<std::optional<core::Group>> SqlTx::FindGroup(const std::string& workspace_id,
                                                    const std::string& id) {
  return First<core::Group>(conn_.Query(std::string("SELECT ") + kGroupCols +
                                            " FROM groups WHERE workspace_id = $1 AND id = $2",
                                        {workspace_id, id}),
                            ToGroup);
}

Result<std::vector<core::Group>> SqlTx::ListGroups(const std::string& workspace_id,
                                                   const core::Page& page) {
  std::vector<SqlValue> params{workspace_id};
  std::string tail = Keyset(page, "name_norm", "id", false, params);
  return Map<core::Group>(conn_.Query(std::string("SELECT ") + kGroupCols +
                                          " FROM groups WHERE workspace_id = $1" + tail,
                                      params),
                          ToGroup);
}

Result<bool> SqlTx::AddGroupMember(const std::string& workspace_id, const std::string& group_id,
                                   const std::string& account_id) {
  auto r = conn_.Query(
      "INSERT INTO group_members (group_id, account_id, workspace_id) VALUES ($1, $2, $3) "
      "ON CONFLICT (group_id, account_id) DO NOTHING RETURNING group_id",
      {group_id, account_id, workspace_id});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

Result<bool> SqlTx::RemoveGroupMember(const std::string& group_id, const std::string& account_id) {
  auto r = conn_.Query(
      "DELETE FROM group_members WHERE group_id = $1 AND account_id = $2 RETURNING group_id",
      {group_id, account_id});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

Result<std::vector<std::pair<std::string, std::string>>> SqlTx::ListGroupMembers(
    const std::string& workspace_id) {
  return Map<std::pair<std::string, std::string>>(
      conn_.Query("SELECT group_id, account_id FROM group_members WHERE workspace_id = $1",
                  {workspace_id}),
      [](const SqlRow& r) { return std::make_pair(r.Str(0), r.Str(1)); });
}

Result<void> SqlTx::PutGrant(const core::Grant& g) {
  return Done(conn_.Query(std::string("INSERT INTO grants (") + kGrantCols +
                              ") VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (product_id, "
                              "principal_type, principal_id) "
                              "DO UPDATE SET role = $4",
                          {g.product_id, std::string(core::PrincipalTypeName(g.principal_type)),
                           g.principal_id, g.role, g.workspace_id, g.created_at}));
}

Result<bool> SqlTx::DeleteGrant(const std::string& product_id, core::PrincipalType type,
                                const std::string& principal_id) {
  auto r = conn_.Query(
      "DELETE FROM grants WHERE product_id = $1 AND principal_type = $2 AND principal_id = $3 "
      "RETURNING product_id",
      {product_id, std::string(core::PrincipalTypeName(type)), principal_id});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

Result<std::vector<core::Grant>> SqlTx::ListGrants(const std::string& product_id,
                                                   const core::Page& page) {
  std::vector<SqlValue> params{product_id};
  std::string tail = Keyset(page, "principal_type", "principal_id", false, params);
  return Map<core::Grant>(
      conn_.Query(std::string("SELECT ") + kGrantCols + " FROM grants WHERE product_id = $1" + tail,
                  params),
      ToGrant);
}

Result<std::vector<core::Grant>> SqlTx::ListWorkspaceGrants(const std::string& workspace_id) {
  return Map<core::Grant>(
      conn_.Query(std::string("SELECT ") + kGrantCols + " FROM grants WHERE workspace_id = $1",
                  {workspace_id}),
      ToGrant);
}

Result<int> SqlTx::CountSeats(const std::string& product_id) {
  auto r = conn_.Query(
      "SELECT COUNT(*) FROM (SELECT principal_id AS account_id FROM grants WHERE product_id = $1 "
      "AND principal_type = 'account' UNION SELECT gm.account_id FROM grants g JOIN group_members "
      "gm "
      "ON gm.group_id = g.principal_id WHERE g.product_id = $1 AND g.principal_type = 'group') "
      "seats",
      {product_id});
  if (!r) return core::Fail(r.error());
  return static_cast<int>(r->front().Int(0));
}

Result<void> SqlTx::InsertServiceClient(const core::ServiceClient& c) {
  return Done(
      conn_.Query(std::string("INSERT INTO service_clients (") + kClientCols +
                      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                  {c.id, c.type_id, c.name, c.secret_hash, c.created_at, c.revoked_at,
                   core::JoinWords(c.redirect_uris), static_cast<std::int64_t>(c.is_public ? 1 : 0),
                   c.previous_secret_hash, c.previous_secret_expires_at}));
}

Result<std::optional<core::ServiceClient>> SqlTx::FindServiceClient(const std::string& id) {
  return First<core::ServiceClient>(
      conn_.Query(std::string("SELECT ") + kClientCols + " FROM service_clients WHERE id = $1",
                  {id}),
      ToClient);
}

Result<std::vector<core::ServiceClient>> SqlTx::ListServiceClients(const core::Page& page) {
  std::vector<SqlValue> params;
  std::string tail = Keyset(page, nullptr, "id", false, params);
  return Map<core::ServiceClient>(
      conn_.Query(std::string("SELECT ") + kClientCols + " FROM service_clients WHERE 1 = 1" + tail,
                  params),
      ToClient);
}

Result<bool> SqlTx::RevokeServiceClient(const std::string& id, core::Timestamp now) {
  auto r = conn_.Query(
      "UPDATE service_clients SET revoked_at = $2 WHERE id = $1 AND revoked_at = 0 RETURNING id",
      {id, now});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

Result<bool> SqlTx::SetServiceClientSecret(const std::string& id, const std::string& secret_hash,
                                           const std::string& previous_hash,
                                           core::Timestamp previous_expires_at) {
  auto r = conn_.Query(
      "UPDATE service_clients SET secret_hash = $2, previous_secret_hash = $3, "
      "previous_secret_expires_at = $4 "
      "WHERE id = $1 AND revoked_at = 0 AND public_client = 0 RETURNING id",
      {id, secret_hash, previous_hash, previous_expires_at});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

Result<bool> SqlTx::SetServiceClientRedirectUris(const std::string& id,
                                                 const std::vector<std::string>& uris) {
  auto r = conn_.Query(
      "UPDATE service_clients SET redirect_uris = $2 WHERE id = $1 AND revoked_at = 0 "
      "RETURNING id",
      {id, core::JoinWords(uris)});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

Result<void> SqlTx::AppendChange(const std::string& kind, const std::string& subject,
                                 core::Timestamp now) {
  VAULT_TRY(
      Done(conn_.Query("INSERT INTO change_feed (kind, subject, created_at) VALUES ($1, $2, $3)",
                       {kind, subject, now})));
  return conn_.SignalChange();  // wakes the other servers' pollers at commit (PostgreSQL)
}

Result<std::vector<core::ChangeEntry>> SqlTx::ChangesAfter(std::int64_t after_seq, int limit) {
  return Map<core::ChangeEntry>(
      conn_.Query("SELECT seq, kind, subject FROM change_feed WHERE seq > $1 ORDER BY seq LIMIT $2",
                  {after_seq, std::int64_t{limit}}),
      [](const SqlRow& r) {
        return core::ChangeEntry{r.Int(0), r.Str(1), r.Str(2)};
      });
}

Result<std::int64_t> SqlTx::LastChangeSeq() {
  auto r = conn_.Query("SELECT COALESCE(MAX(seq), 0) FROM change_feed", {});
  if (!r) return core::Fail(r.error());
  return r->front().Int(0);
}

Result<void> SqlTx::PruneChanges(std::int64_t before_seq) {
  // The newest entry always stays: SQLite numbers a new row max(seq) + 1, so an emptied feed
  // would start again at 1 and readers waiting for seq > N would miss every later change;
  // PostgreSQL's sequence would go on, but LastChangeSeq would fall to 0. Kept, both agree.
  return Done(conn_.Query(
      "DELETE FROM change_feed WHERE seq < $1 AND seq < (SELECT MAX(seq) FROM change_feed)",
      {before_seq}));
}

Result<bool> SqlTx::RecordWebhookEvent(const std::string& event_id, core::Timestamp now) {
  auto r = conn_.Query(
      "INSERT INTO webhook_events (event_id, received_at) VALUES ($1, $2) "
      "ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
      {event_id, now});
  if (!r) return core::Fail(r.error());
  return !r->empty();
}

}  // namespace vault::storage
