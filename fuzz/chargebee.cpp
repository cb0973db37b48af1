// The Chargebee webhook body (POST /api/v1/billing/chargebee/webhook, http::ParseChargebeeEvent)
// and the answer of Chargebee's GET /subscriptions/{id} that reconciliation reads
// (ParseChargebeeAnswer), both parsed from the input as a JSON body. Checked against an
// independent reading with Boost.JSON: an accepted event has a positive occurred_at, its texts
// within their limits, NUL-free and valid UTF-8, and the plan Chargebee's documents say (plan_id,
// else the first subscription item of type "plan" or of no type, else the first item); the
// linked product is cf_vault_product_id, else meta_data.vault_product_id. A refusal is
// invalid_argument naming a field of the event ("content.subscription.status", …).
#include <boost/json.hpp>
#include <cstdint>
#include <string>

#include "fuzz_util.hpp"
#include "http/product_json.hpp"
#include "json_input.hpp"

namespace {

namespace json = boost::json;

const json::value* At(const json::value* v, std::string_view name) {
  if (!v || !v->is_object()) return nullptr;
  const json::value* out = v->as_object().if_contains(name);
  return out && !out->is_null() ? out : nullptr;
}

std::string Str(const json::value* v) {
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

// The plan a subscription object names, by Chargebee's documents.
std::string ExpectedPlan(const json::value* sub) {
  if (std::string p = Str(At(sub, "plan_id")); !p.empty()) return p;
  const json::value* items = At(sub, "subscription_items");
  if (!items || items->as_array().empty()) return "";
  const auto& arr = items->as_array();
  std::size_t pick = 0;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const json::value* type = At(&arr[i], "item_type");
    if (!type || Str(type) == "plan") {
      pick = i;
      break;
    }
  }
  return Str(At(&arr[pick], "item_price_id"));
}

void CheckSubscription(const vault::app::ChargebeeSubscription& s, const json::value* sub) {
  FUZZ_CHECK(vault::fuzz::CleanText(s.id, 128) && vault::fuzz::CleanText(s.status, 32) &&
             vault::fuzz::CleanText(s.plan_id, 128));
  FUZZ_CHECK(s.id == Str(At(sub, "id")) && s.status == Str(At(sub, "status")));
  FUZZ_CHECK(s.plan_id == ExpectedPlan(sub));
  const json::value* end = At(sub, "current_term_end");
  FUZZ_CHECK(end ? end->to_number<std::int64_t>() == s.term_end : s.term_end == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(vault::fuzz::AsText(data, size));
  auto body = vault::fuzz::JsonInput(text);
  if (!body) return 0;
  json::value ref = json::parse(text);

  auto e = vault::http::ParseChargebeeEvent(*body);
  if (e) {
    FUZZ_CHECK(e->occurred_at > 0 &&
               e->occurred_at == At(&ref, "occurred_at")->to_number<std::int64_t>());
    FUZZ_CHECK(vault::fuzz::CleanText(e->event_id, 128) &&
               vault::fuzz::CleanText(e->event_type, 128) &&
               vault::fuzz::CleanText(e->vault_product_id, 64));
    FUZZ_CHECK(e->event_id == Str(At(&ref, "id")) && e->event_type == Str(At(&ref, "event_type")));
    const json::value* sub = At(At(&ref, "content"), "subscription");
    vault::app::ChargebeeSubscription s{e->subscription_id, e->status, e->plan_id, e->term_end};
    CheckSubscription(s, sub);
    std::string cf = Str(At(sub, "cf_vault_product_id"));
    std::string meta = Str(At(At(sub, "meta_data"), "vault_product_id"));
    FUZZ_CHECK(e->vault_product_id == (At(sub, "cf_vault_product_id") ? cf : meta));
  } else {
    const auto& err = e.error();
    FUZZ_CHECK(err.code == vault::core::Code::kInvalidArgument);
    const std::string& f = err.field;
    FUZZ_CHECK(f == "id" || f == "event_type" || f == "occurred_at" || f.starts_with("content"));
  }

  auto answer = vault::http::ParseChargebeeAnswer(text);
  if (answer) {
    CheckSubscription(*answer, At(&ref, "subscription"));
  } else {
    FUZZ_CHECK(answer.error().code == vault::core::Code::kInvalidArgument);
    FUZZ_CHECK(answer.error().field.starts_with("subscription"));
  }
  return 0;
}
