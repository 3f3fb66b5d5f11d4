#pragma once

#include <atomic>

#include "ecomm/types.h"

namespace ecomm {

// The engine's source of wall-clock time, injectable so tests control it.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs NowMs() const = 0;
};

// Real UTC time.
class SystemClock final : public Clock {
 public:
  TimeMs NowMs() const override;
};

// A clock that moves only when told; thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimeMs start) : now_(start) {}
  TimeMs NowMs() const override { return now_.load(std::memory_order_relaxed); }
  void Set(TimeMs now) { now_.store(now, std::memory_order_relaxed); }
  void Advance(TimeMs delta) { now_.fetch_add(delta, std::memory_order_relaxed); }

 private:
  std::atomic<TimeMs> now_;
};

}  // namespace ecomm
