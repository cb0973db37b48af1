// The HTTP Basic Authorization header (RFC 7617) as the pair it carries: the parser alone, apart
// from authentication (http/auth.hpp), so it can be tested and fuzzed without the app layer.
// Thread-safe (stateless).
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "http/message.hpp"

namespace vault::http {

// user:password of an HTTP Basic Authorization header ("Basic " + base64, standard or url
// alphabet, padding optional); the user is what comes before the first ':'. nullopt without
// such a header or when it does not decode to a text with a ':'.
std::optional<std::pair<std::string, std::string>> BasicCredentials(const Request& req);

}  // namespace vault::http
