#include "snapshot_capture.h"

#include "account_chunk_encoder.h"
#include "ecomm/invariant.h"
#include "snapshot_codec.h"

namespace ecomm {

uint64_t SnapshotCapture::Begin() {
  ECOMM_INVARIANT(!active_.load(), "one snapshot at a time");
  uint64_t epoch = epoch_.fetch_add(1, std::memory_order_acq_rel) + 1;
  active_.store(true, std::memory_order_release);
  return epoch;
}

std::vector<SnapshotCapture::Chunk> SnapshotCapture::End() {
  active_.store(false, std::memory_order_release);
  std::lock_guard lock(mu_);
  return std::move(preserved_);
}

void SnapshotCapture::Keep(Account& account) {
  account.snapshot_epoch = epoch();
  account.frame = std::make_unique<AccountFrame>(FrameOf(account, account.snapshot_epoch));
}

void SnapshotCapture::Preserve(const Order& order) {
  AccountFrame* frame = order.user->frame.get();
  if (!active_.load(std::memory_order_acquire) || order.snapshot_epoch >= epoch() ||
      frame == nullptr || frame->epoch != epoch()) {
    return;  // no snapshot running, the order is newer, or the account is captured
  }
  // Only a cancel changes an earlier order, and an order is cancelled once (SUCCESS ->
  // CANCELLED), so it is recorded at most once.
  ECOMM_INVARIANT(order.status == OrderStatus::kSuccess, "only a SUCCESS order is cancelled");
  frame->changed_orders.push_back(
      AccountFrame::OrderState{&order, order.status, order.updated_at, order.history.size()});
}

void SnapshotCapture::Keep(Product& product) {
  Chunk chunk;
  if (!Take(product, &chunk)) return;
  std::lock_guard lock(mu_);
  preserved_.push_back(std::move(chunk));
}

bool SnapshotCapture::Take(Account& account, std::unique_lock<std::mutex>& lock, Chunk* chunk) {
  if (account.snapshot_epoch < epoch()) Keep(account);  // untouched since the LSN
  if (account.frame == nullptr || account.frame->epoch != epoch()) return false;  // born after
  AccountChunkEncoder encoder(account, *account.frame);
  while (encoder.CopyBatch()) {
    lock.unlock();
    encoder.EncodeBatch();
    lock.lock();
  }
  *chunk = Chunk{static_cast<uint8_t>(ChunkKind::kAccount), encoder.Finish()};
  account.frame.reset();  // after Finish, which reads the frame's coupons
  return true;
}

bool SnapshotCapture::Take(Product& product, Chunk* chunk) {
  if (product.snapshot_epoch >= epoch()) return false;
  product.snapshot_epoch = epoch();
  *chunk = Chunk{static_cast<uint8_t>(ChunkKind::kProduct), EncodeProductChunk(product)};
  return true;
}

}  // namespace ecomm
