#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace ecomm::testing {

// Calls `done` every `poll` until it holds (true) or `timeout` has passed (false): a
// test waits for a state another thread or process reaches, never for a fixed time.
inline bool WaitUntil(const std::function<bool()>& done,
                      std::chrono::steady_clock::duration timeout,
                      std::chrono::steady_clock::duration poll = std::chrono::milliseconds(50)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(poll);
  }
  return true;
}

}  // namespace ecomm::testing
