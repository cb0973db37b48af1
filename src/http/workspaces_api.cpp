// Handlers for workspaces, members, invitations, the workspace audit log (SPEC §13
// "workspaces", "members", "invitations", "audit") and the Super Admin API ("platform admin").
#include <boost/json.hpp>

#include "http/api.hpp"
#include "http/auth.hpp"
#include "http/handler_util.hpp"
#include "http/json_body.hpp"
#include "http/render.hpp"

namespace vault::http {
namespace {

constexpr std::size_t kMaxDescription = 1000;

boost::json::object RenderWorkspace(const core::Workspace& w, std::optional<core::Role> role,
                                    bool has_logo) {
  boost::json::object o;
  o["id"] = w.id;
  o["name"] = w.name;
  o["shortname"] = w.shortname;
  o["description"] = w.description;
  o["require_2fa"] = w.require_2fa;
  o["created_at"] = core::FormatRfc3339(w.created_at);
  o["updated_at"] = core::FormatRfc3339(w.updated_at);
  if (role) o["my_role"] = std::string(core::RoleName(*role));
  o["logo_url"] = has_logo ? boost::json::value("/api/v1/workspaces/" + w.id + "/logo")
                           : boost::json::value(nullptr);
  return o;
}

boost::json::object RenderMember(const core::MemberView& m) {
  boost::json::object o;
  o["account_id"] = m.membership.account_id;
  o["name"] = m.name;
  o["email"] = m.email;
  o["role"] = std::string(core::RoleName(m.membership.role));
  boost::json::array groups;
  for (const auto& [id, name] : m.groups) groups.push_back({{"id", id}, {"name", name}});
  o["groups"] = std::move(groups);
  o["mfa_enabled"] = m.mfa_enabled;
  o["joined_at"] = core::FormatRfc3339(m.membership.created_at);
  o["last_sign_in_at"] = m.last_sign_in_at
                             ? boost::json::value(core::FormatRfc3339(m.last_sign_in_at))
                             : boost::json::value(nullptr);
  return o;
}

boost::json::object RenderInvitation(const core::Invitation& i) {
  boost::json::object o;
  o["id"] = i.id;
  o["workspace_id"] = i.workspace_id;
  o["email"] = i.email;
  o["role"] = std::string(core::RoleName(i.role));
  o["status"] = std::string(core::InvitationStatusName(i.status));
  o["invited_by"] = i.invited_by;
  o["created_at"] = core::FormatRfc3339(i.created_at);
  o["expires_at"] = core::FormatRfc3339(i.expires_at);
  boost::json::array groups, grants;
  for (const auto& g : i.group_ids) groups.emplace_back(g);
  for (const auto& [p, r] : i.product_grants) grants.push_back({{"product_id", p}, {"role", r}});
  o["groups"] = std::move(groups);
  o["grants"] = std::move(grants);
  return o;
}

class WorkspacesApi {
 public:
  WorkspacesApi(app::AccountService& accounts, app::WorkspaceService& workspaces,
                app::PlatformService& platform, const ApiOptions& options)
      : accounts_(accounts),
        workspaces_(workspaces),
        platform_(platform),
        options_(options),
        origin_(OriginOf(options.public_url)) {}

  void Register(Router& r) {
    using E = Executor;
    using A = WorkspacesApi;
    AddRoute(r, this, "POST", "/api/v1/workspaces", E::kBlocking, &A::Create);
    AddRoute(r, this, "GET", "/api/v1/me/workspaces", E::kBlocking, &A::Mine);
    AddRoute(r, this, "GET", "/api/v1/me/invitations", E::kBlocking, &A::MyInvitations);
    AddRoute(r, this, "GET", "/api/v1/workspaces/{ws}", E::kBlocking, &A::Get);
    AddRoute(r, this, "PATCH", "/api/v1/workspaces/{ws}", E::kBlocking, &A::Patch);
    AddRoute(r, this, "DELETE", "/api/v1/workspaces/{ws}", E::kBlocking, &A::Delete);
    AddRoute(r, this, "PUT", "/api/v1/workspaces/{ws}/logo", E::kBlocking, &A::PutLogo);
    AddRoute(r, this, "GET", "/api/v1/workspaces/{ws}/logo", E::kBlocking, &A::GetLogo);
    AddRoute(r, this, "DELETE", "/api/v1/workspaces/{ws}/logo", E::kBlocking, &A::DeleteLogo);
    AddRoute(r, this, "GET", "/api/v1/workspaces/{ws}/members", E::kBlocking, &A::Members);
    AddRoute(r, this, "PATCH", "/api/v1/workspaces/{ws}/members/{account_id}", E::kBlocking,
             &A::ChangeRole);
    AddRoute(r, this, "DELETE", "/api/v1/workspaces/{ws}/members/{account_id}", E::kBlocking,
             &A::Remove);
    AddRoute(r, this, "POST", "/api/v1/workspaces/{ws}/invitations", E::kBlocking, &A::Invite);
    AddRoute(r, this, "GET", "/api/v1/workspaces/{ws}/invitations", E::kBlocking, &A::Invitations);
    AddRoute(r, this, "DELETE", "/api/v1/workspaces/{ws}/invitations/{id}", E::kBlocking,
             &A::Revoke);
    AddRoute(r, this, "POST", "/api/v1/workspaces/{ws}/invitations/{id}/resend", E::kBlocking,
             &A::Resend);
    AddRoute(r, this, "POST", "/api/v1/invitations/accept", E::kHash, &A::Accept);
    AddRoute(r, this, "POST", "/api/v1/invitations/decline", E::kBlocking, &A::Decline);
    AddRoute(r, this, "GET", "/api/v1/workspaces/{ws}/audit", E::kBlocking, &A::Audit);
    AddRoute(r, this, "GET", "/api/v1/admin/accounts", E::kBlocking, &A::AdminAccounts);
    AddRoute(r, this, "GET", "/api/v1/admin/accounts/{id}", E::kBlocking, &A::AdminAccount);
    AddRoute(r, this, "PATCH", "/api/v1/admin/accounts/{id}", E::kBlocking, &A::AdminPatchAccount);
    AddRoute(r, this, "GET", "/api/v1/admin/workspaces", E::kBlocking, &A::AdminWorkspaces);
    AddRoute(r, this, "GET", "/api/v1/admin/workspaces/{id}", E::kBlocking, &A::AdminWorkspace);
  }

 private:
  core::Result<app::AuthContext> Auth(const Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto a, Authenticate(req, accounts_, origin_));
    return std::move(a.ctx);
  }

  // Authorisation before input validation: a caller who may not do this gets 404/403 whatever
  // the body or query holds (the service checks again inside its transaction).
  core::Result<void> Gate(const app::AuthContext& ctx, Request& req, core::Capability capability) {
    VAULT_TRY(workspaces_.Open(ctx, req.params["ws"], capability));
    return {};
  }

  core::Result<Response> Create(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
    VAULT_ASSIGN_OR_RETURN(auto name, body.String("name", 100));
    VAULT_ASSIGN_OR_RETURN(auto shortname, body.String("shortname", 40));
    VAULT_ASSIGN_OR_RETURN(auto description, body.OptString("description", kMaxDescription));
    VAULT_ASSIGN_OR_RETURN(auto w,
                           workspaces_.Create(ctx, name, shortname, description.value_or("")));
    return JsonOk(201, RenderWorkspace(w.workspace, w.membership.role, false));
  }

  core::Result<Response> Mine(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_ASSIGN_OR_RETURN(auto mine, workspaces_.ListMine(ctx));
    boost::json::array items;
    for (const auto& c : mine.cards)
      items.push_back(RenderWorkspace(c.workspace, c.role, c.has_logo));
    boost::json::object o;
    o["items"] = std::move(items);
    o["last_workspace_id"] = mine.last_workspace_id.empty()
                                 ? boost::json::value(nullptr)
                                 : boost::json::value(mine.last_workspace_id);
    return JsonOk(200, o);
  }

  core::Result<Response> MyInvitations(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_ASSIGN_OR_RETURN(auto list, workspaces_.MyInvitations(ctx));
    boost::json::array items;
    for (const auto& [inv, w] : list) {
      boost::json::object o = RenderInvitation(inv);
      o["workspace"] = {{"id", w.id}, {"name", w.name}, {"shortname", w.shortname}};
      items.push_back(std::move(o));
    }
    return JsonOk(200, boost::json::object{{"items", std::move(items)}});
  }

  core::Result<Response> Get(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_ASSIGN_OR_RETURN(auto a, workspaces_.Get(ctx, req.params["ws"]));
    bool has_logo = static_cast<bool>(workspaces_.GetLogo(ctx, a.workspace.id));
    return JsonOk(200, RenderWorkspace(a.workspace, a.membership.role, has_logo));
  }

  core::Result<Response> Patch(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(Gate(ctx, req, core::Capability::kEditSettings));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
    app::WorkspacePatch patch;
    VAULT_ASSIGN_OR_RETURN(auto name, body.OptString("name", 100));
    VAULT_ASSIGN_OR_RETURN(auto shortname, body.OptString("shortname", 40));
    VAULT_ASSIGN_OR_RETURN(auto description, body.OptString("description", kMaxDescription));
    VAULT_ASSIGN_OR_RETURN(auto require, body.OptBool("require_2fa"));
    patch = {name, shortname, description, require};
    VAULT_ASSIGN_OR_RETURN(auto w, workspaces_.Update(ctx, req.params["ws"], patch));
    auto access = workspaces_.Open(ctx, w.id, core::Capability::kView);
    return JsonOk(200,
                  RenderWorkspace(w, access ? std::optional(access->membership.role) : std::nullopt,
                                  static_cast<bool>(workspaces_.GetLogo(ctx, w.id))));
  }

  core::Result<Response> Delete(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(Gate(ctx, req, core::Capability::kDeleteWorkspace));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
    VAULT_ASSIGN_OR_RETURN(auto confirm, body.String("confirm", 40));
    VAULT_TRY(workspaces_.Delete(ctx, req.params["ws"], confirm));
    return Response::NoContent();
  }

  core::Result<Response> PutLogo(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(Gate(ctx, req, core::Capability::kEditSettings));
    VAULT_TRY(workspaces_.PutLogo(ctx, req.params["ws"], req.body));
    return Response::NoContent();
  }

  core::Result<Response> GetLogo(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_ASSIGN_OR_RETURN(auto logo, workspaces_.GetLogo(ctx, req.params["ws"]));
    Response res;
    res.content_type = logo.content_type;  // sniffed at upload: only PNG, JPEG or WebP
    res.body = std::move(logo.data);
    // Served as an inert image even if opened directly.
    res.headers.emplace_back("Content-Security-Policy", "default-src 'none'; sandbox");
    res.headers.emplace_back("Content-Disposition", "inline; filename=\"logo\"");
    return res;
  }

  core::Result<Response> DeleteLogo(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(workspaces_.DeleteLogo(ctx, req.params["ws"]));
    return Response::NoContent();
  }

  core::Result<Response> Members(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_ASSIGN_OR_RETURN(auto members, workspaces_.Members(ctx, req.params["ws"]));
    boost::json::array items;
    for (const auto& m : members) items.push_back(RenderMember(m));
    return JsonOk(200, boost::json::object{{"items", std::move(items)}});
  }

  core::Result<Response> ChangeRole(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(Gate(ctx, req, core::Capability::kManageMembers));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
    VAULT_ASSIGN_OR_RETURN(auto role_name, body.String("role", 20));
    VAULT_ASSIGN_OR_RETURN(auto role, core::ParseRole(role_name, "role"));
    VAULT_ASSIGN_OR_RETURN(
        auto m, workspaces_.ChangeRole(ctx, req.params["ws"], req.params["account_id"], role));
    return JsonOk(200, boost::json::object{{"account_id", m.account_id},
                                           {"role", std::string(core::RoleName(m.role))}});
  }

  core::Result<Response> Remove(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(workspaces_.RemoveMember(ctx, req.params["ws"], req.params["account_id"]));
    return Response::NoContent();
  }

  core::Result<Response> Invite(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(Gate(ctx, req, core::Capability::kManageMembers));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
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
                           workspaces_.Invite(ctx, req.params["ws"], email, role, groups, grants));
    return JsonOk(201, RenderInvitation(inv));
  }

  core::Result<Response> Invitations(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_ASSIGN_OR_RETURN(auto list, workspaces_.Invitations(ctx, req.params["ws"]));
    boost::json::array items;
    for (const auto& i : list) items.push_back(RenderInvitation(i));
    return JsonOk(200, boost::json::object{{"items", std::move(items)}});
  }

  core::Result<Response> Revoke(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(workspaces_.RevokeInvitation(ctx, req.params["ws"], req.params["id"]));
    return Response::NoContent();
  }

  core::Result<Response> Resend(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_ASSIGN_OR_RETURN(auto inv,
                           workspaces_.ResendInvitation(ctx, req.params["ws"], req.params["id"]));
    return JsonOk(200, RenderInvitation(inv));
  }

  core::Result<Response> Accept(Request& req) {
    VAULT_TRY(CheckOrigin(req, origin_));  // login CSRF
    std::optional<app::AuthContext> ctx;
    bool has_credentials = req.Header("authorization") || !req.Cookie(kSessionCookie).empty();
    if (has_credentials) {  // credentials sent are checked before the body (401 first)
      VAULT_ASSIGN_OR_RETURN(auto a, Auth(req));
      ctx = std::move(a);
    }
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
    VAULT_ASSIGN_OR_RETURN(auto token, body.String("token", 128));
    std::string name, password;
    if (!ctx) {
      VAULT_ASSIGN_OR_RETURN(auto n, body.String("name", 100));
      VAULT_ASSIGN_OR_RETURN(auto p, body.String("password", 1024));
      name = n;
      password = p;
    }
    VAULT_ASSIGN_OR_RETURN(
        auto accepted,
        workspaces_.AcceptInvitation(token, ctx ? &*ctx : nullptr, name, password, ClientOf(req)));
    boost::json::object o;
    o["workspace"] = RenderWorkspace(accepted.workspace, accepted.membership.role, false);
    if (!accepted.signed_in) return JsonOk(200, o);
    const app::SignedIn& s = *accepted.signed_in;
    o["account"] = RenderAccount(s.account);
    o["session"] = RenderSession(s.session, true, accounts_.CsrfToken(s.session));
    o["session_token"] = s.token;
    Response res = JsonOk(201, o);
    res.headers.emplace_back(
        "Set-Cookie",
        SessionCookie(s.token, s.session.expires_at - s.session.created_at, options_.dev));
    return res;
  }

  core::Result<Response> Decline(Request& req) {
    VAULT_TRY(CheckOrigin(req, origin_));  // login CSRF
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
    VAULT_ASSIGN_OR_RETURN(auto token, body.String("token", 128));
    VAULT_TRY(workspaces_.DeclineInvitation(token, ClientOf(req)));
    return Response::NoContent();
  }

  core::Result<Response> Audit(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(Gate(ctx, req, core::Capability::kReadBillingAudit));
    std::string format;
    VAULT_ASSIGN_OR_RETURN(auto q, ParseAuditQuery(req, &format));
    VAULT_ASSIGN_OR_RETURN(auto events, workspaces_.Audit(ctx, req.params["ws"], q));
    return AuditPage(events, q, format);
  }

  core::Result<Response> AdminAccounts(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(app::RequireSuperAdmin(ctx));
    VAULT_ASSIGN_OR_RETURN(auto limit, QueryLimit(req, 50, 200));
    VAULT_ASSIGN_OR_RETURN(auto list,
                           platform_.SearchAccounts(ctx, req.Query("q").value_or(""),
                                                    req.Query("cursor").value_or(""), limit));
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

  core::Result<Response> AdminAccount(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(app::RequireSuperAdmin(ctx));
    VAULT_ASSIGN_OR_RETURN(auto d, platform_.GetAccount(ctx, req.params["id"]));
    boost::json::object o = RenderAccount(d.account);
    o["disabled"] = d.account.disabled;
    boost::json::array ws;
    for (const auto& c : d.workspaces)
      ws.push_back(RenderWorkspace(c.workspace, c.role, c.has_logo));
    o["workspaces"] = std::move(ws);
    return JsonOk(200, o);
  }

  core::Result<Response> AdminPatchAccount(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(app::RequireSuperAdmin(ctx));
    VAULT_ASSIGN_OR_RETURN(auto body, JsonBody::Parse(req));
    VAULT_ASSIGN_OR_RETURN(auto disabled, body.OptBool("disabled"));
    VAULT_ASSIGN_OR_RETURN(auto super_admin, body.OptBool("super_admin"));
    auto a = platform_.UpdateAccount(ctx, req.params["id"], {disabled, super_admin});
    if (!a) return core::Fail(a.error());
    boost::json::object o = RenderAccount(*a);
    o["disabled"] = a->disabled;
    return JsonOk(200, o);
  }

  core::Result<Response> AdminWorkspaces(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(app::RequireSuperAdmin(ctx));
    VAULT_ASSIGN_OR_RETURN(auto limit, QueryLimit(req, 50, 200));
    VAULT_ASSIGN_OR_RETURN(auto list,
                           platform_.SearchWorkspaces(ctx, req.Query("q").value_or(""),
                                                      req.Query("cursor").value_or(""), limit));
    boost::json::array items;
    for (const auto& w : list) items.push_back(RenderWorkspace(w, std::nullopt, false));
    boost::json::object o{{"items", std::move(items)}};
    o["next_cursor"] = list.size() == static_cast<std::size_t>(limit)
                           ? boost::json::value(list.back().id)
                           : boost::json::value(nullptr);
    return JsonOk(200, o);
  }

  core::Result<Response> AdminWorkspace(Request& req) {
    VAULT_ASSIGN_OR_RETURN(auto ctx, Auth(req));
    VAULT_TRY(app::RequireSuperAdmin(ctx));
    VAULT_ASSIGN_OR_RETURN(auto d, platform_.GetWorkspace(ctx, req.params["id"]));
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
  std::string origin_;
};

}  // namespace

void RegisterWorkspaceRoutes(Router& router, app::AccountService& accounts,
                             app::WorkspaceService& workspaces, app::PlatformService& platform,
                             const ApiOptions& options) {
  static std::vector<std::unique_ptr<WorkspacesApi>> apis;  // live as long as the process
  apis.push_back(std::make_unique<WorkspacesApi>(accounts, workspaces, platform, options));
  apis.back()->Register(router);
}

}  // namespace vault::http
