// Bytes of engine state per user, product, charge and order, at a million of each.
//
// Usage: memory_bench [COUNT], or --count COUNT   (default 1,000,000)
//
// Each phase creates `count` objects and reports the growth of two measures divided
// by `count`: bytes handed out by malloc (mallinfo2: exact, blind to fragmentation
// and to pages malloc keeps) and resident memory (/proc/self/statm: what the machine
// pays). The engine runs without a journal, so only its own state is counted. The
// program keeps no per-object data of its own; ids are computed from the index.
#include <cstddef>
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

// Ids of at most 15 bytes stay inside std::string's small buffer: the numbers below
// are for such ids. Each id stored as a 36-byte UUID would add a heap block (~48 B).
std::string UserId(size_t i) { return "user-" + std::to_string(i); }
std::string ProductId(size_t i) { return "prod-" + std::to_string(i); }

// Runs `create(i)` for i in [0, count), which returns an error message or "", and
// prints the growth per object. Exits on the first failure: a footprint of objects
// that were not created would be meaningless.
template <class Create>
void Phase(const char* what, size_t count, Create&& create) {
  Usage before = Measure();
  for (size_t i = 0; i < count; ++i) {
    std::string error = create(i);
    if (!error.empty()) {
      std::fprintf(stderr, "%s #%zu failed: %s\n", what, i, error.c_str());
      std::exit(1);
    }
  }
  Usage after = Measure();
  auto per_object = [count](size_t from, size_t to) {
    return (static_cast<double>(to) - static_cast<double>(from)) / static_cast<double>(count);
  };
  std::printf("| %-16s | %9zu | %10.1f | %10.1f |\n", what, count,
              per_object(before.heap, after.heap), per_object(before.resident, after.resident));
}

template <class T>
std::string ErrorOf(const Result<T>& result) {
  return result.ok() ? std::string() : result.status().message();
}

}  // namespace
}  // namespace ecomm

int main(int argc, char** argv) {
  using namespace ecomm;
  size_t count = 1'000'000;
  CLI::App app("Bytes of engine state per user, product, charge and order.", "memory_bench");
  app.add_option("--count,count", count, "objects of each kind")
      ->check(CLI::Range(size_t{1}, size_t{1'000'000'000}))
      ->capture_default_str();
  if (std::optional<int> status = tools::ParseFlags(app, argc, argv)) return *status;
  Engine engine;
  std::printf("| phase            |   objects | heap B/obj |  RSS B/obj |\n");
  std::printf("|------------------|-----------|------------|------------|\n");
  Phase("user", count, [&](size_t i) {
    return ErrorOf(engine.CreateUser(NewUser{UserId(i), "Jane Doe", "jane.doe@example.com"}));
  });
  Phase("product", count, [&](size_t i) {
    return ErrorOf(engine.CreateProduct(NewProduct{ProductId(i), "Blue mug", 10, 1'000}));
  });
  // Orders need money; charges add a balance-history entry each, so they get their
  // own line rather than inflating the users' or the orders' figure.
  Phase("charge", count, [&](size_t i) { return ErrorOf(engine.Charge(UserId(i), 1'000)); });
  // User i buys one unit of product i: a SUCCESS order with its payment entry, and a
  // distinct product per order, so the top-sellers index holds `count` products.
  Phase("one-line order", count, [&](size_t i) {
    auto placed =
        engine.PlaceOrder(OrderRequest{UserId(i), std::vector<OrderLine>{{ProductId(i), 1}}});
    if (!placed.ok()) return placed.status().message();
    ErrorCode failure = placed->value.failure();
    return failure == ErrorCode::kOk ? std::string() : std::string(CodeName(failure));
  });
  EngineCounts counts = engine.Counts();
  std::printf("\nengine counts: %llu users, %llu products, %llu orders\n",
              static_cast<unsigned long long>(counts.users),
              static_cast<unsigned long long>(counts.products),
              static_cast<unsigned long long>(counts.orders));
  return 0;
}
