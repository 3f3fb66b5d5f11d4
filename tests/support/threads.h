#pragma once

#include <functional>
#include <latch>
#include <thread>
#include <vector>

namespace ecomm::testing {

// Runs body(i) for i in 0..n-1 on n threads released together, so that they race.
inline void RunConcurrently(int n, const std::function<void(int)>& body) {
  std::latch start(n);
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      body(i);
    });
  }
  for (std::thread& t : threads) t.join();
}

}  // namespace ecomm::testing
