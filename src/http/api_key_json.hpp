// JSON renderings of API keys and of key verdicts. Pure; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "app/api_key_service.hpp"
#include "core/api_key.hpp"

namespace vault::http {

// A key as lists and pages show it: never the secret, only the prefix and the last four.
boost::json::object RenderKey(const core::ApiKey& k, core::Timestamp now);
// {items:[key…], next_cursor}: a page of keys.
boost::json::object RenderKeyPage(const app::KeyPage& page, core::Timestamp now);
// A new key with its full text ("key"): the one answer that shows it.
boost::json::object RenderIssuedKey(const app::IssuedKey& issued, core::Timestamp now);
// A rolled key: the new one with its text, and the previous one ("previous").
boost::json::object RenderRolledKey(const app::RolledKey& rolled, core::Timestamp now);

// The verify answer, written directly: it is on every product request, and building a
// boost::json::object for it cost more than the key check itself.
// With include_config, a valid verdict also carries the product's configuration as `config`.
std::string RenderVerdict(const app::KeyVerdict& v, bool include_config = false);

}  // namespace vault::http
