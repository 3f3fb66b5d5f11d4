#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ecomm/engine.h"
#include "ecomm/record.h"
#include "ecomm/result.h"
#include "ecomm/types.h"
#include "striped_map.h"

namespace ecomm {

// What a keyed request produced, enough to answer a retry with the same response.
struct IdempotentOutcome {
  enum class Kind : uint8_t { kCharge, kPlaceOrder, kCancelOrder };
  Kind kind = Kind::kCharge;
  Lsn lsn = 0;
  TimeMs at = 0;
  std::string user_id;        // kCharge
  Money balance_after = 0;    // kCharge
  Uuid order_id;              // kPlaceOrder, kCancelOrder
  uint32_t history_size = 0;  // order history entries that existed in the response
};

// Idempotency keys: key -> fingerprint + outcome. A request first Reserves its key
// (not logged); the record of its mutation carries the key, and applying that record
// Completes the entry, live and in replay alike. A rejected request Releases it.
class IdempotencyStore {
 public:
  enum class Reservation : uint8_t { kReserved, kCompleted };

  // kReserved: the caller owns the key until Complete or Release. kCompleted:
  // `*outcome` is the first request's. Errors: kIdempotencyKeyInUse,
  // kIdempotencyKeyReused.
  Result<Reservation> Reserve(std::string_view key, std::string_view fingerprint,
                              IdempotentOutcome* outcome);
  void Complete(const IdempotencyTag& tag, IdempotentOutcome outcome);
  void Release(std::string_view key);

  // Calls fn(key, fingerprint, outcome) for every completed entry, in no order.
  template <class Fn>
  void ForEachCompleted(Fn&& fn) const {
    entries_.ForEach([&](const Entry& e) {
      if (!e.in_flight) fn(e.key, e.fingerprint, e.outcome);
    });
  }

 private:
  struct Entry {
    std::string key;
    std::string fingerprint;
    bool in_flight = true;
    IdempotentOutcome outcome;
  };

  // Entries are erased on Release, so this map is used only under its stripe lock.
  StripedMap<std::string, Entry, StringHash> entries_;
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

  // Without a key: kReserved and nothing held.
  Result<IdempotencyStore::Reservation> Acquire(IdempotentOutcome* outcome) {
    if (key_ == nullptr) return IdempotencyStore::Reservation::kReserved;
    auto r = store_.Reserve(stored_key_, key_->fingerprint, outcome);
    held_ = r.ok() && *r == IdempotencyStore::Reservation::kReserved;
    if (r.ok() && !held_ && outcome->kind != kind_) {
      return Status(ErrorCode::kIdempotencyKeyReused,
                    "this Idempotency-Key was used for a different operation");
    }
    return r;
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
