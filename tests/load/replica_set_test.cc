// ecomm-load's choice of replica (tools/load/replica_set.h): --url lists, the URL an
// Ecomm-Primary header names, and the Route's rule after each kind of attempt, with one
// URL (the rule from before failover) and with several.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "replica_set.h"

namespace ecomm::load {

namespace {

using namespace std::chrono_literals;
using Clock = Route::Clock;

ReplicaSet Three() {
  return ReplicaSet(ParseReplicaUrls("http://127.0.0.1:8081,http://127.0.0.1:8082,"
                                     "http://127.0.0.1:8083")
                        .value());
}

Attempt Answer(int status, std::string_view code = "", std::string_view primary = "") {
  return Attempt::Answered(status, code, primary);
}

}  // namespace

TEST_CASE("--url lists: one or several http://HOST:PORT, none twice") {
  Result<std::vector<ReplicaUrl>> one = ParseReplicaUrls("http://localhost:8080/");
  REQUIRE(one.ok());
  REQUIRE(one->size() == 1);
  CHECK((*one)[0].host == "localhost");
  CHECK((*one)[0].port == 8080);
  CHECK((*one)[0].text() == "http://localhost:8080");
  CHECK((*one)[0].host_port() == "localhost:8080");

  Result<std::vector<ReplicaUrl>> three = ParseReplicaUrls("http://a:1, http://b:2/ ,http://c:3");
  REQUIRE(three.ok());
  REQUIRE(three->size() == 3);
  CHECK((*three)[1].text() == "http://b:2");

  for (const char* bad : {"", ",", "http://a:1,", ",http://a:1", "http://a:1,,http://b:2",
                          "http://a:1,http://a:1/", "https://a:1", "http://a", "http://:1",
                          "http://a:0", "http://a:65536", "http://a:1x", "http://a/b:1"}) {
    CAPTURE(bad);
    Result<std::vector<ReplicaUrl>> parsed = ParseReplicaUrls(bad);
    CHECK_FALSE(parsed.ok());
    CHECK_FALSE(parsed.status().message().empty());
  }
}

TEST_CASE("an Ecomm-Primary header names a listed replica, or none") {
  ReplicaSet set = Three();
  CHECK(set.failover());
  CHECK(set.Find("http://127.0.0.1:8082") == 1u);
  CHECK(set.Find("http://127.0.0.1:8083/") == 2u);
  CHECK_FALSE(set.Find("http://127.0.0.1:9999").has_value());
  CHECK_FALSE(set.Find("http://10.0.0.1:8081").has_value());  // not listed: not followed
  CHECK_FALSE(set.Find("garbage").has_value());
  CHECK(set.After(0) == 1u);
  CHECK(set.After(2) == 0u);

  set.NoteLsn(7);
  set.NoteLsn(3);  // an older answer does not lower it
  CHECK(set.lsn_floor() == 7);
}

TEST_CASE("one URL: the rule from before failover") {
  ReplicaSet one(ParseReplicaUrls("http://127.0.0.1:8080").value());
  CHECK_FALSE(one.failover());
  Route route(one, 30s);
  auto now = Clock::now();

  SUBCASE("a keyed mutation answered 503 or left unanswered: 3 attempts in all, 50 ms apart") {
    route.Begin(now);
    Step first = route.After(Answer(503, "UNAVAILABLE"), Repeat::kKeyed, now);
    CHECK(first.retry);
    CHECK(first.pause == 50ms);
    CHECK_FALSE(first.moved);
    CHECK(route.After(Attempt::Lost(), Repeat::kKeyed, now).retry);
    CHECK_FALSE(route.After(Answer(503, "UNAVAILABLE"), Repeat::kKeyed, now).retry);
  }
  SUBCASE("an idempotency key still in flight is asked again") {
    route.Begin(now);
    CHECK(route.After(Answer(409, "IDEMPOTENCY_KEY_IN_USE"), Repeat::kKeyed, now).retry);
    CHECK_FALSE(route.After(Answer(409, "OUT_OF_STOCK"), Repeat::kKeyed, now).retry);
  }
  SUBCASE("reads, unkeyed writes, 421 and success are final") {
    route.Begin(now);
    CHECK_FALSE(route.After(Answer(503, "REPLICA_BEHIND"), Repeat::kRead, now).retry);
    CHECK_FALSE(route.After(Attempt::Lost(), Repeat::kUnkeyed, now).retry);
    CHECK_FALSE(
        route.After(Answer(421, "NOT_PRIMARY", "http://127.0.0.1:9"), Repeat::kKeyed, now).retry);
    CHECK_FALSE(route.After(Answer(200), Repeat::kKeyed, now).retry);
  }
  SUBCASE("a refused connection is tried again every 100 ms, without limit") {
    route.Begin(now);
    for (int i = 0; i < 10; ++i) {
      Step step = route.After(Attempt::Refused(), Repeat::kUnkeyed, now + 1h);
      CHECK(step.retry);
      CHECK(step.replica == 0u);
      CHECK(step.pause == 100ms);
    }
    CHECK(route.Reconnect().replica == 0u);
  }
}

TEST_CASE("several URLs: a follower's 421 moves the client to the primary it names") {
  ReplicaSet set = Three();
  Route route(set, 30s);
  auto now = Clock::now();
  route.Begin(now);
  CHECK(route.replica() == 0u);
  Step step =
      route.After(Answer(421, "NOT_PRIMARY", "http://127.0.0.1:8083"), Repeat::kUnkeyed, now);
  CHECK(step.retry);  // the follower applied nothing: safe even without a key
  CHECK(step.moved);
  CHECK(step.replica == 2u);
  CHECK(step.pause == 0ms);  // the primary is known: no reason to wait
  CHECK(route.replica() == 2u);
  CHECK_FALSE(route.After(Answer(200), Repeat::kUnkeyed, now).retry);

  route.Begin(now);  // the next request starts where the last ended
  CHECK(route.replica() == 2u);
  CHECK_FALSE(route.After(Answer(200), Repeat::kRead, now).retry);
}

TEST_CASE("several URLs: without a usable Ecomm-Primary, the next URL in turn") {
  ReplicaSet set = Three();
  Route route(set, 30s);
  auto now = Clock::now();
  route.Begin(now);
  SUBCASE("a 421 without the header") {
    Step step = route.After(Answer(421, "NOT_PRIMARY"), Repeat::kKeyed, now);
    CHECK(step.replica == 1u);
    CHECK(step.moved);
    CHECK(step.pause == 20ms);
  }
  SUBCASE("a 421 naming a server not listed, or itself") {
    CHECK(
        route.After(Answer(421, "NOT_PRIMARY", "http://10.9.9.9:1"), Repeat::kKeyed, now).replica ==
        1u);
    CHECK(route.After(Answer(421, "NOT_PRIMARY", "http://127.0.0.1:8082"), Repeat::kKeyed, now)
              .replica == 2u);
  }
  SUBCASE("a 503 NOT_PRIMARY is a 421") {
    CHECK(route.After(Answer(503, "NOT_PRIMARY"), Repeat::kKeyed, now).replica == 1u);
  }
  SUBCASE("a refused connection, round robin, whatever the request") {
    std::vector<size_t> visited;
    for (int i = 0; i < 4; ++i) {
      Step step = route.After(Attempt::Refused(), Repeat::kUnkeyed, now);
      REQUIRE(step.retry);
      CHECK(step.moved);
      visited.push_back(step.replica);
    }
    CHECK(visited == std::vector<size_t>{1, 2, 0, 1});
  }
  SUBCASE("a connection refused with no request waiting moves on too") {
    Step step = route.Reconnect();
    CHECK(step.replica == 1u);
    CHECK(step.moved);
    CHECK(step.pause == 100ms);
  }
}

TEST_CASE("several URLs: an outcome in doubt is asked again where it was sent, key and all") {
  ReplicaSet set = Three();
  Route route(set, 30s);
  auto now = Clock::now();
  route.Begin(now);

  Step unavailable = route.After(Answer(503, "UNAVAILABLE"), Repeat::kKeyed, now);
  CHECK(unavailable.retry);
  CHECK_FALSE(unavailable.moved);
  CHECK(unavailable.replica == 0u);
  CHECK(route.After(Attempt::Lost(), Repeat::kKeyed, now).replica == 0u);
  CHECK(route.After(Attempt::Lost(), Repeat::kRead, now).retry);
  CHECK(route.After(Answer(503, "REPLICA_BEHIND"), Repeat::kRead, now).retry);
  CHECK(route.After(Answer(409, "IDEMPOTENCY_KEY_IN_USE"), Repeat::kKeyed, now).retry);
  // A 503 naming a listed primary goes there.
  CHECK(route.After(Answer(503, "UNAVAILABLE", "http://127.0.0.1:8082"), Repeat::kKeyed, now)
            .replica == 1u);

  // No key: a write that may have been applied is not sent again.
  route.Begin(now);
  CHECK_FALSE(route.After(Answer(503, "UNAVAILABLE"), Repeat::kUnkeyed, now).retry);
  CHECK_FALSE(route.After(Attempt::Lost(), Repeat::kUnkeyed, now).retry);
  CHECK_FALSE(route.After(Answer(409, "IDEMPOTENCY_KEY_IN_USE"), Repeat::kRead, now).retry);
  // Final answers.
  for (int status : {200, 201, 400, 404, 409, 422, 500}) {
    CAPTURE(status);
    CHECK_FALSE(
        route.After(Answer(status, status == 409 ? "OUT_OF_STOCK" : ""), Repeat::kKeyed, now)
            .retry);
  }
}

TEST_CASE("several URLs: the backoff grows to 500 ms and the deadline ends the retries") {
  ReplicaSet set = Three();
  Route route(set, 2s);
  auto now = Clock::now();
  route.Begin(now);
  std::vector<std::chrono::milliseconds> pauses;
  for (int i = 0; i < 8; ++i) {
    pauses.push_back(route.After(Attempt::Refused(), Repeat::kKeyed, now).pause);
  }
  CHECK(pauses == std::vector<std::chrono::milliseconds>{20ms, 40ms, 80ms, 160ms, 320ms, 500ms,
                                                         500ms, 500ms});
  CHECK(route.After(Attempt::Refused(), Repeat::kKeyed, now + 1999ms).retry);
  Step late = route.After(Attempt::Refused(), Repeat::kKeyed, now + 2s);
  CHECK_FALSE(late.retry);  // the last answer (none) is the request's
  // A new request has a deadline of its own.
  route.Begin(now + 2s);
  CHECK(route.After(Attempt::Refused(), Repeat::kKeyed, now + 3s).retry);
}

TEST_CASE("a problem+json answer's code") {
  CHECK(ProblemCode(R"({"type":"about:blank","status":421,"code":"NOT_PRIMARY"})") ==
        "NOT_PRIMARY");
  CHECK(ProblemCode(R"({"orderId":"o1","code":"OUT_OF_STOCK","totalPrice":5})") == "OUT_OF_STOCK");
  CHECK(ProblemCode(R"({"currentBalance":5})").empty());
  CHECK(ProblemCode("not json \"code\"").empty());
  CHECK(ProblemCode(R"({"code":7})").empty());
  CHECK(ProblemCode(R"({"code":"X","n":1e999})").empty());  // screened, never parsed
}

}  // namespace ecomm::load
