// JSON renderings of the workspace area: workspaces, members, invitations. Pure; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "app/platform_service.hpp"
#include "app/workspace_service.hpp"
#include "core/store.hpp"
#include "core/workspace.hpp"

namespace vault::http {

// role: the caller's (my_role), when known; has_logo gives logo_url.
boost::json::object RenderWorkspace(const core::Workspace& w, std::optional<core::Role> role,
                                    bool has_logo);
// A workspace as the Super Admin's lists show it (no role, no logo; with suspension_reason).
boost::json::object RenderAdminWorkspace(const core::Workspace& w);
// {items:[workspace…], last_workspace_id}: the caller's workspaces.
boost::json::object RenderMyWorkspaces(const app::MyWorkspaces& mine);
// The workspace with its members (the Super Admin's view).
boost::json::object RenderWorkspaceDetail(const app::WorkspaceDetail& d);
boost::json::object RenderMember(const core::MemberView& m);
// {account_id, role}: a changed membership.
boost::json::object RenderMembership(const core::Membership& m);
boost::json::object RenderInvitation(const core::Invitation& i);
// {items:[invitation with its workspace…]}: the invitations sent to the caller.
boost::json::object RenderMyInvitations(
    const std::vector<std::pair<core::Invitation, core::Workspace>>& list);
// {workspace}: an accepted invitation (the session, if it made one, is added by the handler).
boost::json::object RenderAccepted(const app::InvitationAccepted& a);

}  // namespace vault::http
