// JSON of the product area: parsing a product type definition and a Chargebee webhook event,
// and rendering product types, products, subscriptions, grants, groups and access decisions.
// Thread-safe (stateless).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <utility>
#include <vector>

#include "app/integration_service.hpp"
#include "app/product_service.hpp"
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
// A Chargebee subscription object (webhook content or API answer); errors name the field
// under `at` ("content.subscription.").
core::Result<app::ChargebeeSubscription> ParseChargebeeSubscription(const JsonBody& sub,
                                                                    const std::string& at);
// The answer of Chargebee's GET /subscriptions/{id}: {"subscription":{…}}.
core::Result<app::ChargebeeSubscription> ParseChargebeeAnswer(const std::string& text);

boost::json::object RenderType(const core::ProductType& t);
boost::json::value RenderSubscription(const std::optional<core::Subscription>& s);
boost::json::object RenderProduct(const app::ProductRow& r);
boost::json::object RenderGrant(const core::Grant& g);
boost::json::object RenderGroup(const core::Group& g);
// The group with its member ids and its product assignments.
boost::json::object RenderGroupDetail(const app::GroupDetail& d);
boost::json::object RenderDecision(const app::AccessQuery& q, const core::AccessDecision& d);
// The same object serialized, written directly without a JSON value (the access check answers
// every request a product serves).
std::string RenderDecisionText(const app::AccessQuery& q, const core::AccessDecision& d);
// `object` (a serialized JSON object) with "config":<the decision's configuration> added when
// asked for and known; the configuration is spliced in as the text the model keeps.
std::string WithConfig(std::string object, const core::AccessDecision& d, bool include);
// GET/PUT …/config: {product_id, config, version, updated_at, updated_by}.
std::string RenderProductConfig(const core::ProductConfig& c);
// {results:[decision…]}: the answer of a batch check, in the order asked.
boost::json::object RenderDecisions(
    const std::vector<std::pair<app::AccessQuery, core::AccessDecision>>& results);
// The decision with the chain of facts it was made from (POST /api/v1/access/explain).
boost::json::object RenderExplanation(const app::AccessQuery& q, const core::AccessDecision& d,
                                      const core::AccessFacts& f);
// Never the secret (shown once, at creation).
boost::json::object RenderServiceClient(const core::ServiceClient& c);
// A new service client with its secret: the one answer that shows it.
boost::json::object RenderIssuedClient(const app::IssuedClient& issued);

}  // namespace vault::http
