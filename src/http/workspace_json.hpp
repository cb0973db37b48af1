// JSON renderings of the workspace area: workspaces, members, invitations. Pure; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <optional>

#include "core/store.hpp"
#include "core/workspace.hpp"

namespace vault::http {

// role: the caller's (my_role), when known; has_logo gives logo_url.
boost::json::object RenderWorkspace(const core::Workspace& w, std::optional<core::Role> role,
                                    bool has_logo);
boost::json::object RenderMember(const core::MemberView& m);
boost::json::object RenderInvitation(const core::Invitation& i);

}  // namespace vault::http
