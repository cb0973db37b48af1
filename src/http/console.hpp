// The web console, embedded at build time (tools/embed_console.py): hashed assets served with a
// year-long immutable cache, index.html (never cached, strict Content-Security-Policy) for every
// other GET outside the API, so each emailed link (/signup/complete?token=…) opens its page.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace vault::http {

struct ConsoleAsset {
  std::string_view path;          // "/index.html", "/assets/index-3fa9c1.js"
  std::string_view content_type;  // with charset for text
  std::string_view body;
  std::string_view gzip;  // empty when compression does not pay
  std::string_view etag;  // strong, quoted
  bool immutable;         // the name carries a content hash
};

// Generated: every file of the console build.
std::span<const ConsoleAsset> ConsoleAssets();

// Console development (VAULT_CONSOLE_DIR): serve the files of `dir` (a vite build), read once
// now, instead of the embedded copy. Call before serving. False when dir has no index.html.
bool UseConsoleDirectory(const std::string& dir);

// The headers of every console page: CSP, framing, referrer (links carry tokens), sniffing.
inline constexpr std::string_view kConsoleCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

// The console's answer to a GET no API route matched, or nullopt when the path belongs to the
// API (/api/…, /oauth2/…, /.well-known/…) or is an unknown /assets/ file (→ the usual 404).
std::optional<Response> ServeConsole(const Request& req);

}  // namespace vault::http
