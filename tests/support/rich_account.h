#pragma once

#include <memory>
#include <string>

#include "ecomm/engine.h"

namespace ecomm::testing {

// An engine (no journal, the system clock) loaded from a snapshot that holds one
// user, `user_id`, with `balance` and no history: how a test reaches a balance near
// 2^53-1, which real charges of at most 10^9 would take nine million records to reach.
std::unique_ptr<Engine> EngineWithBalance(const std::string& user_id, Money balance);

}  // namespace ecomm::testing
