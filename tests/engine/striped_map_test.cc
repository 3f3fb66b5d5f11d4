// StripedMap (engine/src/striped_map.h): Find, WithStripe and LockStripe reach the one
// stripe that holds a key, whether it is named by a std::string or a string_view;
// Size() and ForEach() cover every stripe exactly once; the keys spread over the
// stripes; and a value's address never changes while the map grows.
#include <doctest/doctest.h>

#include <algorithm>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "striped_map.h"

namespace ecomm::testing {
namespace {

using Map = StripedMap<std::string, int, StringHash>;

// Inserts `key` with `value` unless present; returns whether it inserted.
bool Insert(Map& map, const std::string& key, int value) {
  return map.WithStripe(key, [&](Map::Map& stripe) {
    return stripe.try_emplace(key, std::make_unique<int>(value)).second;
  });
}

std::string Key(int i) { return "user-" + std::to_string(i); }

// Catches a Find that reports a key it was never given, or misses one it was.
TEST_CASE("Find: absent keys give nullptr, a present key its value") {
  Map map;
  CHECK(map.Find(std::string("nobody")) == nullptr);
  REQUIRE(Insert(map, "alice", 7));
  int* alice = map.Find(std::string("alice"));
  REQUIRE(alice != nullptr);
  CHECK(*alice == 7);
  CHECK(map.Find(std::string("alic")) == nullptr);
  CHECK(map.Find(std::string("alice ")) == nullptr);
}

// Catches WithStripe running on a stripe other than the key's (the insert would then
// be invisible to Find, or a second insert would not see the first).
TEST_CASE("WithStripe inserts if absent, and the second insert finds the first") {
  Map map;
  CHECK(Insert(map, "bob", 1));
  CHECK_FALSE(Insert(map, "bob", 2));
  REQUIRE(map.Find(std::string("bob")) != nullptr);
  CHECK(*map.Find(std::string("bob")) == 1);
  CHECK(map.Size() == 1);
}

// Catches a LockStripe that returns the lock unheld, or another stripe's map or mutex.
TEST_CASE("LockStripe holds the key's stripe locked and hands out that stripe's map") {
  Map map;
  REQUIRE(Insert(map, "carol", 3));
  Map::Map* with_stripe = map.WithStripe(std::string("carol"), [](Map::Map& m) { return &m; });
  std::mutex* mutex = nullptr;
  {
    Map::LockedStripe stripe = map.LockStripe(std::string("carol"));
    CHECK(stripe.lock.owns_lock());
    CHECK(stripe.map == with_stripe);
    REQUIRE(stripe.map->count("carol") == 1);
    mutex = stripe.lock.mutex();
    // Another thread cannot take the stripe's mutex while it is held here.
    CHECK_FALSE(std::async(std::launch::async, [&] { return mutex->try_lock(); }).get());
  }
  // Released with the LockedStripe.
  CHECK(std::async(std::launch::async, [&] {
          bool got = mutex->try_lock();
          if (got) mutex->unlock();
          return got;
        }).get());
}

// Catches a Size() or ForEach() that skips a stripe or counts one twice, and a
// stripe choice that puts every key in a few stripes (10,000 random keys leave none
// of 64 stripes empty except with probability 64 * (63/64)^10000, about 1e-66).
TEST_CASE("10,000 keys: Size and ForEach cover every stripe once, and all 64 stripes are used") {
  constexpr int kKeys = 10'000;
  Map map;
  for (int i = 0; i < kKeys; ++i) REQUIRE(Insert(map, Key(i), i));
  CHECK(map.Size() == kKeys);
  std::vector<int> seen;
  map.ForEach([&](const int& value) { seen.push_back(value); });
  std::sort(seen.begin(), seen.end());
  std::vector<int> expected(kKeys);
  for (int i = 0; i < kKeys; ++i) expected[i] = i;
  CHECK(seen == expected);
  std::set<Map::Map*> stripes;
  for (int i = 0; i < kKeys; ++i) stripes.insert(map.LockStripe(Key(i)).map);
  CHECK(stripes.size() == 64);
}

// Catches values stored by value (or moved on rehash): a pointer from Find must stay
// valid and keep its value while 10,000 inserts rehash every stripe several times.
TEST_CASE("a value's address survives 10,000 later inserts") {
  Map map;
  REQUIRE(Insert(map, "dave", 4));
  int* dave = map.Find(std::string("dave"));
  REQUIRE(dave != nullptr);
  for (int i = 0; i < 10'000; ++i) REQUIRE(Insert(map, Key(i), i));
  CHECK(map.Find(std::string("dave")) == dave);
  CHECK(*dave == 4);
}

// Catches a lookup by string_view that hashes or compares other bytes than the view's
// (a view into a longer buffer, not NUL-terminated at its end), or picks another stripe
// than the std::string key did.
TEST_CASE("a string_view finds a std::string key without building a string") {
  Map map;
  REQUIRE(Insert(map, "user-1", 10));
  REQUIRE(Insert(map, "user-12", 12));
  const std::string buffer = "user-123";
  CHECK(map.Find(std::string_view(buffer).substr(0, 6)) == map.Find(std::string("user-1")));
  CHECK(map.Find(std::string_view(buffer).substr(0, 7)) == map.Find(std::string("user-12")));
  CHECK(map.Find(std::string_view(buffer)) == nullptr);
  REQUIRE(map.Find(std::string_view(buffer).substr(0, 6)) != nullptr);
  CHECK(*map.Find(std::string_view(buffer).substr(0, 6)) == 10);
  // One at a time: a LockedStripe holds its stripe until it is destroyed.
  Map::Map* by_view = map.LockStripe(std::string_view(buffer).substr(0, 7)).map;
  Map::Map* by_string = map.LockStripe(std::string("user-12")).map;
  CHECK(by_view == by_string);
}

}  // namespace
}  // namespace ecomm::testing
