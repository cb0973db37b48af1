// Handlers for workspaces, members, invitations, the workspace audit log (SPEC §13
// "workspaces", "members", "invitations", "audit") and the Super Admin API ("platform admin").
#include "http/api.hpp"
#include "http/auth.hpp"
#include "http/endpoint.hpp"
#include "http/handler_util.hpp"
#include "http/render.hpp"
#include "http/workspace_json.hpp"

namespace vault::http {
namespace {

constexpr std::size_t kMaxDescription = 1000;

struct CreateWorkspaceInput {
  std::string name, shortname;
  std::optional<std::string> description;
  void Fields(BodyReader& r) {
    r.Field("name", name, 100);
    r.Field("shortname", shortname, 40);
    r.Field("description", description, kMaxDescription);
  }
};

struct WorkspacePatchInput {
  app::WorkspacePatch patch;
  void Fields(BodyReader& r) {
    r.Field("name", patch.name, 100);
    r.Field("shortname", patch.shortname, 40);
    r.Field("description", patch.description, kMaxDescription);
    r.Field("require_2fa", patch.require_2fa);
  }
};

struct ConfirmInput {
  std::string confirm;
  void Fields(BodyReader& r) { r.Field("confirm", confirm, 40); }
};

struct RoleInput {
  core::Role role;
  void Fields(BodyReader& r) { r.Field("role", role, 20, core::ParseRole); }
};

struct TransferInput {
  std::string account_id;
  std::optional<core::Role> new_role;  // the role the caller keeps; default Admin
  void Fields(BodyReader& r) {
    r.Field("account_id", account_id, 64);
    r.Field("new_role", new_role, 20, core::ParseRole);
  }
};

struct ProductGrantInput {  // one of an invitation's grants
  std::string product, role;
  void Fields(BodyReader& r) {
    r.Field("product", product, 64);
    r.Field("role", role, 64);
  }
};

struct InviteInput {
  std::string email;
  std::optional<core::Role> role;  // member when absent
  std::vector<std::string> groups;
  std::vector<ProductGrantInput> grants;
  void Fields(BodyReader& r) {
    r.Field("email", email, 254);
    r.Field("role", role, 20, core::ParseRole);
    r.Field("groups", groups, 50, 64);
    r.Field("grants", grants, 50);
  }
  std::vector<std::pair<std::string, std::string>> Grants() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& g : grants) out.emplace_back(g.product, g.role);
    return out;
  }
};

struct AcceptInput {  // accepting as the signed-in person
  std::string token;
  void Fields(BodyReader& r) { r.Field("token", token, 128); }
};

struct AcceptAsNewInput {  // accepting by creating an account
  std::string token, name, password;
  void Fields(BodyReader& r) {
    r.Field("token", token, 128);
    r.Field("name", name, 100);
    r.Field("password", password, 1024);
  }
};

struct SuspendInput {
  std::string reason;
  // Read up to 2000 bytes so a reason of 500 characters of any script fits; the service
  // counts characters.
  void Fields(BodyReader& r) { r.Field("reason", reason, 2000); }
};

struct AccountPatchInput {
  app::AccountPatch patch;
  void Fields(BodyReader& r) {
    r.Field("disabled", patch.disabled);
    r.Field("super_admin", patch.super_admin);
  }
};

class WorkspacesApi {
 public:
  WorkspacesApi(app::AccountService& accounts, app::WorkspaceService& workspaces,
                app::PlatformService& platform, const ApiOptions& options)
      : accounts_(accounts), workspaces_(workspaces), platform_(platform), options_(options) {}

  void Register(Routes& routes) {
    using E = Executor;
    using A = WorkspacesApi;
    const Access S = Access::kSession, Admin = Access::kSuperAdmin;
    const std::string w = "/api/v1/workspaces/{ws}";
    routes.Add({"POST", "/api/v1/workspaces", E::kBlocking, S}, this, &A::Create);
    routes.Add({"GET", "/api/v1/me/workspaces", E::kBlocking, S}, this, &A::Mine);
    routes.Add({"GET", "/api/v1/workspace-shortnames/{shortname}", E::kBlocking, S}, this,
               &A::CheckShortname);
    routes.Add({"GET", "/api/v1/me/invitations", E::kBlocking, S}, this, &A::MyInvitations);
    routes.Add({"GET", w, E::kBlocking, S}, this, &A::Get);
    routes.Add({"PATCH", w, E::kBlocking, S}, this, &A::Patch);
    routes.Add({"DELETE", w, E::kBlocking, S}, this, &A::Delete);
    routes.Add({"PUT", w + "/logo", E::kBlocking, S}, this, &A::PutLogo);
    routes.Add({"GET", w + "/logo", E::kBlocking, S}, this, &A::GetLogo);
    routes.Add({"DELETE", w + "/logo", E::kBlocking, S}, this, &A::DeleteLogo);
    routes.Add({"GET", w + "/members", E::kBlocking, S}, this, &A::Members);
    routes.Add({"PATCH", w + "/members/{account_id}", E::kBlocking, S}, this, &A::ChangeRole);
    routes.Add({"DELETE", w + "/members/{account_id}", E::kBlocking, S}, this, &A::Remove);
    routes.Add({"POST", w + "/ownership-transfer", E::kBlocking, S}, this, &A::TransferOwnership);
    routes.Add({"POST", w + "/invitations", E::kBlocking, S}, this, &A::Invite);
    routes.Add({"GET", w + "/invitations", E::kBlocking, S}, this, &A::Invitations);
    routes.Add({"DELETE", w + "/invitations/{id}", E::kBlocking, S}, this, &A::Revoke);
    routes.Add({"POST", w + "/invitations/{id}/resend", E::kBlocking, S}, this, &A::Resend);
    // Login CSRF: only from the console's Origin (or none).
    routes.Add({"POST", "/api/v1/invitations/accept", E::kHash, Access::kCredentialOrSession}, this,
               &A::Accept);
    routes.Add({"POST", "/api/v1/invitations/decline", E::kBlocking, Access::kCredential}, this,
               &A::Decline);
    // The signed-in invitee answers from the list of their pending invitations.
    routes.Add({"POST", "/api/v1/me/invitations/{id}/accept", E::kBlocking, S}, this,
               &A::AcceptMine);
    routes.Add({"POST", "/api/v1/me/invitations/{id}/decline", E::kBlocking, S}, this,
               &A::DeclineMine);
    routes.Add({"GET", w + "/audit", E::kBlocking, S}, this, &A::Audit);
    routes.Add({"GET", "/api/v1/admin/accounts", E::kBlocking, Admin}, this, &A::AdminAccounts);
    routes.Add({"GET", "/api/v1/admin/accounts/{id}", E::kBlocking, Admin}, this, &A::AdminAccount);
    routes.Add({"PATCH", "/api/v1/admin/accounts/{id}", E::kBlocking, Admin}, this,
               &A::AdminPatchAccount);
    routes.Add({"GET", "/api/v1/admin/workspaces", E::kBlocking, Admin}, this, &A::AdminWorkspaces);
    routes.Add({"GET", "/api/v1/admin/audit", E::kBlocking, Admin}, this, &A::AdminAudit);
    routes.Add({"GET", "/api/v1/admin/workspaces/{id}", E::kBlocking, Admin}, this,
               &A::AdminWorkspace);
    routes.Add({"POST", "/api/v1/admin/workspaces/{id}/suspension", E::kBlocking, Admin}, this,
               &A::AdminSuspend);
    routes.Add({"DELETE", "/api/v1/admin/workspaces/{id}/suspension", E::kBlocking, Admin}, this,
               &A::AdminResume);
    routes.Add({"DELETE", "/api/v1/admin/workspaces/{id}", E::kBlocking, Admin}, this,
               &A::AdminDeleteWorkspace);
    routes.Add({"PUT", "/api/v1/admin/workspaces/{id}/owners/{account_id}", E::kBlocking, Admin},
               this, &A::AdminAssignOwner);
  }

 private:
  // Authorisation before input validation: a caller who may not do this gets 404/403 whatever
  // the body or query holds (the service checks again inside its transaction).
  core::Result<void> Gate(Call& c, core::Capability capability) {
    VAULT_TRY(workspaces_.Open(c.ctx, c.param("ws"), capability));
    return {};
  }

  core::Result<Response> Create(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<CreateWorkspaceInput>());
    VAULT_ASSIGN_OR_RETURN(
        auto w, workspaces_.Create(c.ctx, in.name, in.shortname, in.description.value_or("")));
    return JsonOk(201, RenderWorkspace(w.workspace, w.membership.role, false));
  }

  core::Result<Response> CheckShortname(Call& c) {
    const std::string& shortname = c.param("shortname");
    if (shortname.size() > 100)
      return core::Fail(core::Code::kInvalidArgument, "validation.too_long",
                        "shortname is too long", "shortname");
    VAULT_ASSIGN_OR_RETURN(auto refusal, workspaces_.CheckShortname(shortname));
    boost::json::object o;
    o["shortname"] = shortname;
    o["available"] = !refusal.has_value();
    o["code"] = refusal ? boost::json::value(refusal->id) : boost::json::value(nullptr);
    return JsonOk(200, o);
  }

  core::Result<Response> Mine(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto mine, workspaces_.ListMine(c.ctx));
    return JsonOk(200, RenderMyWorkspaces(mine));
  }

  core::Result<Response> MyInvitations(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto list, workspaces_.MyInvitations(c.ctx));
    return JsonOk(200, RenderMyInvitations(list));
  }

  core::Result<Response> Get(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto a, workspaces_.Get(c.ctx, c.param("ws")));
    bool has_logo = static_cast<bool>(workspaces_.GetLogo(c.ctx, a.workspace.id));
    return JsonOk(200, RenderWorkspace(a.workspace, a.membership.role, has_logo));
  }

  core::Result<Response> Patch(Call& c) {
    VAULT_TRY(Gate(c, core::Capability::kEditSettings));
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<WorkspacePatchInput>());
    VAULT_ASSIGN_OR_RETURN(auto w, workspaces_.Update(c.ctx, c.param("ws"), in.patch));
    auto access = workspaces_.Open(c.ctx, w.id, core::Capability::kView);
    return JsonOk(200,
                  RenderWorkspace(w, access ? std::optional(access->membership.role) : std::nullopt,
                                  static_cast<bool>(workspaces_.GetLogo(c.ctx, w.id))));
  }

  core::Result<Response> Delete(Call& c) {
    VAULT_TRY(Gate(c, core::Capability::kDeleteWorkspace));
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<ConfirmInput>());
    VAULT_TRY(workspaces_.Delete(c.ctx, c.param("ws"), in.confirm));
    return Response::NoContent();
  }

  core::Result<Response> PutLogo(Call& c) {
    VAULT_TRY(Gate(c, core::Capability::kEditSettings));
    VAULT_TRY(workspaces_.PutLogo(c.ctx, c.param("ws"), c.req.body));
    return Response::NoContent();
  }

  core::Result<Response> GetLogo(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto logo, workspaces_.GetLogo(c.ctx, c.param("ws")));
    Response res;
    res.content_type = logo.content_type;  // sniffed at upload: only PNG, JPEG or WebP
    res.body = std::move(logo.data);
    // Served as an inert image even if opened directly.
    res.headers.emplace_back("Content-Security-Policy", "default-src 'none'; sandbox");
    res.headers.emplace_back("Content-Disposition", "inline; filename=\"logo\"");
    return res;
  }

  core::Result<Response> DeleteLogo(Call& c) {
    VAULT_TRY(workspaces_.DeleteLogo(c.ctx, c.param("ws")));
    return Response::NoContent();
  }

  core::Result<Response> Members(Call& c) {
    const auto page = QueryPage(c.req);
    VAULT_ASSIGN_OR_RETURN(auto members, workspaces_.Members(c.ctx, c.param("ws"), page));
    return JsonOk(200, RenderPaged(members, RenderMember));
  }

  core::Result<Response> ChangeRole(Call& c) {
    VAULT_TRY(Gate(c, core::Capability::kManageMembers));
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<RoleInput>());
    VAULT_ASSIGN_OR_RETURN(
        auto m, workspaces_.ChangeRole(c.ctx, c.param("ws"), c.param("account_id"), in.role));
    return JsonOk(200, RenderMembership(m));
  }

  core::Result<Response> TransferOwnership(Call& c) {
    VAULT_TRY(Gate(c, core::Capability::kManageOwners));
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<TransferInput>());
    VAULT_ASSIGN_OR_RETURN(auto m,
                           workspaces_.TransferOwnership(c.ctx, c.param("ws"), in.account_id,
                                                         in.new_role.value_or(core::Role::kAdmin)));
    return JsonOk(200, RenderMembership(m));
  }

  core::Result<Response> Remove(Call& c) {
    VAULT_TRY(workspaces_.RemoveMember(c.ctx, c.param("ws"), c.param("account_id")));
    return Response::NoContent();
  }

  core::Result<Response> Invite(Call& c) {
    VAULT_TRY(Gate(c, core::Capability::kManageMembers));
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<InviteInput>());
    VAULT_ASSIGN_OR_RETURN(auto inv, workspaces_.Invite(c.ctx, c.param("ws"), in.email,
                                                        in.role.value_or(core::Role::kMember),
                                                        in.groups, in.Grants()));
    return JsonOk(201, RenderInvitation(inv));
  }

  core::Result<Response> Invitations(Call& c) {
    const auto page = QueryPage(c.req);
    VAULT_ASSIGN_OR_RETURN(auto list, workspaces_.Invitations(c.ctx, c.param("ws"), page));
    return JsonOk(200, RenderPaged(list, RenderInvitation));
  }

  core::Result<Response> Revoke(Call& c) {
    VAULT_TRY(workspaces_.RevokeInvitation(c.ctx, c.param("ws"), c.param("id")));
    return Response::NoContent();
  }

  core::Result<Response> Resend(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto inv,
                           workspaces_.ResendInvitation(c.ctx, c.param("ws"), c.param("id")));
    return JsonOk(200, RenderInvitation(inv));
  }

  core::Result<Response> Accept(Call& c) {
    // Signed in, the invitation joins the caller; otherwise it creates an account.
    AcceptAsNewInput in;
    if (c.signed_in) {
      VAULT_ASSIGN_OR_RETURN(auto mine, c.Body<AcceptInput>());
      in.token = std::move(mine.token);
    } else {
      VAULT_ASSIGN_OR_RETURN(in, c.Body<AcceptAsNewInput>());
    }
    VAULT_ASSIGN_OR_RETURN(auto accepted,
                           workspaces_.AcceptInvitation(in.token, c.signed_in ? &c.ctx : nullptr,
                                                        in.name, in.password, ClientOf(c.req)));
    boost::json::object o = RenderAccepted(accepted);
    if (!accepted.signed_in) return JsonOk(200, o);
    const app::SignedIn& s = *accepted.signed_in;
    return SignedInResponse(201, std::move(o), s, accounts_.CsrfToken(s.session), options_.dev);
  }

  core::Result<Response> Decline(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<AcceptInput>());
    VAULT_TRY(workspaces_.DeclineInvitation(in.token, ClientOf(c.req)));
    return Response::NoContent();
  }

  core::Result<Response> AcceptMine(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto accepted,
                           workspaces_.AcceptMyInvitation(c.ctx, c.param("id"), ClientOf(c.req)));
    return JsonOk(200, RenderAccepted(accepted));
  }

  core::Result<Response> DeclineMine(Call& c) {
    VAULT_TRY(workspaces_.DeclineMyInvitation(c.ctx, c.param("id"), ClientOf(c.req)));
    return Response::NoContent();
  }

  core::Result<Response> Audit(Call& c) {
    VAULT_ASSIGN_OR_RETURN(
        auto access, workspaces_.Open(c.ctx, c.param("ws"), core::Capability::kReadBillingAudit));
    std::string format;
    VAULT_ASSIGN_OR_RETURN(auto q, ParseAuditQuery(c.req, &format));
    // By id, not the shortname the path may hold: a rename during a streamed export must not
    // end it.
    return AuditAnswer(c.req, q, format,
                       [&service = workspaces_, ctx = c.ctx, ws = access.workspace.id](
                           const core::AuditQuery& page) { return service.Audit(ctx, ws, page); });
  }

  core::Result<Response> AdminAccounts(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto limit, QueryLimit(c.req, 50, 200));
    VAULT_ASSIGN_OR_RETURN(auto list,
                           platform_.SearchAccounts(c.ctx, c.req.Query("q").value_or(""),
                                                    c.req.Query("cursor").value_or(""), limit));
    return JsonOk(200, RenderPage(list, limit, RenderAdminAccount, IdOf<core::Account>));
  }

  core::Result<Response> AdminAccount(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto d, platform_.GetAccount(c.ctx, c.param("id")));
    return JsonOk(200, RenderAccountDetail(d));
  }

  core::Result<Response> AdminPatchAccount(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<AccountPatchInput>());
    VAULT_ASSIGN_OR_RETURN(auto a, platform_.UpdateAccount(c.ctx, c.param("id"), in.patch));
    return JsonOk(200, RenderAdminAccount(a));
  }

  core::Result<Response> AdminWorkspaces(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto limit, QueryLimit(c.req, 50, 200));
    VAULT_ASSIGN_OR_RETURN(auto list,
                           platform_.SearchWorkspaces(c.ctx, c.req.Query("q").value_or(""),
                                                      c.req.Query("cursor").value_or(""), limit));
    return JsonOk(200, RenderPage(list, limit, RenderAdminWorkspace, IdOf<core::Workspace>));
  }

  // Every event of the platform, with the workspace audit's filters plus `workspace` (an id).
  core::Result<Response> AdminAudit(Call& c) {
    std::string format;
    VAULT_ASSIGN_OR_RETURN(auto q, ParseAuditQuery(c.req, &format));
    if (auto ws = c.req.Query("workspace")) {
      if (ws->empty() || ws->size() > 100)
        return core::Fail(core::Code::kInvalidArgument, "validation.query",
                          "workspace must be a workspace id", "workspace");
      q.workspace_id = *ws;
    }
    return AuditAnswer(c.req, q, format,
                       [&service = platform_, ctx = c.ctx](const core::AuditQuery& page) {
                         return service.Audit(ctx, page);
                       });
  }

  core::Result<Response> AdminWorkspace(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto d, platform_.GetWorkspace(c.ctx, c.param("id")));
    return JsonOk(200, RenderWorkspaceDetail(d));
  }

  core::Result<Response> AdminSuspend(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<SuspendInput>());
    VAULT_ASSIGN_OR_RETURN(auto w, platform_.SuspendWorkspace(c.ctx, c.param("id"), in.reason));
    return JsonOk(200, RenderAdminWorkspace(w));
  }

  core::Result<Response> AdminResume(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto w, platform_.ResumeWorkspace(c.ctx, c.param("id")));
    return JsonOk(200, RenderAdminWorkspace(w));
  }

  core::Result<Response> AdminDeleteWorkspace(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto in, c.Body<ConfirmInput>());
    VAULT_TRY(platform_.DeleteWorkspace(c.ctx, c.param("id"), in.confirm));
    return Response::NoContent();
  }

  core::Result<Response> AdminAssignOwner(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto m,
                           platform_.AssignOwner(c.ctx, c.param("id"), c.param("account_id")));
    return JsonOk(200, RenderMembership(m));
  }

  app::AccountService& accounts_;
  app::WorkspaceService& workspaces_;
  app::PlatformService& platform_;
  ApiOptions options_;
};

}  // namespace

void RegisterWorkspaceRoutes(Router& router, app::AccountService& accounts,
                             app::WorkspaceService& workspaces, app::PlatformService& platform,
                             const ApiOptions& options) {
  static std::vector<std::unique_ptr<WorkspacesApi>> apis;  // live as long as the process
  apis.push_back(std::make_unique<WorkspacesApi>(accounts, workspaces, platform, options));
  Routes routes(router, &accounts, nullptr, options);
  apis.back()->Register(routes);
}

}  // namespace vault::http
