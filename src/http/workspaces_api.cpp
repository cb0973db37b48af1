// Handlers for workspaces, members, invitations, the workspace audit log (SPEC §13
// "workspaces", "members", "invitations", "audit") and the Super Admin API ("platform admin").
#include <boost/json.hpp>

#include "http/api.hpp"
#include "http/auth.hpp"
#include "http/endpoint.hpp"
#include "http/handler_util.hpp"
#include "http/json_body.hpp"
#include "http/render.hpp"
#include "http/workspace_json.hpp"

namespace vault::http {
namespace {

constexpr std::size_t kMaxDescription = 1000;

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
    routes.Add({"POST", w + "/invitations", E::kBlocking, S}, this, &A::Invite);
    routes.Add({"GET", w + "/invitations", E::kBlocking, S}, this, &A::Invitations);
    routes.Add({"DELETE", w + "/invitations/{id}", E::kBlocking, S}, this, &A::Revoke);
    routes.Add({"POST", w + "/invitations/{id}/resend", E::kBlocking, S}, this, &A::Resend);
    // Login CSRF: only from the console's Origin (or none).
    routes.Add({"POST", "/api/v1/invitations/accept", E::kHash, Access::kCredentialOrSession}, this,
               &A::Accept);
    routes.Add({"POST", "/api/v1/invitations/decline", E::kBlocking, Access::kCredential}, this,
               &A::Decline);
    routes.Add({"GET", w + "/audit", E::kBlocking, S}, this, &A::Audit);
    routes.Add({"GET", "/api/v1/admin/accounts", E::kBlocking, Admin}, this, &A::AdminAccounts);
    routes.Add({"GET", "/api/v1/admin/accounts/{id}", E::kBlocking, Admin}, this, &A::AdminAccount);
    routes.Add({"PATCH", "/api/v1/admin/accounts/{id}", E::kBlocking, Admin}, this,
               &A::AdminPatchAccount);
    routes.Add({"GET", "/api/v1/admin/workspaces", E::kBlocking, Admin}, this, &A::AdminWorkspaces);
    routes.Add({"GET", "/api/v1/admin/workspaces/{id}", E::kBlocking, Admin}, this,
               &A::AdminWorkspace);
  }

 private:
  // Authorisation before input validation: a caller who may not do this gets 404/403 whatever
  // the body or query holds (the service checks again inside its transaction).
  core::Result<void> Gate(Call& c, core::Capability capability) {
    VAULT_TRY(workspaces_.Open(c.ctx, c.param("ws"), capability));
    return {};
  }

  core::Result<Response> Create(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
    VAULT_ASSIGN_OR_RETURN(auto name, body.String("name", 100));
    VAULT_ASSIGN_OR_RETURN(auto shortname, body.String("shortname", 40));
    VAULT_ASSIGN_OR_RETURN(auto description, body.OptString("description", kMaxDescription));
    VAULT_ASSIGN_OR_RETURN(auto w,
                           workspaces_.Create(c.ctx, name, shortname, description.value_or("")));
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
    boost::json::array items;
    for (const auto& card : mine.cards)
      items.push_back(RenderWorkspace(card.workspace, card.role, card.has_logo));
    boost::json::object o;
    o["items"] = std::move(items);
    o["last_workspace_id"] = mine.last_workspace_id.empty()
                                 ? boost::json::value(nullptr)
                                 : boost::json::value(mine.last_workspace_id);
    return JsonOk(200, o);
  }

  core::Result<Response> MyInvitations(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto list, workspaces_.MyInvitations(c.ctx));
    boost::json::array items;
    for (const auto& [inv, w] : list) {
      boost::json::object o = RenderInvitation(inv);
      o["workspace"] = {{"id", w.id}, {"name", w.name}, {"shortname", w.shortname}};
      items.push_back(std::move(o));
    }
    return JsonOk(200, boost::json::object{{"items", std::move(items)}});
  }

  core::Result<Response> Get(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto a, workspaces_.Get(c.ctx, c.param("ws")));
    bool has_logo = static_cast<bool>(workspaces_.GetLogo(c.ctx, a.workspace.id));
    return JsonOk(200, RenderWorkspace(a.workspace, a.membership.role, has_logo));
  }

  core::Result<Response> Patch(Call& c) {
    VAULT_TRY(Gate(c, core::Capability::kEditSettings));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
    app::WorkspacePatch patch;
    VAULT_ASSIGN_OR_RETURN(auto name, body.OptString("name", 100));
    VAULT_ASSIGN_OR_RETURN(auto shortname, body.OptString("shortname", 40));
    VAULT_ASSIGN_OR_RETURN(auto description, body.OptString("description", kMaxDescription));
    VAULT_ASSIGN_OR_RETURN(auto require, body.OptBool("require_2fa"));
    patch = {name, shortname, description, require};
    VAULT_ASSIGN_OR_RETURN(auto w, workspaces_.Update(c.ctx, c.param("ws"), patch));
    auto access = workspaces_.Open(c.ctx, w.id, core::Capability::kView);
    return JsonOk(200,
                  RenderWorkspace(w, access ? std::optional(access->membership.role) : std::nullopt,
                                  static_cast<bool>(workspaces_.GetLogo(c.ctx, w.id))));
  }

  core::Result<Response> Delete(Call& c) {
    VAULT_TRY(Gate(c, core::Capability::kDeleteWorkspace));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
    VAULT_ASSIGN_OR_RETURN(auto confirm, body.String("confirm", 40));
    VAULT_TRY(workspaces_.Delete(c.ctx, c.param("ws"), confirm));
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
    VAULT_ASSIGN_OR_RETURN(auto members, workspaces_.Members(c.ctx, c.param("ws")));
    boost::json::array items;
    for (const auto& m : members) items.push_back(RenderMember(m));
    return JsonOk(200, boost::json::object{{"items", std::move(items)}});
  }

  core::Result<Response> ChangeRole(Call& c) {
    VAULT_TRY(Gate(c, core::Capability::kManageMembers));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
    VAULT_ASSIGN_OR_RETURN(auto role_name, body.String("role", 20));
    VAULT_ASSIGN_OR_RETURN(auto role, core::ParseRole(role_name, "role"));
    VAULT_ASSIGN_OR_RETURN(
        auto m, workspaces_.ChangeRole(c.ctx, c.param("ws"), c.param("account_id"), role));
    return JsonOk(200, boost::json::object{{"account_id", m.account_id},
                                           {"role", std::string(core::RoleName(m.role))}});
  }

  core::Result<Response> Remove(Call& c) {
    VAULT_TRY(workspaces_.RemoveMember(c.ctx, c.param("ws"), c.param("account_id")));
    return Response::NoContent();
  }

  core::Result<Response> Invite(Call& c) {
    VAULT_TRY(Gate(c, core::Capability::kManageMembers));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
    VAULT_ASSIGN_OR_RETURN(auto email, body.String("email", 254));
    VAULT_ASSIGN_OR_RETURN(auto role_name, body.OptString("role", 20));
    VAULT_ASSIGN_OR_RETURN(auto role, core::ParseRole(role_name.value_or("member"), "role"));
    VAULT_ASSIGN_OR_RETURN(auto groups, body.StringArray("groups", 50, 64));
    VAULT_ASSIGN_OR_RETURN(auto grant_items, body.ObjectArray("grants", 50));
    std::vector<std::pair<std::string, std::string>> grants;
    for (std::size_t i = 0; i < grant_items.size(); ++i) {
      std::string at = "grants[" + std::to_string(i) + "].";
      auto product = (grant_items)[i].String("product", 64);
      if (!product) return core::Fail(core::Prefixed(product.error(), at));
      auto product_role = (grant_items)[i].String("role", 64);
      if (!product_role) return core::Fail(core::Prefixed(product_role.error(), at));
      grants.emplace_back(*product, *product_role);
    }
    VAULT_ASSIGN_OR_RETURN(auto inv,
                           workspaces_.Invite(c.ctx, c.param("ws"), email, role, groups, grants));
    return JsonOk(201, RenderInvitation(inv));
  }

  core::Result<Response> Invitations(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto list, workspaces_.Invitations(c.ctx, c.param("ws")));
    boost::json::array items;
    for (const auto& i : list) items.push_back(RenderInvitation(i));
    return JsonOk(200, boost::json::object{{"items", std::move(items)}});
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
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
    VAULT_ASSIGN_OR_RETURN(auto token, body.String("token", 128));
    std::string name, password;
    if (!c.signed_in) {
      VAULT_ASSIGN_OR_RETURN(auto n, body.String("name", 100));
      VAULT_ASSIGN_OR_RETURN(auto p, body.String("password", 1024));
      name = n;
      password = p;
    }
    VAULT_ASSIGN_OR_RETURN(auto accepted,
                           workspaces_.AcceptInvitation(token, c.signed_in ? &c.ctx : nullptr, name,
                                                        password, ClientOf(c.req)));
    boost::json::object o;
    o["workspace"] = RenderWorkspace(accepted.workspace, accepted.membership.role, false);
    if (!accepted.signed_in) return JsonOk(200, o);
    const app::SignedIn& s = *accepted.signed_in;
    return SignedInResponse(201, std::move(o), s, accounts_.CsrfToken(s.session), options_.dev);
  }

  core::Result<Response> Decline(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
    VAULT_ASSIGN_OR_RETURN(auto token, body.String("token", 128));
    VAULT_TRY(workspaces_.DeclineInvitation(token, ClientOf(c.req)));
    return Response::NoContent();
  }

  core::Result<Response> Audit(Call& c) {
    VAULT_TRY(Gate(c, core::Capability::kReadBillingAudit));
    std::string format;
    VAULT_ASSIGN_OR_RETURN(auto q, ParseAuditQuery(c.req, &format));
    VAULT_ASSIGN_OR_RETURN(auto events, workspaces_.Audit(c.ctx, c.param("ws"), q));
    return AuditPage(events, q, format);
  }

  core::Result<Response> AdminAccounts(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto limit, QueryLimit(c.req, 50, 200));
    VAULT_ASSIGN_OR_RETURN(auto list,
                           platform_.SearchAccounts(c.ctx, c.req.Query("q").value_or(""),
                                                    c.req.Query("cursor").value_or(""), limit));
    boost::json::array items;
    for (const auto& a : list) {
      boost::json::object o = RenderAccount(a);
      o["disabled"] = a.disabled;
      items.push_back(std::move(o));
    }
    boost::json::object o{{"items", std::move(items)}};
    o["next_cursor"] = list.size() == static_cast<std::size_t>(limit)
                           ? boost::json::value(list.back().id)
                           : boost::json::value(nullptr);
    return JsonOk(200, o);
  }

  core::Result<Response> AdminAccount(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto d, platform_.GetAccount(c.ctx, c.param("id")));
    boost::json::object o = RenderAccount(d.account);
    o["disabled"] = d.account.disabled;
    boost::json::array ws;
    for (const auto& card : d.workspaces)
      ws.push_back(RenderWorkspace(card.workspace, card.role, card.has_logo));
    o["workspaces"] = std::move(ws);
    return JsonOk(200, o);
  }

  core::Result<Response> AdminPatchAccount(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(c.req));
    VAULT_ASSIGN_OR_RETURN(auto disabled, body.OptBool("disabled"));
    VAULT_ASSIGN_OR_RETURN(auto super_admin, body.OptBool("super_admin"));
    auto a = platform_.UpdateAccount(c.ctx, c.param("id"), {disabled, super_admin});
    if (!a) return core::Fail(a.error());
    boost::json::object o = RenderAccount(*a);
    o["disabled"] = a->disabled;
    return JsonOk(200, o);
  }

  core::Result<Response> AdminWorkspaces(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto limit, QueryLimit(c.req, 50, 200));
    VAULT_ASSIGN_OR_RETURN(auto list,
                           platform_.SearchWorkspaces(c.ctx, c.req.Query("q").value_or(""),
                                                      c.req.Query("cursor").value_or(""), limit));
    boost::json::array items;
    for (const auto& w : list) items.push_back(RenderWorkspace(w, std::nullopt, false));
    boost::json::object o{{"items", std::move(items)}};
    o["next_cursor"] = list.size() == static_cast<std::size_t>(limit)
                           ? boost::json::value(list.back().id)
                           : boost::json::value(nullptr);
    return JsonOk(200, o);
  }

  core::Result<Response> AdminWorkspace(Call& c) {
    VAULT_ASSIGN_OR_RETURN(auto d, platform_.GetWorkspace(c.ctx, c.param("id")));
    boost::json::object o = RenderWorkspace(d.workspace, std::nullopt, false);
    boost::json::array members;
    for (const auto& m : d.members) members.push_back(RenderMember(m));
    o["members"] = std::move(members);
    return JsonOk(200, o);
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
