#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "accounts.h"
#include "orders.h"

namespace ecomm {

// Serialises one account chunk (wal/FORMAT.md) as the account stood when `frame` was
// kept, in batches, so that a snapshot holds the account's mutex only while it copies
// a batch (CopyBatch), not while it encodes it (EncodeBatch): a long history takes
// milliseconds to encode, and every commit on the account waits for its mutex. This
// is safe because history entries and orders before the frame's lengths never change,
// except an earlier order's status, which the frame records before it changes.
class AccountChunkEncoder {
 public:
  // account.mu held. `frame` outlives the encoder; only its changed_orders may grow
  // (under account.mu) meanwhile.
  AccountChunkEncoder(const Account& account, const AccountFrame& frame);

  // account.mu held. Copies the next batch; false once everything has been copied.
  bool CopyBatch();
  // Encodes what the last CopyBatch copied; account.mu need not be held.
  void EncodeBatch();
  // Adds the coupons and hands over the chunk.
  std::string Finish();

 private:
  struct OrderCopy {
    const Order* order;  // its identity, items and total never change
    OrderStatus status;
    TimeMs updated_at;
    size_t history_size;  // its entries, in order, in order_history_batch_
  };

  const Account& account_;
  const AccountFrame& frame_;
  std::string out_;
  size_t next_history_ = 0;
  size_t next_order_ = 0;
  std::vector<BalanceEntry> history_batch_;
  std::vector<OrderCopy> order_batch_;
  std::vector<OrderHistoryEntry> order_history_batch_;  // one buffer, not one per order
  bool orders_started_ = false;                         // the cart and the order count are written
  // frame_.changed_orders by order, as far as changed_indexed_ (an index: the vector
  // may reallocate between batches).
  std::unordered_map<const Order*, size_t> changed_;
  size_t changed_indexed_ = 0;
};

// The whole chunk of the account as it is, in one go; account.mu held.
std::string EncodeAccountChunk(const Account& account);

}  // namespace ecomm
