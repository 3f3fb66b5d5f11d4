#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace ecomm {

// A shared/exclusive lock (StateGate): every call holds it shared while it uses the
// state; a snapshot holds it exclusively for the instant it fixes its LSN, so no
// mutation is half-way at that LSN. Not recursive: a call that holds it must not enter
// the engine again.
//
// Every call of every thread takes it, so its shared side must not write a cache line
// that other threads write too. A single reader count (pthread_rwlock, as before) is
// such a line: on two cores GetBalance went 0.8x from one thread to two. Here each
// thread counts itself in a slot of its own (slots are dealt out in turn as threads
// first enter and never given back, so threads share one only after kSlots have
// entered), and checks a flag that only the rare exclusive holder writes.
// Writer-preferring: once the flag is up, new readers wait, so a stream of calls
// cannot starve a snapshot.
class CommitGate {
 public:
  CommitGate() = default;
  CommitGate(const CommitGate&) = delete;
  CommitGate& operator=(const CommitGate&) = delete;

  // Names follow the SharedMutex requirements, so std::shared_lock works. A shared
  // hold is released by the thread that took it (the slot is the thread's).
  void lock_shared() {
    std::atomic<uint32_t>& readers = slots_[ThreadSlot()].readers;
    while (true) {
      // seq_cst on both sides (here, and the flag then the counts in lock()): either
      // this reader sees the flag, or the writer sees this count.
      readers.fetch_add(1, std::memory_order_seq_cst);
      if (!writer_.load(std::memory_order_seq_cst)) return;
      unlock_shared();  // which wakes the writer, asleep on this slot
      std::lock_guard wait_for_writer(writer_mu_);
    }
  }
  void unlock_shared() {
    std::atomic<uint32_t>& readers = slots_[ThreadSlot()].readers;
    readers.fetch_sub(1, std::memory_order_seq_cst);
    // A writer waiting for this slot to drain sleeps on it (lock()).
    if (writer_.load(std::memory_order_seq_cst)) readers.notify_all();
  }

  void lock() {
    writer_mu_.lock();
    writer_.store(true, std::memory_order_seq_cst);
    for (Slot& slot : slots_) {
      // A reader that leaves after this load saw the flag, so it wakes us.
      for (uint32_t n; (n = slot.readers.load(std::memory_order_seq_cst)) != 0;) {
        slot.readers.wait(n, std::memory_order_seq_cst);
      }
    }
  }
  void unlock() {
    writer_.store(false, std::memory_order_release);
    writer_mu_.unlock();
  }

 private:
  static constexpr size_t kSlots = 32;
  struct alignas(64) Slot {
    std::atomic<uint32_t> readers{0};
  };

  static size_t ThreadSlot() {
    static std::atomic<size_t> next{0};
    thread_local const size_t slot = next.fetch_add(1, std::memory_order_relaxed) % kSlots;
    return slot;
  }

  std::array<Slot, kSlots> slots_;
  alignas(64) std::atomic<bool> writer_{false};
  std::mutex writer_mu_;  // held by the exclusive holder; waiting readers queue on it
};

}  // namespace ecomm
