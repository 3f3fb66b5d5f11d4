// CANCEL_ORDER: a SUCCESS order cancelled; its payment refunded, its stock restored.
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

struct CancelOrderUnit {
  using Record = CancelOrderRecord;
  struct Scope {
    Order* order = nullptr;
    std::unique_lock<std::mutex> account_lock;
    std::optional<ProductLocks> product_locks;
  };
  static constexpr IdempotentOutcome::Kind kKeyKind = IdempotentOutcome::Kind::kCancelOrder;

  static Status Screen(const Record&) { return Status::Ok(); }

  static Status Open(EngineState& state, const Record& r, Scope* scope) {
    scope->order = state.orders.Find(r.order_id);
    if (scope->order == nullptr) return Status(ErrorCode::kOrderNotFound, "no such order");
    scope->account_lock = std::unique_lock(scope->order->user->mu);
    std::vector<Product*> products;
    for (const OrderItem& item : scope->order->items) products.push_back(item.product);
    scope->product_locks.emplace(products);
    return Status::Ok();
  }

  static Status Check(const EngineState&, const Record&, const Scope& scope) {
    const Order& order = *scope.order;
    if (order.status != OrderStatus::kSuccess) {
      return Status(
          ErrorCode::kInvalidOrderState,
          "only a SUCCESS order can be cancelled; this one is " + std::string(Name(order.status)));
    }
    if (!order.user_coupon_id.IsNil()) {
      const UserCoupon* coupon = order.user->FindCoupon(order.user_coupon_id);
      if (coupon == nullptr || coupon->order_id != order.order_id) {
        return Invalid("the order's coupon is not held by it");
      }
    }
    if (order.user->balance > limits::kMaxBalance - order.total_price) {
      return Invalid("the refund would push the balance over 2^53-1");
    }
    for (const OrderItem& item : order.items) {
      if (item.product->stock.load(std::memory_order_relaxed) > limits::kMaxStock - item.quantity) {
        return Invalid("restoring the stock of " + item.product->product_id +
                       " would exceed 10^12");
      }
    }
    return Status::Ok();
  }

  static void Apply(EngineState& state, const Record& r, Scope& scope, Lsn lsn) {
    Order& order = *scope.order;
    state.capture.Preserve(*order.user);
    state.capture.Preserve(order);
    order.user->Post(TransactionType::kRefund, order.total_price, r.refund_id, order.order_id,
                     r.at);
    for (const OrderItem& item : order.items) {
      state.capture.Preserve(*item.product);
      item.product->MoveStock(item.quantity, r.at);
    }
    state.top_sellers.Remove(r.at, order.order_date, order.items);
    if (!order.user_coupon_id.IsNil()) {
      UserCoupon* coupon = order.user->FindCoupon(order.user_coupon_id);  // Check found it
      coupon->used_at = 0;  // given back: AVAILABLE again, unless a read finds it expired
      coupon->order_id = Uuid{};
    }
    order.Transition(OrderStatus::kCancelled, StatusReason::kCancelledByUser, r.changed_by, r.at);
    if (r.idempotency) {
      IdempotentOutcome outcome = tx::KeyOutcome(kKeyKind, lsn, r.at);
      outcome.subject_id = order.order_id;
      outcome.history_size = static_cast<uint32_t>(order.history.size());
      state.idempotency.Complete(*r.idempotency, std::move(outcome));
    }
  }

  static Result<Committed<OrderView>> Reanswer(EngineState& state,
                                               const IdempotentOutcome& earlier) {
    return tx::ReanswerOrder(state, earlier);
  }
};

}  // namespace

Status tx::Replay(EngineState& state, const CancelOrderRecord& record, Lsn lsn,
                  wal::Journal* follow_log) {
  return ReplayUnit<CancelOrderUnit>(state, record, lsn, follow_log);
}

Result<Committed<OrderView>> Engine::CancelOrder(std::string_view order_id,
                                                 const IdempotencyKey* key) {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  // A malformed key is 400 first; an unknown order is then 404 whatever its key holds.
  if (Status s = CheckIdempotencyKey(key); !s.ok()) return s;
  std::optional<Uuid> id = Uuid::Parse(order_id);
  if (!id || core_->state->orders.Find(*id) == nullptr) {
    return Status(ErrorCode::kOrderNotFound, "no such order");
  }
  CancelOrderRecord record{.order_id = *id,
                           .refund_id = Uuid::Random(),
                           .changed_by = ChangedBy::kUser,
                           .idempotency = std::nullopt};
  return tx::Mutate<CancelOrderUnit>(
      *core_->state, record, key,
      [](const CancelOrderUnit::Scope& s) { return MakeOrderView(*s.order); });
}

}  // namespace ecomm
