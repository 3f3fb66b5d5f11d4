#pragma once

#include <mutex>
#include <string_view>

#include "ecomm/engine.h"
#include "engine_state.h"
#include "idempotency.h"

// What several transaction units share: an account locked on its own, and the
// answer to a retried order request.
namespace ecomm::tx {

struct AccountScope {
  Account* account = nullptr;
  std::unique_lock<std::mutex> lock;
};

// The account of `user_id` (400 for a malformed id, 404 USER_NOT_FOUND), locked.
Status OpenAccount(EngineState& state, std::string_view user_id, AccountScope* scope);

// The outcome a keyed mutation leaves for its retries; the unit fills in its part.
IdempotentOutcome KeyOutcome(IdempotentOutcome::Kind kind, Lsn lsn, TimeMs at);

// The first answer of a keyed order request (place or cancel), rebuilt for a retry:
// the order as it stood then.
Result<Committed<OrderView>> ReanswerOrder(EngineState& state, const IdempotentOutcome& earlier);

}  // namespace ecomm::tx
