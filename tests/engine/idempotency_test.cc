// IdempotencyStore and KeyReservation (engine/src/idempotency.h): the life of a key
// (reserved, in flight, completed, expired, released), the one expiry rule at its exact
// boundary, the sweeps that erase expired entries oldest first, what ForEachLive shows,
// and the reservation a keyed request holds: its answers, its release on destruction,
// Keep(), and the owner's namespace.
#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "idempotency.h"

namespace ecomm::testing {
namespace {

using Kind = IdempotentOutcome::Kind;
using Reservation = IdempotencyStore::Reservation;

constexpr TimeMs kTtl = 100;

IdempotentOutcome Outcome(TimeMs at, Kind kind = Kind::kCharge) {
  IdempotentOutcome o;
  o.kind = kind;
  o.lsn = static_cast<Lsn>(at) + 1000;
  o.at = at;
  o.user_id = "alice";
  o.balance_after = 250;
  o.history_size = 3;
  return o;
}

void Complete(IdempotencyStore& store, const std::string& key, TimeMs at,
              const std::string& fingerprint = "fp") {
  store.Complete(IdempotencyTag{key, fingerprint}, Outcome(at));
}

// The keys of ForEachLive at `now`, sorted.
std::vector<std::string> LiveKeys(const IdempotencyStore& store, TimeMs now) {
  std::vector<std::string> keys;
  store.ForEachLive(now, [&](const std::string& key, const std::string&, const IdempotentOutcome&) {
    keys.push_back(key);
  });
  std::sort(keys.begin(), keys.end());
  return keys;
}

// Catches a key reservable twice while in flight, and the two refusals swapped (the
// fingerprint is compared first: another request is "reused" even while in flight).
TEST_CASE("Reserve: a new key is reserved, while in flight the same request is in use") {
  IdempotencyStore store(kTtl);
  IdempotentOutcome out;
  auto first = store.Reserve("k", "fp", 0, &out);
  REQUIRE(first.ok());
  CHECK(*first == Reservation::kReserved);
  CHECK(store.size() == 1);
  CHECK(store.Reserve("k", "fp", 1, &out).code() == ErrorCode::kIdempotencyKeyInUse);
  CHECK(store.Reserve("k", "other", 1, &out).code() == ErrorCode::kIdempotencyKeyReused);
  CHECK(store.size() == 1);
}

// Catches a completed key that lets the same request run again, or answers it with
// anything but the stored outcome; and another request accepted on a completed key.
TEST_CASE("a completed key answers the same request with the stored outcome") {
  IdempotencyStore store(kTtl);
  IdempotentOutcome out;
  REQUIRE(store.Reserve("k", "fp", 10, &out).ok());
  Complete(store, "k", 10);
  auto again = store.Reserve("k", "fp", 20, &out);
  REQUIRE(again.ok());
  CHECK(*again == Reservation::kCompleted);
  CHECK(out.kind == Kind::kCharge);
  CHECK(out.lsn == 1010);
  CHECK(out.at == 10);
  CHECK(out.user_id == "alice");
  CHECK(out.balance_after == 250);
  CHECK(out.history_size == 3);
  CHECK(store.Reserve("k", "other", 20, &out).code() == ErrorCode::kIdempotencyKeyReused);
}

// Catches `>` for `>=` (or the reverse) in the expiry rule: completed at 1000 with a
// ttl of 100, the key holds at 1099 and is free at 1100, for any request.
TEST_CASE("a completed key expires exactly ttl after its record") {
  IdempotencyStore store(kTtl);
  CHECK_FALSE(store.Expired(1000, 1099));
  CHECK(store.Expired(1000, 1100));
  Complete(store, "k", 1000);
  IdempotentOutcome out;
  CHECK(*store.Reserve("k", "fp", 1099, &out) == Reservation::kCompleted);
  CHECK(store.Reserve("k", "other", 1099, &out).code() == ErrorCode::kIdempotencyKeyReused);
  auto fresh = store.Reserve("k", "other", 1100, &out);
  REQUIRE(fresh.ok());
  CHECK(*fresh == Reservation::kReserved);
  // Now in flight for the new request.
  CHECK(store.Reserve("k", "other", 1100, &out).code() == ErrorCode::kIdempotencyKeyInUse);
  CHECK(store.Reserve("k", "fp", 1100, &out).code() == ErrorCode::kIdempotencyKeyReused);
  CHECK(store.size() == 1);
}

// Catches a Release that leaves the entry (the key would stay in use forever).
TEST_CASE("Release frees the key for any request") {
  IdempotencyStore store(kTtl);
  IdempotentOutcome out;
  REQUIRE(store.Reserve("k", "fp", 0, &out).ok());
  store.Release("k");
  CHECK(store.size() == 0);
  auto next = store.Reserve("k", "other", 0, &out);
  REQUIRE(next.ok());
  CHECK(*next == Reservation::kReserved);
}

// Catches a Complete that does not sweep, sweeps the newest instead of the oldest, or
// sweeps an entry not yet expired (the boundary: 110 - 10 = ttl is expired).
TEST_CASE("Complete sweeps the entries expired at its time, oldest first") {
  IdempotencyStore store(kTtl);
  Complete(store, "a", 0);
  Complete(store, "b", 10);
  Complete(store, "c", 20);
  CHECK(store.size() == 3);
  Complete(store, "d", 110);
  CHECK(store.size() == 2);  // a and b went
  CHECK(LiveKeys(store, 110) == std::vector<std::string>{"c", "d"});
}

// Catches a sweep that erases live entries, skips expired ones, takes them in another
// order than oldest first, or ignores its budget.
TEST_CASE("SweepExpired erases the expired entries oldest first, within its budget") {
  IdempotencyStore store(kTtl);
  for (int i = 0; i < 10; ++i) Complete(store, "k" + std::to_string(i), i);  // at 0..9
  CHECK(store.SweepExpired(104, 100) == 5);  // k0..k4 expired at 104; k5..k9 are not
  CHECK(store.size() == 5);
  CHECK(LiveKeys(store, 104) == std::vector<std::string>{"k5", "k6", "k7", "k8", "k9"});
  CHECK(store.SweepExpired(1000, 2) == 2);  // all expired; the budget takes the oldest two
  CHECK(LiveKeys(store, 9) == std::vector<std::string>{"k7", "k8", "k9"});
  CHECK(store.SweepExpired(1000, 100) == 3);
  CHECK(store.size() == 0);
  CHECK(store.SweepExpired(1000, 100) == 0);
}

// Catches a sweep that erases by key alone: the queued completion of an entry reserved
// again since (k: in flight; j: completed again at 150) must not take the new request's
// entry.
// Catches a budget counted in whole batches (a budget of 3 erasing 4) and a count of
// queue items rather than of entries erased.
TEST_CASE("SweepExpired stops at its budget exactly and counts only entries it erased") {
  IdempotencyStore store(kTtl);
  for (int i = 0; i < 10; ++i) Complete(store, "k" + std::to_string(i), i);
  CHECK(store.SweepExpired(1000, 3) == 3);
  CHECK(store.size() == 7);
  CHECK(LiveKeys(store, 9) == std::vector<std::string>{"k3", "k4", "k5", "k6", "k7", "k8", "k9"});

  IdempotencyStore again(kTtl);
  IdempotentOutcome out;
  Complete(again, "k", 0);
  REQUIRE(*again.Reserve("k", "second", 200, &out) == Reservation::kReserved);  // expired, reused
  CHECK(again.SweepExpired(300, 100) == 0);  // the queued completion is stale: nothing erased
  CHECK(again.size() == 1);
}

TEST_CASE("a sweep leaves an entry reserved or completed again after its queued completion") {
  IdempotencyStore store(kTtl);
  IdempotentOutcome out;
  Complete(store, "k", 0);
  Complete(store, "j", 0);
  REQUIRE(*store.Reserve("k", "second", 100, &out) == Reservation::kReserved);
  REQUIRE(*store.Reserve("j", "second", 100, &out) == Reservation::kReserved);
  Complete(store, "j", 150, "second");  // its sweep reaches both items queued at 0
  store.SweepExpired(200, 100);
  CHECK(store.size() == 2);
  CHECK(store.Reserve("k", "second", 200, &out).code() == ErrorCode::kIdempotencyKeyInUse);
  REQUIRE(*store.Reserve("j", "second", 200, &out) == Reservation::kCompleted);
  CHECK(out.at == 150);
}

// Catches ForEachLive showing requests still in flight (their outcome is empty) or
// outcomes past the ttl (snapshots and the digest must leave them out).
TEST_CASE("ForEachLive shows completed entries not expired, nothing else") {
  IdempotencyStore store(kTtl);
  IdempotentOutcome out;
  Complete(store, "old", 0);
  Complete(store, "live", 50, "live-fp");
  REQUIRE(store.Reserve("flying", "fp", 60, &out).ok());
  CHECK(store.size() == 3);
  int calls = 0;
  store.ForEachLive(100, [&](const std::string& key, const std::string& fingerprint,
                             const IdempotentOutcome& outcome) {
    ++calls;
    CHECK(key == "live");
    CHECK(fingerprint == "live-fp");
    CHECK(outcome.at == 50);
  });
  CHECK(calls == 1);
  CHECK(LiveKeys(store, 99) == std::vector<std::string>{"live", "old"});
}

// Catches a keyless request that reserves something, or a tag made up for it.
TEST_CASE("KeyReservation without a key holds nothing") {
  IdempotencyStore store(kTtl);
  {
    KeyReservation reservation(store, nullptr, Kind::kCharge);
    auto r = reservation.Acquire(0);
    REQUIRE(r.ok());
    CHECK_FALSE(r->has_value());
    CHECK_FALSE(reservation.tag().has_value());
    CHECK(store.size() == 0);
  }
  CHECK(store.size() == 0);
}

// Catches a reservation that leaks its key on an early return (no release in the
// destructor), or releases it after Keep() (the applied record completes it instead).
TEST_CASE("KeyReservation releases its key on destruction unless Keep() was called") {
  IdempotencyStore store(kTtl);
  IdempotencyKey key{"k", "fp"};
  IdempotentOutcome out;
  {
    KeyReservation reservation(store, &key, Kind::kCharge);
    auto r = reservation.Acquire(0);
    REQUIRE(r.ok());
    CHECK_FALSE(r->has_value());  // the caller now holds the key
    REQUIRE(reservation.tag().has_value());
    CHECK(reservation.tag()->key == "k");
    CHECK(reservation.tag()->fingerprint == "fp");
    CHECK(store.Reserve("k", "fp", 0, &out).code() == ErrorCode::kIdempotencyKeyInUse);
  }
  CHECK(store.size() == 0);
  {
    KeyReservation reservation(store, &key, Kind::kCharge);
    REQUIRE(reservation.Acquire(0).ok());
    reservation.Keep();
  }
  CHECK(store.size() == 1);
  CHECK(store.Reserve("k", "fp", 0, &out).code() == ErrorCode::kIdempotencyKeyInUse);
}

// Catches a retry that runs again instead of answering from the outcome, a retry's
// reservation that releases the completed entry, and a key reused across operations.
TEST_CASE("KeyReservation on a completed key returns its outcome, for the same kind only") {
  IdempotencyStore store(kTtl);
  IdempotencyKey key{"k", "fp"};
  {
    KeyReservation first(store, &key, Kind::kCharge);
    REQUIRE(first.Acquire(0).ok());
    store.Complete(*first.tag(), Outcome(5));
    first.Keep();
  }
  {
    KeyReservation retry(store, &key, Kind::kCharge);
    auto r = retry.Acquire(50);
    REQUIRE(r.ok());
    REQUIRE(r->has_value());
    CHECK((*r)->at == 5);
    CHECK((*r)->lsn == 1005);
    CHECK((*r)->balance_after == 250);
  }
  CHECK(store.size() == 1);  // the retry did not release the completed entry
  KeyReservation other_kind(store, &key, Kind::kPlaceOrder);
  CHECK(other_kind.Acquire(50).code() == ErrorCode::kIdempotencyKeyReused);
  CHECK(store.size() == 1);
}

// Catches a refused reservation whose destructor releases the holder's key.
TEST_CASE("a second KeyReservation of a key in flight is refused and leaves the first's hold") {
  IdempotencyStore store(kTtl);
  IdempotencyKey key{"k", "fp"};
  IdempotencyKey other_request{"k", "other"};
  KeyReservation holder(store, &key, Kind::kCharge);
  REQUIRE(holder.Acquire(0).ok());
  {
    KeyReservation same(store, &key, Kind::kCharge);
    CHECK(same.Acquire(0).code() == ErrorCode::kIdempotencyKeyInUse);
    KeyReservation different(store, &other_request, Kind::kCharge);
    CHECK(different.Acquire(0).code() == ErrorCode::kIdempotencyKeyReused);
  }
  IdempotentOutcome out;
  CHECK(store.Reserve("k", "fp", 0, &out).code() == ErrorCode::kIdempotencyKeyInUse);
}

// Catches a key that skips the checks (empty, too long, not printable ASCII, no
// fingerprint) or reserves something before refusing.
TEST_CASE("KeyReservation refuses a malformed key as kInvalidRequest and holds nothing") {
  IdempotencyStore store(kTtl);
  for (const IdempotencyKey& bad :
       {IdempotencyKey{"", "fp"}, IdempotencyKey{std::string(129, 'k'), "fp"},
        IdempotencyKey{"tab\there", "fp"}, IdempotencyKey{"k", ""}}) {
    KeyReservation reservation(store, &bad, Kind::kCharge);
    CHECK(reservation.Acquire(0).code() == ErrorCode::kInvalidRequest);
  }
  CHECK(store.size() == 0);
  IdempotencyKey longest{std::string(128, 'k'), "fp"};
  KeyReservation reservation(store, &longest, Kind::kCharge);
  CHECK(reservation.Acquire(0).ok());
  CHECK(store.size() == 1);
}

// Catches owners sharing one namespace: the same client key under two owners and in
// the shared namespace names three entries, and the owner's is "<owner>\x1f<key>".
TEST_CASE("StoredKey keeps each owner's keys apart from the shared namespace") {
  CHECK(StoredKey(IdempotencyKey{"k", "fp"}) == "k");
  CHECK(StoredKey(IdempotencyKey{"k", "fp", "alice"}) == std::string("alice\x1f") + "k");
  IdempotencyStore store(kTtl);
  IdempotencyKey shared{"k", "fp"}, alice{"k", "fp", "alice"}, bob{"k", "fp", "bob"};
  KeyReservation r1(store, &shared, Kind::kCharge);
  KeyReservation r2(store, &alice, Kind::kCharge);
  KeyReservation r3(store, &bob, Kind::kCharge);
  REQUIRE(r1.Acquire(0).ok());
  REQUIRE(r2.Acquire(0).ok());
  REQUIRE(r3.Acquire(0).ok());
  CHECK(store.size() == 3);
  CHECK(r2.tag()->key == std::string("alice\x1f") + "k");
}

}  // namespace
}  // namespace ecomm::testing
