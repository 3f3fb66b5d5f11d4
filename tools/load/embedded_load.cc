#include "embedded_load.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace ecomm::load {

using Clock = std::chrono::steady_clock;

std::unique_ptr<RunStats> RunEmbedded(const LoadOptions& options, const Population& population,
                                      Ledger* ledger, EmbeddedShop* shop) {
  const int n = options.connections;
  std::vector<std::unique_ptr<RunStats>> stats;
  for (int i = 0; i < n; ++i) stats.push_back(std::make_unique<RunStats>());
  std::atomic<bool> stop{false};
  const auto start = Clock::now() + std::chrono::milliseconds(50);
  const auto end = start + options.duration;
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      VirtualUser user(options, population, ledger, i,
                       options.seed + 7919 * static_cast<uint64_t>(i));
      RunStats& mine = *stats[static_cast<size_t>(i)];
      // Open loop: this thread's k-th arrival; the threads' schedules interleave.
      auto arrival = [&](uint64_t k) {
        double seconds = (static_cast<double>(k) + static_cast<double>(i) / n) * n / options.rate;
        return start +
               std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
      };
      std::this_thread::sleep_until(start);
      for (uint64_t k = 0; !stop; ++k) {
        Clock::time_point intended = Clock::now();
        if (options.rate > 0) {
          intended = arrival(k);
          if (intended >= end) break;
          std::this_thread::sleep_until(intended);
        }
        ShopRequest request = user.Next();
        ShopReply reply = shop->Execute(population, request);
        OpStats& op = mine.ops[static_cast<size_t>(request.op)];
        op.statuses[static_cast<size_t>(std::min(reply.status, OpStats::kStatuses - 1))]++;
        op.latency.Record(static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - intended)
                .count()));
        op.NoteConflict(reply.status, reply.body);
        if (!user.Settle(request, reply)) op.unexpected++;
      }
    });
  }
  std::vector<const RunStats*> sources;
  for (auto& s : stats) sources.push_back(s.get());
  ShowProgress(sources, start, end, options.progress);
  stop = true;
  for (std::thread& t : threads) t.join();
  auto total = std::make_unique<RunStats>();
  for (auto& s : stats) total->Merge(*s);
  return total;
}

}  // namespace ecomm::load
