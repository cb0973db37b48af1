#include "http/workspace_json.hpp"

#include <boost/json.hpp>

namespace vault::http {

boost::json::object RenderWorkspace(const core::Workspace& w, std::optional<core::Role> role,
                                    bool has_logo) {
  boost::json::object o;
  o["id"] = w.id;
  o["name"] = w.name;
  o["shortname"] = w.shortname;
  o["description"] = w.description;
  o["require_2fa"] = w.require_2fa;
  o["suspended"] = w.suspended();
  o["suspended_at"] = w.suspended() ? boost::json::value(core::FormatRfc3339(w.suspended_at))
                                    : boost::json::value(nullptr);
  o["created_at"] = core::FormatRfc3339(w.created_at);
  o["updated_at"] = core::FormatRfc3339(w.updated_at);
  if (role) o["my_role"] = std::string(core::RoleName(*role));
  o["logo_url"] = has_logo ? boost::json::value("/api/v1/workspaces/" + w.id + "/logo")
                           : boost::json::value(nullptr);
  return o;
}

boost::json::object RenderAdminWorkspace(const core::Workspace& w) {
  boost::json::object o = RenderWorkspace(w, std::nullopt, false);
  // The reason is for the operators; members see only that the workspace is suspended.
  o["suspension_reason"] =
      w.suspended() ? boost::json::value(w.suspension_reason) : boost::json::value(nullptr);
  return o;
}

boost::json::object RenderMyWorkspaces(const app::MyWorkspaces& mine) {
  boost::json::array items;
  for (const auto& card : mine.cards)
    items.push_back(RenderWorkspace(card.workspace, card.role, card.has_logo));
  boost::json::object o;
  o["items"] = std::move(items);
  o["last_workspace_id"] = mine.last_workspace_id.empty()
                               ? boost::json::value(nullptr)
                               : boost::json::value(mine.last_workspace_id);
  return o;
}

boost::json::object RenderWorkspaceDetail(const app::WorkspaceDetail& d) {
  boost::json::object o = RenderAdminWorkspace(d.workspace);
  boost::json::array members;
  for (const auto& m : d.members) members.push_back(RenderMember(m));
  o["members"] = std::move(members);
  return o;
}

boost::json::object RenderMembership(const core::Membership& m) {
  return boost::json::object{{"account_id", m.account_id},
                             {"role", std::string(core::RoleName(m.role))}};
}

boost::json::object RenderMyInvitations(
    const std::vector<std::pair<core::Invitation, core::Workspace>>& list) {
  boost::json::array items;
  for (const auto& [inv, w] : list) {
    boost::json::object o = RenderInvitation(inv);
    o["workspace"] = {{"id", w.id}, {"name", w.name}, {"shortname", w.shortname}};
    items.push_back(std::move(o));
  }
  return boost::json::object{{"items", std::move(items)}};
}

boost::json::object RenderAccepted(const app::InvitationAccepted& a) {
  boost::json::object o;
  o["workspace"] = RenderWorkspace(a.workspace, a.membership.role, false);
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

}  // namespace vault::http
