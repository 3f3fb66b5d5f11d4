// PLACE_ORDER: an order paid from the balance, its stock taken, or FAILED for balance
// then stock (the seed's sequence); POST /order with items or fromCart.
#include <algorithm>
#include <mutex>
#include <optional>
#include <vector>

#include "ecomm/engine.h"
#include "ecomm/invariant.h"
#include "engine_core.h"
#include "make_views.h"
#include "product_locks.h"
#include "tx/common.h"
#include "tx/unit.h"
#include "validation.h"

namespace ecomm {

namespace {

struct Outcome {
  OrderStatus status = OrderStatus::kSuccess;
  StatusReason reason = StatusReason::kNone;
  bool operator==(const Outcome&) const = default;
};

struct PlaceOrderUnit {
  using Record = PlaceOrderRecord;
  struct Scope {
    Account* account = nullptr;
    std::vector<Product*> products;  // products[i] is the product of record.lines[i]
    std::unique_lock<std::mutex> account_lock;
    std::optional<ProductLocks> product_locks;  // taken after the account: the lock order
    UserCoupon* coupon = nullptr;               // in the account's wallet; guarded by its mu
    Order* created = nullptr;
  };
  static constexpr IdempotentOutcome::Kind kKeyKind = IdempotentOutcome::Kind::kPlaceOrder;

  static Status Screen(const Record& r) {
    if (Status s = CheckId("userId", r.user_id); !s.ok()) return s;
    if (r.lines.empty() || r.lines.size() > limits::kMaxLines) {
      return Invalid("an order has 1 to 100 lines");
    }
    for (size_t i = 0; i < r.lines.size(); ++i) {
      const OrderLineRecord& line = r.lines[i];
      if (Status s = CheckId("productId", line.product_id); !s.ok()) return s;
      if (Status s = CheckRange("quantity", line.quantity, 1, limits::kMaxLineQuantity); !s.ok()) {
        return s;
      }
      if (Status s = CheckRange("price", line.price, 0, limits::kMaxPrice); !s.ok()) return s;
      for (size_t j = 0; j < i; ++j) {
        if (r.lines[j].product_id == line.product_id) {
          return Invalid("product " + std::string(line.product_id) + " is on two lines");
        }
      }
    }
    bool paid = r.status == OrderStatus::kSuccess && r.reason == StatusReason::kNone &&
                !r.payment_id.IsNil();
    bool failed =
        r.status == OrderStatus::kFailed &&
        (r.reason == StatusReason::kInsufficientBalance || r.reason == StatusReason::kOutOfStock) &&
        r.payment_id.IsNil();
    if (!paid && !failed) {
      return Invalid("an order is placed SUCCESS with a payment or FAILED for a reason without");
    }
    if (r.discount < 0 || (r.user_coupon_id.IsNil() && r.discount != 0)) {
      return Invalid("only a coupon discounts an order, and never below nothing");
    }
    return Status::Ok();
  }

  static Status Open(EngineState& state, const Record& r, Scope* scope) {
    std::vector<std::string_view> ids;
    for (const OrderLineRecord& line : r.lines) ids.push_back(line.product_id);
    if (Status s = Find(state, r.user_id, ids, scope); !s.ok()) return s;
    scope->account_lock = std::unique_lock(scope->account->mu);
    scope->product_locks.emplace(scope->products);
    return FindCoupon(r.user_coupon_id, scope);
  }

  static Status Check(const EngineState& state, const Record& r, const Scope& scope) {
    if (state.orders.Find(r.order_id) != nullptr) {
      return Invalid("order " + r.order_id.ToString() + " exists");
    }
    for (size_t i = 0; i < r.lines.size(); ++i) {
      if (r.lines[i].price != scope.products[i]->price) {
        return Invalid("the price of " + std::string(r.lines[i].product_id) +
                       " is not its catalogue price");
      }
    }
    Money total = TotalOf(r);
    if (total > limits::kMaxOrderTotal) return Invalid("the order total exceeds 2^53-1");
    if (r.from_cart && !IsCart(*scope.account, r)) {
      return Invalid("an order from the cart has the cart's lines");
    }
    if (scope.coupon != nullptr) {
      if (!scope.coupon->UsableAt(r.at, total)) {
        return Status(ErrorCode::kCouponNotUsable,
                      "the coupon is used, expired, or the order is below its minimum");
      }
      if (r.discount != DiscountOf(*scope.coupon->coupon, total)) {
        return Invalid("the discount is not the one the coupon's rule gives");
      }
    }
    if (Decide(*scope.account, r, scope.products, total - r.discount) !=
        Outcome{r.status, r.reason}) {
      return Invalid("the outcome is not the one balance and stock decide");
    }
    return Status::Ok();
  }

  static void Apply(EngineState& state, const Record& r, Scope& scope, Lsn lsn) {
    Account& account = *scope.account;
    state.capture.Preserve(account);
    std::vector<OrderItem> items;
    items.reserve(r.lines.size());
    for (size_t i = 0; i < r.lines.size(); ++i) {
      items.push_back(OrderItem{scope.products[i], r.lines[i].quantity, r.lines[i].price});
    }
    Money paid = PaidOf(r);
    auto owned = std::make_unique<Order>(r.order_id, &account, paid, r.discount, r.user_coupon_id,
                                         r.at, std::move(items), state.capture.epoch());
    Order* order = owned.get();
    order->Transition(OrderStatus::kPending, StatusReason::kNone, ChangedBy::kSystem, r.at);
    if (r.status == OrderStatus::kSuccess) {
      account.Post(TransactionType::kPayment, -paid, r.payment_id, r.order_id, r.at);
      if (scope.coupon != nullptr) {
        scope.coupon->used_at = r.at;
        scope.coupon->order_id = r.order_id;
      }
      for (const OrderItem& item : order->items) {
        state.capture.Preserve(*item.product);
        item.product->MoveStock(-item.quantity, r.at);
      }
      state.top_sellers.Add(r.at, r.at, order->items);
      if (r.from_cart) account.cart.clear();
    }
    order->Transition(r.status, r.reason, ChangedBy::kSystem, r.at);
    account.orders.push_back(order);
    bool inserted = state.orders.WithStripe(
        r.order_id, [&](auto& map) { return map.emplace(r.order_id, std::move(owned)).second; });
    ECOMM_INVARIANT(inserted, "Check found the order id free");
    state.order_count.fetch_add(1, std::memory_order_relaxed);
    if (r.idempotency) {
      IdempotentOutcome outcome = tx::KeyOutcome(kKeyKind, lsn, r.at);
      outcome.subject_id = r.order_id;
      outcome.history_size = static_cast<uint32_t>(order->history.size());
      state.idempotency.Complete(*r.idempotency, std::move(outcome));
    }
    scope.created = order;
  }

  static Result<Committed<OrderView>> Reanswer(EngineState& state,
                                               const IdempotentOutcome& earlier) {
    return tx::ReanswerOrder(state, earlier);
  }

  // The user and the products of `ids` (404s, nothing locked yet).
  static Status Find(EngineState& state, std::string_view user_id,
                     const std::vector<std::string_view>& ids, Scope* scope) {
    Result<Account*> account = state.FindAccount(user_id);
    if (!account.ok()) return account.status();
    scope->account = *account;
    for (std::string_view id : ids) {
      Result<Product*> product = state.FindProduct(id);
      if (!product.ok()) return product.status();
      scope->products.push_back(*product);
    }
    return Status::Ok();
  }

  // The user's coupon `id` (none when nil), account locked: 404 COUPON_NOT_FOUND when the
  // user holds none of that id, another user's included.
  static Status FindCoupon(const Uuid& id, Scope* scope) {
    if (id.IsNil()) return Status::Ok();
    scope->coupon = scope->account->FindCoupon(id);
    if (scope->coupon == nullptr) return Status(ErrorCode::kCouponNotFound, "no such coupon");
    return Status::Ok();
  }

  // The seed's rule, balance first, then stock; account and products locked. `paid` is
  // the total less the discount.
  static Outcome Decide(const Account& account, const Record& r,
                        const std::vector<Product*>& products, Money paid) {
    if (account.balance < paid) return {OrderStatus::kFailed, StatusReason::kInsufficientBalance};
    for (size_t i = 0; i < products.size(); ++i) {
      if (products[i]->stock.load(std::memory_order_relaxed) < r.lines[i].quantity) {
        return {OrderStatus::kFailed, StatusReason::kOutOfStock};
      }
    }
    return {};
  }

  static bool IsCart(const Account& account, const Record& r) {
    return std::equal(account.cart.begin(), account.cart.end(), r.lines.begin(), r.lines.end(),
                      [](const CartLine& cart, const OrderLineRecord& line) {
                        return cart.product->product_id == line.product_id &&
                               cart.quantity == line.quantity;
                      });
  }
};

// The request's shape, before anything is looked up: exactly one of items and
// fromCart, 1..100 items.
Status CheckShape(const OrderRequest& request) {
  if (request.from_cart && request.items) return Invalid("give either items or fromCart, not both");
  if (!request.from_cart && !request.items) return Invalid("items or fromCart is required");
  if (request.items) {
    if (request.items->empty()) return Invalid("items must not be empty");
    if (request.items->size() > limits::kMaxLines) return Invalid("at most 100 items per order");
  }
  return Status::Ok();
}

// The request's lines with duplicate productIds merged, in order of first appearance.
Result<std::vector<OrderLine>> MergeLines(const std::vector<OrderLine>& items) {
  std::vector<OrderLine> merged;
  merged.reserve(items.size());
  for (const OrderLine& item : items) {
    if (Status s = CheckId("productId", item.product_id); !s.ok()) return s;
    if (Status s = CheckRange("quantity", item.quantity, 1, limits::kMaxLineQuantity); !s.ok()) {
      return s;
    }
    auto same = std::find_if(merged.begin(), merged.end(), [&](const OrderLine& line) {
      return line.product_id == item.product_id;
    });
    if (same == merged.end()) {
      merged.push_back(item);
    } else if ((same->quantity += item.quantity) > limits::kMaxLineQuantity) {
      return Invalid("merged quantity of product " + item.product_id + " exceeds 10^6");
    }
  }
  return merged;
}

// 2. The user and every product exist (404, nothing recorded). 3. The user locked,
// then the products in productId order; the user's coupon (404). 4. The record:
// resolved prices, the coupon's discount, then the outcome by the seed's rule
// (balance, then stock), which Check holds every record to; Check also refuses a
// coupon that is not usable (409, nothing recorded).
Status BuildOrder(EngineState& state, const OrderRequest& request,
                  const std::vector<OrderLine>& merged, PlaceOrderRecord* record,
                  PlaceOrderUnit::Scope* scope) {
  std::vector<std::string_view> ids;
  for (const OrderLine& line : merged) ids.push_back(line.product_id);
  if (Status s = PlaceOrderUnit::Find(state, request.user_id, ids, scope); !s.ok()) return s;

  scope->account_lock = std::unique_lock(scope->account->mu);
  record->user_id = scope->account->user_id;
  record->from_cart = request.from_cart;
  for (size_t i = 0; i < merged.size(); ++i) {
    record->lines.push_back({scope->products[i]->product_id, merged[i].quantity, 0});
  }
  if (request.from_cart) {
    if (scope->account->cart.empty()) return Invalid("the cart is empty");
    for (const CartLine& line : scope->account->cart) {
      scope->products.push_back(line.product);
      record->lines.push_back({line.product->product_id, line.quantity, 0});
    }
  }
  scope->product_locks.emplace(scope->products);
  if (request.user_coupon_id) {
    // A malformed id names no coupon, as a malformed order id names no order.
    record->user_coupon_id = Uuid::Parse(*request.user_coupon_id).value_or(Uuid{});
    if (record->user_coupon_id.IsNil()) return Status(ErrorCode::kCouponNotFound, "no such coupon");
    if (Status s = PlaceOrderUnit::FindCoupon(record->user_coupon_id, scope); !s.ok()) return s;
  }

  for (size_t i = 0; i < record->lines.size(); ++i) {
    record->lines[i].price = scope->products[i]->price;
  }
  Money total = TotalOf(*record);
  if (scope->coupon != nullptr && total <= limits::kMaxOrderTotal) {
    record->discount = DiscountOf(*scope->coupon->coupon, total);
  }
  Outcome outcome =
      PlaceOrderUnit::Decide(*scope->account, *record, scope->products, total - record->discount);
  record->status = outcome.status;
  record->reason = outcome.reason;
  record->order_id = Uuid::Random();
  if (outcome.status == OrderStatus::kSuccess) record->payment_id = Uuid::Random();
  return PlaceOrderUnit::Screen(*record);
}

}  // namespace

Money TotalOf(const PlaceOrderRecord& record) {
  // For a record that passed Screen, each line is at most 10^6 x 10^9 and there are at
  // most 100, so the sum cannot overflow int64; Check holds it to 2^53-1. The decoder
  // bounds the lines to 100 but not their values: a caller on a record it did not
  // screen (the shipper, on logged records) relies on the log holding only records the
  // live path made, which checksums guard.
  Money total = 0;
  for (const OrderLineRecord& line : record.lines) total += line.quantity * line.price;
  return total;
}

Status tx::Replay(EngineState& state, const PlaceOrderRecord& record, Lsn lsn,
                  wal::Journal* follow_log) {
  return ReplayUnit<PlaceOrderUnit>(state, record, lsn, follow_log);
}

// An order's record follows from the state, not from its request alone (the cart's
// lines, the prices, the outcome), so it is built once Open's locks are held; then the
// steps are every keyed mutation's (tx::MutateFromState).
Result<Committed<OrderView>> Engine::PlaceOrder(const OrderRequest& request,
                                                const IdempotencyKey* key) {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  EngineState& state = *core_->state;
  // 1. The request's shape, before anything is looked up.
  if (Status s = CheckId("userId", request.user_id); !s.ok()) return s;
  if (Status s = CheckShape(request); !s.ok()) return s;
  std::vector<OrderLine> merged;
  if (request.items) {
    auto lines = MergeLines(*request.items);
    if (!lines.ok()) return lines.status();
    merged = std::move(lines).value();
  }
  // 2-5: its Idempotency-Key, BuildOrder, then check, log, apply (tx::Commit), answer.
  return tx::MutateFromState<PlaceOrderUnit>(
      state, key,
      [&](PlaceOrderRecord* record, PlaceOrderUnit::Scope* scope) {
        return BuildOrder(state, request, merged, record, scope);
      },
      [](const PlaceOrderUnit::Scope& scope) { return MakeOrderView(*scope.created); });
}

}  // namespace ecomm
