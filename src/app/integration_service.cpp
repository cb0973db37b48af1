#include "app/integration_service.hpp"

#include "app/change_store.hpp"
#include "core/blocking.hpp"
#include "core/encoding.hpp"

namespace vault::app {

using core::Code;
using core::Fail;
using core::Result;

namespace {

constexpr core::Timestamp kEarliestEventTime = 946684800;           // 2000-01-01T00:00:00Z
constexpr core::Timestamp kMaxEventClockSkew = 24 * 3600;           // Chargebee's clock vs ours
constexpr core::Timestamp kMaxTermAhead = 100LL * 366 * 24 * 3600;  // about 100 years

core::Error InvalidClient() {
  return core::Error{Code::kUnauthenticated, "client.invalid", "",
                     "unknown or revoked service client, or wrong secret"};
}

}  // namespace

ChargebeeState MapChargebeeState(const std::string& status, const std::string& plan_id,
                                 core::Timestamp term_end, const std::vector<core::Plan>& plans,
                                 const std::string& current_plan) {
  ChargebeeState out;
  // Chargebee's "future" (not started yet) is not active; unknown statuses deactivate too.
  out.status = core::ParseSubscriptionStatus(status).value_or(core::SubscriptionStatus::kPaused);
  out.plan_key = current_plan;
  for (const auto& plan : plans)
    if (!plan_id.empty() && plan_id.rfind(plan.key, 0) == 0) out.plan_key = plan.key;
  out.period_end = term_end;
  return out;
}

Result<std::vector<core::Plan>> PlansOfType(core::Tx& tx, const std::string& type_id) {
  VAULT_ASSIGN_OR_RETURN(auto types, tx.ListProductTypes());
  for (auto& t : types)
    if (t.id == type_id) return std::move(t.plans);
  return std::vector<core::Plan>{};
}

Result<void> CheckTermEnd(core::Timestamp term_end, core::Timestamp now, const char* field) {
  if (term_end != 0 && (term_end < kEarliestEventTime || term_end > now + kMaxTermAhead))
    return Fail(Code::kInvalidArgument, "validation.range",
                "current_term_end must be Unix seconds from 2000-01-01 to 100 years after now",
                field);
  return {};
}

IntegrationService::IntegrationService(Ports ports, AccessModel& model)
    : p_(ports), model_(model), audit_(ports.secrets, ports.random, ports.clock) {}

Result<IssuedClient> IntegrationService::CreateClient(const AuthContext& ctx,
                                                      const std::string& type_key,
                                                      const std::string& name,
                                                      const ClientOptions& options) {
  VAULT_TRY(RequireSuperAdmin(ctx));
  VAULT_ASSIGN_OR_RETURN(auto n, core::ValidateWorkspaceName(name, "name"));
  VAULT_TRY(core::ValidateRedirectUris(options.redirect_uris, "redirect_uris"));
  if (options.is_public && options.redirect_uris.empty())
    return Fail(Code::kInvalidArgument, "validation.required",
                "a public client signs people in only: it needs a redirect URI", "redirect_uris");
  IssuedClient out;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto types, tx.ListProductTypes());
    std::string type_id;
    for (const auto& t : types)
      if (t.key == type_key || t.id == type_key) type_id = t.id;
    if (type_id.empty())
      return Fail(Code::kInvalidArgument, "product.unknown_type", "no such product type",
                  "product_type");
    // A confidential client gets a 256-bit secret, stored only as a keyed hash; a public one
    // none (its hash stays empty, and an empty secret never authenticates).
    if (!options.is_public) out.secret = core::NewToken(p_.random);
    out.client = core::ServiceClient{
        core::NewId(p_.random, "svc"),
        type_id,
        n,
        options.is_public ? "" : p_.secrets.KeyedHash("service_client", out.secret),
        p_.clock.Now(),
        0,
        options.redirect_uris,
        options.is_public};
    VAULT_TRY(tx.InsertServiceClient(out.client));
    NoteServiceClientChanged(tx, out.client.id);
    return audit_.Record(
        tx, ActorOf(ctx),
        {"admin.service_client_created", "service_client", out.client.id,
         JsonSummary({{"product_type", type_id},
                      {"public", options.is_public ? "true" : "false"},
                      {"redirect_uris", std::to_string(options.redirect_uris.size())}})});
  });
  if (!r) return Fail(r.error());
  // Known here at once; other nodes hear of it through the change feed row committed with it.
  ServiceClientChanged(out.client.id);
  return out;
}

Result<Paged<core::ServiceClient>> IntegrationService::ListClients(const AuthContext& ctx,
                                                                   const PageRequest& page) {
  VAULT_TRY(RequireSuperAdmin(ctx));
  const PagedList list{"service-clients", ""};
  VAULT_ASSIGN_OR_RETURN(auto after, OpenPage(page, list));
  return p_.store.Read([&](core::Tx& tx) -> Result<Paged<core::ServiceClient>> {
    VAULT_ASSIGN_OR_RETURN(auto rows, tx.ListServiceClients(after));
    return ClosePage(std::move(rows), after, list, [](const core::ServiceClient& c) {
      return std::pair{std::string(), c.id};
    });
  });
}

Result<void> IntegrationService::RevokeClient(const AuthContext& ctx, const std::string& id) {
  VAULT_TRY(RequireSuperAdmin(ctx));
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto done, tx.RevokeServiceClient(id, p_.clock.Now()));
    if (!done)
      return Fail(Code::kNotFound, "service_client.not_found", "no such live service client");
    NoteServiceClientChanged(tx, id);
    return audit_.Record(tx, ActorOf(ctx), {"admin.service_client_revoked", "service_client", id});
  });
  if (r) ServiceClientChanged(id);
  return r;
}

Result<IssuedClient> IntegrationService::RotateClientSecret(const AuthContext& ctx,
                                                            const std::string& id,
                                                            std::int64_t grace_seconds) {
  VAULT_TRY(RequireSuperAdmin(ctx));
  constexpr std::int64_t kMaxGrace = 30 * 24 * 3600;  // as an API key's roll
  if (grace_seconds < 0 || grace_seconds > kMaxGrace)
    return Fail(Code::kInvalidArgument, "validation.range",
                "the grace period is 0 to 2592000 seconds (30 days)", "grace_seconds");
  IssuedClient out;
  out.secret = core::NewToken(p_.random);  // 256 bits, like the first secret
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto found, tx.FindServiceClient(id));
    if (!found || found->revoked_at != 0)
      return Fail(Code::kNotFound, "service_client.not_found", "no such live service client");
    if (found->is_public)
      return Fail(Code::kFailedPrecondition, "service_client.public",
                  "a public client has no secret: it proves itself with PKCE");
    out.client = *found;
    out.client.secret_hash = p_.secrets.KeyedHash("service_client", out.secret);
    // Only the secret being replaced gets the grace: one rotated during an earlier grace ends
    // that one, so at most two secrets ever work.
    out.client.previous_secret_hash = grace_seconds > 0 ? found->secret_hash : "";
    out.client.previous_secret_expires_at = grace_seconds > 0 ? p_.clock.Now() + grace_seconds : 0;
    VAULT_ASSIGN_OR_RETURN(
        auto done,
        tx.SetServiceClientSecret(id, out.client.secret_hash, out.client.previous_secret_hash,
                                  out.client.previous_secret_expires_at));
    if (!done)
      return Fail(Code::kNotFound, "service_client.not_found", "no such live service client");
    NoteServiceClientChanged(tx, id);
    return audit_.Record(tx, ActorOf(ctx),
                         {"admin.service_client_secret_rotated", "service_client", id,
                          JsonSummary({{"grace_seconds", std::to_string(grace_seconds)}})});
  });
  if (!r) return Fail(r.error());
  ServiceClientChanged(id);
  return out;
}

Result<core::ServiceClient> IntegrationService::SetRedirectUris(
    const AuthContext& ctx, const std::string& id, const std::vector<std::string>& uris) {
  VAULT_TRY(RequireSuperAdmin(ctx));
  VAULT_TRY(core::ValidateRedirectUris(uris, "redirect_uris"));
  VAULT_ASSIGN_OR_RETURN(
      auto client, p_.store.Write([&](core::Tx& tx) -> Result<core::ServiceClient> {
        VAULT_ASSIGN_OR_RETURN(auto found, tx.FindServiceClient(id));
        if (!found || found->revoked_at != 0)
          return Fail(Code::kNotFound, "service_client.not_found", "no such live service client");
        if (found->is_public && uris.empty())
          return Fail(Code::kInvalidArgument, "validation.required",
                      "a public client signs people in only: it needs a redirect URI",
                      "redirect_uris");
        VAULT_ASSIGN_OR_RETURN(auto done, tx.SetServiceClientRedirectUris(id, uris));
        if (!done)
          return Fail(Code::kNotFound, "service_client.not_found", "no such live service client");
        NoteServiceClientChanged(tx, id);
        // Counts only: the URIs themselves are in the client's listing.
        VAULT_TRY(audit_.Record(
            tx, ActorOf(ctx),
            {"admin.service_client_updated", "service_client", id,
             JsonSummary({{"redirect_uris_before", std::to_string(found->redirect_uris.size())},
                          {"redirect_uris", std::to_string(uris.size())}})}));
        core::ServiceClient out = std::move(*found);
        out.redirect_uris = uris;
        return out;
      }));
  // The authorize endpoint reads the cached client: the old list must stop at once here.
  ServiceClientChanged(id);
  return client;
}

Result<std::size_t> IntegrationService::WarmUp() {
  VAULT_ASSIGN_OR_RETURN(
      auto all, p_.store.Read([&](core::Tx& tx) -> Result<std::vector<core::ServiceClient>> {
        std::vector<core::ServiceClient> all;
        VAULT_ASSIGN_OR_RETURN(auto l, tx.ListServiceClients());
        all = std::move(l);
        return all;
      }));
  std::unique_lock lock(mu_);
  for (auto& c : all) clients_[c.id] = std::move(c);
  warmed_ = true;
  return clients_.size();
}

void IntegrationService::ServiceClientChanged(const std::string& client_id) {
  std::unique_lock lock(mu_);
  stale_.insert(client_id);
  clients_generation_.fetch_add(1, std::memory_order_acq_rel);
}

Result<std::optional<core::ServiceClient>> IntegrationService::Lookup(const std::string& id) {
  {
    std::shared_lock lock(mu_);
    if (!stale_.contains(id)) {
      if (auto it = clients_.find(id); it != clients_.end())
        return std::optional<core::ServiceClient>(it->second);
      // Never issued: answered from memory too (no timing oracle on client ids).
      if (warmed_) return std::optional<core::ServiceClient>();
    }
  }
  if (!core::BlockingAllowed()) return Fail(core::WouldBlock());
  db_reads_.fetch_add(1, std::memory_order_relaxed);
  VAULT_ASSIGN_OR_RETURN(auto found,
                         p_.store.Read([&](core::Tx& tx) { return tx.FindServiceClient(id); }));
  std::unique_lock lock(mu_);
  if (found)
    clients_[id] = *found;
  else
    clients_.erase(id);
  stale_.erase(id);
  return found;
}

Result<std::optional<core::ServiceClient>> IntegrationService::LiveClient(const std::string& id) {
  if (id.empty() || id.size() > 64) return std::optional<core::ServiceClient>();
  VAULT_ASSIGN_OR_RETURN(auto found, Lookup(id));
  if (found && found->revoked_at != 0) found.reset();
  return found;
}

Result<core::ServiceClient> IntegrationService::AuthenticateBearer(const std::string& token,
                                                                   const std::string& scope) {
  if (!bearer_)
    return Fail(Code::kUnauthenticated, "client.invalid",
                "authenticate with the service client id and secret (HTTP Basic)");
  return bearer_(token, scope);
}

Result<core::ServiceClient> IntegrationService::AuthenticateClient(const std::string& id,
                                                                   const std::string& secret,
                                                                   core::Timestamp* valid_until) {
  if (id.empty() || id.size() > 64 || secret.size() != 43) return Fail(InvalidClient());
  // Under every keyring key: a secret issued before a rotation still authenticates.
  std::vector<std::string> hashes = p_.secrets.KeyedHashes("service_client", secret);
  VAULT_ASSIGN_OR_RETURN(auto found, Lookup(id));
  if (!found || found->revoked_at != 0 || found->is_public) return Fail(InvalidClient());
  // Constant-time: the stored values are secret-derived hashes. All are compared every time,
  // so the answer's timing does not tell which secret matched. A public client's hash is empty,
  // so no secret matches it.
  bool current = false, previous = false;
  for (const auto& hash : hashes) {
    current = core::ConstantTimeEquals(found->secret_hash, hash) || current;
    previous = (!found->previous_secret_hash.empty() &&
                core::ConstantTimeEquals(found->previous_secret_hash, hash)) ||
               previous;
  }
  if (!current && !(previous && p_.clock.Now() < found->previous_secret_expires_at))
    return Fail(InvalidClient());
  if (valid_until) *valid_until = current ? 0 : found->previous_secret_expires_at;
  return *found;
}

Result<core::AccessDecision> IntegrationService::Check(const core::ServiceClient& client,
                                                       const AccessQuery& q,
                                                       core::AccessFacts* facts) {
  core::AccessFacts f;
  VAULT_ASSIGN_OR_RETURN(auto d, model_.Check(q.account_id, q.product_id, q.permission, &f));
  if (!f.product_exists || f.product.type_id != client.type_id) {
    // A product this client cannot see tells it nothing, not even about the account: the
    // answer is the one for an account and product that do not exist.
    f = core::AccessFacts{};
    d = core::DecideAccess(f, q.permission, p_.clock.Now());
  }
  if (facts) *facts = std::move(f);
  return d;
}

Result<std::string> IntegrationService::ApplyChargebee(const ChargebeeEvent& e) {
  // Bounded times: one event dated far in the future would make every later event stale.
  const core::Timestamp now = p_.clock.Now();
  if (e.occurred_at < kEarliestEventTime || e.occurred_at > now + kMaxEventClockSkew)
    return Fail(Code::kInvalidArgument, "validation.range",
                "occurred_at must be Unix seconds from 2000-01-01 to one day after now",
                "occurred_at");
  VAULT_TRY(CheckTermEnd(e.term_end, now, "content.subscription.current_term_end"));
  std::string outcome = "applied", workspace;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto fresh,
                           tx.RecordWebhookEvent("chargebee:" + e.event_id, p_.clock.Now()));
    if (!fresh) {
      outcome = "duplicate";
      return {};
    }
    VAULT_ASSIGN_OR_RETURN(auto sub, tx.FindSubscriptionByExternal("chargebee", e.subscription_id));
    std::optional<core::Subscription> current = sub;
    if (!current && !e.vault_product_id.empty()) {
      VAULT_ASSIGN_OR_RETURN(auto linked, tx.FindSubscription(e.vault_product_id));
      // cf_vault_product_id only links a product not linked yet: a product already billed by
      // one Chargebee subscription is never moved to another by a webhook.
      if (linked && (linked)->provider == "chargebee" && !(linked)->external_id.empty()) {
        outcome = "conflict";
        VAULT_ASSIGN_OR_RETURN(auto product, tx.FindProductById((linked)->product_id));
        if (!product) return {};
        return audit_.Record(
            tx, Actor{"system", "chargebee", "", ""},
            {"subscription.link_refused", "product", (linked)->product_id,
             JsonSummary({{"subscription", e.subscription_id}, {"event", e.event_id}}),
             (product)->workspace_id});
      }
      current = linked;
    }
    if (!current) {
      outcome = "unmatched";
      return {};
    }
    // Out of order: an event older than the newest applied one changes nothing.
    if (e.occurred_at <= current->last_event_at) {
      outcome = "stale";
      return {};
    }
    VAULT_ASSIGN_OR_RETURN(auto product, tx.FindProductById(current->product_id));
    if (!product) {
      outcome = "unmatched";
      return {};
    }
    workspace = (product)->workspace_id;
    core::Subscription next = *current;
    next.provider = "chargebee";
    next.external_id = e.subscription_id;
    VAULT_ASSIGN_OR_RETURN(auto plans, PlansOfType(tx, product->type_id));
    auto state = MapChargebeeState(e.status, e.plan_id, e.term_end, plans, next.plan_key);
    next.status = state.status;
    next.plan_key = state.plan_key;
    next.period_end = state.period_end;
    next.last_event_at = e.occurred_at;
    next.updated_at = p_.clock.Now();
    VAULT_TRY(tx.PutSubscription(next));
    NoteWorkspaceChanged(tx, workspace);
    return audit_.Record(tx, Actor{"system", "chargebee", "", ""},
                         {"subscription.updated", "product", next.product_id,
                          JsonSummary({{"status", core::SubscriptionStatusName(next.status)},
                                       {"plan", next.plan_key},
                                       {"event", e.event_type}}),
                          workspace});
  });
  if (!r) return Fail(r.error());
  if (!workspace.empty()) model_.WorkspaceChanged(workspace);  // this node at once
  return outcome;
}

}  // namespace vault::app
