// JSON renderings of API objects. Pure; thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include "core/account.hpp"

namespace vault::http {

boost::json::object RenderAccount(const core::Account& a);
// csrf_token is included when non-empty; current marks the caller's own session.
boost::json::object RenderSession(const core::Session& s, bool current, const std::string& csrf_token);

}  // namespace vault::http
