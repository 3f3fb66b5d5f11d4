#include "support/log_state.h"

#include "support/wait_until.h"

namespace ecomm::testing {

bool ReachesLogState(const Database& db, LogState state, std::chrono::milliseconds timeout) {
  return WaitUntil([&] { return db.Health().state == state; }, timeout,
                   std::chrono::milliseconds(2));
}

}  // namespace ecomm::testing
