#include "account_chunk_encoder.h"

#include <algorithm>
#include <cassert>
#include <unordered_map>

#include "byte_codec.h"
#include "snapshot_codec.h"

namespace ecomm {

namespace {

constexpr size_t kHistoryBatch = 1024;
constexpr size_t kOrderBatch = 256;

}  // namespace

AccountChunkEncoder::AccountChunkEncoder(const Account& account, const AccountFrame& frame)
    : account_(account), frame_(frame) {
  // Invariant: history and orders only grow, so a frame's lengths are prefixes.
  assert(frame.history_size <= account.history.size() &&
         frame.orders_size <= account.orders.size());
  Writer w(&out_);
  w.U8(kSnapshotPayloadVersion);
  w.Str(account.user_id);
  w.Str(account.name);
  w.Str(account.email);
  w.I64(account.created_at);
  w.I64(frame.balance);
  w.I64(frame.balance_updated_at);
  w.U32(static_cast<uint32_t>(frame.history_size));
}

bool AccountChunkEncoder::CopyBatch() {
  history_batch_.clear();
  order_batch_.clear();
  order_history_batch_.clear();
  if (next_history_ < frame_.history_size) {
    size_t end = std::min(frame_.history_size, next_history_ + kHistoryBatch);
    for (; next_history_ < end; ++next_history_) {
      history_batch_.push_back(account_.history[next_history_]);
    }
    return true;
  }
  if (orders_started_ && next_order_ == frame_.orders_size) return false;
  // An earlier order cancelled since the frame was kept: its state then, not now.
  // (changed_orders only grows; index what was added since the last batch.)
  for (; changed_indexed_ < frame_.changed_orders.size(); ++changed_indexed_) {
    changed_.emplace(frame_.changed_orders[changed_indexed_].order, changed_indexed_);
  }
  size_t end = std::min(frame_.orders_size, next_order_ + kOrderBatch);
  for (; next_order_ < end; ++next_order_) {
    const Order* order = account_.orders[next_order_];
    auto it = changed_.find(order);
    const AccountFrame::OrderState* then =
        it == changed_.end() ? nullptr : &frame_.changed_orders[it->second];
    size_t history_size = then ? then->history_size : order->history.size();
    order_batch_.push_back(OrderCopy{order, then ? then->status : order->status,
                                     then ? then->updated_at : order->updated_at, history_size});
    order_history_batch_.insert(order_history_batch_.end(), order->history.begin(),
                                order->history.begin() + static_cast<ptrdiff_t>(history_size));
  }
  return true;
}

void AccountChunkEncoder::EncodeBatch() {
  Writer w(&out_);
  for (const BalanceEntry& e : history_batch_) {
    w.Id(e.transaction_id);
    w.Id(e.order_id);
    w.I64(e.amount);
    w.I64(e.balance_before);
    w.I64(e.balance_after);
    w.I64(e.created_at);
    w.U8(static_cast<uint8_t>(e.type));
  }
  if (!history_batch_.empty()) return;
  if (!orders_started_) {
    // The history is done: the cart as the frame kept it, then the orders.
    w.U8(static_cast<uint8_t>(frame_.cart.size()));
    for (const CartLine& line : frame_.cart) {
      w.Str(line.product->product_id);
      w.I64(line.quantity);
    }
    w.U32(static_cast<uint32_t>(frame_.orders_size));
    orders_started_ = true;
  }
  const OrderHistoryEntry* history = order_history_batch_.data();
  for (const OrderCopy& copy : order_batch_) {
    const Order& o = *copy.order;
    w.Id(o.order_id);
    w.I64(o.total_price);
    w.I64(o.discount);
    w.Id(o.user_coupon_id);
    w.I64(o.order_date);
    w.I64(copy.updated_at);
    w.U8(static_cast<uint8_t>(copy.status));
    w.U8(static_cast<uint8_t>(o.items.size()));
    for (const OrderItem& item : o.items) {
      w.Str(item.product->product_id);
      w.I64(item.quantity);
      w.I64(item.price);
    }
    w.U8(static_cast<uint8_t>(copy.history_size));
    for (const OrderHistoryEntry* end = history + copy.history_size; history != end; ++history) {
      w.U8(static_cast<uint8_t>(history->status));
      w.U8(static_cast<uint8_t>(history->reason));
      w.U8(static_cast<uint8_t>(history->changed_by));
      w.I64(history->changed_at);
    }
  }
}

std::string AccountChunkEncoder::Finish() {
  // The coupons as the frame kept them (the frame owns its copy: no lock needed).
  Writer w(&out_);
  w.U32(static_cast<uint32_t>(frame_.coupons.size()));
  for (const UserCoupon& c : frame_.coupons) {
    w.Id(c.user_coupon_id);
    w.Str(c.coupon->coupon_id);
    w.I64(c.issued_at);
    w.I64(c.expires_at);
    w.I64(c.used_at);
    w.Id(c.order_id);
  }
  return std::move(out_);
}

std::string EncodeAccountChunk(const Account& account) {
  AccountFrame now = FrameOf(account, 0);
  AccountChunkEncoder encoder(account, now);
  while (encoder.CopyBatch()) encoder.EncodeBatch();
  return encoder.Finish();
}

}  // namespace ecomm
