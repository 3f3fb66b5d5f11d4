#include "apply.h"

#include <memory>
#include <vector>
#include "ecomm/invariant.h"

namespace ecomm {

namespace {

void SetStock(Product& product, Quantity stock, TimeMs at) {
  // Invariant: stock stays within 0..kMaxStock; callers check before applying.
  ECOMM_INVARIANT(stock >= 0 && stock <= limits::kMaxStock, "stock within 0..10^12");
  product.stock.store(stock, std::memory_order_release);
  product.updated_at.store(at, std::memory_order_release);
}

}  // namespace

Account* ApplyCreateUser(EngineState& state, const CreateUserRecord& record,
                         AccountTable::Map& locked_stripe) {
  auto account = std::make_unique<Account>(record.user_id, record.name, record.email, record.at);
  account->snapshot_epoch = state.capture.epoch();  // born after any running snapshot
  Account* raw = account.get();
  bool inserted = locked_stripe.emplace(raw->user_id, std::move(account)).second;
  ECOMM_INVARIANT(inserted, "the caller checked the id is free under the stripe lock");
  return raw;
}

Product* ApplyCreateProduct(EngineState& state, const CreateProductRecord& record,
                            Catalog::Stripe& locked_stripe) {
  auto product = std::make_unique<Product>(record.product_id, record.name, record.price,
                                           record.stock, record.at);
  product->snapshot_epoch = state.capture.epoch();  // born after any running snapshot
  return state.catalog.Insert(locked_stripe, std::move(product));
}

void ApplyRestock(EngineState& state, const RestockRecord& record, Product& product) {
  state.capture.Preserve(product);
  SetStock(product, product.stock.load(std::memory_order_relaxed) + record.quantity, record.at);
}

void ApplyCharge(EngineState& state, const ChargeRecord& record, Account& account, Lsn lsn) {
  state.capture.Preserve(account);
  account.Post(TransactionType::kCharge, record.amount, record.transaction_id, Uuid{}, record.at);
  if (record.idempotency) {
    IdempotentOutcome outcome;
    outcome.kind = IdempotentOutcome::Kind::kCharge;
    outcome.lsn = lsn;
    outcome.at = record.at;
    outcome.user_id = account.user_id;
    outcome.balance_after = account.balance;
    state.idempotency.Complete(*record.idempotency, std::move(outcome));
  }
}

Order* ApplyPlaceOrder(EngineState& state, const PlaceOrderRecord& record, Account& account,
                       std::span<Product* const> products, Lsn lsn) {
  ECOMM_INVARIANT(products.size() == record.lines.size(), "one product per order line");
  state.capture.Preserve(account);
  std::vector<OrderItem> items;
  items.reserve(record.lines.size());
  Money total = 0;
  for (size_t i = 0; i < record.lines.size(); ++i) {
    const OrderLineRecord& line = record.lines[i];
    items.push_back(OrderItem{products[i], line.quantity, line.price});
    total += line.quantity * line.price;  // bounded by kMaxOrderTotal, checked before logging
  }
  auto owned = std::make_unique<Order>(record.order_id, &account, total, record.at,
                                       std::move(items), state.capture.epoch());
  Order* order = owned.get();
  order->Transition(OrderStatus::kPending, StatusReason::kNone, ChangedBy::kSystem, record.at);
  if (record.status == OrderStatus::kSuccess) {
    account.Post(TransactionType::kPayment, -total, record.payment_id, record.order_id, record.at);
    for (const OrderItem& item : order->items) {
      state.capture.Preserve(*item.product);
      SetStock(*item.product, item.product->stock.load(std::memory_order_relaxed) - item.quantity,
               record.at);
    }
    state.top_sellers.Add(record.at, record.at, order->items);
    if (record.from_cart) account.cart.clear();
  }
  order->Transition(record.status, record.reason, ChangedBy::kSystem, record.at);
  account.orders.push_back(order);
  state.orders.WithStripe(record.order_id,
                          [&](auto& map) { map.emplace(record.order_id, std::move(owned)); });
  state.order_count.fetch_add(1, std::memory_order_relaxed);
  if (record.idempotency) {
    IdempotentOutcome outcome;
    outcome.kind = IdempotentOutcome::Kind::kPlaceOrder;
    outcome.lsn = lsn;
    outcome.at = record.at;
    outcome.order_id = record.order_id;
    outcome.history_size = static_cast<uint32_t>(order->history.size());
    state.idempotency.Complete(*record.idempotency, std::move(outcome));
  }
  return order;
}

void ApplyCancelOrder(EngineState& state, const CancelOrderRecord& record, Order& order, Lsn lsn) {
  ECOMM_INVARIANT(order.status == OrderStatus::kSuccess, "only a SUCCESS order is cancelled");
  state.capture.Preserve(*order.user);
  state.capture.Preserve(order);
  order.user->Post(TransactionType::kRefund, order.total_price, record.refund_id, order.order_id,
                   record.at);
  for (const OrderItem& item : order.items) {
    state.capture.Preserve(*item.product);
    SetStock(*item.product, item.product->stock.load(std::memory_order_relaxed) + item.quantity,
             record.at);
  }
  state.top_sellers.Remove(record.at, order.order_date, order.items);
  order.Transition(OrderStatus::kCancelled, StatusReason::kCancelledByUser, record.changed_by,
                   record.at);
  if (record.idempotency) {
    IdempotentOutcome outcome;
    outcome.kind = IdempotentOutcome::Kind::kCancelOrder;
    outcome.lsn = lsn;
    outcome.at = record.at;
    outcome.order_id = order.order_id;
    outcome.history_size = static_cast<uint32_t>(order.history.size());
    state.idempotency.Complete(*record.idempotency, std::move(outcome));
  }
}

void ApplyCartAdd(EngineState& state, const CartAddRecord& record, Account& account,
                  Product& product) {
  state.capture.Preserve(account);
  if (CartLine* line = account.FindCartLine(record.product_id)) {
    line->quantity += record.quantity;
    ECOMM_INVARIANT(line->quantity <= limits::kMaxLineQuantity, "a cart line holds at most 10^6");
  } else {
    ECOMM_INVARIANT(account.cart.size() < limits::kMaxLines, "a cart holds at most 100 lines");
    account.cart.push_back(CartLine{&product, record.quantity});
  }
}

void ApplyCartRemove(EngineState& state, const CartRemoveRecord& record, Account& account) {
  state.capture.Preserve(account);
  CartLine* line = account.FindCartLine(record.product_id);
  ECOMM_INVARIANT(line != nullptr, "the caller checked the line exists");
  account.cart.erase(account.cart.begin() + (line - account.cart.data()));
}

void ApplyAdvanceClock(EngineState& state, const AdvanceClockRecord& record) {
  state.clock_offset_ms.fetch_add(record.seconds * 1000, std::memory_order_acq_rel);
}

}  // namespace ecomm
