// Parsing of the richer product-area request bodies: a product type definition and a Chargebee
// webhook event. Thread-safe (stateless).
#pragma once

#include "app/integration_service.hpp"
#include "core/product.hpp"
#include "http/json_body.hpp"

namespace vault::http {

// {key, name, api_permissions:[…], roles:[{name, rank, permissions:[…]}],
//  plans:[{key, name, seats, trial_days, features:[…]}]}
core::Result<core::ProductType> ParseProductType(const JsonBody& body);

// A Chargebee event: {id, event_type, occurred_at, content:{subscription:{id, status,
// plan_id | subscription_items:[{item_price_id}], current_term_end, meta_data:{vault_product_id}
// | cf_vault_product_id}}}.
core::Result<app::ChargebeeEvent> ParseChargebeeEvent(const JsonBody& body);

}  // namespace vault::http
