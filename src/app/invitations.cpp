// WorkspaceService: invitations — create, resend, revoke, list, accept (signed in, or signing
// up through the link), decline.
#include <set>

#include "app/emails.hpp"
#include "app/invitation_authority.hpp"
#include "app/seats.hpp"
#include "app/workspace_service.hpp"
#include "core/encoding.hpp"

namespace vault::app {

using core::Capability;
using core::Code;
using core::Fail;
using core::InvitationStatus;
using core::Result;

namespace {

constexpr core::Timestamp kInvitationLifetime = 7 * 24 * 3600;
constexpr std::string_view kInvitationHashPurpose = "invitation";

core::Error InvitationNotFound() {
  return core::Error{Code::kNotFound, "invitation.not_found", "", "no such invitation"};
}

core::Error InviterLacksAuthority() {
  return core::Error{Code::kFailedPrecondition, "invitation.inviter_lacks_authority", "token",
                     "the person who sent this invitation may no longer grant what it offers; ask "
                     "for a new one"};
}

// Fails "invitation.inviter_lacks_authority" unless the inviter may still issue `inv`.
Result<void> RequireInviterAuthority(core::Tx& tx, const core::Invitation& inv) {
  VAULT_ASSIGN_OR_RETURN(auto ok, InviterStillAuthorized(tx, inv));
  if (!ok) return Fail(InviterLacksAuthority());
  return {};
}

}  // namespace

Result<core::Invitation> WorkspaceService::IssueInvitationToken(core::Invitation inv,
                                                                std::string* link) {
  std::string secret = core::NewToken(p_.random);  // 256 random bits; only the keyed hash is kept
  inv.token_hash = p_.secrets.KeyedHash(kInvitationHashPurpose, secret);
  inv.expires_at = p_.clock.Now() + kInvitationLifetime;
  *link = accounts_.settings().public_url + "/invitations/accept?token=" + secret;
  return inv;
}

Result<void> WorkspaceService::MailInvitation(core::Tx& tx, const core::Invitation& inv,
                                              const core::Workspace& w, const std::string& inviter,
                                              const std::string& link) {
  return p_.mail.Enqueue(tx, InvitationMessage(inv.email, inviter, w.name,
                                               std::string(core::RoleName(inv.role)), link));
}

Result<core::Invitation> WorkspaceService::Invite(
    const AuthContext& ctx, const std::string& ws, const std::string& email, core::Role role,
    const std::vector<std::string>& groups,
    const std::vector<std::pair<std::string, std::string>>& product_grants) {
  VAULT_ASSIGN_OR_RETURN(auto valid, core::ValidateEmail(email, "email"));
  core::Invitation out;
  core::Workspace workspace;
  std::string link;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto access, OpenForWrite(tx, ctx, ws, Capability::kManageMembers));
    if (!core::MayInvite(access.membership.role, role))
      return Fail(Code::kPermissionDenied, "permission.denied", "only Owners can invite Owners",
                  "role");
    workspace = access.workspace;
    std::string norm = core::NormalizeEmail(valid);
    VAULT_ASSIGN_OR_RETURN(auto existing, tx.FindAccountByEmail(norm));
    if (existing) {
      VAULT_ASSIGN_OR_RETURN(auto m, tx.FindMembership(workspace.id, (existing)->id));
      if (m)
        return Fail(Code::kAlreadyExists, "member.exists",
                    "this person is already a member of the workspace", "email");
    }
    VAULT_ASSIGN_OR_RETURN(auto pending, tx.ListPendingInvitations(workspace.id));
    for (const auto& p : pending)
      if (p.email_norm == norm && p.expires_at > p_.clock.Now())
        return Fail(Code::kAlreadyExists, "invitation.exists",
                    "this address already has a pending invitation; resend it instead", "email");
    core::Invitation inv;
    inv.id = core::NewId(p_.random, "inv");
    inv.workspace_id = workspace.id;
    inv.email = valid;
    inv.email_norm = norm;
    inv.role = role;
    inv.invited_by = ctx.account.id;
    inv.created_at = p_.clock.Now();
    if ((!groups.empty() || !product_grants.empty()) &&
        !core::Allows(access.membership.role, Capability::kManageAccess))
      return Fail(Code::kPermissionDenied, "permission.denied", "your role cannot grant access",
                  "grants");
    for (const auto& g : groups) {
      VAULT_ASSIGN_OR_RETURN(auto found, tx.FindGroup(workspace.id, g));
      if (!found)
        return Fail(Code::kNotFound, "group.not_found", "no such group in this workspace",
                    "groups");
      inv.group_ids.push_back((found)->id);
    }
    VAULT_ASSIGN_OR_RETURN(auto types, tx.ListProductTypes());
    for (const auto& [product, role_name] : product_grants) {
      VAULT_ASSIGN_OR_RETURN(auto found, tx.FindProduct(workspace.id, product));
      if (!found)
        return Fail(Code::kNotFound, "product.not_found", "no such product in this workspace",
                    "grants");
      const core::ProductRole* granted = nullptr;
      for (const auto& t : types)
        if (t.id == (found)->type_id) granted = t.FindRole(role_name);
      if (!granted)
        return Fail(Code::kInvalidArgument, "grant.unknown_role",
                    "this product type has no such role", "grants");
      if (granted->retired)  // as PutGrant: a retired role is not granted anew
        return Fail(Code::kFailedPrecondition, "role.retired", "this role is retired", "grants");
      inv.product_grants.emplace_back((found)->id, role_name);
    }
    VAULT_ASSIGN_OR_RETURN(auto issued, IssueInvitationToken(inv, &link));
    out = issued;
    VAULT_TRY(tx.InsertInvitation(out));
    VAULT_TRY(audit_.Record(tx, ActorOf(ctx),
                            {"invitation.created", "invitation", out.id,
                             JsonSummary({{"role", core::RoleName(role)}}), workspace.id}));
    return MailInvitation(tx, out, workspace, ctx.account.name, link);
  });
  if (!r) return Fail(r.error());
  return out;
}

Result<Paged<core::Invitation>> WorkspaceService::Invitations(const AuthContext& ctx,
                                                              const std::string& ws,
                                                              const PageRequest& page) {
  return p_.store.Read([&](core::Tx& tx) -> Result<Paged<core::Invitation>> {
    VAULT_ASSIGN_OR_RETURN(auto access, OpenIn(tx, ctx, ws, Capability::kManageMembers));
    const PagedList list{"invitations", access.workspace.id, true};
    VAULT_ASSIGN_OR_RETURN(auto after, OpenPage(page, list));
    VAULT_ASSIGN_OR_RETURN(auto rows, tx.ListPendingInvitations(access.workspace.id, after));
    return ClosePage(std::move(rows), after, list, [](const core::Invitation& i) {
      return std::pair{std::to_string(i.created_at), i.id};
    });
  });
}

Result<void> WorkspaceService::RevokeInvitation(const AuthContext& ctx, const std::string& ws,
                                                const std::string& id) {
  return p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto access, OpenForWrite(tx, ctx, ws, Capability::kManageMembers));
    VAULT_ASSIGN_OR_RETURN(auto inv, tx.FindInvitation(access.workspace.id, id));
    if (!inv || (inv)->status != InvitationStatus::kPending) return Fail(InvitationNotFound());
    if (!core::MayInvite(access.membership.role, (inv)->role))
      return Fail(Code::kPermissionDenied, "permission.denied",
                  "only Owners can revoke an invitation to become Owner");
    (inv)->status = InvitationStatus::kRevoked;
    (inv)->responded_at = p_.clock.Now();
    VAULT_TRY(tx.UpdateInvitation(*inv));
    return audit_.Record(tx, ActorOf(ctx),
                         {"invitation.revoked", "invitation", id, "{}", access.workspace.id});
  });
}

Result<core::Invitation> WorkspaceService::ResendInvitation(const AuthContext& ctx,
                                                            const std::string& ws,
                                                            const std::string& id) {
  return p_.store.Write([&](core::Tx& tx) -> Result<core::Invitation> {
    std::string link;
    VAULT_ASSIGN_OR_RETURN(auto access, OpenForWrite(tx, ctx, ws, Capability::kManageMembers));
    const core::Workspace& workspace = access.workspace;
    VAULT_ASSIGN_OR_RETURN(auto inv, tx.FindInvitation(workspace.id, id));
    if (!inv || (inv)->status != InvitationStatus::kPending) return Fail(InvitationNotFound());
    if (!core::MayInvite(access.membership.role, (inv)->role))
      return Fail(Code::kPermissionDenied, "permission.denied",
                  "only Owners can resend an invitation to become Owner");
    // A new token and a new 7-day window; the old link stops working.
    VAULT_ASSIGN_OR_RETURN(auto out, IssueInvitationToken(*inv, &link));
    VAULT_TRY(tx.UpdateInvitation(out));
    VAULT_TRY(audit_.Record(tx, ActorOf(ctx),
                            {"invitation.resent", "invitation", id, "{}", workspace.id}));
    VAULT_TRY(MailInvitation(tx, out, workspace, ctx.account.name, link));
    return out;
  });
}

Result<core::Invitation> WorkspaceService::CheckInvitation(core::Tx& tx, const std::string& token) {
  auto invalid = [] {
    return Fail(Code::kInvalidArgument, "token.invalid", "this invitation link is not valid",
                "token");
  };
  if (token.size() != 43) return invalid();
  VAULT_ASSIGN_OR_RETURN(auto inv, core::FindUnderAnyKey(p_.secrets, kInvitationHashPurpose, token,
                                                         [&](const std::string& hash) {
                                                           return tx.FindInvitationByToken(hash);
                                                         }));
  if (!inv) return invalid();
  if ((inv)->status != InvitationStatus::kPending)
    return Fail(Code::kInvalidArgument, "token.used",
                "this invitation was already answered or revoked", "token");
  if ((inv)->expires_at <= p_.clock.Now())
    return Fail(Code::kInvalidArgument, "token.expired",
                "this invitation has expired; ask for a new one", "token");
  return *inv;
}

Result<core::Invitation> WorkspaceService::MyPendingInvitation(core::Tx& tx, const AuthContext& ctx,
                                                               const std::string& id) {
  VAULT_ASSIGN_OR_RETURN(auto mine, tx.ListInvitationsForEmail(ctx.account.email_norm));
  for (auto& inv : mine)
    if (inv.id == id && inv.status == InvitationStatus::kPending && inv.expires_at > p_.clock.Now())
      return std::move(inv);
  return Fail(Code::kNotFound, "invitation.not_found", "no such pending invitation to you");
}

Result<InvitationAccepted> WorkspaceService::AcceptInvitation(const std::string& token,
                                                              const AuthContext* ctx,
                                                              const std::string& name,
                                                              const std::string& password,
                                                              const ClientInfo& client) {
  return Accept([&](core::Tx& tx) { return CheckInvitation(tx, token); }, ctx, name, password,
                client);
}

Result<InvitationAccepted> WorkspaceService::AcceptMyInvitation(const AuthContext& ctx,
                                                                const std::string& id,
                                                                const ClientInfo& client) {
  return Accept([&](core::Tx& tx) { return MyPendingInvitation(tx, ctx, id); }, &ctx, "", "",
                client);
}

Result<InvitationAccepted> WorkspaceService::Accept(const InvitationFinder& find,
                                                    const AuthContext* ctx, const std::string& name,
                                                    const std::string& password,
                                                    const ClientInfo& client) {
  std::optional<std::string> hash;
  if (!ctx) {
    // Signing up through the link: check everything cheap first, then hash outside the
    // transaction.
    VAULT_TRY(core::ValidateName(name, "name"));
    auto peek = p_.store.Read([&](core::Tx& tx) -> Result<void> {
      VAULT_ASSIGN_OR_RETURN(auto inv, find(tx));
      VAULT_TRY(RequireInviterAuthority(tx, inv));
      VAULT_ASSIGN_OR_RETURN(auto existing, tx.FindAccountByEmail(inv.email_norm));
      if (existing)
        return Fail(Code::kUnauthenticated, "auth.required",
                    "this address already has an account: sign in, then accept the invitation");
      return p_.policy.Check(password, inv.email, "password");
    });
    if (!peek) return Fail(peek.error());
    VAULT_ASSIGN_OR_RETURN(auto h, p_.hasher.Hash(password));
    hash = h;
  }
  InvitationAccepted out;
  auto r = p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto inv, find(tx));
    VAULT_ASSIGN_OR_RETURN(auto w, tx.FindWorkspace(inv.workspace_id));
    if (!w)
      return Fail(Code::kInvalidArgument, "token.invalid", "this invitation link is not valid",
                  "token");
    // The workspace lock serialises this with a removal or demotion of the inviter, so the
    // authority is judged by the inviter's role as it is now, before anything is written.
    VAULT_TRY(tx.LockWorkspace(inv.workspace_id));
    VAULT_TRY(RequireInviterAuthority(tx, inv));
    // Read again under the lock: a suspension committed since the first read counts.
    VAULT_ASSIGN_OR_RETURN(auto locked, tx.FindWorkspace(inv.workspace_id));
    if (locked && locked->suspended())
      return Fail(Code::kPermissionDenied, "workspace.suspended",
                  "this workspace is suspended by the platform operators; try again later");
    std::string account_id;
    Actor actor{"account", "", client.ip, client.user_agent};
    if (ctx) {
      if (ctx->account.email_norm != inv.email_norm)
        return Fail(Code::kPermissionDenied, "invitation.email_mismatch",
                    "this invitation was sent to another email address; sign in with that address");
      account_id = ctx->account.id;
    } else {
      VAULT_ASSIGN_OR_RETURN(
          auto s, accounts_.CreateVerifiedAccount(
                      tx, inv.email, core::ValidateName(name, "name").value(), *hash, client));
      account_id = s.account.id;
      out.signed_in = std::move(s);
    }
    actor.id = account_id;
    VAULT_ASSIGN_OR_RETURN(auto existing, tx.FindMembership(inv.workspace_id, account_id));
    if (existing)
      return Fail(Code::kAlreadyExists, "member.exists",
                  "you are already a member of this workspace");
    out.workspace = *w;
    out.membership = core::Membership{inv.workspace_id, account_id, inv.role, p_.clock.Now()};
    VAULT_TRY(tx.InsertMembership(out.membership));
    // The access the invitation carries; groups or products deleted since are skipped.
    std::set<std::string> touched;
    for (const auto& g : inv.group_ids) {
      VAULT_ASSIGN_OR_RETURN(auto group, tx.FindGroup(inv.workspace_id, g));
      if (!group) continue;
      VAULT_TRY(tx.AddGroupMember(inv.workspace_id, g, account_id));
      VAULT_ASSIGN_OR_RETURN(auto grants, tx.ListWorkspaceGrants(inv.workspace_id));
      for (const auto& gr : grants)
        if (gr.principal_type == core::PrincipalType::kGroup && gr.principal_id == g)
          touched.insert(gr.product_id);
    }
    for (const auto& [product, role] : inv.product_grants) {
      VAULT_ASSIGN_OR_RETURN(auto p, tx.FindProduct(inv.workspace_id, product));
      if (!p) continue;
      if (auto g = tx.PutGrant({product, core::PrincipalType::kAccount, account_id, role,
                                inv.workspace_id, p_.clock.Now()});
          !g)
        return g;
      touched.insert(product);
    }
    for (const auto& pid : touched) {  // std::set: a fixed lock order
      VAULT_TRY(tx.LockProduct(pid));
      VAULT_ASSIGN_OR_RETURN(auto p, tx.FindProductById(pid));
      if (p) VAULT_TRY(CheckSeats(tx, *p));
    }
    inv.status = InvitationStatus::kAccepted;
    inv.responded_at = p_.clock.Now();
    VAULT_TRY(tx.UpdateInvitation(inv));
    Changed(tx, inv.workspace_id);
    return audit_.Record(tx, actor,
                         {"invitation.accepted", "invitation", inv.id,
                          JsonSummary({{"role", core::RoleName(inv.role)}}), inv.workspace_id});
  });
  if (!r) return Fail(r.error());
  return out;
}

Result<void> WorkspaceService::DeclineInvitation(const std::string& token,
                                                 const ClientInfo& client) {
  return Decline([&](core::Tx& tx) { return CheckInvitation(tx, token); }, AnonymousActor(client));
}

Result<void> WorkspaceService::DeclineMyInvitation(const AuthContext& ctx, const std::string& id,
                                                   const ClientInfo& client) {
  return Decline([&](core::Tx& tx) { return MyPendingInvitation(tx, ctx, id); },
                 AccountActor(ctx.account.id, client));
}

Result<void> WorkspaceService::Decline(const InvitationFinder& find, const Actor& actor) {
  return p_.store.Write([&](core::Tx& tx) -> Result<void> {
    VAULT_ASSIGN_OR_RETURN(auto inv, find(tx));
    inv.status = InvitationStatus::kDeclined;
    inv.responded_at = p_.clock.Now();
    VAULT_TRY(tx.UpdateInvitation(inv));
    return audit_.Record(tx, actor,
                         {"invitation.declined", "invitation", inv.id, "{}", inv.workspace_id});
  });
}

Result<std::vector<std::pair<core::Invitation, core::Workspace>>> WorkspaceService::MyInvitations(
    const AuthContext& ctx) {
  return p_.store.Read(
      [&](core::Tx& tx) -> Result<std::vector<std::pair<core::Invitation, core::Workspace>>> {
        std::vector<std::pair<core::Invitation, core::Workspace>> out;
        VAULT_ASSIGN_OR_RETURN(auto list, tx.ListInvitationsForEmail(ctx.account.email_norm));
        for (auto& inv : list) {
          if (inv.expires_at <= p_.clock.Now()) continue;
          VAULT_ASSIGN_OR_RETURN(auto w, tx.FindWorkspace(inv.workspace_id));
          if (w) out.emplace_back(std::move(inv), std::move(*w));
        }
        return out;
      });
}

}  // namespace vault::app
