// The OAuth request readers (http/oauth_request.*): the token-side form body with its client
// authentication, and the authorization request's query with the query it returns to after
// sign-in. Input: the first line is the Authorization header, the rest the body — and, the same
// bytes, the query. Invariants: an accepted form has each name once, no empty value, and every
// value is what ParseForm decoded; client authentication never succeeds without a client id and
// names exactly one method; the authorize parameters hold the first value of each name and
// record a repeat; the return query parses again and never carries prompt=login, max_age or a
// chooser answer.
#include "http/oauth_request.hpp"

#include <cstdint>
#include <set>
#include <string>

#include "core/product.hpp"
#include "fuzz_util.hpp"

using vault::http::Request;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = vault::fuzz::AsText(data, size);
  auto nl = text.find('\n');
  std::string authorization(nl == std::string_view::npos ? std::string_view() : text.substr(0, nl));
  std::string body(nl == std::string_view::npos ? text : text.substr(nl + 1));

  Request req;
  req.method = "POST";
  req.headers.emplace_back("content-type", "application/x-www-form-urlencoded; charset=utf-8");
  if (!authorization.empty()) req.headers.emplace_back("authorization", authorization);
  req.body = body;
  auto form = vault::http::ReadForm(req);
  if (form) {
    auto pairs = vault::http::ParseForm(body);
    FUZZ_CHECK(pairs.has_value());
    std::set<std::string> names;
    for (const auto& [k, v] : form->params) {
      FUZZ_CHECK(!v.empty());
      FUZZ_CHECK(names.insert(k).second);
    }
    auto auth = vault::http::ReadClientAuth(req, *form);
    if (auth) {
      FUZZ_CHECK(auth->client_id.empty() == false || !authorization.empty());
      // never both methods: a Basic header and a client_secret in the body
      FUZZ_CHECK(!(authorization.rfind("Basic ", 0) == 0 && form->Get("client_secret")));
    } else {
      FUZZ_CHECK(auth.error().id == "oauth.invalid_client" ||
                 auth.error().id == "oauth.invalid_request");
    }
  } else {
    FUZZ_CHECK(form.error().id == "oauth.invalid_request");
  }

  Request get;
  get.method = "GET";
  get.query = body;
  auto params = vault::http::ReadAuthorizeParams(get);
  if (params) {
    auto pairs = vault::http::ParseForm(body);
    FUZZ_CHECK(pairs.has_value());
    for (const auto& [k, v] : *pairs)
      if (k == "client_id" && !v.empty()) {
        FUZZ_CHECK(!params->client_id.empty());
        break;
      }
    std::string back = vault::http::ReturnQuery(get);
    auto again = vault::http::ParseForm(back);
    FUZZ_CHECK(again.has_value());
    for (const auto& [k, v] : *again) {
      FUZZ_CHECK(k != "max_age" && k != "workspace_id" && k != "product_id");
      if (k == "prompt")
        for (const auto& w : vault::core::SplitWords(v)) FUZZ_CHECK(w != "login");
    }
  }
  return 0;
}
