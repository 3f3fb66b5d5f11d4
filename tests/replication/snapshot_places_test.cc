// Where a replica reads on from a snapshot at a counted LSN: right after the message that
// ended there, inside the one that holds it, the latest of several that ended there (an
// epoch record), never a place for an LSN it has not seen counted.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "snapshot_places.h"

namespace ecomm::replication {
namespace {

using namespace std::chrono_literals;

CountedPosition At(Epoch epoch, Lsn lsn) {
  return CountedPosition{epoch, lsn, Uuid{epoch, 9}, "http://p" + std::to_string(epoch)};
}

TEST_CASE("a snapshot's place is after its message, or at the message holding its LSN") {
  SnapshotPlaces places;
  places.Add(0, 0, At(0, 0));   // a new topic
  places.Add(0, 1, At(1, 0));   // offset 0: epoch 1's record, base 0
  places.Add(1, 2, At(1, 5));   // offset 1: records 1..5
  places.Add(3, 4, At(1, 9));   // offset 3: records 6..9 (offset 2: a duplicate)
  places.Add(4, 5, At(2, 9));   // offset 4: epoch 2's record, base 9
  places.Add(5, 6, At(2, 12));  // offset 5: records 10..12

  std::optional<TopicPlace> p = places.At(5, 0ms);
  REQUIRE(p);
  CHECK(*p == TopicPlace{At(1, 5), 2});
  p = places.At(7, 0ms);  // inside offset 3's batch: read it again
  REQUIRE(p);
  CHECK(*p == TopicPlace{At(1, 7), 3});
  p = places.At(9, 0ms);  // after the epoch record that followed it
  REQUIRE(p);
  CHECK(*p == TopicPlace{At(2, 9), 5});
  p = places.At(11, 0ms);
  REQUIRE(p);
  CHECK(*p == TopicPlace{At(2, 11), 5});
  CHECK_FALSE(places.At(13, 0ms));  // not counted here (yet)
  p = places.At(12, 0ms);           // places below went, the one before is kept
  REQUIRE(p);
  CHECK(*p == TopicPlace{At(2, 12), 6});
}

TEST_CASE("a message taken in part resumes at itself, and reading again replaces later places") {
  SnapshotPlaces places;
  places.Add(10, 10, At(3, 100));
  places.Add(10, 10, At(3, 102));  // offset 10 in part: the replica could not take 103 yet
  places.Add(10, 11, At(3, 104));  // offset 10 read again, whole
  std::optional<TopicPlace> p = places.At(102, 0ms);
  REQUIRE(p);
  CHECK(*p == TopicPlace{At(3, 102), 10});
  places.Add(10, 10, At(3, 100));  // the replica read again from an earlier place
  CHECK_FALSE(places.At(104, 0ms));
  places.Add(10, 11, At(3, 104));
  CHECK(places.At(104, 0ms).value() == TopicPlace{At(3, 104), 11});
}

TEST_CASE("an LSN before the first place seen has none") {
  SnapshotPlaces places;
  places.Add(50, 51, At(4, 500));
  CHECK_FALSE(places.At(499, 0ms));  // its message's start is unknown
  CHECK_FALSE(places.At(501, 0ms));
}

TEST_CASE("a place is waited for until it counts, and not once closed") {
  SnapshotPlaces places;
  places.Add(0, 1, At(1, 10));
  std::thread reader([&] {
    std::this_thread::sleep_for(50ms);
    places.Add(1, 2, At(1, 20));
  });
  std::optional<TopicPlace> p = places.At(20, 10s);
  reader.join();
  REQUIRE(p);
  CHECK(*p == TopicPlace{At(1, 20), 2});
  places.Close();
  auto started = std::chrono::steady_clock::now();
  CHECK_FALSE(places.At(30, 10s));
  CHECK(std::chrono::steady_clock::now() - started < 5s);
}

}  // namespace
}  // namespace ecomm::replication
