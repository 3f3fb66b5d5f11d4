// Recovery: applying records logged earlier. Each record is checked against the
// state it lands on, so a log that does not fit (a bug, or corruption the checksums
// missed) stops recovery with a message instead of corrupting memory.
#include <mutex>
#include <vector>

#include "apply.h"
#include "ecomm/engine.h"
#include "engine_state.h"
#include "product_locks.h"

namespace ecomm {

namespace {

Status Misfit(const Record& record, std::string_view why) {
  return Status(ErrorCode::kInternal, "record does not fit the state (" + std::string(why) +
                                          "): " + DescribeRecord(record));
}

class Replayer {
 public:
  Replayer(EngineState& state, const Record& record, Lsn lsn)
      : state_(state), record_(record), lsn_(lsn) {}

  Status operator()(const CreateUserRecord& r) {
    return state_.accounts.WithStripe(r.user_id, [&](auto& stripe) {
      if (stripe.contains(r.user_id)) return Misfit(record_, "user exists");
      ApplyCreateUser(state_, r, stripe);
      return Status::Ok();
    });
  }

  Status operator()(const CreateProductRecord& r) {
    if (r.price < 0 || r.price > limits::kMaxPrice || r.stock < 0 || r.stock > limits::kMaxStock) {
      return Misfit(record_, "price or stock out of range");
    }
    return state_.catalog.WithStripe(r.product_id, [&](auto& stripe) {
      if (stripe.contains(r.product_id)) return Misfit(record_, "product exists");
      ApplyCreateProduct(state_, r, stripe);
      return Status::Ok();
    });
  }

  Status operator()(const RestockRecord& r) {
    Product* product = state_.catalog.Find(r.product_id);
    if (product == nullptr) return Misfit(record_, "unknown product");
    std::lock_guard lock(product->mu);
    if (r.quantity < 1 || product->stock.load() > limits::kMaxStock - r.quantity) {
      return Misfit(record_, "stock out of range");
    }
    ApplyRestock(state_, r, *product);
    return Status::Ok();
  }

  Status operator()(const ChargeRecord& r) {
    Account* account = state_.accounts.Find(r.user_id);
    if (account == nullptr) return Misfit(record_, "unknown user");
    std::lock_guard lock(account->mu);
    if (r.amount < 1 || account->balance > limits::kMaxBalance - r.amount) {
      return Misfit(record_, "balance out of range");
    }
    ApplyCharge(state_, r, *account, lsn_);
    return Status::Ok();
  }

  Status operator()(const PlaceOrderRecord& r) {
    Account* account = state_.accounts.Find(r.user_id);
    if (account == nullptr) return Misfit(record_, "unknown user");
    if (state_.orders.Find(r.order_id) != nullptr) return Misfit(record_, "order exists");
    std::vector<Product*> products;
    Money total = 0;
    for (const OrderLineRecord& line : r.lines) {
      Product* product = state_.catalog.Find(line.product_id);
      if (product == nullptr) return Misfit(record_, "unknown product");
      if (std::find(products.begin(), products.end(), product) != products.end() ||
          line.quantity < 1 || line.quantity > limits::kMaxLineQuantity || line.price < 0 ||
          line.price > limits::kMaxPrice) {
        return Misfit(record_, "bad line");
      }
      products.push_back(product);
      total += line.quantity * line.price;
      if (total > limits::kMaxOrderTotal) return Misfit(record_, "total out of range");
    }
    std::lock_guard lock(account->mu);
    ProductLocks product_locks(products);
    if (r.status == OrderStatus::kSuccess) {
      if (account->balance < total) return Misfit(record_, "balance below total");
      for (size_t i = 0; i < products.size(); ++i) {
        if (products[i]->stock.load() < r.lines[i].quantity) return Misfit(record_, "no stock");
      }
    } else if (r.status != OrderStatus::kFailed) {
      return Misfit(record_, "an order is placed SUCCESS or FAILED");
    }
    bool reason_fits = r.status == OrderStatus::kSuccess
                           ? r.reason == StatusReason::kNone && !r.payment_id.IsNil()
                           : (r.reason == StatusReason::kInsufficientBalance ||
                              r.reason == StatusReason::kOutOfStock) &&
                                 r.payment_id.IsNil();
    if (!reason_fits) return Misfit(record_, "outcome, reason and payment disagree");
    ApplyPlaceOrder(state_, r, *account, products, lsn_);
    return Status::Ok();
  }

  Status operator()(const CancelOrderRecord& r) {
    Order* order = state_.orders.Find(r.order_id);
    if (order == nullptr) return Misfit(record_, "unknown order");
    std::lock_guard lock(order->user->mu);
    if (order->status != OrderStatus::kSuccess) return Misfit(record_, "order not SUCCESS");
    if (order->user->balance > limits::kMaxBalance - order->total_price) {
      return Misfit(record_, "refund out of range");
    }
    std::vector<Product*> products;
    for (const OrderItem& item : order->items) {
      if (item.product->stock.load() > limits::kMaxStock - item.quantity) {
        return Misfit(record_, "stock out of range");
      }
      products.push_back(item.product);
    }
    ProductLocks product_locks(products);
    ApplyCancelOrder(state_, r, *order, lsn_);
    return Status::Ok();
  }

  Status operator()(const CartAddRecord& r) {
    Account* account = state_.accounts.Find(r.user_id);
    Product* product = state_.catalog.Find(r.product_id);
    if (account == nullptr || product == nullptr) return Misfit(record_, "unknown id");
    std::lock_guard lock(account->mu);
    const CartLine* line = account->FindCartLine(r.product_id);
    bool fits = line ? r.quantity >= 1 && line->quantity <= limits::kMaxLineQuantity - r.quantity
                     : r.quantity >= 1 && r.quantity <= limits::kMaxLineQuantity &&
                           account->cart.size() < limits::kMaxLines;
    if (!fits) return Misfit(record_, "cart limits");
    ApplyCartAdd(state_, r, *account, *product);
    return Status::Ok();
  }

  Status operator()(const CartRemoveRecord& r) {
    Account* account = state_.accounts.Find(r.user_id);
    if (account == nullptr) return Misfit(record_, "unknown user");
    std::lock_guard lock(account->mu);
    if (account->FindCartLine(r.product_id) == nullptr) return Misfit(record_, "no cart line");
    ApplyCartRemove(state_, r, *account);
    return Status::Ok();
  }

  Status operator()(const AdvanceClockRecord& r) {
    if (r.seconds < 1 || r.seconds > limits::kMaxClockAdvanceSeconds ||
        state_.clock_offset_ms.load() > limits::kMaxTimeMs - r.seconds * 1000) {
      return Misfit(record_, "advance out of range");
    }
    std::lock_guard lock(state_.clock_mu);
    ApplyAdvanceClock(state_, r);
    return Status::Ok();
  }

 private:
  EngineState& state_;
  const Record& record_;
  Lsn lsn_;
};

}  // namespace

Status Engine::Apply(const Record& record, Lsn lsn) {
  TimeMs at = std::visit([](const auto& r) { return r.at; }, record);
  if (at < 0 || at > limits::kMaxTimeMs) return Misfit(record, "time out of range");
  return std::visit(Replayer(*state_, record, lsn), record);
}

Status Engine::Replay(RecordType type, std::span<const uint8_t> payload, Lsn lsn) {
  Result<Record> record = DecodeRecord(type, payload);
  if (!record.ok()) return record.status();
  return Apply(*record, lsn);
}

}  // namespace ecomm
