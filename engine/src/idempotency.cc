#include "idempotency.h"

#include <cassert>
#include <memory>

namespace ecomm {

std::string StoredKey(const IdempotencyKey& key) {
  if (key.owner.empty()) return key.key;
  return key.owner + '\x1f' + key.key;
}

Result<IdempotencyStore::Reservation> IdempotencyStore::Reserve(std::string_view key,
                                                                std::string_view fingerprint,
                                                                IdempotentOutcome* outcome) {
  return entries_.WithStripe(key, [&](auto& map) -> Result<Reservation> {
    auto it = map.find(key);
    if (it == map.end()) {
      auto entry = std::make_unique<Entry>();
      entry->key = key;
      entry->fingerprint = fingerprint;
      map.emplace(entry->key, std::move(entry));
      return Reservation::kReserved;
    }
    const Entry& entry = *it->second;
    if (entry.fingerprint != fingerprint) {
      return Status(ErrorCode::kIdempotencyKeyReused,
                    "this Idempotency-Key was used for a different request");
    }
    if (entry.in_flight) {
      return Status(ErrorCode::kIdempotencyKeyInUse,
                    "a request with this Idempotency-Key is still in flight");
    }
    *outcome = entry.outcome;
    return Reservation::kCompleted;
  });
}

void IdempotencyStore::Complete(const IdempotencyTag& tag, IdempotentOutcome outcome) {
  entries_.WithStripe(tag.key, [&](auto& map) {
    auto it = map.find(tag.key);
    if (it == map.end()) {  // replay: no reservation was made
      auto entry = std::make_unique<Entry>();
      entry->key = tag.key;
      it = map.emplace(entry->key, std::move(entry)).first;
    }
    Entry& entry = *it->second;
    entry.fingerprint = tag.fingerprint;
    entry.in_flight = false;
    entry.outcome = std::move(outcome);
  });
}

void IdempotencyStore::Release(std::string_view key) {
  entries_.WithStripe(key, [&](auto& map) {
    auto it = map.find(key);
    assert(it != map.end() && it->second->in_flight);  // only the owner releases
    map.erase(it);
  });
}

}  // namespace ecomm
