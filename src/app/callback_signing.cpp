#include "app/callback_signing.hpp"

#include <algorithm>

#include "app/product_admins.hpp"
#include "core/encoding.hpp"

namespace vault::app {

using core::Code;
using core::Fail;
using core::Result;

namespace {

constexpr std::int64_t kMaxGrace = 30 * 24 * 3600;  // as an API key's roll
constexpr std::size_t kMaxId = 64;

core::Error SecretNotFound() {
  return core::Error{Code::kNotFound, "callback_secret.not_found", "",
                     "no such signing secret of this product"};
}

core::Error ProductNotFound() {
  // The same answer for an unknown product, another workspace's and another type's: a client
  // learns nothing about products it may not sign for.
  return core::Error{Code::kNotFound, "product.not_found", "",
                     "no such product of this client's type in this workspace"};
}

std::string SecretSummary(const core::CallbackSecret& s) {
  return JsonSummary({{"product", s.product_id}, {"label", s.label}});
}

}  // namespace

CallbackSigningService::CallbackSigningService(Ports ports, WorkspaceService& workspaces,
                                               core::SecretBox& box, core::Mac& mac)
    : p_(ports),
      workspaces_(workspaces),
      box_(box),
      mac_(mac),
      audit_(ports.secrets, ports.random, ports.clock) {}

Result<void> CallbackSigningService::Authorize(const AuthContext& ctx, const std::string& ws,
                                               const std::string& product) {
  return p_.store.Read([&](core::Tx& tx) -> Result<void> {
    VAULT_TRY(OpenAdministeredProduct(tx, workspaces_, ctx, ws, product, false));
    return {};
  });
}

Result<IssuedCallbackSecret> CallbackSigningService::Issue(core::Tx& tx, const AuthContext& ctx,
                                                           const core::Product& product,
                                                           std::string label) {
  IssuedCallbackSecret out;
  std::string key = p_.random.Bytes(core::kCallbackSecretBytes);
  out.text = core::FormatCallbackSecret(key);
  core::CallbackSecret& s = out.secret;
  s.id = core::NewId(p_.random, "cbs");
  s.workspace_id = product.workspace_id;
  s.product_id = product.id;
  s.label = std::move(label);
  // Sealed, not hashed: Vault must compute HMACs with the key later. Its own SecretBox key
  // (purpose "callback_signing") keeps it apart from TOTP seeds and token-signing keys.
  s.sealed = box_.Seal(key);
  s.last_four = out.text.substr(out.text.size() - 4);
  s.created_by = ctx.account.id;
  s.created_at = p_.clock.Now();
  VAULT_TRY(tx.InsertCallbackSecret(s));
  return out;
}

Result<IssuedCallbackSecret> CallbackSigningService::Create(const AuthContext& ctx,
                                                            const std::string& ws,
                                                            const std::string& product,
                                                            const std::string& label) {
  std::string checked;
  if (!label.empty()) {
    VAULT_ASSIGN_OR_RETURN(checked, core::ValidateWorkspaceName(label, "label"));
  }
  return p_.store.Write([&](core::Tx& tx) -> Result<IssuedCallbackSecret> {
    VAULT_ASSIGN_OR_RETURN(auto found,
                           OpenAdministeredProduct(tx, workspaces_, ctx, ws, product, true));
    VAULT_TRY(tx.LockProduct(found.product.id));  // one current secret, even under racing creates
    VAULT_ASSIGN_OR_RETURN(auto valid,
                           tx.ListValidCallbackSecrets(found.product.id, p_.clock.Now()));
    for (const auto& s : valid)
      if (s.expires_at == 0)
        return Fail(Code::kFailedPrecondition, "callback_secret.exists",
                    "this product has an active signing secret; roll it to replace it");
    VAULT_ASSIGN_OR_RETURN(auto out, Issue(tx, ctx, found.product, checked));
    VAULT_TRY(audit_.Record(tx, ActorOf(ctx),
                            {"product.signing_secret.created", "callback_secret", out.secret.id,
                             SecretSummary(out.secret), out.secret.workspace_id}));
    return out;
  });
}

Result<Paged<core::CallbackSecret>> CallbackSigningService::List(const AuthContext& ctx,
                                                                 const std::string& ws,
                                                                 const std::string& product,
                                                                 const PageRequest& page) {
  return p_.store.Read([&](core::Tx& tx) -> Result<Paged<core::CallbackSecret>> {
    VAULT_ASSIGN_OR_RETURN(auto found,
                           OpenAdministeredProduct(tx, workspaces_, ctx, ws, product, false));
    const PagedList list{"signing-secrets", found.product.id, true};
    VAULT_ASSIGN_OR_RETURN(auto after, OpenPage(page, list));
    VAULT_ASSIGN_OR_RETURN(auto rows, tx.ListCallbackSecrets(found.product.id, after));
    return ClosePage(std::move(rows), after, list, [](const core::CallbackSecret& s) {
      return std::pair{std::to_string(s.created_at), s.id};
    });
  });
}

Result<RolledCallbackSecret> CallbackSigningService::Roll(const AuthContext& ctx,
                                                          const std::string& ws,
                                                          const std::string& product,
                                                          const std::string& id,
                                                          std::int64_t grace_seconds) {
  if (grace_seconds < 0 || grace_seconds > kMaxGrace)
    return Fail(Code::kInvalidArgument, "validation.range",
                "the grace period is 0 to 2592000 seconds (30 days)", "grace_seconds");
  return p_.store.Write([&](core::Tx& tx) -> Result<RolledCallbackSecret> {
    VAULT_ASSIGN_OR_RETURN(auto found,
                           OpenAdministeredProduct(tx, workspaces_, ctx, ws, product, true));
    VAULT_TRY(tx.LockProduct(found.product.id));
    VAULT_ASSIGN_OR_RETURN(auto old, tx.FindCallbackSecret(id));
    if (!old || old->product_id != found.product.id) return Fail(SecretNotFound());
    const core::Timestamp now = p_.clock.Now();
    if (core::StateOf(*old, now) != core::CallbackSecretState::kActive)
      return Fail(Code::kFailedPrecondition, "callback_secret.not_active",
                  "only the active signing secret can be rolled");
    RolledCallbackSecret out;
    VAULT_ASSIGN_OR_RETURN(out.issued, Issue(tx, ctx, found.product, old->label));
    out.previous = std::move(*old);
    out.previous.replaced_by = out.issued.secret.id;
    out.previous.expires_at = now + grace_seconds;
    VAULT_ASSIGN_OR_RETURN(
        auto marked, tx.RollCallbackSecret(id, out.previous.replaced_by, out.previous.expires_at));
    if (!marked)
      return Fail(Code::kFailedPrecondition, "callback_secret.not_active",
                  "the signing secret changed meanwhile");
    if (grace_seconds == 0) {
      VAULT_TRY(tx.RevokeCallbackSecret(id, now));
      out.previous.revoked_at = now;
    }
    VAULT_TRY(audit_.Record(
        tx, ActorOf(ctx),
        {"product.signing_secret.rolled", "callback_secret", id,
         JsonSummary({{"product", found.product.id},
                      {"new_secret", out.issued.secret.id},
                      {"grace_seconds", std::to_string(grace_seconds)},
                      {"old_secret_expires_at", core::FormatRfc3339(out.previous.expires_at)}}),
         found.access.workspace.id}));
    return out;
  });
}

Result<core::CallbackSecret> CallbackSigningService::Revoke(const AuthContext& ctx,
                                                            const std::string& ws,
                                                            const std::string& product,
                                                            const std::string& id) {
  return p_.store.Write([&](core::Tx& tx) -> Result<core::CallbackSecret> {
    VAULT_ASSIGN_OR_RETURN(auto found,
                           OpenAdministeredProduct(tx, workspaces_, ctx, ws, product, true));
    VAULT_ASSIGN_OR_RETURN(auto s, tx.FindCallbackSecret(id));
    if (!s || s->product_id != found.product.id) return Fail(SecretNotFound());
    const core::Timestamp now = p_.clock.Now();
    VAULT_ASSIGN_OR_RETURN(auto done, tx.RevokeCallbackSecret(id, now));
    if (!done) return std::move(*s);  // already revoked
    s->revoked_at = now;
    VAULT_TRY(audit_.Record(tx, ActorOf(ctx),
                            {"product.signing_secret.revoked", "callback_secret", id,
                             SecretSummary(*s), found.access.workspace.id}));
    return std::move(*s);
  });
}

Result<std::vector<CallbackSigningService::OpenedSecret>> CallbackSigningService::ValidSecrets(
    const core::ServiceClient& client, const CallbackRequest& req, bool* suspended) {
  if (req.body.size() > kMaxCallbackBody)
    return Fail(Code::kInvalidArgument, "validation.too_long", "the body is at most 1 MiB", "body");
  if (req.workspace_id.size() > kMaxId || req.product_id.size() > kMaxId)
    return Fail(ProductNotFound());
  VAULT_ASSIGN_OR_RETURN(
      auto secrets, p_.store.Read([&](core::Tx& tx) -> Result<std::vector<core::CallbackSecret>> {
        VAULT_ASSIGN_OR_RETURN(auto product, tx.FindProductById(req.product_id));
        if (!product || product->workspace_id != req.workspace_id ||
            product->type_id != client.type_id)
          return Fail(ProductNotFound());
        VAULT_ASSIGN_OR_RETURN(auto ws, tx.FindWorkspace(req.workspace_id));
        // FindWorkspace also takes a shortname: the product's workspace id must be what was sent.
        if (!ws || ws->id != req.workspace_id) return Fail(ProductNotFound());
        *suspended = ws->suspended();
        return tx.ListValidCallbackSecrets(product->id, p_.clock.Now());
      }));
  // The active secret first, then those in their grace period, newest first.
  std::stable_sort(secrets.begin(), secrets.end(),
                   [](const core::CallbackSecret& a, const core::CallbackSecret& b) {
                     return a.expires_at == 0 && b.expires_at != 0;
                   });
  std::vector<OpenedSecret> out;
  for (const auto& s : secrets) {
    VAULT_ASSIGN_OR_RETURN(auto key, box_.Open(s.sealed));
    out.push_back({s.id, std::move(key)});
  }
  return out;
}

std::string CallbackSigningService::SignatureHex(const std::string& key, core::Timestamp t,
                                                 const std::string& body) {
  return core::Hex(mac_.HmacSha256(key, core::CallbackSignedPayload(t, body)));
}

Result<SignedCallback> CallbackSigningService::Sign(const core::ServiceClient& client,
                                                    const CallbackRequest& req,
                                                    std::optional<core::Timestamp> timestamp) {
  const core::Timestamp now = p_.clock.Now();
  // A signature Vault makes must be one a receiver checking the usual tolerance accepts.
  if (timestamp && (*timestamp < now - core::kCallbackTimestampTolerance ||
                    *timestamp > now + core::kCallbackTimestampTolerance))
    return Fail(Code::kInvalidArgument, "validation.range",
                "timestamp must be Unix seconds within 300 seconds of now", "timestamp");
  bool suspended = false;
  VAULT_ASSIGN_OR_RETURN(auto secrets, ValidSecrets(client, req, &suspended));
  if (suspended)
    return Fail(Code::kPermissionDenied, "workspace.suspended",
                "this workspace is suspended by the platform operators");
  if (secrets.empty())
    return Fail(Code::kFailedPrecondition, "callback_secret.none",
                "this product has no signing secret; its administrators create one");
  SignedCallback out;
  out.timestamp = timestamp.value_or(now);
  for (const auto& s : secrets)
    out.signatures.push_back({s.id, SignatureHex(s.key, out.timestamp, req.body)});
  return out;
}

Result<CallbackVerdict> CallbackSigningService::Verify(const core::ServiceClient& client,
                                                       const CallbackRequest& req,
                                                       core::Timestamp timestamp,
                                                       const std::string& signature) {
  bool suspended = false;
  VAULT_ASSIGN_OR_RETURN(auto secrets, ValidSecrets(client, req, &suspended));
  CallbackVerdict out;
  if (suspended) {
    out.reason = "workspace_suspended";
    return out;
  }
  const core::Timestamp now = p_.clock.Now();
  // A captured callback replayed later fails here whatever its signature.
  if (timestamp < now - core::kCallbackTimestampTolerance ||
      timestamp > now + core::kCallbackTimestampTolerance) {
    out.reason = "timestamp_out_of_range";
    return out;
  }
  const auto candidates = core::CallbackSignatureCandidates(signature);
  for (const auto& s : secrets) {
    std::string expected = SignatureHex(s.key, timestamp, req.body);
    // Every candidate is compared (constant time each): the answer's timing does not tell
    // which one, or how much of one, matched.
    bool match = false;
    for (const auto& c : candidates) match = core::ConstantTimeEquals(expected, c) || match;
    if (match && !out.valid) {
      out.valid = true;
      out.secret_id = s.id;
    }
  }
  if (!out.valid) out.reason = "signature_mismatch";
  return out;
}

}  // namespace vault::app
