#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "ecomm/engine.h"
#include "ecomm/record.h"
#include "ecomm/result.h"
#include "ecomm/types.h"
#include "striped_map.h"
#include "validation.h"

namespace ecomm {

// What a keyed request produced, enough to answer a retry with the same response.
struct IdempotentOutcome {
  enum class Kind : uint8_t { kCharge, kPlaceOrder, kCancelOrder, kIssueCoupon };
  Kind kind = Kind::kCharge;
  Lsn lsn = 0;
  TimeMs at = 0;
  std::string user_id;        // kCharge, kIssueCoupon
  Money balance_after = 0;    // kCharge
  Uuid subject_id;            // the order (kPlaceOrder, kCancelOrder) or user coupon issued
  uint32_t history_size = 0;  // order history entries that existed in the response
};

// Idempotency keys: key -> fingerprint + outcome. A request first Reserves its key
// (not logged); the record of its mutation carries the key, and applying that record
// Completes the entry, live and in replay alike. A rejected request Releases it.
// A completed entry lives `ttl_ms` of engine time after its record (Expired): past
// that it is as if absent everywhere (a new request may take the key; snapshots and
// the digest leave it out), and Complete sweeps such entries a few at a time, oldest
// first, so the store shrinks as the clock moves without a pause.
class IdempotencyStore {
 public:
  enum class Reservation : uint8_t { kReserved, kCompleted };

  explicit IdempotencyStore(TimeMs ttl_ms) : ttl_ms_(ttl_ms) {}

  // The one expiry rule: an outcome completed at `completed_at` no longer holds its
  // key at `now`.
  bool Expired(TimeMs completed_at, TimeMs now) const { return now - completed_at >= ttl_ms_; }

  // kReserved: the caller owns the key until Complete or Release. kCompleted:
  // `*outcome` is the first request's. An entry expired at `now` counts as absent.
  // Errors: kIdempotencyKeyInUse, kIdempotencyKeyReused.
  Result<Reservation> Reserve(std::string_view key, std::string_view fingerprint, TimeMs now,
                              IdempotentOutcome* outcome);
  void Complete(const IdempotencyTag& tag, IdempotentOutcome outcome);
  void Release(std::string_view key);
  // Entries held: in flight, completed, and expired but not yet swept.
  size_t size() const { return entries_.Size(); }
  // Takes up to `budget` expired completions off the queue, oldest first, a few per
  // lock hold, and returns how many entries that erased. For when no keyed request
  // comes to sweep (Complete does a few).
  size_t SweepExpired(TimeMs now, size_t budget);

  // Calls fn(key, fingerprint, outcome) for every completed entry not expired at
  // `now`, in no order.
  template <class Fn>
  void ForEachLive(TimeMs now, Fn&& fn) const {
    entries_.ForEach([&](const Entry& e) {
      if (!e.in_flight && !Expired(e.outcome.at, now)) fn(e.key, e.fingerprint, e.outcome);
    });
  }

 private:
  // Takes up to `most` (at most kSweepBatch) completions expired at `now` off the
  // queue, oldest first, and erases the entries they still describe.
  struct Swept {
    size_t taken = 0;   // completions off the queue
    size_t erased = 0;  // entries erased: a taken completion of a key reserved again since is not
  };
  Swept Sweep(TimeMs now, size_t most = kSweepBatch);
  static constexpr size_t kSweepBatch = 2;

  struct Entry {
    std::string key;
    std::string fingerprint;
    bool in_flight = true;
    IdempotentOutcome outcome;
  };

  // Entries are erased on Release, so this map is used only under its stripe lock.
  StripedMap<std::string, Entry, StringHash> entries_;
  const TimeMs ttl_ms_;
  // Completions in the order they happened: the sweep's queue. An item whose entry
  // was completed again later (or released) is skipped when it reaches the front.
  std::mutex sweep_mu_;  // innermost; never held with a stripe lock
  std::deque<std::pair<TimeMs, std::string>> completions_;
};

}  // namespace ecomm

namespace ecomm {

// The key as stored and logged: the client's key alone in the shared namespace, else
// "<owner>\x1f<key>". Owners (ids) and keys (printable ASCII) hold no \x1f, so the
// split is unique and no owner's key can equal a shared one.
std::string StoredKey(const IdempotencyKey& key);

// One keyed request's hold on its key: reserved on Acquire, released on destruction
// unless Keep() was called after the request's record was applied.
class KeyReservation {
 public:
  KeyReservation(IdempotencyStore& store, const IdempotencyKey* key, IdempotentOutcome::Kind kind)
      : store_(store), key_(key), kind_(kind), stored_key_(key ? StoredKey(*key) : "") {}
  ~KeyReservation() {
    if (held_) store_.Release(stored_key_);
  }
  KeyReservation(const KeyReservation&) = delete;
  KeyReservation& operator=(const KeyReservation&) = delete;

  // Checks the key (400s) and reserves it. An outcome when the key completed earlier
  // (the caller answers with it and applies nothing); nullopt when the caller now
  // holds the key, or when there is no key. Errors: kInvalidRequest,
  // kIdempotencyKeyInUse, kIdempotencyKeyReused.
  Result<std::optional<IdempotentOutcome>> Acquire(TimeMs now) {
    if (Status s = CheckIdempotencyKey(key_); !s.ok()) return s;
    if (key_ == nullptr) return std::optional<IdempotentOutcome>();
    IdempotentOutcome earlier;
    auto r = store_.Reserve(stored_key_, key_->fingerprint, now, &earlier);
    if (!r.ok()) return r.status();
    held_ = *r == IdempotencyStore::Reservation::kReserved;
    if (held_) return std::optional<IdempotentOutcome>();
    if (earlier.kind != kind_) {
      return Status(ErrorCode::kIdempotencyKeyReused,
                    "this Idempotency-Key was used for a different operation");
    }
    return std::optional<IdempotentOutcome>(std::move(earlier));
  }
  void Keep() { held_ = false; }
  std::optional<IdempotencyTag> tag() const {
    if (key_ == nullptr) return std::nullopt;
    return IdempotencyTag{stored_key_, key_->fingerprint};
  }

 private:
  IdempotencyStore& store_;
  const IdempotencyKey* key_;
  const IdempotentOutcome::Kind kind_;
  const std::string stored_key_;
  bool held_ = false;
};

}  // namespace ecomm
