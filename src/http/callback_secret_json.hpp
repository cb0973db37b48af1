// JSON renderings of callback signing secrets and of signatures and verdicts. Pure; thread-safe.
#pragma once

#include <boost/json/object.hpp>

#include "app/callback_signing.hpp"

namespace vault::http {

// A secret as lists show it: never the key, only its last four characters and its state.
boost::json::object RenderCallbackSecret(const core::CallbackSecret& s, core::Timestamp now);
// A new secret with its text ("secret"): the one answer that shows it.
boost::json::object RenderIssuedCallbackSecret(const app::IssuedCallbackSecret& issued,
                                               core::Timestamp now);
// A roll: the new secret with its text, and the previous one ("previous").
boost::json::object RenderRolledCallbackSecret(const app::RolledCallbackSecret& rolled,
                                               core::Timestamp now);
// {headers:{X-Atomyx-Timestamp, X-Atomyx-Signature}, timestamp, secret_ids}.
boost::json::object RenderSignedCallback(const app::SignedCallback& signed_callback);
// {valid, secret_id|null, reason|null}.
boost::json::object RenderCallbackVerdict(const app::CallbackVerdict& v);

}  // namespace vault::http
