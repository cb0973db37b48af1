// Seat limits shared by the product and invitation use cases. Thread-safe (stateless).
#pragma once

#include "core/product.hpp"
#include "core/store.hpp"

namespace vault::app {

// Fails failed_precondition "product.seat_limit" when the product now has more users (direct
// or through groups) than its plan allows. Call inside the writing transaction, after the change.
core::Result<void> CheckSeats(core::Tx& tx, const core::Product& product);

}  // namespace vault::app
