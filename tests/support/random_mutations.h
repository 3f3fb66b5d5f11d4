#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ecomm/engine.h"

namespace ecomm::testing {

// A small shop: users u0..u{users-1} charged `balance`, products p0..p{products-1}.
struct ShopShape {
  int users = 6;
  int products = 5;
  Money balance = 50'000;
  Quantity stock = 100'000;
  bool restocks = true;  // false keeps stock explained by orders alone
};

// Creates the shop; returns the highest LSN, or 0 if any step failed.
Lsn SeedShop(Engine& engine, const ShopShape& shape);
// Creates the shop and waits until it is durable (on a log that has not failed:
// its tickets are in epoch 0); false if either failed.
bool SeedShopDurably(Engine& engine, const ShopShape& shape = {});

// Seeded random mutations of every kind (charges with and without idempotency keys,
// orders, carts, checkouts, cancels, restocks), for crash and kill tests.
class RandomMutations {
 public:
  RandomMutations(Engine& engine, uint64_t seed, ShopShape shape);

  // Performs one mutation. Its ticket (lsn 0 when the request was rejected and
  // nothing was logged), or nothing when the engine answered UNAVAILABLE.
  std::optional<CommitTicket> Step();
  // Orders this instance placed that ended SUCCESS and were not cancelled by it.
  const std::vector<std::string>& live_orders() const { return live_orders_; }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  template <class R>
  std::optional<CommitTicket> Outcome(const R& result);

  Engine& engine_;
  std::mt19937_64 rng_;
  uint64_t seed_;
  ShopShape shape_;
  uint64_t keys_ = 0;
  std::vector<std::string> live_orders_;
};

}  // namespace ecomm::testing
