// A nemesis, Jepsen's way: three real ecomm-server replicas (--replication kafka on
// librdkafka's mock cluster in this process, the first promoted) under ecomm-load, which
// sends to all three URLs for the whole test, while rounds of faults chosen at random
// hit the cluster (the first round's among those that take the primary away, so that
// every run sees a failover):
//   kill      kill -9 the primary, promote a follower, restart the killed one on its
//             data directory (it finds what did not count, discards it and follows);
//   disk      kill -9 the primary and delete its data directory (a lost disk), promote
//             a follower, restart the dead one on an empty directory;
//   zombie    SIGSTOP the primary, promote a follower meanwhile, SIGCONT it: it must
//             be deposed, answer its pending writes by what the log says (2xx only if
//             the record counted, else 421), cut back and follow;
//   brokers   every broker down for 1-3 s, then up (writes answer 503 meanwhile, and
//             are retried with their Idempotency-Key);
//   leader    the log partition's leadership moves to another broker, mid-traffic.
// Between rounds the cluster must have a primary taking writes again.
// The nemesis runs twice: with promotions by POST /admin/promote (--failover manual),
// and with --failover auto, where nobody promotes: the lease decides who is primary
// after a kill, a stop or Kafka's absence, and the test only finds out who it is. At the end
// ecomm-load's audit compares every write it saw acknowledged (its ledger: balances,
// stock, each order's status) with the final primary's state, so an acknowledged write
// that did not count (a zombie's 2xx, a lost record) fails it; and every replica must
// reach the primary's LSN with the same digest, none stopped.
//
// ECOMM_NEMESIS_ROUNDS (default 4) and ECOMM_NEMESIS_SEED (default from the clock; the
// test prints it) replay a run's choices; ECOMM_NEMESIS_FAULTS (e.g. "zombie,brokers")
// limits the faults drawn (both runs).
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
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

const std::string kProbeUser = "nemesis-probe";
const std::string kLogTopic = "ecomm.log";
// The load runs for the whole test (ecomm-load has no way to be stopped early and
// still audit), so its duration is fixed at the start: a slot of this long per round,
// the longest a round takes. Most take 2-5 s; Kafka away takes up to 3 s plus the time
// a replica's reader needs to reconnect (reconnect.backoff.max.ms, 1 s), with room to
// spare on a loaded machine.
constexpr int kSecondsPerRound = 15;
// With --failover auto a round also waits for the lease to move: the failover timeout
// (kLeaseTimeout) and a consumer-group rebalance of several seconds on the mock.
constexpr int kSecondsPerAutoRound = 25;
const std::string kLeaseTimeout = "3s";
constexpr int kWarmUpSeconds = 4;
constexpr int kCalmSeconds = 3;  // after the last round, before the load ends

enum class Fault { kKill, kLostDisk, kZombie, kBrokersAway, kLeaderMove };
constexpr Fault kFaults[] = {Fault::kKill, Fault::kLostDisk, Fault::kZombie, Fault::kBrokersAway,
                             Fault::kLeaderMove};
constexpr int32_t kBrokers = 3;  // the mock cluster's, numbered from 1

enum class Failover { kManual, kAuto };

// A fault that takes the primary away, so that another replica must take over.
bool TakesPrimaryAway(Fault fault) {
  return fault == Fault::kKill || fault == Fault::kLostDisk || fault == Fault::kZombie;
}

const char* FaultName(Fault fault) {
  switch (fault) {
    case Fault::kKill:
      return "kill";
    case Fault::kLostDisk:
      return "disk";
    case Fault::kZombie:
      return "zombie";
    case Fault::kBrokersAway:
      return "brokers";
    case Fault::kLeaderMove:
      return "leader";
  }
  return "?";
}

std::string Url(int port) { return "http://127.0.0.1:" + std::to_string(port); }

uint64_t EnvNumber(const char* name, uint64_t otherwise) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return otherwise;
  return std::strtoull(text, nullptr, 10);
}

std::vector<Fault> FaultsFromEnv() {
  const char* text = std::getenv("ECOMM_NEMESIS_FAULTS");
  std::vector<Fault> faults;
  for (Fault f : kFaults) {
    if (text == nullptr || *text == '\0' ||
        std::string(text).find(FaultName(f)) != std::string::npos) {
      faults.push_back(f);
    }
  }
  return faults;
}

std::string Tail(const std::string& text, size_t bytes = 3000) {
  return text.size() <= bytes ? text : "..." + text.substr(text.size() - bytes);
}

// What GET /admin/replication says; nothing when it does not answer 200 with JSON.
struct View {
  std::string role;
  int64_t epoch = -1;
  int64_t applied = -1;
  std::string stopped;  // "" while following
};

struct Replica {
  int port = 0;
  std::unique_ptr<ServerProcess> process;
  bool running = false;  // started and not killed (it may be SIGSTOPped)
  bool frozen = false;   // SIGSTOPped: nobody talks to it

  std::string url() const { return Url(port); }

  HttpReply Call(const std::string& method, const std::string& path, const std::string& body = "",
                 const Headers& headers = {}) const {
    auto client = process->Client();
    client->set_read_timeout(10s);
    return Send(*client, method, path, body, headers);
  }

  std::optional<View> Read() const {
    HttpReply reply = Call("GET", "/admin/replication");
    if (reply.status != 200) return std::nullopt;
    rapidjson::Document d;
    d.Parse(reply.body.c_str());
    if (d.HasParseError() || !d.IsObject()) return std::nullopt;
    View view;
    if (d.HasMember("role") && d["role"].IsString()) view.role = d["role"].GetString();
    if (d.HasMember("epoch") && d["epoch"].IsInt64()) view.epoch = d["epoch"].GetInt64();
    if (d.HasMember("appliedLsn") && d["appliedLsn"].IsInt64()) {
      view.applied = d["appliedLsn"].GetInt64();
    }
    if (d.HasMember("stopped") && d["stopped"].IsString()) view.stopped = d["stopped"].GetString();
    return view;
  }

  // {"lsn","digest"} of GET /admin/digest, or nothing.
  std::optional<std::pair<int64_t, std::string>> Digest() const {
    HttpReply reply = Call("GET", "/admin/digest");
    if (reply.status != 200) return std::nullopt;
    rapidjson::Document d;
    d.Parse(reply.body.c_str());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("lsn") || !d["lsn"].IsInt64() ||
        !d.HasMember("digest") || !d["digest"].IsString()) {
      return std::nullopt;
    }
    return std::make_pair(d["lsn"].GetInt64(), std::string(d["digest"].GetString()));
  }
};

class Nemesis {
 public:
  Nemesis(uint64_t seed, Failover failover) : failover_(failover), random_(seed) {
    cluster_.CreateTopic(kLogTopic, 1);
    cluster_.CreateTopic("ecomm.lease", 1);
    // The leader MoveLeader starts from: each move then goes to another broker.
    cluster_.MoveLeader(kLogTopic, 0, leader_);
    // Ports fixed before the start: each replica advertises the URL ecomm-load lists,
    // and comes back on it after a restart.
    while (replicas_.size() < 3) {
      int port = FreePort();
      bool taken = std::any_of(replicas_.begin(), replicas_.end(),
                               [port](const Replica& r) { return r.port == port; });
      if (taken) continue;
      std::vector<std::string> flags = {
          "--listen", "127.0.0.1:" + std::to_string(port), "--replication", "kafka", "--brokers",
          cluster_.bootstraps(), "--advertise-url", Url(port), "--fetch-wait-ms", "5",
          // Short, so that the brokers' absence shows as 503 UNAVAILABLE within a round.
          "--replication-timeout", "1s"};
      if (failover_ == Failover::kAuto) {
        flags.insert(flags.end(), {"--failover", "auto", "--failover-timeout", kLeaseTimeout});
      }
      Replica r;
      r.port = port;
      r.process = std::make_unique<ServerProcess>(std::move(flags));
      replicas_.push_back(std::move(r));
    }
    for (Replica& r : replicas_) {
      r.process->Start();
      r.running = true;
    }
  }

  std::vector<Replica>& replicas() { return replicas_; }
  Replica& primary() { return replicas_[primary_]; }
  size_t primary_index() const { return primary_; }
  MockCluster& cluster() { return cluster_; }
  std::mt19937_64& random() { return random_; }

  // Every replica's log tail, for a failure's message.
  std::string Logs() const {
    std::string out;
    for (const Replica& r : replicas_) {
      out += "\n---- " + r.url() + (r.running ? "" : " (down)") + (r.frozen ? " (stopped)" : "");
      if (r.running && !r.frozen) {
        HttpReply state = r.Call("GET", "/admin/replication");
        out += " " + std::to_string(state.status) + " " + state.body;
      }
      out += " ----\n" + Tail(r.process->Log());
    }
    return out;
  }

  std::string Urls() const {
    std::string urls;
    for (const Replica& r : replicas_) urls += (urls.empty() ? "" : ",") + r.url();
    return urls;
  }

  // A primary other than `deposed` (an index, or none): a follower promoted by POST
  // /admin/promote (manual), or whoever the lease made primary (auto).
  size_t TakeOver(std::optional<size_t> deposed) {
    if (failover_ == Failover::kAuto) {
      std::optional<size_t> found;
      bool taken = WaitUntil([&] { return (found = OnlyPrimary(deposed)).has_value(); }, 60s);
      INFO("no replica took the lease from ", deposed ? replicas_[*deposed].url() : "nobody",
           Logs());
      REQUIRE(taken);
      primary_ = *found;
    } else {
      Promote(deposed ? PickFollower() : 0);
    }
    return primary_;
  }

  // With --failover auto the lease may move on its own (Kafka away longer than the
  // failover timeout): the primary is whoever says so now. Manual: unchanged.
  void FindPrimary() {
    if (failover_ != Failover::kAuto) return;
    if (std::optional<size_t> found = OnlyPrimary(std::nullopt)) primary_ = *found;
  }

  // POST /admin/promote on `index` until it is primary (a 503 may still count later).
  void Promote(size_t index) {
    Replica& r = replicas_[index];
    HttpReply last;
    bool promoted = WaitUntil(
        [&] {
          last = r.Call("POST", "/admin/promote", "{}");
          if (last.status == 200) return true;
          std::optional<View> view = r.Read();
          return view && view->role == "primary";
        },
        20s, 200ms);
    INFO("promote ", r.url(), ": ", last.status, " ", last.body, Logs());
    REQUIRE(promoted);
    primary_ = index;
  }

  // A write on the primary that must be acknowledged: the cluster takes writes again.
  void WaitForWrites(const std::string& key) {
    HttpReply last;
    bool written = WaitUntil(
        [&] {
          FindPrimary();
          last = primary().Call("POST", "/balance/charge",
                                Object({{"userId", Quote(kProbeUser)}, {"amount", "1"}}),
                                IdempotencyKey(key));
          return last.status == 200;
        },
        30s, 100ms);
    INFO("probe write on ", primary().url(), ": ", last.status, " ", last.body, Logs());
    REQUIRE(written);
  }

  // `index` follows the primary and has reached the LSN the primary had counted.
  void WaitCaughtUp(size_t index) {
    Replica& r = replicas_[index];
    std::optional<View> p = primary().Read();
    REQUIRE(p);
    std::optional<View> view;
    bool caught_up = WaitUntil(
        [&] {
          view = r.Read();
          return view && view->role == "follower" && view->applied >= p->applied;
        },
        30s);
    INFO(r.url(), " did not reach LSN ", p->applied, ": ",
         view ? view->role + " at " + std::to_string(view->applied) + " stopped: " + view->stopped
              : std::string("no answer"),
         Logs());
    REQUIRE(caught_up);
  }

  // The one running replica (other than `except`) that says it is primary, if exactly
  // one does.
  std::optional<size_t> OnlyPrimary(std::optional<size_t> except) const {
    std::optional<size_t> found;
    for (size_t i = 0; i < replicas_.size(); ++i) {
      const Replica& r = replicas_[i];
      if (i == except || !r.running || r.frozen) continue;
      std::optional<View> view = r.Read();
      if (!view || view->role != "primary") continue;
      if (found) return std::nullopt;
      found = i;
    }
    return found;
  }

  // How the last primary came to be, for a round's message.
  std::string NewPrimary() const {
    return failover_ == Failover::kAuto ? "the lease went to " : "promoted ";
  }

  // A random running follower.
  size_t PickFollower() {
    std::vector<size_t> followers;
    for (size_t i = 0; i < replicas_.size(); ++i) {
      if (i != primary_ && replicas_[i].running && !replicas_[i].frozen) followers.push_back(i);
    }
    REQUIRE(!followers.empty());
    return followers[random_() % followers.size()];
  }

  void Sleep(int min_ms, int max_ms) {
    auto ms = min_ms + static_cast<int>(random_() % static_cast<uint64_t>(max_ms - min_ms + 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }

  // kill -9 the primary (its disk lost too when `lose_disk`), promote a follower,
  // restart the killed one.
  std::string KillPrimary(bool lose_disk) {
    size_t victim = primary_;
    Replica& dead = replicas_[victim];
    Sleep(200, 800);
    dead.process->Kill();
    dead.running = false;
    if (lose_disk) std::filesystem::remove_all(dead.process->data_dir());
    // A moment without a primary: requests meet the closed port and followers that
    // still name the dead one.
    Sleep(200, 1000);
    size_t next = TakeOver(victim);
    Sleep(300, 1000);
    // On its own data directory it finds the records that did not count and discards
    // them. On an empty one it follows the topic from offset 0: the topic still holds
    // the whole log (the mock keeps 5 MiB; this test writes far less), so no bootstrap
    // from a peer is needed (replicas_tests covers that).
    dead.process->Start();
    dead.running = true;
    WaitCaughtUp(victim);
    return std::string(lose_disk ? "lost the disk of " : "killed ") + dead.url() + ", " +
           NewPrimary() + replicas_[next].url() + ", restarted " + dead.url() +
           (lose_disk ? " empty" : "");
  }

  // SIGSTOP the primary, promote a follower meanwhile, SIGCONT: the zombie is deposed.
  std::string FreezePrimary() {
    size_t zombie = primary_;
    Replica& z = replicas_[zombie];
    Sleep(200, 800);
    REQUIRE(kill(z.process->pid(), SIGSTOP) == 0);
    z.frozen = true;
    auto stopped_at = Clock::now();
    Sleep(300, 1000);
    size_t next = TakeOver(zombie);
    // Writes go to the new primary a while; the zombie's clients still wait on it.
    auto frozen_for = std::chrono::milliseconds(2000 + random_() % 2000);
    std::this_thread::sleep_until(std::max(stopped_at + frozen_for, Clock::now() + 500ms));
    REQUIRE(kill(z.process->pid(), SIGCONT) == 0);
    z.frozen = false;
    WaitCaughtUp(zombie);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - stopped_at);
    return "stopped " + z.url() + ", " + NewPrimary() + replicas_[next].url() + ", continued " +
           z.url() + " after " + std::to_string(frozen_for.count()) + " ms (following after " +
           std::to_string(ms.count()) + " ms)";
  }

  // Every broker away for 1-3 s.
  std::string BrokersAway() {
    Sleep(200, 800);
    auto away = std::chrono::milliseconds(1000 + random_() % 2000);
    cluster_.SetBrokersUp(false);
    std::this_thread::sleep_for(away);
    cluster_.SetBrokersUp(true);
    return "brokers away " + std::to_string(away.count()) + " ms, primary " + primary().url();
  }

  // The log partition's leadership to another broker, while writes go on.
  std::string MoveLeader() {
    Sleep(200, 800);
    int32_t step = 1 + static_cast<int32_t>(random_() % (kBrokers - 1));
    leader_ = (leader_ - 1 + step) % kBrokers + 1;
    cluster_.MoveLeader(kLogTopic, 0, leader_);
    return "log partition leader moved to broker " + std::to_string(leader_) + ", primary " +
           primary().url();
  }

 private:
  Failover failover_;
  MockCluster cluster_;
  std::vector<Replica> replicas_;
  size_t primary_ = 0;
  int32_t leader_ = 1;  // the log partition's, as last moved
  std::mt19937_64 random_;
};

void RunNemesis(Failover failover, int default_rounds) {
  const uint64_t seed = EnvNumber(
      "ECOMM_NEMESIS_SEED",
      static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) % 1000000);
  const int rounds = static_cast<int>(EnvNumber("ECOMM_NEMESIS_ROUNDS", default_rounds));
  const std::vector<Fault> faults = FaultsFromEnv();
  REQUIRE(!faults.empty());
  // The first round takes the primary away (when the faults chosen allow it): every run
  // sees a failover, whatever the later rounds draw.
  std::vector<Fault> first_faults;
  std::copy_if(faults.begin(), faults.end(), std::back_inserter(first_faults), TakesPrimaryAway);
  if (first_faults.empty()) first_faults = faults;
  const bool automatic = failover == Failover::kAuto;
  MESSAGE("nemesis, --failover ", std::string(automatic ? "auto" : "manual"),
          ": ECOMM_NEMESIS_SEED=", seed, " ECOMM_NEMESIS_ROUNDS=", rounds,
          " (set both to replay the faults drawn)");
  const int seconds_per_round = automatic ? kSecondsPerAutoRound : kSecondsPerRound;

  Nemesis nemesis(seed, failover);
  std::vector<Replica>& replicas = nemesis.replicas();
  nemesis.TakeOver(std::nullopt);
  REQUIRE(nemesis.primary()
              .Call("POST", "/users",
                    Object({{"userId", Quote(kProbeUser)},
                            {"name", Quote("Nemesis probe")},
                            {"email", Quote("probe@nemesis.invalid")}}))
              .status == 201);

  std::string dir = std::filesystem::path(replicas[0].process->data_dir()).parent_path().string();
  std::string json_path = dir + "/load.json";
  const int duration = kWarmUpSeconds + rounds * seconds_per_round + kCalmSeconds;
  auto load_started = Clock::now();
  // Keyed writes only (charge, order, cancel): every write's outcome is settled by
  // retrying it with its Idempotency-Key, wherever the primary went.
  ChildProcess load({ECOMM_LOAD_BIN,    "--url",
                     nemesis.Urls(),    "--json",
                     json_path,         "--no-progress",
                     "--duration",      std::to_string(duration),
                     "--rate",          "50",
                     "--connections",   "8",
                     "--users",         "20",
                     "--products",      "5",
                     "--mix",           "browse=3,history=1,top=1,charge=2,order=4,cancel=1",
                     "--failover-wait", "30s",
                     "--seed",          std::to_string(seed + 1)},
                    json_path + ".out", json_path + ".err");

  // The population (45 records) is there and the load has been writing a while.
  REQUIRE(WaitUntil(
      [&] {
        std::optional<View> view = nemesis.primary().Read();
        return view && view->applied >= 80;
      },
      60s));

  const auto load_ends = load_started + std::chrono::seconds(duration);
  int rounds_run = 0;
  for (int round = 1; round <= rounds; ++round) {
    nemesis.FindPrimary();
    if (load_ends - Clock::now() < std::chrono::seconds(seconds_per_round)) {
      // Rounds that overran their slots: a fault now could outlast the load, leaving
      // its last arrivals unsent.
      MESSAGE("rounds ", round, "..", rounds, " skipped: the load ends in less than a round");
      break;
    }
    const std::vector<Fault>& drawn_from = round == 1 ? first_faults : faults;
    Fault fault = drawn_from[nemesis.random()() % drawn_from.size()];
    auto started = Clock::now();
    std::string what;
    switch (fault) {
      case Fault::kKill:
        what = nemesis.KillPrimary(false);
        break;
      case Fault::kLostDisk:
        what = nemesis.KillPrimary(true);
        break;
      case Fault::kZombie:
        what = nemesis.FreezePrimary();
        break;
      case Fault::kBrokersAway:
        what = nemesis.BrokersAway();
        break;
      case Fault::kLeaderMove:
        what = nemesis.MoveLeader();
        break;
    }
    nemesis.WaitForWrites("nemesis-round-" + std::to_string(round));
    ++rounds_run;
    std::optional<View> view = nemesis.primary().Read();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    MESSAGE("round ", round, " (", std::string(FaultName(fault)), "): ", what,
            "; writes again after ", ms.count(), " ms at LSN ", view ? view->applied : -1,
            ", epoch ", view ? view->epoch : -1);
    if (round == rounds) break;  // the load's last seconds are calm
    // Traffic on the new configuration a while before the next fault: the faults are
    // spread over the load's schedule.
    std::this_thread::sleep_until(
        std::max(Clock::now() + 1s,
                 load_started + std::chrono::seconds(kWarmUpSeconds + round * seconds_per_round)));
  }
  // A run whose every round was skipped tested no fault at all.
  MESSAGE(rounds_run, " of ", rounds, " rounds run");
  CHECK(rounds_run >= std::min(rounds, 1));
  int exit_code = load.Wait(std::chrono::seconds(duration) + 90s);
  std::string out = load.Stdout(), err = load.Stderr();
  std::ifstream in(json_path);
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document report;
  report.Parse(text.str().c_str());
  std::string retried;
  if (report.IsObject() && report.HasMember("failover")) {
    for (const auto& m : report["failover"]["retried_statuses"].GetObject()) {
      retried += " " + std::string(m.name.GetString()) + ":" + std::to_string(m.value.GetUint64());
    }
  }
  MESSAGE("ecomm-load:\n", out, "answers retried elsewhere or later, by status:", retried);
  INFO("ecomm-load stdout:\n", out, "\nstderr:\n", err);
  INFO("replica logs:", nemesis.Logs());
  CHECK(exit_code == 0);
  REQUIRE(report.IsObject());

  const rapidjson::Value& totals = report["totals"];
  CHECK(totals["server_errors"].GetUint64() == 0);
  CHECK(totals["unexpected"].GetUint64() == 0);
  CHECK(totals["not_sent"].GetUint64() == 0);
  CHECK(report["failover"]["replicas"].GetUint64() == 3);
  CHECK(report["ok"].GetBool());

  // The audit checks the ledger of acknowledged writes against the final primary:
  // every balance, every stock, every order's status. A write whose outcome stayed
  // unknown would blur that, so there must be none.
  const rapidjson::Value& audit = report["audit"];
  std::string violations;
  for (const rapidjson::Value& v : audit["violations"].GetArray()) {
    violations += std::string(v.GetString()) + "\n";
  }
  INFO("audit violations:\n", violations);
  CHECK(audit["ok"].GetBool());
  CHECK(audit["violations"].Empty());
  CHECK(audit["unknown_outcomes"].GetUint64() == 0);
  CHECK(audit["users"].GetUint64() == 20);
  CHECK(audit["products"].GetUint64() == 5);
  CHECK(audit["orders"].GetUint64() > 0);
  nemesis.FindPrimary();
  const rapidjson::Value& found = audit["replicas"];
  REQUIRE(found["primary"].IsString());
  CHECK(std::string(found["primary"].GetString()) == nemesis.primary().url());
  CHECK(found["digests_compared"].GetBool());
  CHECK(found["unreachable"].Empty());

  // And directly: one primary, every replica at its LSN with its digest, none stopped.
  std::optional<View> primary = nemesis.primary().Read();
  REQUIRE(primary);
  CHECK(primary->role == "primary");
  std::optional<std::pair<int64_t, std::string>> primary_digest = nemesis.primary().Digest();
  REQUIRE(primary_digest);
  CHECK(primary_digest->first == primary->applied);
  for (size_t i = 0; i < replicas.size(); ++i) {
    Replica& r = replicas[i];
    CAPTURE(r.url());
    REQUIRE(r.running);
    std::optional<View> view;
    WaitUntil(
        [&] {
          view = r.Read();
          return view && view->applied >= primary->applied;
        },
        15s);
    REQUIRE(view);
    CHECK(view->stopped == "");
    CHECK(view->applied == primary->applied);
    CHECK(view->role == (i == nemesis.primary_index() ? "primary" : "follower"));
    std::optional<std::pair<int64_t, std::string>> digest = r.Digest();
    REQUIRE(digest);
    CHECK(digest->first == primary_digest->first);
    CHECK(digest->second == primary_digest->second);
  }
}

TEST_CASE(
    "a nemesis of kills, lost disks, zombies, absent brokers and leader moves loses no "
    "acknowledged write") {
  RunNemesis(Failover::kManual, 4);
}

TEST_CASE("the same nemesis with --failover auto: the lease alone picks each new primary") {
  RunNemesis(Failover::kAuto, 3);
}

}  // namespace
}  // namespace ecomm::testing
