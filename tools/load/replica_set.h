#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ecomm/result.h"

// Where ecomm-load's requests go when --url lists several replicas of one shop (SPEC
// "Replication and failover"): a follower refuses writes with 421 NOT_PRIMARY naming the
// primary, and a primary may die and another be promoted. Each client keeps a Route: the
// replica it talks to, and the rule that moves it (to the primary named, else to the
// next URL) and retries the same request, with the same Idempotency-Key, until an
// answer settles it or its deadline passes.
namespace ecomm::load {

// One server of --url, "http://HOST:PORT".
struct ReplicaUrl {
  std::string host;
  uint16_t port = 0;

  // "http://HOST:PORT": how --url spells it and how a replica advertises itself.
  std::string text() const { return "http://" + host_port(); }
  std::string host_port() const { return host + ":" + std::to_string(port); }
  bool operator==(const ReplicaUrl&) const = default;
};

// "http://HOST:PORT" (a trailing slash allowed), or why not.
Result<ReplicaUrl> ParseReplicaUrl(std::string_view text);
// --url's value: one URL or several, comma-separated, none twice.
Result<std::vector<ReplicaUrl>> ParseReplicaUrls(std::string_view text);

// The replicas a run drives, and what every client of the run shares about them.
class ReplicaSet {
 public:
  explicit ReplicaSet(std::vector<ReplicaUrl> urls);

  size_t size() const { return urls_.size(); }
  // More than one URL: requests follow the primary (a Route's failover rule).
  bool failover() const { return urls_.size() > 1; }
  const ReplicaUrl& at(size_t i) const { return urls_[i]; }
  const std::vector<ReplicaUrl>& urls() const { return urls_; }
  // The listed replica an Ecomm-Primary header names, if any. Only listed ones: a
  // header does not send the run's tokens to a server the operator did not name.
  std::optional<size_t> Find(std::string_view url) const;
  // Round robin: the replica after `i`.
  size_t After(size_t i) const { return (i + 1) % urls_.size(); }

  // The highest Ecomm-Lsn any answer carried. Reads sent to a follower carry it as
  // Ecomm-Min-Lsn, so that a follower never shows a state older than one the run has
  // already seen acknowledged (the population, an order it then reads).
  void NoteLsn(uint64_t lsn);
  uint64_t lsn_floor() const { return lsn_floor_.load(std::memory_order_relaxed); }

 private:
  std::vector<ReplicaUrl> urls_;
  std::atomic<uint64_t> lsn_floor_{0};
};

// How a request may be sent again without changing what it does.
enum class Repeat : uint8_t {
  kRead,     // a GET: any number of times
  kKeyed,    // a mutation with an Idempotency-Key: the same key, any number of times
  kUnkeyed,  // a mutation without one: again only if no server could have applied it
};

// What one attempt came to, as far as choosing the next step goes.
struct Attempt {
  enum class Kind : uint8_t {
    kRefused,   // no connection: the request never left
    kLost,      // sent, then the connection failed before an answer: outcome unknown
    kAnswered,  // an HTTP answer
  };
  Kind kind = Kind::kAnswered;
  int status = 0;
  std::string_view code;     // the problem's code ("NOT_PRIMARY"), "" when none
  std::string_view primary;  // the Ecomm-Primary header, "" when absent

  static Attempt Refused() { return Attempt{Kind::kRefused, 0, {}, {}}; }
  static Attempt Lost() { return Attempt{Kind::kLost, 0, {}, {}}; }
  static Attempt Answered(int status, std::string_view code = {}, std::string_view primary = {}) {
    return Attempt{Kind::kAnswered, status, code, primary};
  }
};

// What a client does after an attempt.
struct Step {
  bool retry = false;  // false: the last answer is the request's answer
  size_t replica = 0;  // where the next attempt goes
  std::chrono::milliseconds pause{0};
  bool moved = false;  // `replica` is not the one the attempt went to
};

// One client's place among the replicas and the retries of its current request.
//
// With one URL the rule is ecomm-load's from before failover: a keyed mutation answered
// 503 or IDEMPOTENCY_KEY_IN_USE, or left without an answer, is sent again up to 3
// attempts in all; a refused connection is tried again every 100 ms; nothing else is
// repeated. With several URLs:
//   - refused connection: the next URL (any request: it never left);
//   - 421, or 503 NOT_PRIMARY: the primary Ecomm-Primary names if listed, else the next
//     URL (any request: a replica that says so did not apply it);
//   - 503 otherwise (UNAVAILABLE: outcome unknown; REPLICA_BEHIND), a lost connection,
//     409 IDEMPOTENCY_KEY_IN_USE (keyed only): the same replica again, for reads and
//     keyed mutations; a 503 naming a listed primary moves there;
// each retry after a short backoff (20 ms doubling to 500 ms; none to go to a primary
// just named), until `failover_wait` after the request began.
class Route {
 public:
  using Clock = std::chrono::steady_clock;

  Route(const ReplicaSet& replicas, std::chrono::milliseconds failover_wait);

  size_t replica() const { return replica_; }
  // A new request starts now, where the last one ended.
  void Begin(Clock::time_point now);
  // The step after an attempt of the current request (which moves the route if so).
  Step After(const Attempt& attempt, Repeat repeat, Clock::time_point now);
  // A connection refused while no request waits on it: where to connect next.
  Step Reconnect();

 private:
  Step Retry(size_t to, bool named);
  Step Finish() const { return Step{false, replica_, {}, false}; }

  const ReplicaSet& replicas_;
  const std::chrono::milliseconds failover_wait_;
  size_t replica_ = 0;
  Clock::time_point deadline_;
  int attempts_ = 0;  // of the current request, counting the first
};

// The `code` of a problem+json answer, or "" when the body is not one.
std::string ProblemCode(std::string_view body);

}  // namespace ecomm::load
