#include "idempotency.h"

#include <algorithm>
#include <memory>
#include "ecomm/invariant.h"

namespace ecomm {

std::string StoredKey(const IdempotencyKey& key) {
  if (key.owner.empty()) return key.key;
  return key.owner + '\x1f' + key.key;
}

Result<IdempotencyStore::Reservation> IdempotencyStore::Reserve(std::string_view key,
                                                                std::string_view fingerprint,
                                                                TimeMs now,
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
    Entry& entry = *it->second;
    if (!entry.in_flight && Expired(entry.outcome.at, now)) {  // a new request now
      entry.fingerprint = fingerprint;
      entry.in_flight = true;
      entry.outcome = IdempotentOutcome{};
      return Reservation::kReserved;
    }
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
  const TimeMs at = outcome.at;
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
  {
    std::lock_guard lock(sweep_mu_);
    completions_.emplace_back(at, std::string(tag.key));
  }
  Sweep(at);
}

size_t IdempotencyStore::SweepExpired(TimeMs now, size_t budget) {
  size_t taken = 0;
  size_t erased = 0;
  while (taken < budget) {
    size_t most = std::min(kSweepBatch, budget - taken);
    Swept swept = Sweep(now, most);
    taken += swept.taken;
    erased += swept.erased;
    if (swept.taken < most) break;
  }
  return erased;
}

IdempotencyStore::Swept IdempotencyStore::Sweep(TimeMs now, size_t most) {
  // Two per completion: the queue shrinks faster than it grows once keys expire.
  std::pair<TimeMs, std::string> due[kSweepBatch];
  size_t n = 0;
  most = std::min(most, kSweepBatch);
  {
    std::lock_guard lock(sweep_mu_);
    while (n < most && !completions_.empty() && Expired(completions_.front().first, now)) {
      due[n++] = std::move(completions_.front());
      completions_.pop_front();
    }
  }
  Swept swept{n, 0};
  for (size_t i = 0; i < n; ++i) {
    entries_.WithStripe(due[i].second, [&](auto& map) {
      auto it = map.find(due[i].second);
      // Only the completion this item recorded: not a later one of the same key.
      if (it != map.end() && !it->second->in_flight && it->second->outcome.at == due[i].first) {
        map.erase(it);
        ++swept.erased;
      }
    });
  }
  return swept;
}

void IdempotencyStore::Release(std::string_view key) {
  entries_.WithStripe(key, [&](auto& map) {
    auto it = map.find(key);
    ECOMM_INVARIANT(it != map.end() && it->second->in_flight, "only the owner releases a key");
    map.erase(it);
  });
}

}  // namespace ecomm
