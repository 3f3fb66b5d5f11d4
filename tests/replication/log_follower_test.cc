// LogFollower: a replica fed the topic a primary wrote, noise included (duplicates,
// a deposed primary's records, a damaged message, a lost promotion race), ends with
// the primary's state to the last byte of the digest; a counted record the replica
// refuses stops it, naming the LSN.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ecomm/bytes.h"
#include "ecomm/replica.h"
#include "ecomm/replication/log_follower.h"
#include "replay.h"
#include "support/engine_fixture.h"
#include "support/random_mutations.h"

namespace ecomm::replication {
namespace {

using testing::EngineFixture;

TopicRecord Promote(Epoch epoch, Lsn base_lsn, uint64_t id) {
  return MakeEpochRecord(EpochRecord{epoch, base_lsn, Uuid{0, id}, "http://primary", 0});
}

// The topic a primary in epoch 1 would write for `entries`, in batches of 1 to 8
// records, with the noise of a real topic mixed in.
std::vector<std::string> TopicOf(const std::vector<wal::MemoryJournal::Entry>& entries,
                                 uint64_t seed) {
  std::mt19937_64 random(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(random); };
  std::vector<std::string> topic;
  topic.push_back(EncodeMessage(std::vector{MakeDataRecord(1, 1, 4, AsBytes("early"))}));
  topic.push_back(EncodeMessage(std::vector{Promote(1, 0, 1)}));
  topic.push_back(EncodeMessage(std::vector{Promote(1, 0, 2)}));  // lost the race
  for (size_t i = 0; i < entries.size();) {
    size_t n = std::min<size_t>(pick(1, 8), entries.size() - i);
    std::vector<TopicRecord> batch;
    for (size_t j = i; j < i + n; ++j) {
      batch.push_back(MakeDataRecord(1, entries[j].lsn, entries[j].type, entries[j].payload));
    }
    topic.push_back(EncodeMessage(batch));
    if (pick(0, 9) == 0) topic.push_back(topic.back());             // a retried produce
    if (pick(0, 19) == 0) topic.push_back(topic.back().substr(1));  // damaged
    if (pick(0, 19) == 0) {  // a record of an epoch that never counted, at the next LSN
      topic.push_back(EncodeMessage(std::vector{
          MakeDataRecord(7, entries[i + n - 1].lsn + 1, entries[i].type, entries[i].payload)}));
    }
    i += n;
  }
  return topic;
}

// The primary's start time on the replica's clock too: what expires by the clock
// (idempotency keys, top-seller minutes) expires alike on both.
struct Follower {
  ManualClock clock{testing::kStartMs};
  Replica replica{EngineOptions{&clock}};
  LogFollower follower{CountedPosition{}, 0, [this](const TopicRecord& r) {
                         return replica.Apply(static_cast<RecordType>(r.type), AsBytes(r.payload),
                                              r.lsn);
                       }};

  void ConsumeAll(const std::vector<std::string>& topic, size_t from = 0) {
    for (size_t offset = from; offset < topic.size(); ++offset) {
      REQUIRE(follower.Consume(static_cast<int64_t>(offset), AsBytes(topic[offset])).ok());
    }
  }
};

EngineFixture& Traded(EngineFixture& f, uint64_t seed, int steps) {
  testing::ShopShape shape;
  REQUIRE(testing::SeedShop(f.engine, shape) > 0);
  testing::RandomMutations mutations(f.engine, seed, shape);
  for (int i = 0; i < steps; ++i) mutations.Step();
  return f;
}

TEST_CASE("a follower fed a noisy topic ends with the primary's state") {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    CAPTURE(seed);
    EngineFixture primary;
    Traded(primary, seed, 400);
    std::vector<wal::MemoryJournal::Entry> entries = primary.journal.Entries();
    std::vector<std::string> topic = TopicOf(entries, seed);

    Follower f;
    f.ConsumeAll(topic);
    CHECK(f.follower.position().epoch == 1);
    CHECK(f.follower.position().promotion_id == Uuid{0, 1});
    CHECK(f.follower.position().last_lsn == entries.back().lsn);
    CHECK(f.replica.applied_lsn() == entries.back().lsn);
    CHECK(f.follower.next_offset() == static_cast<int64_t>(topic.size()));
    CHECK(f.replica.Digest() == StateDigest(primary.engine));
    std::array<uint64_t, 7> verdicts = f.follower.verdicts();
    CHECK(verdicts[static_cast<size_t>(Verdict::kCounted)] == entries.size());
    CHECK(verdicts[static_cast<size_t>(Verdict::kNoEpochYet)] == 1);
    CHECK(verdicts[static_cast<size_t>(Verdict::kEpochNotHigher)] == 1);
  }
}

TEST_CASE("a follower resumed from a kept position and offset agrees with one that never stopped") {
  EngineFixture primary;
  Traded(primary, 11, 300);
  std::vector<std::string> topic = TopicOf(primary.journal.Entries(), 11);
  size_t half = topic.size() / 2;

  Follower whole;
  whole.ConsumeAll(topic);
  Follower first;
  first.ConsumeAll(std::vector<std::string>(topic.begin(), topic.begin() + half));
  // The restarted follower: the same replica state, a new follower at the kept place.
  LogFollower resumed(
      first.follower.position(), first.follower.next_offset(), [&](const TopicRecord& r) {
        return first.replica.Apply(static_cast<RecordType>(r.type), AsBytes(r.payload), r.lsn);
      });
  // A reconnect delivers some messages again: they are passed over.
  for (size_t offset = half - 3; offset < topic.size(); ++offset) {
    REQUIRE(resumed.Consume(static_cast<int64_t>(offset), AsBytes(topic[offset])).ok());
  }
  CHECK(resumed.position() == whole.follower.position());
  CHECK(first.replica.Digest() == whole.replica.Digest());
}

TEST_CASE("a counted record the replica refuses stops the follower, naming it") {
  EngineFixture primary;
  primary.AddUser("alice", 100);
  std::vector<wal::MemoryJournal::Entry> entries = primary.journal.Entries();
  REQUIRE(entries.size() == 2);  // CREATE_USER, CHARGE

  Follower f;
  REQUIRE(f.follower.Consume(0, AsBytes(EncodeMessage(std::vector{Promote(1, 0, 1)}))).ok());
  // The charge alone, at LSN 1: its user does not exist on this replica.
  std::string charge =
      EncodeMessage(std::vector{MakeDataRecord(1, 1, entries[1].type, entries[1].payload)});
  Status stopped = f.follower.Consume(1, AsBytes(charge));
  REQUIRE(stopped.code() == ErrorCode::kCorruption);
  CHECK(stopped.message().find("counted record 1 (epoch 1, offset 1) refused") !=
        std::string::npos);
  CHECK(f.follower.position().last_lsn == 0);  // never reported counted
  CHECK_FALSE(f.follower.WaitCounted(1, std::chrono::milliseconds(1)));
  CHECK(f.replica.applied_lsn() == 0);
  // Never skipped: every later message gets the same answer.
  std::string create =
      EncodeMessage(std::vector{MakeDataRecord(1, 1, entries[0].type, entries[0].payload)});
  CHECK(f.follower.Consume(2, AsBytes(create)).message() == stopped.message());
  CHECK(f.replica.applied_lsn() == 0);
}

TEST_CASE("WaitCounted wakes when the LSN counts, and times out when it does not") {
  EngineFixture primary;
  primary.AddUser("alice", 100);
  std::vector<wal::MemoryJournal::Entry> entries = primary.journal.Entries();
  Follower f;
  REQUIRE(f.follower.Consume(0, AsBytes(EncodeMessage(std::vector{Promote(1, 0, 1)}))).ok());
  CHECK_FALSE(f.follower.WaitCounted(1, std::chrono::milliseconds(20)));
  std::thread feeder([&] {
    std::vector<TopicRecord> batch;
    for (const auto& e : entries) batch.push_back(MakeDataRecord(1, e.lsn, e.type, e.payload));
    CHECK(f.follower.Consume(1, AsBytes(EncodeMessage(batch))).ok());
  });
  CHECK(f.follower.WaitCounted(2, std::chrono::seconds(10)));
  feeder.join();
  CHECK(f.replica.engine().GetBalance("alice").value().current_balance == 100);
}

}  // namespace
}  // namespace ecomm::replication
