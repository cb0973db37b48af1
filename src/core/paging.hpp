// Keyset paging of the storage lists: a page is the rows strictly after the last row the caller
// saw, in the list's order, so rows inserted or deleted meanwhile never repeat or shift others.
#pragma once

#include <string>

#include "core/clock.hpp"

namespace vault::core {

struct Page {
  int limit = 0;             // rows at most; 0 = every row
  std::string after_id;      // the id of the last row seen; "" = from the first row
  std::string after_key;     // its sort key, for lists ordered by a text key then id
  Timestamp after_time = 0;  // its time, for lists ordered by a time then id
};

}  // namespace vault::core
