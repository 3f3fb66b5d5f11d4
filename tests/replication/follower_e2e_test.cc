// A follower: the real ecomm-server with --replication kafka against librdkafka's mock
// cluster (in this process, over real sockets), fed by a primary the test plays: an
// engine whose records the test produces to the log topic, noise included. The
// follower serves the primary's state (same digest), refuses writes with 421 naming
// the primary, makes reads wait for Ecomm-Min-Lsn, and resumes where it stood after a
// restart.
#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "e2e/support/child_process.h"
#include "e2e/support/http_helpers.h"
#include "e2e/support/server_process.h"
#include "ecomm/replication/log_message.h"
#include "ecomm/wal/memory_journal.h"
#include "kafka/mock_cluster.h"
#include "replay.h"
#include "support/random_mutations.h"
#include "support/wait_until.h"

namespace ecomm::testing {
namespace {

using namespace std::chrono_literals;
using replication::EncodeMessage;
using replication::MakeDataRecord;
using replication::MakeEpochRecord;
using replication::TopicRecord;

const std::string kTopic = "ecomm.log";

// The primary the test plays: an engine on the system clock (as the follower's), its
// records in a memory journal.
struct PlayedPrimary {
  wal::MemoryJournal journal;
  Engine engine{EngineOptions{nullptr, &journal}};
  size_t produced = 0;  // journal entries already on the topic

  // Messages for the entries not yet produced, in batches of up to 7, each batch
  // sent twice now and then (a retried produce).
  std::vector<std::string> NewMessages() {
    std::vector<wal::MemoryJournal::Entry> entries = journal.Entries();
    std::vector<std::string> messages;
    while (produced < entries.size()) {
      std::vector<TopicRecord> batch;
      for (; produced < entries.size() && batch.size() < 7; ++produced) {
        const auto& e = entries[produced];
        batch.push_back(MakeDataRecord(1, e.lsn, e.type, e.payload));
      }
      messages.push_back(EncodeMessage(batch));
      if (messages.size() % 5 == 0) messages.push_back(messages.back());
    }
    return messages;
  }
  Lsn last() const { return journal.Entries().back().lsn; }
};

void Produce(const MockCluster& cluster, const std::vector<std::string>& values) {
  std::vector<TestRecord> records;
  for (const std::string& v : values) records.push_back(TestRecord{"", v, {}});
  ProduceAll(cluster, kTopic, 0, records);
}

std::string EpochMessage() {
  return EncodeMessage(std::vector{MakeEpochRecord(
      replication::EpochRecord{1, 0, Uuid{0, 42}, "http://primary.example:8080", 0})});
}

std::vector<std::string> FollowerFlags(const MockCluster& cluster,
                                       const std::string& url = "http://127.0.0.1:1") {
  return {"--replication",   "kafka", "--brokers",       cluster.bootstraps(),
          "--advertise-url", url,     "--fetch-wait-ms", "5",
          "--max-read-wait", "300ms"};
}

int64_t AppliedLsn(httplib::Client& client) {
  HttpReply reply = Get(client, "/admin/replication");
  REQUIRE(reply.status == 200);
  return Int(reply.Json(), "appliedLsn");
}

void WaitApplied(httplib::Client& client, Lsn lsn) {
  for (int i = 0; i < 1000 && AppliedLsn(client) < static_cast<int64_t>(lsn); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  REQUIRE(AppliedLsn(client) == static_cast<int64_t>(lsn));
}

std::string Hex(uint64_t v) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(v));
  return text;
}

std::string Role(httplib::Client& client) {
  return Str(Get(client, "/admin/replication").Json(), "role");
}

TEST_CASE("a follower serves the primary's state, refuses writes, waits for Ecomm-Min-Lsn") {
  MockCluster cluster;
  cluster.CreateTopic(kTopic, 1);
  PlayedPrimary primary;
  ShopShape shape;
  REQUIRE(SeedShop(primary.engine, shape) > 0);
  RandomMutations mutations(primary.engine, 21, shape);
  for (int i = 0; i < 200; ++i) mutations.Step();
  // A data record before any epoch counts for no one; then the epoch; then the log.
  Produce(cluster, {EncodeMessage(std::vector{MakeDataRecord(1, 1, 4, {})}), EpochMessage()});
  Produce(cluster, primary.NewMessages());

  ServerProcess follower(FollowerFlags(cluster));
  follower.Start();
  auto client = follower.Client();
  WaitApplied(*client, primary.last());

  HttpReply replication = Get(*client, "/admin/replication");
  rapidjson::Document state = replication.Json();
  CHECK(Str(state, "role") == "follower");
  CHECK(Int(state, "epoch") == 1);
  CHECK(Str(state, "primaryUrl") == "http://primary.example:8080");
  rapidjson::Document health = Get(*client, "/healthz").Json();
  CHECK(Str(health["replication"], "role") == "follower");
  CHECK(Int(health["replication"], "appliedLsn") == static_cast<int64_t>(primary.last()));
  std::string metrics = Get(*client, "/metrics").body;
  CHECK(metrics.find("\necomm_replication_primary 0\n") != std::string::npos);
  CHECK(metrics.find("\necomm_replication_applied_lsn " + std::to_string(primary.last()) + "\n") !=
        std::string::npos);
  HttpReply digest = Get(*client, "/admin/digest");
  REQUIRE(digest.status == 200);
  CHECK(Int(digest.Json(), "lsn") == static_cast<int64_t>(primary.last()));
  CHECK(Str(digest.Json(), "digest") == Hex(StateDigest(primary.engine)));
  HttpReply balance = Get(*client, "/balance?userId=u0");
  REQUIRE(balance.status == 200);
  CHECK(Int(balance.Json(), "currentBalance") ==
        primary.engine.GetBalance("u0").value().current_balance);

  SUBCASE("a write is 421 NOT_PRIMARY naming the primary, and changes nothing") {
    HttpReply charge = Post(*client, "/balance/charge", R"({"userId":"u0","amount":5})");
    CHECK(charge.status == 421);
    CHECK(Str(charge.Json(), "code") == "NOT_PRIMARY");
    CHECK(charge.Header("Ecomm-Primary") == "http://primary.example:8080");
    CHECK(Str(Get(*client, "/admin/digest").Json(), "digest") == Hex(StateDigest(primary.engine)));
  }
  SUBCASE("a read waits for its Ecomm-Min-Lsn, or answers 503 REPLICA_BEHIND in time") {
    Lsn next = primary.last() + 1;
    Headers wait = {{"Ecomm-Min-Lsn", std::to_string(next)}};
    HttpReply behind = Get(*client, "/balance?userId=u0", wait);
    CHECK(behind.status == 503);
    CHECK(Str(behind.Json(), "code") == "REPLICA_BEHIND");
    CHECK(behind.Header("Retry-After") == "1");
    CHECK(Get(*client, "/balance?userId=u0", {{"Ecomm-Min-Lsn", "x1"}}).status == 400);

    REQUIRE(primary.engine.Charge("u0", 7, nullptr).ok());
    std::thread late([&] {
      std::this_thread::sleep_for(100ms);
      Produce(cluster, primary.NewMessages());
    });
    HttpReply waited;
    for (int i = 0; i < 20 && waited.status != 200; ++i)
      waited = Get(*client, "/balance?userId=u0", wait);
    late.join();
    REQUIRE(waited.status == 200);
    CHECK(Int(waited.Json(), "currentBalance") ==
          primary.engine.GetBalance("u0").value().current_balance);
  }
  SUBCASE("a restarted follower resumes where it stood") {
    CHECK(follower.Stop() == 0);
    REQUIRE(primary.engine.Charge("u1", 3, nullptr).ok());
    Produce(cluster, primary.NewMessages());
    follower.Start();
    auto again = follower.Client();
    WaitApplied(*again, primary.last());
    // The second start resumed from its kept place, not from the topic's beginning.
    std::string log = follower.Log();
    const std::string from = "follows ecomm.log from offset ";
    size_t at = log.rfind(from);
    REQUIRE(at != std::string::npos);
    CHECK(std::atoi(log.c_str() + at + from.size()) > 2);
    CHECK(Str(Get(*again, "/admin/digest").Json(), "digest") == Hex(StateDigest(primary.engine)));
  }
}

TEST_CASE(
    "a replica whose local log holds a record the topic did not count discards it and follows") {
  MockCluster cluster;
  cluster.CreateTopic(kTopic, 1);
  PlayedPrimary primary;
  REQUIRE(primary.engine.CreateUser(NewUser{"ann", "Ann", "ann@example.com"}).ok());
  Produce(cluster, {EpochMessage()});
  Produce(cluster, primary.NewMessages());

  // The data directory of a server that wrote a record of its own at LSN 1.
  ServerProcess server;
  server.Start();
  REQUIRE(Post(*server.Client(), "/users", R"({"userId":"ben","name":"Ben","email":"b@x.io"})")
              .status == 201);
  REQUIRE(server.Stop() == 0);
  server.SetFlags(FollowerFlags(cluster));
  server.Start();
  auto client = server.Client();
  WaitApplied(*client, 1);
  CHECK(Get(*client, "/users/ben").status == 404);
  CHECK(Get(*client, "/users/ann").status == 200);
  CHECK(Str(Get(*client, "/admin/digest").Json(), "digest") == Hex(StateDigest(primary.engine)));
  CHECK(server.Log().find("discarding local records 1..1") != std::string::npos);
}

TEST_CASE("a deposed primary cuts back the records that did not count and follows the new one") {
  MockCluster cluster;
  cluster.CreateTopic(kTopic, 1);
  PlayedPrimary primary;
  ShopShape shape;
  REQUIRE(SeedShop(primary.engine, shape) > 0);
  Produce(cluster, {EpochMessage()});
  Produce(cluster, primary.NewMessages());
  const Lsn counted = primary.last();

  std::vector<std::string> flags = FollowerFlags(cluster);
  flags.insert(flags.end(), {"--replication-timeout", "20s"});
  ServerProcess server(flags);
  server.Start();
  auto client = server.Client();
  WaitApplied(*client, counted);
  HttpReply promoted = Post(*client, "/admin/promote", "{}");
  REQUIRE(promoted.status == 200);
  CHECK(Int(promoted.Json(), "epoch") == 2);

  // With Kafka away its write is logged locally and waits to count.
  cluster.SetBrokersUp(false);
  HttpReply ghost;
  std::thread writer([&] {
    ghost = Post(*server.Client(), "/users", R"({"userId":"ghost","name":"G","email":"g@x.io"})");
  });
  for (int i = 0; i < 500 && Get(*client, "/users/ghost").status != 200; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  REQUIRE(Get(*client, "/users/ghost").status == 200);  // applied here, not yet counted
  // While it is stopped, another primary's epoch and its first record count.
  ::kill(server.pid(), SIGSTOP);
  cluster.SetBrokersUp(true);
  Produce(cluster, {EncodeMessage(std::vector{MakeEpochRecord(replication::EpochRecord{
                       3, counted, Uuid{0, 43}, "http://new-primary.example", 0})})});
  REQUIRE(primary.engine.CreateUser(NewUser{"kim", "Kim", "kim@example.com"}).ok());
  std::vector<TopicRecord> next;
  for (const auto& e : primary.journal.Entries()) {
    if (e.lsn > counted) next.push_back(MakeDataRecord(3, e.lsn, e.type, e.payload));
  }
  primary.produced = primary.journal.Entries().size();
  Produce(cluster, {EncodeMessage(next)});
  ::kill(server.pid(), SIGCONT);
  // The log says it did not count: not applied, sent to the new primary.
  writer.join();
  CHECK(ghost.status == 421);
  CHECK(Str(ghost.Json(), "code") == "NOT_PRIMARY");
  CHECK(ghost.Header("Ecomm-Primary") == "http://new-primary.example");

  WaitApplied(*client, counted + 1);
  CHECK(Role(*client) == "follower");
  CHECK(Get(*client, "/users/ghost").status == 404);
  CHECK(Get(*client, "/users/kim").status == 200);
  CHECK(Str(Get(*client, "/admin/digest").Json(), "digest") == Hex(StateDigest(primary.engine)));
  HttpReply refused = Post(*client, "/balance/charge", R"({"userId":"kim","amount":1})");
  CHECK(refused.status == 421);
  CHECK(refused.Header("Ecomm-Primary") == "http://new-primary.example");
  // The cut is on disk: a restart finds the same state.
  REQUIRE(server.Stop() == 0);
  server.Start();
  auto again = server.Client();
  WaitApplied(*again, counted + 1);
  CHECK(Get(*again, "/users/ghost").status == 404);
  CHECK(Str(Get(*again, "/admin/digest").Json(), "digest") == Hex(StateDigest(primary.engine)));
}

// Two followers of an empty log topic, advertised as http://replica-a and -b.
struct TwoReplicas {
  MockCluster cluster;
  std::unique_ptr<ServerProcess> a, b;
  std::unique_ptr<httplib::Client> ca, cb;

  TwoReplicas() {
    cluster.CreateTopic(kTopic, 1);
    a = std::make_unique<ServerProcess>(FollowerFlags(cluster, "http://replica-a"));
    b = std::make_unique<ServerProcess>(FollowerFlags(cluster, "http://replica-b"));
    a->Start();
    b->Start();
    ca = a->Client();
    cb = b->Client();
  }
};

TEST_CASE(
    "a promoted replica takes writes once they count, the other follows, a second promotion "
    "deposes the first") {
  TwoReplicas replicas;
  httplib::Client& ca = *replicas.ca;
  httplib::Client& cb = *replicas.cb;
  HttpReply promoted = Post(ca, "/admin/promote", "{}");
  REQUIRE(promoted.status == 200);
  CHECK(Str(promoted.Json(), "role") == "primary");
  CHECK(Int(promoted.Json(), "epoch") == 1);
  CHECK(Int(promoted.Json(), "lsn") == 0);
  CHECK(Role(ca) == "primary");

  REQUIRE(Post(ca, "/users", R"({"userId":"zoe","name":"Zoe","email":"zoe@example.com"})").status ==
          201);
  HttpReply charged = Post(ca, "/balance/charge", R"({"userId":"zoe","amount":700})");
  REQUIRE(charged.status == 200);
  std::string lsn = charged.Header("Ecomm-Lsn");
  CHECK(lsn == "2");
  // Read your writes on the follower.
  HttpReply read = Get(cb, "/balance?userId=zoe", {{"Ecomm-Min-Lsn", lsn}});
  REQUIRE(read.status == 200);
  CHECK(Int(read.Json(), "currentBalance") == 700);
  HttpReply refused = Post(cb, "/balance/charge", R"({"userId":"zoe","amount":1})");
  CHECK(refused.status == 421);
  CHECK(refused.Header("Ecomm-Primary") == "http://replica-a");
  WaitApplied(cb, 2);
  CHECK(Str(Get(ca, "/admin/digest").Json(), "digest") ==
        Str(Get(cb, "/admin/digest").Json(), "digest"));
  // The primary's two writes, timed from append to counted; their produce, acknowledged.
  CHECK(MetricValue(ca, "ecomm_replication_counted_seconds_count") == 2);
  // (The broker's acknowledgement may be served after the record came back.)
  CHECK(WaitUntil([&] { return MetricValue(ca, "ecomm_replication_produce_seconds_count") >= 1; },
                  5s));
  CHECK(MetricValue(cb, "ecomm_replication_counted_seconds_count") == 0);

  // b promotes itself: epoch 2 counts, a steps down and follows.
  HttpReply second = Post(cb, "/admin/promote", "{}");
  REQUIRE(second.status == 200);
  CHECK(Int(second.Json(), "epoch") == 2);
  CHECK(Int(second.Json(), "lsn") == 2);
  for (int i = 0; i < 500 && Role(ca) != "follower"; ++i) std::this_thread::sleep_for(10ms);
  CHECK(Role(ca) == "follower");
  REQUIRE(Post(cb, "/balance/charge", R"({"userId":"zoe","amount":50})").status == 200);
  HttpReply on_a = Post(ca, "/balance/charge", R"({"userId":"zoe","amount":1})");
  CHECK(on_a.status == 421);
  CHECK(on_a.Header("Ecomm-Primary") == "http://replica-b");
  WaitApplied(ca, 3);
  CHECK(Int(Get(ca, "/balance?userId=zoe").Json(), "currentBalance") == 750);
  CHECK(Str(Get(ca, "/admin/digest").Json(), "digest") ==
        Str(Get(cb, "/admin/digest").Json(), "digest"));
}

TEST_CASE("two replicas promoted at the same moment: exactly one is primary") {
  TwoReplicas replicas;
  httplib::Client& ca = *replicas.ca;
  httplib::Client& cb = *replicas.cb;
  HttpReply ra, rb;
  std::thread ta([&] { ra = Post(ca, "/admin/promote", "{}"); });
  std::thread tb([&] { rb = Post(cb, "/admin/promote", "{}"); });
  ta.join();
  tb.join();
  CAPTURE(ra.body);
  CAPTURE(rb.body);
  // Both may win one after the other (the later with a higher epoch, deposing the
  // first); a loser of the same epoch answers 409 NOT_PROMOTED.
  for (const HttpReply* r : {&ra, &rb}) {
    CHECK((r->status == 200 || (r->status == 409 && Str(r->Json(), "code") == "NOT_PROMOTED")));
  }
  CHECK((ra.status == 200 || rb.status == 200));
  std::this_thread::sleep_for(300ms);
  int primaries = (Role(ca) == "primary") + (Role(cb) == "primary");
  CHECK(primaries == 1);
}

TEST_CASE("a log topic of more than one partition is refused at start, exit 2") {
  MockCluster cluster;
  cluster.CreateTopic(kTopic, 4);
  std::string dir = "/tmp/ecomm-follower-refused-" + std::to_string(getpid());
  std::vector<std::string> argv = {ECOMM_SERVER_BIN, "--listen", "127.0.0.1:0", "--data-dir", dir};
  for (const std::string& flag : FollowerFlags(cluster)) argv.push_back(flag);
  ChildProcess server(argv, dir + ".out", dir + ".err");
  CHECK(server.Wait(20s) == 2);
  CHECK(server.Stderr().find("log topic ecomm.log has 4 partitions; the replicated log needs "
                             "exactly one") != std::string::npos);
  std::filesystem::remove_all(dir);
  std::filesystem::remove(dir + ".out");
  std::filesystem::remove(dir + ".err");
}

}  // namespace
}  // namespace ecomm::testing
