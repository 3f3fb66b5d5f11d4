// The rule of what counts: one test per verdict, then generated topics (primaries that
// retry, lose produces, race to promote and go on writing once deposed) on which the
// counted records are always one contiguous history that every reader agrees on.
#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ecomm/bytes.h"
#include "ecomm/replication/counting_rule.h"

namespace ecomm::replication {
namespace {

TopicRecord Data(Epoch epoch, Lsn lsn, const std::string& payload = "p") {
  return MakeDataRecord(epoch, lsn, 4, AsBytes(payload));
}

TopicRecord Promote(Epoch epoch, Lsn base_lsn, uint64_t id = 1, std::string url = "http://a") {
  return MakeEpochRecord(EpochRecord{epoch, base_lsn, Uuid{0, id}, std::move(url), 0});
}

TEST_CASE("a data record before any epoch record counts for no one") {
  CountingRule rule;
  CHECK(rule.Judge(Data(1, 1)) == Verdict::kNoEpochYet);
  CHECK(rule.position() == CountedPosition{});
}

TEST_CASE("the first epoch record continues after its base LSN") {
  CountingRule rule;
  CHECK(rule.Judge(Promote(1, 40, 9, "http://p1")) == Verdict::kEpochCounted);
  CHECK(rule.position() == CountedPosition{1, 40, Uuid{0, 9}, "http://p1"});
  CHECK(rule.Judge(Data(1, 40)) == Verdict::kNotNext);
  CHECK(rule.Judge(Data(1, 41)) == Verdict::kCounted);
  CHECK(rule.position().last_lsn == 41);
}

TEST_CASE("data records of the current epoch count in LSN order, once") {
  CountingRule rule;
  REQUIRE(rule.Judge(Promote(1, 0)) == Verdict::kEpochCounted);
  CHECK(rule.Judge(Data(1, 1)) == Verdict::kCounted);
  CHECK(rule.Judge(Data(1, 1)) == Verdict::kNotNext);  // a retried produce
  CHECK(rule.Judge(Data(1, 3)) == Verdict::kNotNext);  // after a lost one
  CHECK(rule.Judge(Data(1, 2)) == Verdict::kCounted);  // produced again
  CHECK(rule.Judge(Data(1, 3)) == Verdict::kCounted);
  CHECK(rule.position().last_lsn == 3);
}

TEST_CASE("a later epoch record continues after the last counted LSN, not its base") {
  CountingRule rule;
  REQUIRE(rule.Judge(Promote(1, 0)) == Verdict::kEpochCounted);
  REQUIRE(rule.Judge(Data(1, 1)) == Verdict::kCounted);
  REQUIRE(rule.Judge(Data(1, 2)) == Verdict::kCounted);
  // The promoter had read up to 1; record 2 counted before its epoch record did.
  CHECK(rule.Judge(Promote(2, 1, 5, "http://p2")) == Verdict::kEpochCounted);
  CHECK(rule.position() == CountedPosition{2, 2, Uuid{0, 5}, "http://p2"});
  CHECK(rule.Judge(Data(2, 3)) == Verdict::kCounted);
}

TEST_CASE("a deposed primary's records count for no one") {
  CountingRule rule;
  REQUIRE(rule.Judge(Promote(1, 0)) == Verdict::kEpochCounted);
  REQUIRE(rule.Judge(Data(1, 1)) == Verdict::kCounted);
  REQUIRE(rule.Judge(Promote(2, 1)) == Verdict::kEpochCounted);
  CHECK(rule.Judge(Data(1, 2)) == Verdict::kOtherEpoch);  // the zombie, at the next LSN
  CHECK(rule.Judge(Data(3, 2)) == Verdict::kOtherEpoch);  // an epoch that never counted
  CHECK(rule.position().last_lsn == 1);
  CHECK(rule.Judge(Data(2, 2)) == Verdict::kCounted);
}

TEST_CASE("of two promoters of the same epoch the first record wins, and a lower one loses") {
  CountingRule rule;
  REQUIRE(rule.Judge(Promote(1, 0)) == Verdict::kEpochCounted);
  CHECK(rule.Judge(Promote(2, 0, 7, "http://b")) == Verdict::kEpochCounted);
  CHECK(rule.Judge(Promote(2, 0, 8, "http://c")) == Verdict::kEpochNotHigher);
  CHECK(rule.Judge(Promote(1, 0, 9, "http://d")) == Verdict::kEpochNotHigher);
  CHECK(rule.position().promotion_id == Uuid{0, 7});
  CHECK(rule.position().primary_url == "http://b");
}

TEST_CASE("an epoch record whose payload does not decode counts for no one") {
  CountingRule rule;
  TopicRecord bad = Promote(1, 0);
  bad.payload.pop_back();
  CHECK(rule.Judge(bad) == Verdict::kMalformedEpoch);
  CHECK(rule.position() == CountedPosition{});
}

TEST_CASE("every verdict has a name") {
  for (Verdict v :
       {Verdict::kCounted, Verdict::kEpochCounted, Verdict::kNoEpochYet, Verdict::kOtherEpoch,
        Verdict::kNotNext, Verdict::kEpochNotHigher, Verdict::kMalformedEpoch}) {
    CHECK(VerdictName(v) != "unknown verdict");
  }
}

// A topic written by primaries following SPEC's protocol under a random nemesis: a
// primary produces batches and, once one does not count, produces again from the first
// that did not; produces are lost and duplicated; followers promote (sometimes two at
// once, with the same epoch); a deposed primary goes on producing for a while.
struct Primary {
  Epoch epoch = 0;
  Uuid promotion_id;
  Lsn next = 0;                  // the next LSN it hands out
  std::map<Lsn, uint64_t> sent;  // LSN -> checksum of what it produced, not yet counted
  bool deposed = false;
};

class GeneratedTopic {
 public:
  explicit GeneratedTopic(uint64_t seed) : random_(seed) {}

  void Run(int steps) {
    Promoter(0);
    for (int i = 0; i < steps; ++i) Step();
  }
  const std::vector<TopicRecord>& topic() const { return topic_; }
  // What each primary was told counted: LSN -> checksum.
  const std::map<Lsn, uint64_t>& acknowledged() const { return acknowledged_; }

 private:
  bool Chance(int percent) {
    return std::uniform_int_distribution<int>(1, 100)(random_) <= percent;
  }

  void Put(const TopicRecord& record) {
    if (Chance(10)) return;  // lost
    topic_.push_back(record);
    if (Chance(10)) topic_.push_back(record);  // duplicated by a retry
    ReadBack();
  }

  // The primaries read their own records back through the one rule.
  void ReadBack() {
    for (; read_ < topic_.size(); ++read_) {
      const TopicRecord& r = topic_[read_];
      if (rule_.Judge(r) != Verdict::kCounted) continue;
      for (Primary& p : primaries_) {
        auto it = p.sent.find(r.lsn);
        if (p.epoch == r.epoch && it != p.sent.end() && it->second == r.checksum) {
          CHECK(acknowledged_.emplace(r.lsn, r.checksum).second);  // acknowledged once
          p.sent.erase(it);
        }
      }
    }
    for (Primary& p : primaries_) p.deposed = p.epoch < rule_.position().epoch;
  }

  void Promoter(int racers) {
    Epoch epoch = rule_.position().epoch + 1;
    for (int i = 0; i <= racers; ++i) {
      Primary p;
      p.epoch = epoch;
      p.promotion_id = Uuid{epoch, static_cast<uint64_t>(i + 1)};
      primaries_.push_back(p);
      Put(MakeEpochRecord(EpochRecord{epoch, rule_.position().last_lsn, p.promotion_id, "u", 0}));
    }
  }

  void Step() {
    Primary* current = nullptr;
    for (Primary& p : primaries_) {
      if (p.epoch == rule_.position().epoch && p.promotion_id == rule_.position().promotion_id) {
        current = &p;
      }
    }
    if (current != nullptr && current->next == 0) current->next = rule_.position().last_lsn + 1;
    int what = std::uniform_int_distribution<int>(0, 99)(random_);
    if (what < 8 || current == nullptr) {
      Promoter(Chance(30) ? 1 : 0);
    } else if (what < 20) {
      Zombie();
    } else if (what < 35 && !current->sent.empty()) {
      Resend(*current);
    } else {
      Produce(*current, std::uniform_int_distribution<int>(1, 5)(random_));
    }
  }

  void Produce(Primary& p, int n) {
    for (int i = 0; i < n; ++i) {
      TopicRecord r = MakeDataRecord(p.epoch, p.next, 4, AsBytes("e" + std::to_string(p.epoch)));
      p.sent[p.next++] = r.checksum;
      Put(r);
    }
  }

  // SPEC: until a record counts or a newer epoch appears, produce again from the first
  // record that has not counted.
  void Resend(Primary& p) {
    for (const auto& [lsn, checksum] : std::map<Lsn, uint64_t>(p.sent)) {
      Put(MakeDataRecord(p.epoch, lsn, 4, AsBytes("e" + std::to_string(p.epoch))));
    }
  }

  void Zombie() {
    for (Primary& p : primaries_) {
      if (p.deposed && p.next != 0 && Chance(50)) Produce(p, 2);
    }
  }

  std::mt19937_64 random_;
  std::vector<TopicRecord> topic_;
  std::vector<Primary> primaries_;
  CountingRule rule_;
  size_t read_ = 0;
  std::map<Lsn, uint64_t> acknowledged_;
};

TEST_CASE("generated topics: one contiguous counted history, every reader agreeing") {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    CAPTURE(seed);
    GeneratedTopic generated(seed);
    generated.Run(300);
    const std::vector<TopicRecord>& topic = generated.topic();

    CountingRule reader;
    std::vector<Verdict> verdicts;
    std::vector<CountedPosition> positions;  // before each record
    std::map<Lsn, uint64_t> counted;
    Epoch last_epoch = 0;
    for (const TopicRecord& r : topic) {
      positions.push_back(reader.position());
      verdicts.push_back(reader.Judge(r));
      if (verdicts.back() != Verdict::kCounted) continue;
      CHECK(counted.emplace(r.lsn, r.checksum).second);  // an LSN counts once
      CHECK(r.lsn == counted.size());                    // contiguous from 1
      CHECK(r.epoch >= last_epoch);                      // epochs never go back
      last_epoch = r.epoch;
    }
    // What a primary acknowledged is what counted, with the same checksum.
    for (const auto& [lsn, checksum] : generated.acknowledged()) {
      REQUIRE(counted.count(lsn) == 1);
      CHECK(counted.at(lsn) == checksum);
    }
    CHECK(generated.acknowledged().size() == counted.size());
    // A reader that starts from a position a snapshot kept, anywhere, agrees with the
    // one that read from the beginning.
    size_t from = static_cast<size_t>(seed * 7919) % topic.size();
    CountingRule late(positions[from]);
    for (size_t i = from; i < topic.size(); ++i) CHECK(late.Judge(topic[i]) == verdicts[i]);
    CHECK(late.position() == reader.position());
  }
}

}  // namespace
}  // namespace ecomm::replication
