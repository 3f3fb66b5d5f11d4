#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "accounts.h"
#include "catalog.h"
#include "orders.h"

namespace ecomm {

// Copy-on-write capture of a consistent image while traffic goes on. A snapshot
// starts an epoch at its LSN (under the commit gate). From then on, the first
// mutation to touch an account or product not yet captured in this epoch keeps its
// pre-image first (Preserve); the snapshot walker serialises every object, from the
// pre-image where one was kept. Each object is captured exactly once, as it stood at
// the LSN; objects created after the LSN start in the new epoch and are skipped.
//
// A product's pre-image is serialised at once (a few fields). An account's is an
// AccountFrame: its scalars, cart and the lengths of its history and order list, so
// that a mutation never serialises a large account on the commit path, where it
// holds product locks that every order on those products needs.
class SnapshotCapture {
 public:
  struct Chunk {
    uint8_t kind;
    std::string bytes;
  };

  // Both under the exclusive commit gate.
  uint64_t Begin();
  std::vector<Chunk> End();

  // The epoch a new object starts in (so a running snapshot skips it).
  uint64_t epoch() const { return epoch_.load(std::memory_order_acquire); }

  // Captures the object's pre-image if a snapshot is running and has not captured
  // it; the caller holds the object's mutex.
  void Preserve(Account& account) {
    if (Due(account.snapshot_epoch)) Keep(account);
  }
  void Preserve(Product& product) {
    if (Due(product.snapshot_epoch)) Keep(product);
  }
  // Before an order placed earlier changes; the caller holds its user's mutex and
  // has preserved the user.
  void Preserve(const Order& order);

  // The walker's side: serialises the object into `*chunk` as it stood at the LSN,
  // unless it was captured already or born after; the caller holds the object's
  // mutex (`lock` for an account, which is released between batches of a long
  // history). Returns whether it did.
  bool Take(Account& account, std::unique_lock<std::mutex>& lock, Chunk* chunk);
  bool Take(Product& product, Chunk* chunk);

 private:
  bool Due(uint64_t object_epoch) const {
    return active_.load(std::memory_order_acquire) && object_epoch < epoch();
  }
  void Keep(Account& account);
  void Keep(Product& product);

  std::atomic<uint64_t> epoch_{0};
  std::atomic<bool> active_{false};
  std::mutex mu_;
  std::vector<Chunk> preserved_;  // products' pre-images; guarded by mu_
};

}  // namespace ecomm
