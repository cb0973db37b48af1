// A product type definition (POST/PUT of the Super Admin's product types, http::ParseProductType)
// parsed from the input as a JSON body. An accepted definition keeps the documented bounds:
// key ≤ 40 and name ≤ 100 characters (the name a valid display name), ≤ 200 API permissions,
// ≤ 50 roles whose names are product shortnames with rank 1..1000, ≤ 50 plans whose keys are
// shortnames with 0..1,000,000 seats and 0..365 trial days and ≤ 100 features; every text
// valid UTF-8 without NUL. A refusal is invalid_argument naming a field of the definition
// ("roles[3].rank", …).
#include <cstdint>
#include <string>

#include "core/account.hpp"
#include "core/encoding.hpp"
#include "core/product.hpp"
#include "core/workspace.hpp"
#include "fuzz_util.hpp"
#include "http/product_json.hpp"
#include "json_input.hpp"

namespace {

bool Clean(const std::string& s, std::size_t max) {
  return !s.empty() && vault::fuzz::CleanText(s, max);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto body = vault::fuzz::JsonInput(vault::fuzz::AsText(data, size));
  if (!body) return 0;
  auto t = vault::http::ParseProductType(*body);
  if (!t) {
    const auto& e = t.error();
    FUZZ_CHECK(e.code == vault::core::Code::kInvalidArgument);
    const std::string& f = e.field;
    FUZZ_CHECK(f == "key" || f == "name" || f.starts_with("api_permissions") ||
               f.starts_with("roles") || f.starts_with("plans"));
    return 0;
  }
  FUZZ_CHECK(t->key.find('\0') == std::string::npos && vault::core::CodePointCount(t->key) <= 40);
  FUZZ_CHECK(Clean(t->name, 100) && vault::core::ValidateWorkspaceName(t->name, "name") &&
             *vault::core::ValidateWorkspaceName(t->name, "name") == t->name);
  FUZZ_CHECK(t->api_permissions.size() <= 200 && t->roles.size() <= 50 && t->plans.size() <= 50);
  for (const auto& p : t->api_permissions) FUZZ_CHECK(Clean(p, 128));
  for (const auto& r : t->roles) {
    FUZZ_CHECK(r.rank >= 1 && r.rank <= 1000 && r.permissions.size() <= 200);
    auto slug = vault::core::ValidateProductShortname(r.name, "name");
    FUZZ_CHECK(slug && *slug == r.name);
    for (const auto& p : r.permissions) FUZZ_CHECK(Clean(p, 128));
  }
  for (const auto& p : t->plans) {
    auto slug = vault::core::ValidateProductShortname(p.key, "key");
    FUZZ_CHECK(slug && *slug == p.key && Clean(p.name, 100));
    FUZZ_CHECK(p.seats >= 0 && p.seats <= 1000000 && p.trial_days >= 0 && p.trial_days <= 365);
    FUZZ_CHECK(p.features.size() <= 100);
    for (const auto& f : p.features) FUZZ_CHECK(Clean(f, 64));
  }
  return 0;
}
