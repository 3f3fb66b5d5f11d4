// Replicas as an operator runs them: real ecomm-server processes against the mock
// cluster in this process (SPEC "Replication and failover").
// Bootstrap: junk messages (they count for no one) push the oldest records out of the
// mock's 5 MiB partition, as retention would: an empty replica then starts from a
// peer's GET /admin/snapshot, while writes go on; without --bootstrap-from it asks the
// replica the topic names; a replica whose place the topic no longer holds bootstraps
// again, at its start or while it runs.
// --failover auto: the lease holder promotes itself; after a kill -9 another takes the
// lease and the writes; the killed one rejoins as a follower.
// Produce faults: the mock fails, delays and cuts the primary's produce requests and
// moves the partition's leader while writes go on; every write is acknowledged once
// (retried with its Idempotency-Key), counted once, and nothing stalls.
// Every replica ends at the primary's LSN with its digest.
#include <doctest/doctest.h>

#include <signal.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "e2e/support/child_process.h"
#include "e2e/support/http_helpers.h"
#include "e2e/support/server_process.h"
#include "kafka/mock_cluster.h"
#include "support/wait_until.h"

namespace ecomm::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string kTopic = "ecomm.log";
// The same on every replica: a bootstrapping replica fetches with it.
const std::string kAdminToken = "bootstrap-test-admin-token";

std::string Url(int port) { return "http://127.0.0.1:" + std::to_string(port); }

class Replica;
int64_t Lag(Replica& replica);

// 6.4 MiB of messages no replica can decode, in steps of 1.6 MiB that the running
// replicas read through: the mock keeps 5 MiB of a partition, so everything before
// them leaves the topic, and only a replica that was not reading is left behind.
template <class Running>
void PushOutOldRecords(const MockCluster& cluster, Running&& running) {
  for (int step = 0; step < 4; ++step) {
    std::vector<TestRecord> junk(25, TestRecord{"", std::string(64 << 10, 'j'), {}});
    ProduceAll(cluster, kTopic, 0, junk);
    // Each replica learns the topic's new end from its next fetch; until then its lag
    // would read 0 on the old end.
    std::this_thread::sleep_for(700ms);
    for (Replica* r : running) {
      REQUIRE(WaitUntil([&] { return Lag(*r) == 0; }, 30s));
    }
  }
}

class Replica {
 public:
  Replica(const MockCluster& cluster, std::vector<std::string> extra = {})
      : port_(FreePort()), brokers_(cluster.bootstraps()) {
    std::vector<std::string> flags = Flags(url());
    flags.insert(flags.end(), extra.begin(), extra.end());
    process_ = std::make_unique<ServerProcess>(flags);
  }
  // A replica's flags, listening on `url`'s port.
  std::vector<std::string> Flags(const std::string& url) const {
    return {"--listen",        "127.0.0.1:" + url.substr(url.rfind(':') + 1),
            "--replication",   "kafka",
            "--brokers",       brokers_,
            "--advertise-url", url,
            "--fetch-wait-ms", "5",
            "--admin-token",   kAdminToken};
  }

  ServerProcess& process() { return *process_; }
  std::string url() const { return Url(port_); }
  // A client that sends the admin token.
  std::unique_ptr<httplib::Client> Client() {
    auto client = process_->Client();
    client->set_default_headers({{"Authorization", "Bearer " + kAdminToken}});
    return client;
  }
  HttpReply Call(const std::string& method, const std::string& path, const std::string& body = "") {
    return Send(*Client(), method, path, body);
  }
  int64_t LagRecords() {
    HttpReply reply = Call("GET", "/admin/replication");
    return reply.status == 200 ? Int(reply.Json(), "lagRecords") : -1;
  }
  int64_t Applied() {
    HttpReply reply = Call("GET", "/admin/replication");
    return reply.status == 200 ? Int(reply.Json(), "appliedLsn") : -1;
  }
  std::pair<int64_t, std::string> Digest() {
    HttpReply reply = Call("GET", "/admin/digest");
    REQUIRE(reply.status == 200);
    return {Int(reply.Json(), "lsn"), Str(reply.Json(), "digest")};
  }
  void Promote() {
    HttpReply last;
    bool promoted = WaitUntil(
        [&] {
          last = Call("POST", "/admin/promote", "{}");
          return last.status == 200;
        },
        20s);
    INFO("promote ", url(), ": ", last.status, " ", last.body, "\n", process_->Log());
    REQUIRE(promoted);
  }

 private:
  int port_;
  std::string brokers_;
  std::unique_ptr<ServerProcess> process_;
};

int64_t Lag(Replica& replica) { return replica.LagRecords(); }

// Charges on the primary from another thread until stopped: writes go on meanwhile.
class Writes {
 public:
  Writes(Replica& primary, std::string user) : user_(std::move(user)) {
    thread_ = std::thread([this, client = primary.Client()] {
      while (!stop_) {
        if (Charge(*client, user_, 1).status == 200) ++acknowledged_;
        std::this_thread::sleep_for(5ms);
      }
    });
  }
  ~Writes() { Stop(); }
  int Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return acknowledged_;
  }

 private:
  std::string user_;
  std::atomic<bool> stop_{false};
  std::atomic<int> acknowledged_{0};
  std::thread thread_;
};

// `follower` reaches the primary's LSN and has its digest there.
void CheckConverged(Replica& primary, Replica& follower) {
  int64_t target = primary.Applied();
  bool caught_up = WaitUntil([&] { return follower.Applied() == target; }, 30s);
  INFO(follower.url(), " at ", follower.Applied(), ", primary at ", target, "\n",
       follower.process().Log());
  REQUIRE(caught_up);
  CHECK(follower.Digest() == primary.Digest());
}

TEST_CASE("empty replicas bootstrap from a peer's snapshot, and again off the topic's retention") {
  MockCluster cluster;
  cluster.CreateTopic(kTopic, 1);
  Replica a(cluster);
  a.process().Start();
  a.Promote();
  auto client_a = a.Client();
  std::string user = CreateUser(*client_a, 1'000);
  for (int i = 0; i < 3; ++i) CreateProduct(*client_a, 100 + i, 50);
  PushOutOldRecords(cluster, std::vector{&a});
  for (int i = 0; i < 20; ++i) REQUIRE(Charge(*client_a, user, 10).status == 200);

  CheckProblem(
      Send(*a.process().Client(), "GET", "/admin/snapshot", "", BearerToken("not-the-admin-token")),
      401, "UNAUTHORIZED");

  // B: empty, told whom to ask, while A takes writes.
  Replica b(cluster, {"--bootstrap-from", a.url()});
  int written_meanwhile = 0;
  {
    Writes writes(a, user);
    b.process().Start();
    std::this_thread::sleep_for(300ms);
    written_meanwhile = writes.Stop();
  }
  CHECK(written_meanwhile > 0);
  CHECK(b.process().Log().find("bootstrapped: snapshot at LSN") != std::string::npos);
  CheckConverged(a, b);

  // C: empty, and the topic no longer names a primary: it cannot know whom to ask.
  std::string dir = std::filesystem::path(a.process().data_dir()).parent_path().string();
  {
    std::string lost = dir + "/lost";
    ChildProcess c({ECOMM_SERVER_BIN, "--data-dir", lost, "--listen", "127.0.0.1:0",
                    "--replication", "kafka", "--brokers", cluster.bootstraps(), "--advertise-url",
                    "http://127.0.0.1:1", "--fetch-wait-ms", "5", "--admin-token", kAdminToken},
                   lost + ".out", lost + ".err");
    CHECK(c.Wait(60s) == 2);
    CHECK(c.Stderr().find("--bootstrap-from") != std::string::npos);
  }

  // B promoted: its epoch record names it, so an empty C asks B by itself.
  b.Promote();
  auto client_b = b.Client();
  for (int i = 0; i < 10; ++i) REQUIRE(Charge(*client_b, user, 5).status == 200);
  Replica c(cluster);
  c.process().Start();
  CHECK(c.process().Log().find("bootstrapping from " + b.url()) != std::string::npos);
  CheckConverged(b, c);
  CheckConverged(b, a);  // the deposed primary follows

  // C stopped while the topic moves past its place: at its start it bootstraps again.
  REQUIRE(c.process().Stop() == 0);
  for (int i = 0; i < 10; ++i) REQUIRE(Charge(*client_b, user, 3).status == 200);
  PushOutOldRecords(cluster, std::vector{&a, &b});
  for (int i = 0; i < 10; ++i) REQUIRE(Charge(*client_b, user, 2).status == 200);
  c.process().Start();
  CHECK(c.process().Log().find("is no longer in the topic") != std::string::npos);
  CheckConverged(b, c);

  // C left behind while it runs (stopped, the topic moving on): it finds its next record
  // gone, starts again in place and bootstraps.
  REQUIRE(kill(c.process().pid(), SIGSTOP) == 0);
  for (int i = 0; i < 10; ++i) REQUIRE(Charge(*client_b, user, 1).status == 200);
  PushOutOldRecords(cluster, std::vector{&a, &b});
  for (int i = 0; i < 10; ++i) REQUIRE(Charge(*client_b, user, 1).status == 200);
  REQUIRE(kill(c.process().pid(), SIGCONT) == 0);
  bool restarted = WaitUntil(
      [&] { return c.process().Log().find("start again in place") != std::string::npos; }, 30s);
  INFO(c.process().Log());
  REQUIRE(restarted);
  CheckConverged(b, c);
  // Every acknowledged charge is there, on every replica (the digests agree).
  CHECK(BalanceOf(*client_b, user) ==
        1'000 + 20 * 10 + written_meanwhile + 10 * 5 + 10 * 3 + 10 * 2 + 20 * 1);
}

TEST_CASE("an empty replica of a topic whose first epoch continues a log bootstraps from it") {
  MockCluster cluster;
  cluster.CreateTopic(kTopic, 1);
  // A's shop was a single machine before it became the first primary of the topic.
  Replica a(cluster);
  a.process().SetFlags({"--listen", "127.0.0.1:" + a.url().substr(a.url().rfind(':') + 1),
                        "--admin-token", kAdminToken});
  a.process().Start();
  std::string user = CreateUser(*a.Client(), 500);
  REQUIRE(a.process().Stop() == 0);
  a.process().SetFlags(a.Flags(a.url()));
  a.process().Start();
  a.Promote();
  REQUIRE(Charge(*a.Client(), user, 7).status == 200);

  Replica b(cluster);
  b.process().Start();
  CHECK(b.process().Log().find("continues its promoter's log") != std::string::npos);
  CheckConverged(a, b);
  CHECK(BalanceOf(*b.Client(), user) == 507);
}

std::optional<size_t> OnlyPrimary(std::vector<std::unique_ptr<Replica>>& replicas,
                                  std::optional<size_t> skip = std::nullopt) {
  std::optional<size_t> primary;
  for (size_t i = 0; i < replicas.size(); ++i) {
    if (i == skip) continue;
    HttpReply reply = replicas[i]->Call("GET", "/admin/replication");
    if (reply.status != 200 || Str(reply.Json(), "role") != "primary") continue;
    if (primary) return std::nullopt;  // two at once: wait for the log to settle it
    primary = i;
  }
  return primary;
}

TEST_CASE("with --failover auto the lease holder promotes itself, another after a kill -9") {
  MockCluster cluster;
  cluster.CreateTopic(kTopic, 1);
  cluster.CreateTopic("ecomm.lease", 1);
  std::vector<std::unique_ptr<Replica>> replicas;
  for (int i = 0; i < 3; ++i) {
    replicas.push_back(std::make_unique<Replica>(
        cluster, std::vector<std::string>{"--failover", "auto", "--failover-timeout", "3s"}));
    replicas.back()->process().Start();
  }
  std::optional<size_t> first;
  REQUIRE(WaitUntil([&] { return (first = OnlyPrimary(replicas)).has_value(); }, 60s));
  Replica& primary = *replicas[*first];
  for (size_t i = 0; i < replicas.size(); ++i) {
    if (i != *first)
      CheckProblem(replicas[i]->Call("POST", "/admin/promote", "{}"), 409, "NOT_PROMOTED");
  }
  auto client = primary.Client();
  std::string user = CreateUser(*client, 1'000);
  for (int i = 0; i < 10; ++i) REQUIRE(Charge(*client, user, 10).status == 200);

  primary.process().Kill();
  auto killed_at = Clock::now();
  std::optional<size_t> second;
  bool taken_over =
      WaitUntil([&] { return (second = OnlyPrimary(replicas, *first)).has_value(); }, 60s);
  INFO(replicas[(*first + 1) % 3]->process().Log(), "\n",
       replicas[(*first + 2) % 3]->process().Log());
  REQUIRE(taken_over);
  Replica& next = *replicas[*second];
  auto next_client = next.Client();
  REQUIRE(WaitUntil([&] { return Charge(*next_client, user, 1).status == 200; }, 20s));
  MESSAGE(
      "--failover auto, --failover-timeout 3s: kill -9 of the primary to the first 2xx "
      "write on the next: ",
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - killed_at).count(),
      " ms");
  CHECK(BalanceOf(*next_client, user) == 1'000 + 10 * 10 + 1);

  // The killed one comes back as a follower: the lease stays where it is.
  primary.process().Start();
  for (auto& r : replicas) {
    if (r.get() != &next) CheckConverged(next, *r);
  }
  CHECK(OnlyPrimary(replicas) == second);

  // A primary stopped past the failover timeout (a zombie) loses the lease and its
  // place; resumed, it follows, and nothing it was sent meanwhile counted.
  REQUIRE(kill(next.process().pid(), SIGSTOP) == 0);
  std::optional<size_t> third;
  bool replaced =
      WaitUntil([&] { return (third = OnlyPrimary(replicas, *second)).has_value(); }, 60s);
  if (!replaced) kill(next.process().pid(), SIGCONT);
  REQUIRE(replaced);
  auto third_client = replicas[*third]->Client();
  REQUIRE(WaitUntil([&] { return Charge(*third_client, user, 2).status == 200; }, 20s));
  std::thread stale_write([&] {
    // Sent to the zombie before it resumes: answered only once the log says; never 2xx.
    CHECK(Charge(*next_client, user, 1'000).status != 200);
  });
  std::this_thread::sleep_for(200ms);
  REQUIRE(kill(next.process().pid(), SIGCONT) == 0);
  stale_write.join();
  for (auto& r : replicas) {
    if (r.get() != replicas[*third].get()) CheckConverged(*replicas[*third], *r);
  }
  CHECK(OnlyPrimary(replicas) == third);
  CHECK(BalanceOf(*third_client, user) == 1'000 + 10 * 10 + 1 + 2);
}

// Charges of 1 on `user`, each with its own Idempotency-Key and sent again with it until
// acknowledged (30 s at most each), until `stop`; the answers met on the way, by status.
struct KeyedWriter {
  std::string user;
  int acknowledged = 0;
  bool stalled = false;  // a write not acknowledged within 30 s
  std::map<int, int> retried;

  void Run(Replica& primary, const std::atomic<bool>& stop) {
    auto client = primary.Client();
    client->set_read_timeout(10s);
    while (!stop && !stalled) {
      Headers key = IdempotencyKey(user + "-" + std::to_string(acknowledged));
      auto deadline = Clock::now() + 30s;
      int status = 0;
      while ((status = Charge(*client, user, 1, key).status) != 200 && Clock::now() < deadline) {
        ++retried[status];
        std::this_thread::sleep_for(20ms);
      }
      if (status == 200) {
        ++acknowledged;
      } else {
        stalled = true;
      }
    }
  }
};

TEST_CASE(
    "injected produce errors, delays and resets lose no write, count none twice, stall none") {
  MockCluster cluster;
  cluster.CreateTopic(kTopic, 1);
  int32_t leader = 1;  // the log partition's, as last moved
  cluster.MoveLeader(kTopic, 0, leader);
  // A produce answered later than 1 s leaves its writes 503 (they still count later).
  Replica primary(cluster, {"--replication-timeout", "1s"});
  Replica follower(cluster);
  primary.process().Start();
  follower.process().Start();
  primary.Promote();
  std::vector<KeyedWriter> writers(4);
  {
    auto client = primary.Client();
    for (KeyedWriter& w : writers) w.user = CreateUser(*client, 0);
  }
  const int64_t lsn_before = primary.Applied();

  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (KeyedWriter& w : writers) threads.emplace_back([&] { w.Run(primary, stop); });
  // Each fault meets the writes of the moment; between them the writes flow. The faults
  // go to the partition's leader, so that the primary's next produces meet them.
  const std::vector<std::pair<std::string, std::function<void()>>> faults = {
      {"NOT_ENOUGH_REPLICAS x3",
       [&] {
         cluster.FailProduces(
             leader, {RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
                      RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS});
       }},
      {"REQUEST_TIMED_OUT x2",
       [&] {
         cluster.FailProduces(
             leader, {RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT});
       }},
      {"two produces answered 1.5 s late", [&] { cluster.DelayProduces(leader, 2, 1500ms); }},
      {"connection closed on a produce",
       [&] { cluster.FailProduces(leader, {RD_KAFKA_RESP_ERR__TRANSPORT}); }},
      {"OUT_OF_ORDER_SEQUENCE_NUMBER (the producer resets its sequence)",
       [&] { cluster.FailProduces(leader, {RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER}); }},
      {"UNKNOWN_PRODUCER_ID (the producer starts over with a new id)",
       [&] { cluster.FailProduces(leader, {RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID}); }},
      {"NOT_LEADER_FOR_PARTITION, then the leader moved to broker 2",
       [&] {
         cluster.FailProduces(leader, {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION});
         REQUIRE(WaitUntil([&] { return cluster.ProduceFaultsLeft(leader) == 0; }, 30s));
         leader = 2;
         cluster.MoveLeader(kTopic, 0, leader);
       }},
  };
  for (const auto& [name, inject] : faults) {
    std::this_thread::sleep_for(400ms);
    inject();
    // The fault met the primary's produces, and writes count again after it: it did not
    // stall the log.
    bool met = WaitUntil([&] { return cluster.ProduceFaultsLeft(leader) == 0; }, 30s);
    int64_t at = primary.Applied();
    bool flowing = met && WaitUntil([&] { return primary.Applied() >= at + 8; }, 30s);
    INFO("after ", name, ": ", cluster.ProduceFaultsLeft(leader),
         " injected faults left; the primary stayed at LSN ", primary.Applied(), "\n",
         primary.process().Log());
    REQUIRE(met);
    REQUIRE(flowing);
  }
  std::this_thread::sleep_for(400ms);
  stop = true;
  for (std::thread& t : threads) t.join();

  auto client = primary.Client();
  int64_t acknowledged = 0;
  std::map<int, int> retried;
  for (const KeyedWriter& w : writers) {
    CAPTURE(w.user);
    CHECK_FALSE(w.stalled);
    // Every acknowledged charge is in the balance, once.
    CHECK(BalanceOf(*client, w.user) == w.acknowledged);
    acknowledged += w.acknowledged;
    for (const auto& [status, n] : w.retried) retried[status] += n;
  }
  std::string statuses;
  for (const auto& [status, n] : retried) {
    statuses += " " + std::to_string(status) + ":" + std::to_string(n);
    // Only "not counted yet" (503) and "the first try is still in flight" (409).
    CHECK((status == 503 || status == 409));
  }
  MESSAGE(acknowledged, " charges acknowledged under produce faults; answers retried:", statuses);
  // One record per charge: a produce sent again never counted a record twice.
  CHECK(primary.Applied() == lsn_before + acknowledged);
  CheckConverged(primary, follower);
}

}  // namespace
}  // namespace ecomm::testing
