#include "http/console.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace vault::http {
namespace {

// The assets served: the embedded table, or files read by UseConsoleDirectory (kept alive here).
struct DirectoryCopy {
  std::vector<std::string> strings;  // owns what the views of `assets` point at
  std::vector<ConsoleAsset> assets;
};
DirectoryCopy* g_directory = nullptr;

std::span<const ConsoleAsset> Assets() {
  if (g_directory) return g_directory->assets;
  return ConsoleAssets();
}

std::string_view TypeOf(const std::string& ext) {
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  return "application/octet-stream";
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Paths the console never answers: the API keeps its JSON 404 there.
bool IsApiPath(std::string_view path) {
  return StartsWith(path, "/api/") || path == "/api" || StartsWith(path, "/oauth2/") ||
         StartsWith(path, "/.well-known/");
}

const ConsoleAsset* Find(std::string_view path) {
  for (const ConsoleAsset& a : Assets())
    if (a.path == path) return &a;
  return nullptr;
}

bool AcceptsGzip(const Request& req) {
  const std::string* ae = req.Header("accept-encoding");
  return ae && ae->find("gzip") != std::string::npos;
}

Response Serve(const Request& req, const ConsoleAsset& a) {
  Response r;
  r.status = 200;
  r.content_type = std::string(a.content_type);
  r.headers.emplace_back("ETag", std::string(a.etag));
  r.headers.emplace_back("Vary", "Accept-Encoding");
  if (a.path == "/index.html") {
    // Never cached: it names the hashed assets of this build. The CSP allows no inline script
    // and no other origin; no-referrer keeps tokens in the URL out of Referer headers.
    r.headers.emplace_back("Cache-Control", "no-store");
    r.headers.emplace_back("Content-Security-Policy", std::string(kConsoleCsp));
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
    r.headers.emplace_back("X-Frame-Options", "DENY");
    r.headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
    r.headers.emplace_back("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  } else if (a.immutable) {
    r.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
  } else {
    r.headers.emplace_back("Cache-Control", "public, max-age=3600");
  }
  const std::string* inm = req.Header("if-none-match");
  if (inm && *inm == a.etag && a.path != "/index.html") {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  if (!a.gzip.empty() && AcceptsGzip(req)) {
    r.headers.emplace_back("Content-Encoding", "gzip");
    r.body = std::string(a.gzip);
  } else {
    r.body = std::string(a.body);
  }
  return r;
}

}  // namespace

bool UseConsoleDirectory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(fs::path(dir) / "index.html", ec)) return false;
  auto* copy = new DirectoryCopy();  // lives for the process, like the embedded table
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    files.emplace_back("/" + fs::relative(e.path(), dir).generic_string(), body.str());
  }
  copy->strings.reserve(files.size() * 3);
  for (auto& [path, body] : files) {
    std::string ext = fs::path(path).extension().string();
    copy->strings.push_back(path);
    std::string_view p = copy->strings.back();
    copy->strings.push_back(std::move(body));
    std::string_view b = copy->strings.back();
    copy->strings.push_back("\"dev-" + std::to_string(std::hash<std::string_view>{}(b)) + "\"");
    std::string_view etag = copy->strings.back();
    copy->assets.push_back({p, TypeOf(ext), b, {}, etag, StartsWith(p, "/assets/")});
  }
  g_directory = copy;
  return true;
}

std::optional<Response> ServeConsole(const Request& req) {
  if (req.method != "GET" || IsApiPath(req.path)) return std::nullopt;
  if (req.path != "/index.html") {
    if (const ConsoleAsset* a = Find(req.path)) return Serve(req, *a);
  }
  // A missing hashed asset is a stale page after a deploy: a 404, not the HTML shell.
  if (StartsWith(req.path, "/assets/")) return std::nullopt;
  const ConsoleAsset* index = Find("/index.html");
  if (!index) return std::nullopt;
  return Serve(req, *index);
}

}  // namespace vault::http
