#include "support/log_state.h"

#include <thread>

namespace ecomm::testing {

bool ReachesLogState(const Database& db, LogState state, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (db.Health().state != state) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace ecomm::testing
