// Placing and cancelling orders: the transactions that span a user and products.
#include <mutex>
#include <vector>

#include "apply.h"
#include "ecomm/engine.h"
#include "ecomm/invariant.h"
#include "engine_state.h"
#include "make_views.h"
#include "product_locks.h"
#include "state_gate.h"
#include "validation.h"

namespace ecomm {

namespace {

Status Invalid(std::string message) {
  return Status(ErrorCode::kInvalidRequest, std::move(message));
}

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

// The first response to a keyed request, rebuilt for a retry.
Result<Committed<OrderView>> Replayed(EngineState& state, const IdempotentOutcome& earlier) {
  const Order* order = state.orders.Find(earlier.order_id);
  ECOMM_INVARIANT(order != nullptr, "an outcome is stored only with its order");
  std::lock_guard lock(order->user->mu);
  return Committed<OrderView>{
      MakeOrderView(*order, earlier.history_size), {earlier.lsn, state.epoch}, true};
}

}  // namespace

Result<Committed<OrderView>> Engine::PlaceOrder(const OrderRequest& request,
                                                const IdempotencyKey* key) {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  // 1. The request's shape, before anything is looked up.
  if (Status s = CheckId("userId", request.user_id); !s.ok()) return s;
  if (Status s = CheckShape(request); !s.ok()) return s;
  std::vector<OrderLine> merged;
  if (request.items) {
    auto lines = MergeLines(*request.items);
    if (!lines.ok()) return lines.status();
    merged = std::move(lines).value();
  }
  if (Status s = CheckIdempotencyKey(key); !s.ok()) return s;

  KeyReservation reservation(state_->idempotency, key, IdempotentOutcome::Kind::kPlaceOrder);
  IdempotentOutcome earlier;
  auto reserved = reservation.Acquire(state_->Now(), &earlier);
  if (!reserved.ok()) return reserved.status();
  if (*reserved == IdempotencyStore::Reservation::kCompleted) return Replayed(*state_, earlier);

  // 2. The user and every product exist (404, nothing recorded).
  Result<Account*> found = state_->FindAccount(request.user_id);
  if (!found.ok()) return found.status();
  Account& account = **found;
  std::vector<Product*> products;
  std::vector<Quantity> quantities;
  for (const OrderLine& line : merged) {
    Result<Product*> product = state_->FindProduct(line.product_id);
    if (!product.ok()) return product.status();
    products.push_back(*product);
    quantities.push_back(line.quantity);
  }

  // 3. Lock the user, then the products in productId order.
  std::lock_guard account_lock(account.mu);
  if (request.from_cart) {
    if (account.cart.empty()) return Invalid("the cart is empty");
    for (const CartLine& line : account.cart) {
      products.push_back(line.product);
      quantities.push_back(line.quantity);
    }
  }
  ProductLocks product_locks(products);

  // 4. The total, then the seed's checks in order: balance, then stock.
  Money total = 0;
  for (size_t i = 0; i < products.size(); ++i) {
    // Each line is at most 10^6 x 10^9 and the running total stays below 2^53, so
    // neither step can overflow int64.
    total += products[i]->price * quantities[i];
    if (total > limits::kMaxOrderTotal) return Invalid("the order total exceeds 2^53-1");
  }
  OrderStatus status = OrderStatus::kSuccess;
  StatusReason reason = StatusReason::kNone;
  if (account.balance < total) {
    status = OrderStatus::kFailed;
    reason = StatusReason::kInsufficientBalance;
  } else {
    for (size_t i = 0; i < products.size(); ++i) {
      if (products[i]->stock.load(std::memory_order_relaxed) < quantities[i]) {
        status = OrderStatus::kFailed;
        reason = StatusReason::kOutOfStock;
        break;
      }
    }
  }

  // 5. Log, apply, answer.
  PlaceOrderRecord record;
  record.at = state_->Now();
  record.order_id = Uuid::Random();
  record.user_id = account.user_id;
  record.status = status;
  record.reason = reason;
  record.from_cart = request.from_cart;
  if (status == OrderStatus::kSuccess) record.payment_id = Uuid::Random();
  record.lines.reserve(products.size());
  for (size_t i = 0; i < products.size(); ++i) {
    record.lines.push_back(
        OrderLineRecord{products[i]->product_id, quantities[i], products[i]->price});
  }
  record.idempotency = reservation.tag();
  Result<CommitTicket> ticket = state_->Log(record);
  if (!ticket.ok()) return ticket.status();
  Order* order = ApplyPlaceOrder(*state_, record, account, products, ticket->lsn);
  reservation.Keep();
  return Committed<OrderView>{MakeOrderView(*order), *ticket};
}

Result<Committed<OrderView>> Engine::CancelOrder(std::string_view order_id,
                                                 const IdempotencyKey* key) {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  if (Status s = CheckIdempotencyKey(key); !s.ok()) return s;
  std::optional<Uuid> id = Uuid::Parse(order_id);
  Order* order = id ? state_->orders.Find(*id) : nullptr;
  if (order == nullptr) return Status(ErrorCode::kOrderNotFound, "no such order");

  KeyReservation reservation(state_->idempotency, key, IdempotentOutcome::Kind::kCancelOrder);
  IdempotentOutcome earlier;
  auto reserved = reservation.Acquire(state_->Now(), &earlier);
  if (!reserved.ok()) return reserved.status();
  if (*reserved == IdempotencyStore::Reservation::kCompleted) return Replayed(*state_, earlier);

  Account& account = *order->user;
  std::lock_guard account_lock(account.mu);
  if (order->status != OrderStatus::kSuccess) {
    return Status(
        ErrorCode::kInvalidOrderState,
        "only a SUCCESS order can be cancelled; this one is " + std::string(Name(order->status)));
  }
  if (account.balance > limits::kMaxBalance - order->total_price) {
    return Invalid("the refund would push the balance over 2^53-1");
  }
  std::vector<Product*> products;
  for (const OrderItem& item : order->items) products.push_back(item.product);
  ProductLocks product_locks(products);
  for (const OrderItem& item : order->items) {
    if (item.product->stock.load(std::memory_order_relaxed) > limits::kMaxStock - item.quantity) {
      return Invalid("restoring the stock of " + item.product->product_id + " would exceed 10^12");
    }
  }

  CancelOrderRecord record{state_->Now(), order->order_id, Uuid::Random(), ChangedBy::kUser,
                           reservation.tag()};
  Result<CommitTicket> ticket = state_->Log(record);
  if (!ticket.ok()) return ticket.status();
  ApplyCancelOrder(*state_, record, *order, ticket->lsn);
  reservation.Keep();
  return Committed<OrderView>{MakeOrderView(*order), *ticket};
}

}  // namespace ecomm
