#include "snapshot_capture.h"

#include <cassert>

#include "snapshot_codec.h"

namespace ecomm {

uint64_t SnapshotCapture::Begin() {
  assert(!active_.load());  // one snapshot at a time
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
  Chunk chunk;
  if (!Take(account, &chunk)) return;
  std::lock_guard lock(mu_);
  preserved_.push_back(std::move(chunk));
}

void SnapshotCapture::Keep(Product& product) {
  Chunk chunk;
  if (!Take(product, &chunk)) return;
  std::lock_guard lock(mu_);
  preserved_.push_back(std::move(chunk));
}

bool SnapshotCapture::Take(Account& account, Chunk* chunk) {
  if (account.snapshot_epoch >= epoch()) return false;
  account.snapshot_epoch = epoch();
  *chunk = Chunk{static_cast<uint8_t>(ChunkKind::kAccount), EncodeAccountChunk(account)};
  return true;
}

bool SnapshotCapture::Take(Product& product, Chunk* chunk) {
  if (product.snapshot_epoch >= epoch()) return false;
  product.snapshot_epoch = epoch();
  *chunk = Chunk{static_cast<uint8_t>(ChunkKind::kProduct), EncodeProductChunk(product)};
  return true;
}

}  // namespace ecomm
