// Throughput of the engine's hot operations, called in-process: no HTTP, no JSON.
//
// Every run gets a fresh engine from the Setup callback, shared by all its threads, so
// that orders piling up in one run neither slow nor bloat the next. Thread t of n
// uses only the users and products whose index is t mod n: the numbers then show what
// the engine costs per operation, not how one hot account lock serialises everyone.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ecomm/engine.h"
#include "ecomm/wal/memory_journal.h"

namespace ecomm {
namespace {

constexpr size_t kUsers = 10'000;
constexpr size_t kProducts = 1'000;
constexpr size_t kLinesPerBigOrder = 5;
constexpr Money kPrice = 1;
// At one unit of price 1 per line, one maximal charge pays for 10^9 lines and a
// product stocked to the 10^12 limit outlasts any run; the refills in PlaceOrder
// below are only a safety net that keeps orders succeeding if that ever changes.
constexpr Money kOpeningCharge = limits::kMaxChargeAmount;
constexpr Quantity kOpeningStock = limits::kMaxStock;

enum class Journaling { kNone, kLogged };

// Short ids fit std::string's small buffer, so setting one in a request does not
// allocate inside the timed loop.
std::string Id(std::string_view prefix, size_t index) {
  return std::string(prefix) + std::to_string(index);
}

// The engine under test with its users and products. `error` is non-empty when
// seeding failed; the benchmark then reports it instead of measuring.
struct Fixture {
  explicit Fixture(Journaling journaling)
      : journal(journaling == Journaling::kLogged ? std::make_unique<wal::MemoryJournal>()
                                                  : nullptr),
        engine(EngineOptions{.clock = nullptr, .journal = journal.get()}) {
    for (size_t i = 0; i < kUsers && error.empty(); ++i) Seed(SeedUser(i));
    for (size_t i = 0; i < kProducts && error.empty(); ++i) Seed(SeedProduct(i));
  }

  bool logged() const { return journal != nullptr; }

  std::string SeedUser(size_t i) {
    users.push_back(Id("u", i));
    auto created = engine.CreateUser(NewUser{users.back(), "bench user", "bench@example.com"});
    if (!created.ok()) return created.status().message();
    auto charged = engine.Charge(users.back(), kOpeningCharge);
    return charged.ok() ? std::string() : charged.status().message();
  }

  // Each product is also sold once, so that TopSellers has a full ranking to read.
  std::string SeedProduct(size_t i) {
    products.push_back(Id("p", i));
    auto created =
        engine.CreateProduct(NewProduct{products.back(), "bench product", kPrice, kOpeningStock});
    if (!created.ok()) return created.status().message();
    OrderRequest request{users[i % kUsers], std::vector<OrderLine>{{products.back(), 1}}};
    return PlaceOrder(request);
  }

  void Seed(std::string failure) {
    if (!failure.empty()) error = "seeding failed: " + failure;
  }

  // Places `request` and insists on a SUCCESS order. A user short of money is charged
  // and a product short of stock is restocked, then the order is retried once.
  // Returns why it did not succeed; empty on success.
  std::string PlaceOrder(const OrderRequest& request) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto placed = engine.PlaceOrder(request);
      if (!placed.ok()) return placed.status().message();
      ErrorCode failure = placed->value.failure();
      if (failure == ErrorCode::kOk) return {};
      if (failure == ErrorCode::kInsufficientBalance) {
        if (!engine.Charge(request.user_id, kOpeningCharge).ok()) return "recharge failed";
      } else if (failure == ErrorCode::kOutOfStock) {
        for (const OrderLine& line : *request.items) {
          if (!engine.Restock(line.product_id, limits::kMaxRestock).ok()) return "restock failed";
        }
      } else {
        return std::string(CodeName(failure));
      }
    }
    return "the order failed again after a refill";
  }

  std::unique_ptr<wal::MemoryJournal> journal;  // before engine: the engine points at it
  Engine engine;
  std::vector<std::string> users;
  std::vector<std::string> products;
  std::string error;
};

// Set before a run's threads start and cleared after they finish, so reads in the
// benchmark bodies need no synchronisation.
std::unique_ptr<Fixture> g_fixture;

template <Journaling kJournaling>
void SetUpFixture(const benchmark::State&) {
  g_fixture = std::make_unique<Fixture>(kJournaling);
}

void TearDownFixture(const benchmark::State&) { g_fixture.reset(); }

// The indexes below `count` that belong to the calling thread, visited round-robin.
class ThreadSlice {
 public:
  ThreadSlice(const benchmark::State& state, size_t count)
      : first_(static_cast<size_t>(state.thread_index())),
        step_(static_cast<size_t>(state.threads())),
        count_(count),
        next_(first_) {}

  size_t Next() {
    size_t index = next_;
    next_ += step_;
    if (next_ >= count_) next_ = first_;
    return index;
  }

 private:
  size_t first_;
  size_t step_;
  size_t count_;
  size_t next_;
};

// The fixture for a benchmark body, or null after reporting why there is none.
Fixture* FixtureFor(benchmark::State& state) {
  if (!g_fixture->error.empty()) {
    state.SkipWithError(g_fixture->error.c_str());
    return nullptr;
  }
  if (g_fixture->logged()) state.SetLabel("logged");
  return g_fixture.get();
}

void BM_Charge(benchmark::State& state) {
  Fixture* fixture = FixtureFor(state);
  if (fixture == nullptr) return;
  ThreadSlice users(state, kUsers);
  for (auto _ : state) {
    auto charged = fixture->engine.Charge(fixture->users[users.Next()], 1);
    if (!charged.ok()) {
      state.SkipWithError(charged.status().message().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// Orders of `lines` lines, one unit each, of distinct products of this thread.
void PlaceOrders(benchmark::State& state, size_t lines) {
  Fixture* fixture = FixtureFor(state);
  if (fixture == nullptr) return;
  ThreadSlice users(state, kUsers);
  ThreadSlice products(state, kProducts);
  // Built once; the loop only swaps ids, as a decoded HTTP request would carry them.
  OrderRequest request{.user_id = {}, .items = std::vector<OrderLine>(lines, OrderLine{{}, 1})};
  for (auto _ : state) {
    request.user_id = fixture->users[users.Next()];
    for (OrderLine& line : *request.items) line.product_id = fixture->products[products.Next()];
    std::string error = fixture->PlaceOrder(request);
    if (!error.empty()) {
      state.SkipWithError(error.c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_OrderOneLine(benchmark::State& state) { PlaceOrders(state, 1); }
void BM_OrderFiveLines(benchmark::State& state) { PlaceOrders(state, kLinesPerBigOrder); }

void BM_GetBalance(benchmark::State& state) {
  Fixture* fixture = FixtureFor(state);
  if (fixture == nullptr) return;
  ThreadSlice users(state, kUsers);
  for (auto _ : state) {
    auto balance = fixture->engine.GetBalance(fixture->users[users.Next()]);
    if (!balance.ok()) {
      state.SkipWithError(balance.status().message().c_str());
      break;
    }
    benchmark::DoNotOptimize(balance->current_balance);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Top5(benchmark::State& state) {
  Fixture* fixture = FixtureFor(state);
  if (fixture == nullptr) return;
  for (auto _ : state) {
    std::vector<TopSeller> top = fixture->engine.TopSellers().value();
    if (top.size() != limits::kTopSellersCount) {
      state.SkipWithError("TopSellers did not return 5 products");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// Threads share one engine, and wall time is what a server's clients see, so real
// time rather than the CPU time of the main thread. 0.5 s per run keeps the memory
// that orders accumulate, and the whole suite's run time, small.
template <Journaling kJournaling>
void OnEngine(benchmark::internal::Benchmark* b) {
  b->Setup(SetUpFixture<kJournaling>)
      ->Teardown(TearDownFixture)
      ->Threads(1)
      ->Threads(2)
      ->UseRealTime()
      ->MinTime(0.5);
}

// What 1 -> 2 threads can give on this machine at all, to read the lines above by: work
// that shares nothing, neither memory nor a lock. Compute is a register-only loop;
// Memory writes each time to a fresh cache line of a per-thread 64 MiB buffer (what
// records that live for ever cost the memory system, without malloc).
void BM_MachineCompute(benchmark::State& state) {
  uint64_t x = 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(state.thread_index());
  for (auto _ : state) {
    for (int i = 0; i < 64; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
    }
    benchmark::DoNotOptimize(x);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_MachineMemory(benchmark::State& state) {
  constexpr size_t kLine = 64;
  std::vector<char> buffer(size_t{64} << 20);
  size_t at = 0;
  for (auto _ : state) {
    buffer[at] = static_cast<char>(at);
    at = (at + kLine) % buffer.size();
  }
  benchmark::DoNotOptimize(buffer.data());
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_MachineCompute)->Threads(1)->Threads(2)->UseRealTime()->MinTime(0.5);
BENCHMARK(BM_MachineMemory)->Threads(1)->Threads(2)->UseRealTime()->MinTime(0.5);

constexpr auto kInMemory = OnEngine<Journaling::kNone>;
constexpr auto kLogged = OnEngine<Journaling::kLogged>;

BENCHMARK(BM_Charge)->Apply(kInMemory);
BENCHMARK(BM_OrderOneLine)->Apply(kInMemory);
BENCHMARK(BM_OrderFiveLines)->Apply(kInMemory);
BENCHMARK(BM_GetBalance)->Apply(kInMemory);
BENCHMARK(BM_Top5)->Apply(kInMemory);
// The same transactions encoding and appending their record to a MemoryJournal: the
// difference to the lines above is the cost of logging, without any disk.
BENCHMARK(BM_Charge)->Name("BM_Charge/logged")->Apply(kLogged);
BENCHMARK(BM_OrderOneLine)->Name("BM_OrderOneLine/logged")->Apply(kLogged);

}  // namespace
}  // namespace ecomm
