#pragma once

#include <cassert>
#include <cstdint>
#include <functional>
#include <span>

#include "ecomm/result.h"

// The boundary between the engine and its log. The engine appends one encoded
// record per mutation while it still holds the locks of that mutation, so LSN order
// is conflict order; it answers its caller only once the LSN is durable.
namespace ecomm::wal {

using Lsn = uint64_t;
inline constexpr Lsn kMaxLsn = UINT64_MAX;

// Why a journal refused a record. The caller answers differently: a failed log is
// not coming back, a full backlog is worth retrying in a moment.
enum class Refusal : uint8_t {
  kFailed,       // the log failed (read-only for good) or is closing
  kBacklogFull,  // more is queued than the writer may hold; nothing is wrong with the log
};

// A record's place in the log. After a failure a journal drops its undurable tail and
// numbers again from its durable end, in a new epoch: an LSN names one record only
// together with its epoch.
struct LogPosition {
  Lsn lsn = 0;
  uint64_t epoch = 0;
};

// What Append did: the record's position, or why it has none.
class Appended {
 public:
  Appended(LogPosition at) : at_(at) { assert(at.lsn != 0); }  // NOLINT: implicit by design
  Appended(Refusal refusal) : refusal_(refusal) {}             // NOLINT

  bool ok() const { return at_.lsn != 0; }
  Lsn lsn() const { return position().lsn; }
  LogPosition position() const {
    assert(ok());
    return at_;
  }
  Refusal refusal() const {
    assert(!ok());
    return refusal_;
  }

 private:
  LogPosition at_;  // LSNs start at 1, so 0 means refused
  Refusal refusal_ = Refusal::kFailed;
};

class Journal {
 public:
  virtual ~Journal() = default;

  // Assigns the next LSN (contiguous from 1) to the record and queues it, or refuses
  // it without any effect; the caller must then not apply the mutation. It never
  // waits for the log to make room unless its owner asked for that: the engine calls
  // it holding locks that other requests need, so a slow disk must not stall them.
  virtual Appended Append(uint8_t type, std::span<const uint8_t> payload) = 0;

  // Blocks until the record at `at` is durable. False when it never will be (it was
  // lost to an I/O failure).
  virtual bool WaitDurable(LogPosition at) = 0;

  // Calls `done(durable)` once the fate of the record at `at` is known, on an
  // unspecified thread (possibly this one, before returning).
  virtual void OnDurable(LogPosition at, std::function<void(bool durable)> done) = 0;

  // Why the record at `at` is not durable, once WaitDurable or OnDurable said so: by
  // default UNAVAILABLE (it may have been lost; the outcome is not known to the
  // caller). A journal that knows the record will never take effect says so.
  virtual Status WhyNotDurable(LogPosition /*at*/) const {
    return Status(ErrorCode::kUnavailable, "the log could not be written");
  }
};

}  // namespace ecomm::wal
