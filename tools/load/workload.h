#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "load_options.h"

namespace ecomm::load {

// The coupon campaign a run creates when its mix issues coupons.
struct Campaign {
  std::string id;
  Discount discount;
  int64_t total_quantity;
};

// The users and products a run creates for itself (ids start with the run's prefix, so
// runs against one server do not meet), and how requests pick among them.
class Population {
 public:
  Population(const LoadOptions& options, std::string prefix);

  const std::string& prefix() const { return prefix_; }
  int users() const { return static_cast<int>(user_ids_.size()); }
  int products() const { return static_cast<int>(product_ids_.size()); }
  const std::string& user_id(int i) const { return user_ids_[static_cast<size_t>(i)]; }
  const std::string& product_id(int i) const { return product_ids_[static_cast<size_t>(i)]; }
  int64_t price(int product) const { return 100 + (product * 37) % 900; }
  int64_t opening_stock() const { return stock_; }
  int64_t opening_balance() const { return balance_; }
  // -1 when the id is not one of this run's products.
  int ProductIndex(std::string_view id) const;
  const std::optional<Campaign>& campaign() const { return campaign_; }

  int PickUser(std::mt19937_64& random) const;
  int PickProduct(std::mt19937_64& random, bool for_order) const;

 private:
  static int PickZipf(const std::vector<double>& cdf, std::mt19937_64& random);

  std::string prefix_;
  std::vector<std::string> user_ids_, product_ids_;
  std::unordered_map<std::string, int> product_index_;
  std::vector<double> user_cdf_, product_cdf_;  // empty: uniform
  double hot_, hot_user_;
  int64_t stock_, balance_;
  std::optional<Campaign> campaign_;
};

struct Line {
  int product;
  int64_t quantity;
};

// One request, in terms of the population; http_request.h renders it for the wire.
struct ShopRequest {
  Op op = Op::kBrowse;
  int user = -1;
  int product = -1;
  bool variant = false;     // browse: the list (else one product); history: orders (else balance)
  std::vector<Line> lines;  // order, order_cart (the cart as this client knows it)
  int64_t amount = 0;       // charge amount, cart_add or restock quantity
  int64_t order = -1;       // cancel: the order's index in the ledger
  std::string order_id;     // cancel: its id
  std::string user_coupon_id;   // order, order_cart: the coupon it carries, if any
  std::string idempotency_key;  // mutations of money, stock and coupons
};

// The writes a client sends with an Idempotency-Key (SPEC: charge, order, cancel, coupon
// issue), so that a retry after a lost answer is safe.
bool IsKeyedMutation(Op op);

// An answer: status 0 when none came (the connection failed).
struct ShopReply {
  int status = 0;
  std::string body;
};

// What the client saw acknowledged, for the audit: each user's money in and out, each
// product's units, each order with the status it was acknowledged with, the user
// coupons the campaign gave. Thread-safe.
class Ledger {
 public:
  enum class Status : uint8_t { kSuccess, kFailed, kCancelled };
  struct Order {
    std::string id;
    int user;
    std::vector<Line> lines;
    int64_t total;  // what was paid (totalPrice): 0 unless SUCCESS
    Status status;
    std::string user_coupon_id;  // the coupon it carried, if any
  };
  struct Account {
    int64_t charged = 0, paid = 0, refunded = 0;
  };
  struct Stock {
    int64_t restocked = 0, sold = 0;  // sold: units in SUCCESS orders not cancelled
  };

  explicit Ledger(const Population& population);

  void Charged(int user, int64_t amount);
  // A write whose outcome the client never learned (no answer, 5xx, still in flight
  // after its retries): the audit may then find differences it did not cause.
  void OutcomeUnknown(Op op);
  uint64_t unknown_outcomes() const;
  uint64_t unknown_outcomes(Op op) const;
  void Restocked(int product, int64_t quantity);
  // A SUCCESS order is paid and sold, and uses its coupon; a FAILED one leaves the
  // coupon AVAILABLE.
  void Placed(Order order);
  // A 200 issue: `user` holds the campaign's coupon `id`. False when it already held
  // another (at most one per user and campaign).
  bool Issued(int user, std::string id);
  // The user's coupon while it is AVAILABLE as far as this client knows, else "".
  std::string AvailableCoupon(int user) const;
  // Takes a SUCCESS order out of the pool of cancellable ones: its index, id and user,
  // or -1 if there is none.
  int64_t TakeCancellable(std::mt19937_64& random, std::string* id, int* user);
  void Cancelled(int64_t order);
  // An order taken for a cancel that was refused: back to the pool.
  void ReturnCancellable(int64_t order);

  // Snapshots for the audit, after the run.
  std::vector<Account> accounts() const;
  std::vector<Stock> stocks() const;
  std::vector<Order> orders() const;
  size_t order_count() const;
  // Each user's acknowledged coupon ("" for none), and the 200 issues counted.
  std::vector<std::string> user_coupons() const;
  uint64_t issued() const;

 private:
  struct Holding {
    std::string id;  // "" until an issue is acknowledged
    bool available = true;
  };
  void SetAvailable(const Order& order, bool available);  // under mu_

  mutable std::mutex mu_;
  std::vector<Account> accounts_;
  std::vector<Stock> stocks_;
  std::vector<Order> orders_;
  std::vector<int64_t> cancellable_;
  std::array<uint64_t, kOpCount> unknown_outcomes_{};
  std::vector<Holding> coupons_;  // by user
  uint64_t issued_ = 0;
};

const char* StatusName(Ledger::Status status);

// One connection's virtual user: picks the next request from the mix and settles its
// answer into the ledger. The carts of the users it owns (user % connections == its
// index) are touched by it alone, so it knows their content exactly.
class VirtualUser {
 public:
  VirtualUser(const LoadOptions& options, const Population& population, Ledger* ledger, int index,
              uint64_t seed);

  ShopRequest Next();
  // Records what the answer means; false when it is not of the class the request
  // expects (an error to report).
  bool Settle(const ShopRequest& request, const ShopReply& reply);

 private:
  int PickOwnedUser();
  ShopRequest Build(Op op);
  // A held coupon for an order of `user`, --coupon-use of the time; else "".
  std::string PickCoupon(int user);
  bool SettleOrder(const ShopRequest& request, const ShopReply& reply);
  bool SettleIssue(const ShopRequest& request, const ShopReply& reply);

  const LoadOptions& options_;
  const Population& population_;
  Ledger* ledger_;
  std::mt19937_64 random_;
  std::discrete_distribution<int> mix_;
  std::vector<int> owned_;                            // users whose carts are this one's
  std::unordered_map<int, std::vector<Line>> carts_;  // user -> lines, as the server has them
  std::string key_prefix_;
  uint64_t keys_ = 0;
};

}  // namespace ecomm::load
