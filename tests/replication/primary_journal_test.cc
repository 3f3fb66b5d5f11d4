// PrimaryJournal: an engine whose journal is the local log beside a topic that loses,
// duplicates and reorders messages. Every mutation answered OK has counted, with the
// primary's checksum, exactly once; a follower of the topic ends with the primary's
// digest; with the topic down a wait ends UNAVAILABLE after the timeout and the record
// still counts later; a newer epoch deposes the primary.
#include <doctest/doctest.h>

#include <condition_variable>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ecomm/bytes.h"
#include "ecomm/replica.h"
#include "ecomm/replication/log_follower.h"
#include "ecomm/replication/primary_journal.h"
#include "replay.h"
#include "support/engine_fixture.h"
#include "support/random_mutations.h"

namespace ecomm::replication {
namespace {

using namespace std::chrono_literals;

std::string EpochMessage(Epoch epoch, uint64_t id) {
  return EncodeMessage(
      std::vector{MakeEpochRecord(EpochRecord{epoch, 0, Uuid{0, id}, "http://p", 0})});
}

// A one-partition topic behind a lossy link: Send may drop a message, deliver it twice,
// or hold it back behind the next one. A reader thread reads the topic back to the
// primary, in topic order, as its Kafka reader would.
class LossyTopic final : public MessageSink {
 public:
  LossyTopic(uint64_t seed, int drop_percent, int duplicate_percent, int reorder_percent)
      : random_(seed),
        drop_(drop_percent),
        duplicate_(duplicate_percent),
        reorder_(reorder_percent) {
    messages_.push_back(EpochMessage(1, 1));  // the primary's epoch record, counted
  }
  ~LossyTopic() override { Stop(); }

  void Send(std::string message) override {
    std::lock_guard lock(mu_);
    if (down_ || Roll() < drop_) return;
    if (held_) {  // released behind this one
      Put(std::move(message));
      Put(std::move(*held_));
      held_.reset();
      return;
    }
    if (Roll() < reorder_) {
      held_ = std::move(message);
      return;
    }
    if (Roll() < duplicate_) Put(message);
    Put(std::move(message));
  }

  // Reads back from offset 1 (the primary's rule starts after its epoch record).
  void StartReadingBack(PrimaryJournal* primary) {
    reader_ = std::thread([this, primary] {
      std::unique_lock lock(mu_);
      size_t next = 1;
      while (!stopping_) {
        cv_.wait_for(lock, 5ms, [&] { return stopping_ || next < messages_.size(); });
        while (next < messages_.size()) {
          std::string message = messages_[next];
          lock.unlock();
          primary->ReadBack(static_cast<int64_t>(next), AsBytes(message));
          lock.lock();
          ++next;
        }
      }
    });
  }
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (reader_.joinable()) reader_.join();
  }
  void SetDown(bool down) {
    std::lock_guard lock(mu_);
    down_ = down;
  }
  void Append(std::string message) {
    std::lock_guard lock(mu_);
    Put(std::move(message));
  }
  std::vector<std::string> messages() const {
    std::lock_guard lock(mu_);
    return messages_;
  }

 private:
  int Roll() { return std::uniform_int_distribution<int>(0, 99)(random_); }
  void Put(std::string message) {
    messages_.push_back(std::move(message));
    cv_.notify_all();
  }

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::mt19937_64 random_;
  const int drop_, duplicate_, reorder_;
  std::vector<std::string> messages_;
  std::optional<std::string> held_;
  bool down_ = false;
  bool stopping_ = false;
  std::thread reader_;
};

PrimaryJournalOptions Options(std::chrono::milliseconds timeout,
                              Histogram* counted_latency_us = nullptr) {
  PrimaryJournalOptions options;
  options.counted_latency_us = counted_latency_us;
  options.epoch = 1;
  options.position = CountedPosition{1, 0, Uuid{0, 1}, "http://p"};
  options.resend_after = 30ms;
  options.timeout = timeout;
  return options;
}

// A replica that reads the whole topic from offset 0.
struct TopicFollower {
  ManualClock clock{testing::kStartMs};
  Replica replica{EngineOptions{&clock}};
  LogFollower follower{CountedPosition{}, 0, [this](const TopicRecord& r) {
                         return replica.Apply(static_cast<RecordType>(r.type), AsBytes(r.payload),
                                              r.lsn);
                       }};
  explicit TopicFollower(const std::vector<std::string>& topic) {
    for (size_t i = 0; i < topic.size(); ++i) {
      REQUIRE(follower.Consume(static_cast<int64_t>(i), AsBytes(topic[i])).ok());
    }
  }
};

// The primary: an engine on the manual clock whose journal is a PrimaryJournal over a
// memory journal.
struct Primary {
  ManualClock clock{testing::kStartMs};
  wal::MemoryJournal local;
  LossyTopic topic;
  Histogram counted_us{Histogram::kCoarse};
  PrimaryJournal journal;
  Engine engine{EngineOptions{&clock, &journal}};

  Primary(uint64_t seed, int drop, int duplicate, int reorder, std::chrono::milliseconds timeout)
      : topic(seed, drop, duplicate, reorder),
        journal(&local, &topic, Options(timeout, &counted_us)) {
    topic.StartReadingBack(&journal);
  }
  ~Primary() { topic.Stop(); }
};

TEST_CASE("over a lossy topic every answered mutation counted once, and a follower agrees") {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    CAPTURE(seed);
    Primary p(seed, 15, 10, 10, 20s);
    testing::ShopShape shape;
    Lsn seeded = testing::SeedShop(p.engine, shape);
    REQUIRE(seeded > 0);
    REQUIRE(p.engine.WaitDurable(CommitTicket{seeded, 0}).ok());
    std::vector<std::thread> clients;
    std::atomic<int> answered{0};
    for (int c = 0; c < 2; ++c) {
      clients.emplace_back([&, c] {
        testing::RandomMutations mutations(p.engine, seed * 10 + c, shape);
        for (int i = 0; i < 150; ++i) {
          std::optional<CommitTicket> ticket = mutations.Step();
          if (!ticket || ticket->lsn == 0) continue;
          CHECK(p.engine.WaitDurable(*ticket).ok());
          ++answered;
        }
      });
    }
    for (std::thread& t : clients) t.join();
    Lsn last = p.local.Entries().back().lsn;
    CHECK(answered > 0);
    CHECK(p.journal.counted_lsn() == last);
    CHECK(p.journal.records_resent() > 0);  // the drops were made up for
    // Each record's wait until it counted, once, however often it was sent.
    CHECK(p.counted_us.Count() == last);
    p.topic.Stop();

    TopicFollower f(p.topic.messages());
    CHECK(f.follower.position().last_lsn == last);
    CHECK(f.replica.Digest() == StateDigest(p.engine));
  }
}

TEST_CASE("with the topic down a wait ends UNAVAILABLE at the timeout, the record counts later") {
  Primary p(7, 0, 0, 0, 150ms);
  p.topic.SetDown(true);
  auto created = p.engine.CreateUser(NewUser{"alice", "Alice", "alice@example.com"});
  REQUIRE(created.ok());
  Status waited = p.engine.WaitDurable(created->ticket);
  CHECK(waited.code() == ErrorCode::kUnavailable);
  CHECK(p.journal.counted_lsn() == 0);

  p.topic.SetDown(false);  // no new append: the record is produced again by itself
  for (int i = 0; i < 500 && p.journal.counted_lsn() < 1; ++i) std::this_thread::sleep_for(10ms);
  CHECK(p.journal.counted_lsn() == 1);
  CHECK(p.engine.WaitDurable(created->ticket).ok());
  p.topic.Stop();
  TopicFollower f(p.topic.messages());
  CHECK(f.replica.engine().GetUser("alice").ok());
}

TEST_CASE("a newer epoch deposes the primary: uncounted waits fail, appends are refused") {
  Primary p(8, 0, 0, 0, 20s);
  auto first = p.engine.CreateUser(NewUser{"alice", "Alice", "alice@example.com"});
  REQUIRE(first.ok());
  REQUIRE(p.engine.WaitDurable(first->ticket).ok());

  p.topic.SetDown(true);  // the next record never reaches the topic before the epoch
  auto second = p.engine.CreateUser(NewUser{"bob", "Bob", "bob@example.com"});
  REQUIRE(second.ok());
  std::thread deposer([&] {
    std::this_thread::sleep_for(50ms);
    p.topic.Append(EpochMessage(2, 9));
  });
  Status waited = p.engine.WaitDurable(second->ticket);  // before the 20 s timeout
  deposer.join();
  CHECK(waited.code() == ErrorCode::kNotPrimary);  // never counts: not applied
  CHECK(p.journal.deposed());
  CHECK(p.journal.counted_lsn() == 1);
  CHECK(p.engine.WaitDurable(first->ticket).ok());  // it counted before the epoch record
  auto third = p.engine.CreateUser(NewUser{"carol", "Carol", "carol@example.com"});
  CHECK(third.code() == ErrorCode::kUnavailable);
}

TEST_CASE("past max_pending uncounted records an append is refused as a full backlog") {
  ManualClock clock{testing::kStartMs};
  wal::MemoryJournal local;
  LossyTopic topic(9, 0, 0, 0);
  topic.SetDown(true);
  PrimaryJournalOptions options = Options(20s);
  options.max_pending = 2;
  PrimaryJournal journal(&local, &topic, options);
  const uint8_t payload[] = {1, 2, 3};
  CHECK(journal.Append(4, payload).ok());
  CHECK(journal.Append(4, payload).ok());
  wal::Appended third = journal.Append(4, payload);
  REQUIRE_FALSE(third.ok());
  CHECK(third.refusal() == wal::Refusal::kBacklogFull);
  CHECK(local.Entries().size() == 2);  // nothing reached the local log either
}

}  // namespace
}  // namespace ecomm::replication
