// CommitGate (engine/src/commit_gate.h), the engine's shared/exclusive gate: an
// exclusive holder excludes every reader and every other writer; readers share it, also
// when more threads than its 32 slots share one slot; a writer waits for the readers
// inside, and once it waits new readers queue behind it, so a stream of readers cannot
// starve it.
//
// To know that a thread is blocked in the gate without guessing a delay, the tests wait
// until the kernel reports it asleep (state S in /proc: a futex wait, which is how
// the gate blocks).
#include <doctest/doctest.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "commit_gate.h"
#include "support/threads.h"

namespace ecomm::testing {
namespace {

// True once thread `tid` of this process sleeps in the kernel; false if it exits first
// or is still awake after 10 s.
bool WaitUntilAsleep(pid_t tid) {
  const std::string path = "/proc/self/task/" + std::to_string(tid) + "/stat";
  for (int i = 0; i < 20'000; ++i) {
    std::ifstream in(path);
    std::string stat;
    if (!std::getline(in, stat)) return false;  // the thread has exited
    // "tid (comm) S ...": the state follows the last ')'.
    size_t paren = stat.rfind(')');
    if (paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'S') {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  return false;
}

// Polls `done` until it holds or 10 s have passed; returns whether it holds.
template <class Pred>
bool Eventually(Pred done) {
  for (int i = 0; i < 100'000 && !done(); ++i) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  return done();
}

// Busy work of `n` atomic increments (a few ns each, more under a sanitizer): a window
// in which a broken gate lets another thread in.
void Pause(int n) {
  std::atomic<int> work{0};
  for (int i = 0; i < n; ++i) work.fetch_add(1, std::memory_order_relaxed);
}

// Catches lock_shared() returning while the writer holds the gate, and an unlock()
// that does not publish the writer's plain writes to the next reader.
TEST_CASE("a reader waits while the writer holds the gate, then sees its writes") {
  CommitGate gate;
  int64_t value = 0;  // plain: only the gate orders it
  int64_t seen = -1;
  std::atomic<pid_t> reader_tid{0};
  std::atomic<bool> reader_in{false};
  std::unique_lock writer(gate);
  std::thread reader([&] {
    reader_tid = gettid();
    std::shared_lock lock(gate);
    reader_in = true;
    seen = value;
  });
  while (reader_tid == 0) std::this_thread::yield();
  CHECK(WaitUntilAsleep(reader_tid));
  CHECK_FALSE(reader_in.load());
  value = 42;
  writer.unlock();
  reader.join();
  CHECK(reader_in.load());
  CHECK(seen == 42);
}

// Catches lock() returning before the readers already inside have left (not waiting
// for the slots to drain).
TEST_CASE("the writer waits for a reader already inside") {
  CommitGate gate;
  std::atomic<pid_t> writer_tid{0};
  std::atomic<bool> writer_in{false};
  std::shared_lock reader(gate);
  std::thread writer([&] {
    writer_tid = gettid();
    std::unique_lock lock(gate);
    writer_in = true;
  });
  while (writer_tid == 0) std::this_thread::yield();
  CHECK(WaitUntilAsleep(writer_tid));
  CHECK_FALSE(writer_in.load());
  reader.unlock();
  writer.join();
  CHECK(writer_in.load());
}

// Catches a reader-preferring gate: a reader that comes while a writer waits must queue
// behind the writer although only readers hold the gate.
TEST_CASE("a reader that comes while a writer waits enters after the writer") {
  CommitGate gate;
  std::mutex order_mu;
  std::vector<std::string> order;
  auto record = [&](const char* who) {
    std::lock_guard lock(order_mu);
    order.emplace_back(who);
  };
  std::atomic<pid_t> writer_tid{0}, late_tid{0};
  std::shared_lock first(gate);
  std::thread writer([&] {
    writer_tid = gettid();
    std::unique_lock lock(gate);
    record("writer");
  });
  while (writer_tid == 0) std::this_thread::yield();
  CHECK(WaitUntilAsleep(writer_tid));  // it has raised its flag and waits for `first`
  std::thread late([&] {
    late_tid = gettid();
    std::shared_lock lock(gate);
    record("late reader");
  });
  while (late_tid == 0) std::this_thread::yield();
  CHECK(WaitUntilAsleep(late_tid));
  {
    std::lock_guard lock(order_mu);
    CHECK(order.empty());
  }
  first.unlock();
  writer.join();
  late.join();
  CHECK(order == std::vector<std::string>{"writer", "late reader"});
}

// Catches two exclusive holders at once: increments made with a window between the read
// and the write would be lost.
TEST_CASE("two writers never hold the gate together") {
  constexpr int kLocks = 5'000;
  CommitGate gate;
  int64_t total = 0;  // plain: only the gate orders it
  std::atomic<int> inside{0}, overlaps{0};
  RunConcurrently(2, [&](int) {
    for (int i = 0; i < kLocks; ++i) {
      std::unique_lock lock(gate);
      if (inside.fetch_add(1) != 0) overlaps.fetch_add(1);
      int64_t read = total;
      Pause(100);
      total = read + 1;
      inside.fetch_sub(1);
    }
  });
  CHECK(overlaps.load() == 0);
  CHECK(total == 2 * kLocks);
}

// Catches a broken slot protocol (lock() not waiting for the slots, lock_shared() not
// backing off from the writer's flag, a lost count): a writer and a reader would be
// inside together, and a reader could see `first` and `second` differ. Catches writer
// starvation: the writer takes the gate kWrites times, each time while a reader that
// entered since its last time holds it, before any reader reaches a quota of reads
// hundreds of times what that takes.
TEST_CASE("readers never see a writer half-way, and a stream of readers cannot starve it") {
  constexpr int kReaders = 4;
  constexpr int64_t kWrites = 2'000;
  constexpr int64_t kReaderQuota = 1'000 * kWrites;
  constexpr int kHoldYields = 200;  // how long a reader waits inside for the writer
  constexpr auto kRelaxed = std::memory_order_relaxed;
  CommitGate gate;
  // Every atomic the threads share while they run is relaxed, so that only the gate
  // orders them: ThreadSanitizer then reports a missing happens-before edge of the gate
  // as a race on `plain`, the writer's non-atomic copy of `first` and `second`.
  std::atomic<int64_t> first{0}, second{0};
  int64_t plain = 0;
  std::atomic<int> readers_inside{0};
  std::atomic<bool> writer_coming{false}, writer_inside{false}, writer_done{false};
  std::atomic<int64_t> entries{0}, overlaps{0}, torn{0}, readers_out_of_quota{0};
  RunConcurrently(kReaders + 1, [&](int t) {
    if (t == kReaders) {
      for (int64_t i = 1; i <= kWrites; ++i) {
        // Come while a reader holds the gate: one that entered since the last write.
        for (int64_t e = entries.load(kRelaxed);
             readers_inside.load(kRelaxed) == 0 && readers_out_of_quota.load() == 0;
             e = entries.load(kRelaxed)) {
          entries.wait(e, kRelaxed);
        }
        writer_coming.store(true, kRelaxed);
        std::unique_lock lock(gate);
        writer_coming.store(false, kRelaxed);
        writer_inside.store(true, kRelaxed);
        if (readers_inside.load(kRelaxed) != 0) overlaps.fetch_add(1, kRelaxed);
        first.store(i, kRelaxed);
        Pause(400);
        plain = i;
        second.store(i, kRelaxed);
        writer_inside.store(false, kRelaxed);
      }
      writer_done.store(true, kRelaxed);
      return;
    }
    for (int64_t n = 0; !writer_done.load(kRelaxed); ++n) {
      if (n == kReaderQuota) {
        readers_out_of_quota.fetch_add(1);
        entries.fetch_add(1);  // the writer waits for readers no longer
        entries.notify_all();
        break;
      }
      std::shared_lock lock(gate);
      readers_inside.fetch_add(1, kRelaxed);
      entries.fetch_add(1, kRelaxed);
      entries.notify_all();
      if (writer_inside.load(kRelaxed)) overlaps.fetch_add(1, kRelaxed);
      int64_t a = first.load(kRelaxed);
      // Stay until the writer comes (yielding: it may need this core), then long
      // enough for a writer let in to be seen.
      for (int i = 0; i < kHoldYields && !writer_coming.load(kRelaxed); ++i) {
        std::this_thread::yield();
      }
      Pause(1'000);  // longer than the writer's update: a reader inside spans it
      int64_t p = plain;
      int64_t b = second.load(kRelaxed);
      if (a != b || p != a) torn.fetch_add(1, kRelaxed);
      if (writer_inside.load(kRelaxed)) overlaps.fetch_add(1, kRelaxed);
      readers_inside.fetch_sub(1, kRelaxed);
      lock.unlock();
      // Without this, four busy readers on two cores measure the scheduler: a writer
      // woken when the gate drains may wait a whole tick for a core.
      std::this_thread::yield();
    }
  });
  MESSAGE(entries.load(), " reader entries while the writer took the gate ", kWrites, " times");
  CHECK(overlaps.load() == 0);
  CHECK(torn.load() == 0);
  CHECK(readers_out_of_quota.load() == 0);
  CHECK(first.load() == kWrites);
  CHECK(second.load() == kWrites);
}

// Catches a slot that counts one reader rather than many. The readers enter in turn, so
// (slots being dealt in turn) readers t and t + 32 share a slot; once readers 0..31
// have left, every slot has lost a reader and readers 32..39 are still inside: a
// writer let in when a slot's first reader leaves (a slot used as a flag, a lost
// increment) would enter with them.
TEST_CASE("40 readers on 32 slots share the gate, and a writer waits for the last of them") {
  constexpr int kReaders = 40;
  CommitGate gate;
  std::atomic<int> entered{0}, inside{0}, released{0}, release_upto{0};
  std::atomic<int> inside_when_writer_entered{-1};
  std::atomic<pid_t> writer_tid{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < kReaders; ++t) {
    readers.emplace_back([&, t] {
      for (int n; (n = entered.load()) != t;) entered.wait(n);  // enter in turn
      std::shared_lock lock(gate);
      inside.fetch_add(1);
      entered.fetch_add(1);
      entered.notify_all();
      for (int r; (r = release_upto.load()) <= t;) release_upto.wait(r);
      inside.fetch_sub(1);
      lock.unlock();
      released.fetch_add(1);
    });
  }
  auto release_all = [&] {
    release_upto = kReaders;
    release_upto.notify_all();
    for (std::thread& r : readers) r.join();
  };
  // Every reader holds the gate at once: none leaves before the main thread says so.
  bool all_inside = Eventually([&] { return inside == kReaders; });
  CHECK(all_inside);
  if (!all_inside) {
    release_all();
    return;
  }
  std::thread writer([&] {
    writer_tid = gettid();
    std::unique_lock lock(gate);
    inside_when_writer_entered = inside.load();
  });
  while (writer_tid == 0) std::this_thread::yield();
  // Release the readers one at a time; until the last has left, the writer sleeps.
  for (int t = 0; t < kReaders; ++t) {
    INFO(t, " of the readers have left");
    bool writer_waits = WaitUntilAsleep(writer_tid);
    CHECK(writer_waits);
    CHECK(inside_when_writer_entered.load() == -1);
    if (!writer_waits) break;
    release_upto = t + 1;
    release_upto.notify_all();
    CHECK(Eventually([&] { return released == t + 1; }));
  }
  release_all();
  writer.join();
  CHECK(inside_when_writer_entered.load() == 0);
}

}  // namespace
}  // namespace ecomm::testing
