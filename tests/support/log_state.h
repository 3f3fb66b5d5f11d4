#pragma once

#include <chrono>

#include "ecomm/database.h"

namespace ecomm::testing {

// Polls db.Health() until the log is in `state`; false once `timeout` has passed.
bool ReachesLogState(const Database& db, LogState state,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace ecomm::testing
