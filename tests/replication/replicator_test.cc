// Two replicas in this process (each a Database on its own fault file system and a
// Replicator) against the mock cluster, with traffic on the primary while a local log
// fails (SPEC: "A local log failure stops writes: the primary rebuilds from the
// counted state and resumes only after a new epoch record of its own counts"). Once
// traffic stops, both replicas stand at the same LSN with the same digest, and no
// acknowledged mutation is missing from the follower.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "ecomm/database.h"
#include "ecomm/replication/replicator.h"
#include "kafka/mock_cluster.h"
#include "support/fault_file_system.h"
#include "support/random_mutations.h"
#include "support/wait_until.h"

namespace ecomm::testing {
namespace {

using namespace std::chrono_literals;
using replication::Promoted;
using replication::Replicator;
using replication::Role;

class TestReplica {
 public:
  TestReplica(uint64_t seed, const MockCluster& cluster, std::string url) : fs_(seed) {
    DatabaseOptions options;
    options.data_dir = "/db";
    options.fs = &fs_;
    options.log = [this](std::string_view line) { Note(line); };
    auto db = Database::Open(options);
    REQUIRE_MESSAGE(db.ok(), db.status().ToString());
    db_ = std::move(db).value();
    replication::ReplicatorOptions replica;
    replica.data_dir = "/db";
    replica.fs = &fs_;
    replica.brokers = cluster.bootstraps();
    replica.advertise_url = std::move(url);
    replica.fetch_wait_ms = 5;
    replica.replication_timeout = 2s;
    replica.log = [this](std::string_view line) { Note(line); };
    auto started = Replicator::Start(*db_, replica);
    REQUIRE_MESSAGE(started.ok(), started.status().ToString());
    replicator_ = std::move(started).value();
  }
  // As ecomm-server stops: the reader first, then the database, then the journals.
  ~TestReplica() {
    replicator_->StopReading();
    (void)db_->Close();
    replicator_.reset();
  }

  Engine& engine() { return db_->engine(); }
  Database& db() { return *db_; }
  FaultFileSystem& fs() { return fs_; }
  replication::ReplicationState State() const { return replicator_->State(); }

  Result<Promoted> Promote() {
    auto answer = std::make_shared<std::promise<Result<Promoted>>>();
    replicator_->Promote([answer](Result<Promoted> r) { answer->set_value(std::move(r)); });
    return answer->get_future().get();
  }

  std::string log() const {
    std::lock_guard lock(mu_);
    return log_;
  }

 private:
  void Note(std::string_view line) {
    std::lock_guard lock(mu_);
    log_ += std::string(line) + "\n";
  }

  FaultFileSystem fs_;
  mutable std::mutex mu_;
  std::string log_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Replicator> replicator_;
};

// Random mutations on the primary's engine until stopped; the highest LSN of those
// acknowledged (their WaitDurable succeeded).
class Traffic {
 public:
  explicit Traffic(Engine& engine)
      : mutations_(engine, 17, ShopShape{}), thread_([this, &engine] {
          while (!stop_) {
            std::optional<CommitTicket> ticket = mutations_.Step();
            if (!ticket || ticket->lsn == 0) {
              std::this_thread::sleep_for(1ms);
              continue;
            }
            if (engine.WaitDurable(*ticket).ok()) {
              ++acknowledged_;
              max_acknowledged_ = std::max(max_acknowledged_.load(), ticket->lsn);
            }
          }
        }) {}
  ~Traffic() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  uint64_t acknowledged() const { return acknowledged_; }
  Lsn max_acknowledged() const { return max_acknowledged_; }

 private:
  RandomMutations mutations_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> acknowledged_{0};
  std::atomic<Lsn> max_acknowledged_{0};
  std::thread thread_;
};

// Both replicas at the primary's counted LSN, with one digest.
void CheckConverged(TestReplica& primary, TestReplica& follower) {
  INFO("primary's log:\n" << primary.log() << "follower's log:\n" << follower.log());
  REQUIRE(WaitUntil(
      [&] {
        return primary.State().role == Role::kPrimary &&
               follower.State().applied_lsn == primary.State().applied_lsn &&
               follower.db().LogStats().appended_lsn == primary.db().LogStats().appended_lsn;
      },
      20s));
  Database::DigestAt at_primary = primary.db().Digest();
  Database::DigestAt at_follower = follower.db().Digest();
  CHECK(at_primary.lsn == at_follower.lsn);
  CHECK(at_primary.digest == at_follower.digest);
  CHECK(follower.State().stopped.empty());
}

// A primary (a, promoted, the shop seeded) and a follower (b) of one log topic.
struct PrimaryAndFollower {
  MockCluster cluster;
  bool created = (cluster.CreateTopic("ecomm.log", 1), true);
  TestReplica a;
  TestReplica b;
  explicit PrimaryAndFollower(uint64_t seed)
      : a(seed, cluster, "http://a"), b(seed + 1, cluster, "http://b") {
    REQUIRE(a.Promote().ok());
    REQUIRE(SeedShopDurably(a.engine()));
  }
};

Status ChargeDurably(Engine& engine, Money amount) {
  auto charged = engine.Charge("u0", amount);
  if (!charged.ok()) return charged.status();
  return engine.WaitDurable(charged->ticket);
}

TEST_CASE(
    "a primary whose local log fails retires, rebuilds from the counted state and promotes "
    "itself again") {
  PrimaryAndFollower replicas(41);
  TestReplica& a = replicas.a;
  TestReplica& b = replicas.b;
  {
    Traffic traffic(a.engine());
    std::this_thread::sleep_for(300ms);
    a.fs().FailSyncs(true);
    std::this_thread::sleep_for(100ms);
    a.fs().FailSyncs(false);
    INFO("a's log:\n" << a.log());
    REQUIRE(
        WaitUntil([&] { return a.State().role == Role::kPrimary && a.State().epoch >= 2; }, 20s));
    std::this_thread::sleep_for(300ms);
    traffic.Stop();
    CHECK(traffic.acknowledged() > 0);
    // Every acknowledged record counted, and the follower has it (or soon will).
    CHECK(WaitUntil([&] { return traffic.max_acknowledged() <= b.State().applied_lsn; }, 10s));
  }
  REQUIRE(ChargeDurably(a.engine(), 5).ok());
  CHECK(a.log().find("the local log failed under the primary of epoch 1") != std::string::npos);
  CheckConverged(a, b);
}

TEST_CASE("a follower whose local log fails reads again from its kept place and catches up") {
  PrimaryAndFollower replicas(43);
  TestReplica& a = replicas.a;
  TestReplica& b = replicas.b;
  {
    Traffic traffic(a.engine());
    std::this_thread::sleep_for(300ms);
    b.fs().FailSyncs(true);
    std::this_thread::sleep_for(150ms);
    b.fs().FailSyncs(false);
    std::this_thread::sleep_for(500ms);
    traffic.Stop();
    CHECK(traffic.acknowledged() > 0);
  }
  REQUIRE(ChargeDurably(a.engine(), 5).ok());
  CheckConverged(a, b);
  CHECK(b.db().Health().reloads >= 1);
}

}  // namespace
}  // namespace ecomm::testing
