#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ecomm/clock.h"
#include "ecomm/result.h"
#include "ecomm/types.h"
#include "ecomm/views.h"

namespace ecomm {

namespace wal {
class Journal;
}

struct EngineOptions {
  const Clock* clock = nullptr;     // null: the system clock
  wal::Journal* journal = nullptr;  // null: nothing is logged (benchmarks, tools)
  // An Idempotency-Key's outcome is kept this long after its request completed, by
  // engine time; then the key is free again (SPEC: at least 24 h).
  TimeMs idempotency_ttl_ms = limits::kDefaultIdempotencyTtlMs;
};

// What a mutation's caller waits on before answering: its record's place in the log
// (wal::LogPosition). A ticket with lsn 0 (no journal) is durable at once.
struct CommitTicket {
  Lsn lsn = 0;
  uint64_t epoch = 0;  // the journal's epoch: a new one begins after each log failure
  // The journal that numbered it (null: the engine's): a replica's engine changes
  // journals as it is promoted or deposed, and the ticket's fate is its journal's.
  wal::Journal* journal = nullptr;
};

// The answer of a mutation together with its commit ticket. `reanswered` is true when
// an idempotency key matched an earlier request: its answer is given again and nothing
// is applied again.
template <class T>
struct Committed {
  T value;
  CommitTicket ticket;
  bool reanswered = false;
};

struct NewUser {
  std::optional<std::string> user_id;  // generated (a UUID) when absent
  std::string name;
  std::string email;
};

struct NewProduct {
  std::optional<std::string> product_id;  // generated (a UUID) when absent
  std::string name;
  Money price = 0;
  Quantity stock = 0;
};

struct OrderLine {
  std::string product_id;
  Quantity quantity = 0;
};

// Exactly one of `items` (present, non-empty) and `from_cart` (true).
struct OrderRequest {
  std::string user_id;
  std::optional<std::vector<OrderLine>> items;
  bool from_cart = false;
  std::optional<std::string> user_coupon_id = {};  // one of the user's coupons, to discount with
};

// A coupon campaign (SPEC "Coupons"). Absent times default to now and now + 30 days.
struct NewCoupon {
  std::optional<std::string> coupon_id;  // generated (a UUID) when absent
  std::string name;
  DiscountType discount_type = DiscountType::kFixed;
  int64_t discount_value = 0;
  Quantity total_quantity = 0;
  Money min_order_amount = 0;
  std::optional<Money> max_discount;
  std::optional<TimeMs> valid_from;
  std::optional<TimeMs> valid_until;
};

// An Idempotency-Key and the caller's fingerprint of the request that carries it
// (SPEC: method + path + body). Same key and fingerprint: the first outcome is
// returned; same key, other fingerprint: kIdempotencyKeyReused. Keys live in their
// owner's namespace: two owners may use one key for different requests.
struct IdempotencyKey {
  std::string key;
  std::string fingerprint;
  std::string owner = {};  // an authenticated user's id; empty: the one shared namespace
};

struct EngineCounts {
  uint64_t users = 0;
  uint64_t products = 0;
  uint64_t orders = 0;
  uint64_t coupons = 0;             // campaigns
  uint64_t idempotency_keys = 0;    // held, in flight or completed (expired ones not yet swept)
  uint64_t top_seller_minutes = 0;  // minutes with sales in the 72 h window's buckets
};

class CommitGate;
struct EngineCore;

// The in-memory transactional engine. Every method is thread-safe. A mutation locks
// what it touches in one global order (its user, then its products by id), checks
// the rules of SPEC.md, appends one record to the journal while holding those locks,
// applies it, and returns a ticket to wait on before telling anyone. Every call may
// answer kUnavailable while a Database replaces the state after a log failure.
class Engine {
 public:
  explicit Engine(EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // --- Users and catalog (admin) ---
  Result<Committed<UserView>> CreateUser(const NewUser& user);
  Result<UserView> GetUser(std::string_view user_id) const;
  Result<Committed<ProductView>> CreateProduct(const NewProduct& product);
  Result<Committed<ProductView>> Restock(std::string_view product_id, Quantity quantity);
  Result<ProductView> GetProduct(std::string_view product_id) const;
  // By productId ascending, starting after `after`; all of them without `limit`. A
  // page is a consistent cut; a listing without limit is one per 256 products.
  Result<std::vector<ProductView>> ListProducts(std::optional<size_t> limit,
                                                std::optional<std::string_view> after) const;

  // --- Balance ---
  Result<Committed<BalanceView>> Charge(std::string_view user_id, Money amount,
                                        const IdempotencyKey* key = nullptr);
  Result<BalanceView> GetBalance(std::string_view user_id) const;
  // Newest first; `position` is a Page::next of an earlier call.
  Result<Page<BalanceEntryView>> ListBalanceHistory(std::string_view user_id, size_t limit,
                                                    std::optional<uint64_t> position) const;

  // --- Orders ---
  // A FAILED order (insufficient balance, out of stock) is a committed outcome, not
  // an error: check OrderView::failure().
  Result<Committed<OrderView>> PlaceOrder(const OrderRequest& request,
                                          const IdempotencyKey* key = nullptr);
  Result<Committed<OrderView>> CancelOrder(std::string_view order_id,
                                           const IdempotencyKey* key = nullptr);
  Result<OrderView> GetOrder(std::string_view order_id) const;
  Result<Page<OrderView>> ListOrders(std::string_view user_id, size_t limit,
                                     std::optional<uint64_t> position) const;
  // Units sold in SUCCESS orders of the last 72 hours, top 5, ties by productId.
  Result<std::vector<TopSeller>> TopSellers() const;

  // --- Coupons ---
  Result<Committed<CouponView>> CreateCoupon(const NewCoupon& coupon);
  Result<CouponView> GetCoupon(std::string_view coupon_id) const;
  // First come, first served: one of the campaign's coupons to the user while any
  // remain and the campaign is active, at most one per user and campaign.
  Result<Committed<UserCouponView>> IssueCoupon(std::string_view coupon_id,
                                                std::string_view user_id,
                                                const IdempotencyKey* key = nullptr);
  // The user's coupons, newest first, each as of the engine's time.
  Result<std::vector<UserCouponView>> ListUserCoupons(std::string_view user_id) const;

  // --- Carts ---
  Result<Committed<CartView>> AddToCart(std::string_view user_id, std::string_view product_id,
                                        Quantity quantity);
  Result<Committed<CartView>> RemoveFromCart(std::string_view user_id, std::string_view product_id);
  Result<CartView> GetCart(std::string_view user_id) const;

  // --- Clock ---
  TimeMs Now() const;
  // Moves the engine's clock forward by `seconds` (1..10^9); logged, so it survives
  // a restart. Returns the new time.
  Result<Committed<TimeMs>> AdvanceClock(int64_t seconds);

  // --- Durability ---
  // OK once the ticket's record is durable; kUnavailable if it never will be.
  Status WaitDurable(CommitTicket ticket) const;
  // Calls `done` once the ticket's fate is known, on an unspecified thread.
  void OnDurable(CommitTicket ticket, std::function<void(Status)> done) const;

  // --- Upkeep and introspection ---
  // Frees what the clock has retired when no request comes to do it: up to `budget`
  // expired idempotency entries (returns how many), and top-seller minutes past 72 h.
  // A Database's maintenance thread calls it; each lock is held for a few entries.
  size_t SweepExpired(size_t budget);
  EngineCounts Counts() const;

  // The state and its gate, for the engine library's own recovery, snapshots and
  // replicas (engine/src/engine_core.h). The type is internal: to an embedder this is
  // an opaque handle.
  EngineCore& core() const { return *core_; }

 private:
  // The gate held shared, or kUnavailable while the state is being replaced.
  Result<std::shared_lock<CommitGate>> Enter() const;
  wal::Journal* journal() const;

  std::unique_ptr<EngineCore> core_;
};

}  // namespace ecomm
