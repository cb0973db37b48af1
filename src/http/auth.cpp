#include "http/auth.hpp"

#include "core/encoding.hpp"

namespace vault::http {

std::string OriginOf(const std::string& url) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  auto slash = url.find('/', scheme + 3);
  return slash == std::string::npos ? url : url.substr(0, slash);
}

std::string SessionCookie(const std::string& token, long max_age, bool dev) {
  std::string c = std::string(kSessionCookie) + "=" + token +
                  "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age);
  if (!dev) c += "; Secure";
  return c;
}

app::ClientInfo ClientOf(const Request& req) {
  const std::string* ua = req.Header("user-agent");
  std::string agent = ua ? ua->substr(0, 512) : std::string();
  // Stored and shown as text: anything that is not clean UTF-8 becomes '?'.
  if (!core::IsValidUtf8(agent))
    for (auto& c : agent)
      if (static_cast<unsigned char>(c) >= 0x80) c = '?';
  for (auto& c : agent)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
  return {req.remote_ip, agent};
}

core::Result<void> CheckOrigin(const Request& req, const std::string& allowed_origin) {
  const std::string* origin = req.Header("origin");
  if (origin && *origin != allowed_origin)
    return core::Fail(
        core::Code::kPermissionDenied, "origin.forbidden",
        "this request came from another site (Origin " + allowed_origin + " expected)");
  return {};
}

core::Result<AuthResult> Authenticate(const Request& req, app::AccountService& accounts,
                                      const std::string& allowed_origin) {
  AuthResult out;
  std::string token;
  if (const std::string* h = req.Header("authorization"); h && h->rfind("Bearer ", 0) == 0) {
    token = h->substr(7);
  } else {
    token = req.Cookie(kSessionCookie);
    out.via_cookie = !token.empty();
  }
  if (token.empty())
    return core::Fail(core::Code::kUnauthenticated, "auth.required", "sign in to continue");
  VAULT_ASSIGN_OR_RETURN(auto ctx, accounts.Authenticate(token, ClientOf(req)));
  out.ctx = std::move(ctx);
  bool writes = req.method != "GET" && req.method != "HEAD" && req.method != "OPTIONS";
  if (out.via_cookie && writes) {
    auto csrf_failed = [] {
      return core::Fail(core::Code::kPermissionDenied, "csrf.failed",
                        "cookie-authenticated changes need the X-CSRF-Token header from the same "
                        "origin");
    };
    if (const std::string* origin = req.Header("origin"); origin && *origin != allowed_origin)
      return csrf_failed();
    const std::string* sent_csrf_token = req.Header("x-csrf-token");
    // Constant-time compare: the token is a secret derived from the session.
    if (!sent_csrf_token || !accounts.CsrfTokenMatches(out.ctx.session, *sent_csrf_token))
      return csrf_failed();
  }
  return out;
}

struct ClientMemo {
  std::string authorization;  // the exact Authorization value that authenticated `client`
  std::shared_ptr<const core::ServiceClient> client;
  std::uint64_t generation = 0;     // IntegrationService::ClientsGeneration() before it
  core::Timestamp valid_until = 0;  // 0, or the end of a previous secret's grace
};

core::Result<std::shared_ptr<const core::ServiceClient>> AuthenticateServiceClient(
    const Request& req, app::IntegrationService& integration, const std::string& scope) {
  using Shared = std::shared_ptr<const core::ServiceClient>;
  const std::string* h = req.Header("authorization");
  // A client-credentials access token from /oauth2/token (ADR 0010), holding `scope`.
  if (h && h->rfind("Bearer ", 0) == 0) {
    VAULT_ASSIGN_OR_RETURN(auto client, integration.AuthenticateBearer(h->substr(7), scope));
    return Shared(std::make_shared<const core::ServiceClient>(std::move(client)));
  }
  // A product sends the same Basic credentials on every request of a keep-alive connection:
  // once they authenticated on it, the next request carrying exactly the same header is that
  // client again, until any client changes (revocation, rotation: the generation moves) or a
  // previous secret's grace ends. Constant-time compare: the header holds the secret.
  ClientMemo* memo = req.client_memo ? req.client_memo->get() : nullptr;
  if (h && memo && integration.StillAuthenticated(memo->generation, memo->valid_until) &&
      core::ConstantTimeEquals(memo->authorization, *h))
    return memo->client;
  auto creds = BasicCredentials(req);
  if (!creds)
    return core::Fail(core::Code::kUnauthenticated, "client.required",
                      "authenticate with the service client id and secret (HTTP Basic)");
  const std::uint64_t generation = integration.ClientsGeneration();
  core::Timestamp valid_until = 0;
  auto client = integration.AuthenticateClient(creds->first, creds->second, &valid_until);
  if (!client) {
    if (req.client_memo) req.client_memo->reset();  // wrong credentials forget the right ones
    return core::Fail(std::move(client).error());
  }
  Shared shared = std::make_shared<const core::ServiceClient>(std::move(*client));
  if (req.client_memo) {
    if (!memo) *req.client_memo = std::make_shared<ClientMemo>();
    ClientMemo& m = **req.client_memo;
    m.authorization = *h;
    m.client = shared;
    m.generation = generation;
    m.valid_until = valid_until;
  }
  return shared;
}

}  // namespace vault::http
