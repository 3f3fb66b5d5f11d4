#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ecomm/types.h"
#include "replica_set.h"

namespace ecomm::load {

// What a virtual user does; the mix gives each a weight.
enum class Op : uint8_t {
  kBrowse,       // GET /products?limit=20 or GET /products/{id}
  kTop,          // GET /products/top
  kCartAdd,      // POST /cart/add
  kCartRemove,   // DELETE /cart/remove
  kCharge,       // POST /balance/charge
  kOrder,        // POST /order with items
  kOrderCart,    // POST /order {"fromCart":true}
  kCancel,       // POST /orders/{id}/cancel of an order this run placed
  kHistory,      // GET /orders?userId= or GET /balance/history?userId=
  kRestock,      // POST /products/{id}/restock (admin)
  kCouponIssue,  // POST /coupons/{id}/issue: the run's campaign to a user (a flash crowd)
};
inline constexpr size_t kOpCount = 11;
const char* OpName(Op op);
std::optional<Op> ParseOpName(std::string_view name);

// A coupon campaign's discount (SPEC "Coupons"): a percentage (PERCENT, capped by `max`
// when set) or an amount of money (FIXED).
struct Discount {
  DiscountType type = DiscountType::kPercent;
  int64_t value = 10;
  std::optional<int64_t> max;

  // What an order whose items total `total` (0..2^53-1) is discounted by: FIXED
  // min(value, total), PERCENT floor(total * value / 100) capped by `max`.
  int64_t Of(int64_t total) const;
  // As --coupon-discount takes it: "10%" or "500".
  std::string Text() const;
};

struct LoadOptions {
  // The server, or several replicas of one shop (requests follow the primary).
  std::vector<ReplicaUrl> urls = {ReplicaUrl{"127.0.0.1", 8080}};
  // With several URLs: how long one request may be retried and moved between replicas
  // (a failover), and how long the audit waits for the replicas to catch up.
  std::chrono::milliseconds failover_wait{30'000};
  int connections = 64;
  int threads = 2;
  std::chrono::seconds duration{10};
  double rate = 0;  // requests/s, open loop; 0: closed loop
  std::array<uint32_t, kOpCount> mix{};
  int users = 200;
  int products = 10;
  double hot = 0;            // share of order lines on the first product (flash sale)
  double hot_user = 0;       // share of requests acting for the first user (one hot account)
  double zipf = 0;           // > 0: products and users drawn with this Zipf exponent
  int order_lines = 3;       // an order has 1..order_lines lines
  int64_t max_quantity = 3;  // of 1..max_quantity units each
  int64_t stock = 1'000'000;
  int64_t balance = 1'000'000'000;  // each user's opening charge
  // With coupon_issue in the mix: the run's campaign, of `coupons` user coupons, and the
  // share of orders that carry one the user holds.
  int64_t coupons = 1000;
  Discount coupon_discount;
  double coupon_use = 0.5;
  std::string admin_token;
  // --auth jwt servers: the key each simulated user's token is minted with.
  std::string jwt_key;                // PEM private key (ES256 or RS256)
  std::string jwt_hs256_secret_file;  // or an HS256 secret
  std::optional<std::string> jwt_issuer, jwt_audience;
  std::string json_path;
  bool audit = true;
  bool embedded = false;
  std::string data_dir;  // --embedded: the engine's data directory (default: a temp dir)
  uint64_t seed = 0;     // 0: from the clock
  std::string prefix;    // of the run's user and product ids (default: random)
  bool progress = true;
};

// The default mix: a shop's traffic, mostly reads, a quarter orders.
std::array<uint32_t, kOpCount> DefaultMix();

// Parses argv with the tools library, after --config FILE's lines (the flags' names
// without "--", one "name = value" per line, # comments). On --help or an error,
// returns nothing and sets `*message` (the usage for stdout, or what is wrong and "see
// --help" for stderr) and `*exit_code` (0 or 2).
std::optional<LoadOptions> ParseLoadOptions(int argc, const char* const* argv, std::string* message,
                                            int* exit_code);
// "order=5,browse=3": op weights; the others 0.
bool ParseMix(std::string_view text, std::array<uint32_t, kOpCount>* mix, std::string* error);

}  // namespace ecomm::load
