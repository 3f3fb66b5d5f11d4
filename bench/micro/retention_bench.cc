// Memory of a long-lived engine: what stays when time passes. Places `orders` orders,
// every (orders / keyed)-th with an Idempotency-Key, then moves the engine clock 25 h
// and sweeps as a Database's maintenance thread does (SweepExpired, 20,000 per 200 ms
// tick). Orders are business data and stay; expired keys and top-seller minutes go.
//
// Usage: retention_bench [ORDERS] [KEYED], or --orders, --keyed   (default 10,000,000
// and 1,000,000)
//
// Prints heap (mallinfo2) and RSS (/proc/self/statm) with the engine's counts after the
// orders, after the 25 h and the sweep, after malloc_trim(0) (glibc keeps freed pages
// until asked, so RSS alone hides whether the memory was given back), and after
// `keyed` more orders that all carry a key (whether the next day reuses what was freed).
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "cli_flags.h"
#include "ecomm/engine.h"
#include "memory_usage.h"

namespace ecomm {
namespace {

constexpr size_t kUsers = 100'000;
constexpr size_t kProducts = 1'000;

std::string UserId(size_t i) { return "user-" + std::to_string(i); }
std::string ProductId(size_t i) { return "prod-" + std::to_string(i); }

void Report(const char* when, const Engine& engine) {
  Usage usage = Measure();
  EngineCounts counts = engine.Counts();
  std::printf("| %-28s | %8.0f | %8.0f | %10llu | %9llu | %7llu |\n", when,
              static_cast<double>(usage.heap) / (1 << 20),
              static_cast<double>(usage.resident) / (1 << 20),
              static_cast<unsigned long long>(counts.orders),
              static_cast<unsigned long long>(counts.idempotency_keys),
              static_cast<unsigned long long>(counts.top_seller_minutes));
  std::fflush(stdout);
}

[[noreturn]] void Die(const std::string& what, const Status& status) {
  std::fprintf(stderr, "%s: %s\n", what.c_str(), status.message().c_str());
  std::exit(1);
}

}  // namespace
}  // namespace ecomm

int main(int argc, char** argv) {
  using namespace ecomm;
  size_t orders = 10'000'000;
  size_t keyed = 1'000'000;
  CLI::App app("Memory of a long-lived engine before and after 25 h of engine time.",
               "retention_bench");
  app.add_option("--orders,orders", orders, "orders placed")
      ->check(CLI::Range(size_t{1}, size_t{1'000'000'000}))
      ->capture_default_str();
  app.add_option("--keyed,keyed", keyed, "of them with an Idempotency-Key, 1..ORDERS")
      ->check(CLI::Range(size_t{1}, size_t{1'000'000'000}))
      ->capture_default_str();
  if (std::optional<int> status = tools::ParseFlags(app, argc, argv)) return *status;
  if (keyed > orders) return tools::UsageError(app, "--keyed is at most --orders");
  const size_t key_every = orders / keyed;
  Engine engine;
  for (size_t i = 0; i < kUsers; ++i) {
    if (auto r = engine.CreateUser(NewUser{UserId(i), "Jane Doe", "jane@example.com"}); !r.ok()) {
      Die("user", r.status());
    }
    if (auto r = engine.Charge(UserId(i), 1'000'000'000); !r.ok()) Die("charge", r.status());
  }
  for (size_t i = 0; i < kProducts; ++i) {
    if (auto r = engine.CreateProduct(NewProduct{ProductId(i), "Blue mug", 10, 1'000'000'000'000});
        !r.ok()) {
      Die("product", r.status());
    }
  }
  std::printf("| %-28s | heap MiB |  RSS MiB |     orders | idem keys | minutes |\n", "after");
  std::printf(
      "|------------------------------|----------|----------|------------|-----------|---------|"
      "\n");
  Report("users and products", engine);
  // Orders [from, to); those whose index is a multiple of `every` carry a key.
  auto place = [&](size_t from, size_t to, size_t every) {
    for (size_t i = from; i < to; ++i) {
      OrderRequest request{UserId(i % kUsers),
                           std::vector<OrderLine>{{ProductId(i % kProducts), 1}}};
      IdempotencyKey key{"order-" + std::to_string(i), "POST /order"};
      auto placed = engine.PlaceOrder(request, i % every == 0 ? &key : nullptr);
      if (!placed.ok()) Die("order", placed.status());
    }
  };
  auto start = std::chrono::steady_clock::now();
  place(0, orders, key_every);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Report("the orders", engine);
  if (auto r = engine.AdvanceClock(25 * 3600); !r.ok()) Die("clock", r.status());
  size_t ticks = 0;
  while (engine.SweepExpired(20'000) > 0) ++ticks;
  Report("25 h and the sweep", engine);
  malloc_trim(0);
  Report("malloc_trim(0)", engine);
  // The next day's keys: `keyed` more orders, each with a key. Had the freed memory not
  // been reused, RSS would grow by the keys' share too, not only by the orders'.
  place(orders, orders + keyed, 1);
  Report("the next day, all keyed", engine);
  std::printf("\n%zu orders in %.1f s; the sweep took %zu maintenance ticks (%.1f s at 200 ms)\n",
              orders, seconds, ticks, static_cast<double>(ticks) * 0.2);
  return 0;
}
