// Clients that hold connections instead of using them: too many, too slow, silent,
// never reading, or exhausting descriptors. Each limit of SPEC "Failures and limits"
// is hit while a normal client keeps getting its answers.
#include <doctest/doctest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "e2e/support/http_helpers.h"
#include "e2e/support/test_server.h"

namespace ecomm::testing {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string GetRequest(const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A normal client on a thread of its own asking GET /balance until stopped; counts
// answers that were not 200.
class SteadyClient {
 public:
  explicit SteadyClient(const TestServer& server)
      : client_(server.NewClient()), thread_([this] { Run(); }) {}
  ~SteadyClient() { Stop(); }

  // Stops and returns {answers, failures}.
  std::pair<int, int> Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return {answers_.load(), failures_.load()};
  }

 private:
  void Run() {
    while (!stop_) {
      HttpReply reply = Get(*client_, "/balance?userId=alice");
      ++answers_;
      if (reply.status != 200) ++failures_;
      std::this_thread::sleep_for(milliseconds(20));
    }
  }

  std::unique_ptr<httplib::Client> client_;
  std::atomic<bool> stop_{false};
  std::atomic<int> answers_{0};
  std::atomic<int> failures_{0};
  std::thread thread_;
};

// CPU seconds (user + system) the process has used, from /proc/PID/stat.
double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoll(field);
    if (i == 15) stime = std::stoll(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace

TEST_CASE("hostile: past --max-connections newcomers are closed at once, the others served") {
  TestServer server({"--demo-data", "--max-connections", "16"});
  httplib::Client& c = server.client();
  REQUIRE(DurableLsn(c) > 0);  // the normal client holds one of the 16
  std::vector<std::unique_ptr<RawConnection>> crowd;
  for (int i = 0; i < 40; ++i) crowd.push_back(std::make_unique<RawConnection>(server.port()));
  int refused = 0;
  for (auto& raw : crowd) {
    REQUIRE(raw->Send(GetRequest("/products/p-cable")));
    RawResponse answer = raw->Read();
    if (answer.status == 0) {
      ++refused;
    } else {
      CHECK(answer.status == 200);
    }
  }
  CHECK(refused == 25);  // 40 - (16 - 1)
  CHECK(MetricValue(c, "ecomm_http_connections_refused_total") == 25);
  CHECK(MetricValue(c, "ecomm_http_connections") == 16);
  CheckJson(Get(c, "/balance?userId=alice"));

  // Once the crowd leaves, new connections are served again.
  crowd.clear();
  auto deadline = Clock::now() + std::chrono::seconds(5);
  while (MetricValue(c, "ecomm_http_connections") > 1 && Clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  RawConnection late(server.port());
  REQUIRE(late.Send(GetRequest("/healthz")));
  CHECK(late.Read().status == 200);
  CHECK(server.process().Stop() == 0);
}

// SPEC's 10 s, unchanged: 200 connections each sending one byte of a request line
// every second are all closed, without an answer, 10 s after they connected, while a
// normal client keeps being answered.
TEST_CASE("hostile: slowloris connections are closed at the 10 s header deadline") {
  TestServer server;
  SteadyClient steady(server);
  constexpr int kSlow = 200;
  std::vector<std::unique_ptr<RawConnection>> slow;
  Clock::time_point opened = Clock::now();
  for (int i = 0; i < kSlow; ++i) slow.push_back(std::make_unique<RawConnection>(server.port()));
  const std::string drip = "GET /balance?userId=alice HTTP/1.1\r\nHost: localhost\r\nX-Pad: ";
  std::vector<double> closed_after(kSlow, -1);
  int open = kSlow;
  for (size_t byte = 0; open > 0 && SecondsSince(opened) < 20; ++byte) {
    for (int i = 0; i < kSlow; ++i) {
      if (closed_after[i] >= 0) continue;
      if (!slow[i]->Send(std::string(1, drip[byte % drip.size()])) ||
          slow[i]->ClosedWithin(milliseconds(0))) {
        closed_after[i] = SecondsSince(opened);
        --open;
      }
    }
    std::this_thread::sleep_for(milliseconds(1000));
  }
  for (double seconds : closed_after) {
    CHECK(seconds >= 9.0);   // not before the deadline (opening them took < 1 s)
    CHECK(seconds <= 13.0);  // and at it, give or take a drip interval
  }
  auto [answers, failures] = steady.Stop();
  CHECK(answers > 100);
  CHECK(failures == 0);
  CHECK(MetricValue(server.client(), "ecomm_http_timeouts_total{awaiting=\"header\"}") == kSlow);
  CHECK(server.process().Stop() == 0);
}

TEST_CASE("hostile: a keep-alive connection is closed after the idle timeout, not before") {
  TestServer server({"--demo-data", "--idle-timeout", "1s", "--header-timeout", "1s"});
  RawConnection raw(server.port());
  REQUIRE(raw.Send(GetRequest("/healthz")));
  REQUIRE(raw.Read().status == 200);
  Clock::time_point answered = Clock::now();
  CHECK_FALSE(raw.ClosedWithin(milliseconds(700)));
  CHECK(raw.ClosedWithin(milliseconds(2000)));
  CHECK(SecondsSince(answered) >= 0.9);

  // Half a request after an answer: the header deadline, from its first byte.
  RawConnection partial(server.port());
  REQUIRE(partial.Send(GetRequest("/healthz")));
  REQUIRE(partial.Read().status == 200);
  REQUIRE(partial.Send("GET /healthz HTTP/1.1\r\nHo"));
  CHECK(partial.ClosedWithin(milliseconds(2500)));
  CHECK(MetricValue(server.client(), "ecomm_http_timeouts_total{awaiting=\"idle\"}") == 1);
  CHECK(MetricValue(server.client(), "ecomm_http_timeouts_total{awaiting=\"header\"}") == 1);
  CHECK(server.process().Stop() == 0);
}

TEST_CASE("hostile: a body that does not arrive in time is a 408, and nothing is applied") {
  TestServer server({"--demo-data", "--body-timeout", "1s"});
  httplib::Client& c = server.client();
  int64_t lsn = DurableLsn(c);
  RawConnection raw(server.port());
  std::string body = ChargeBody("alice", 5);
  REQUIRE(
      raw.Send("POST /balance/charge HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               "Content-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 5)));
  Clock::time_point sent = Clock::now();
  RawResponse answer = raw.Read();
  CHECK(SecondsSince(sent) >= 0.9);
  REQUIRE(answer.status == 408);
  CheckClientError(answer.status, answer.content_type, answer.body, "REQUEST_TIMEOUT");
  CHECK(answer.head.find("Connection: close") != std::string::npos);
  CHECK(raw.ClosedWithin(milliseconds(2000)));
  CHECK(DurableLsn(c) == lsn);
  CHECK(BalanceOf(c, "alice") == 100'000);
  CHECK(server.process().Stop() == 0);
}

// A client that pipelines requests and never reads the answers fills its socket
// buffers; the server stops reading from it (one answer in flight per connection) and
// cuts it at the write deadline, while others are served.
TEST_CASE("hostile: a client that never reads its answers is cut at the write deadline") {
  TestServer server({"--demo-data", "--write-timeout", "1s"});
  SteadyClient steady(server);
  RawConnection greedy(server.port(), /*receive_buffer=*/4096);
  std::string burst;
  for (int i = 0; i < 2000; ++i) burst += GetRequest("/products");
  Clock::time_point start = Clock::now();
  bool cut = false;
  while (!cut && SecondsSince(start) < 20) cut = !greedy.Send(burst);
  CHECK(cut);
  CHECK(SecondsSince(start) < 10);
  auto [answers, failures] = steady.Stop();
  CHECK(answers > 0);
  CHECK(failures == 0);
  CHECK(MetricValue(server.client(), "ecomm_http_timeouts_total{awaiting=\"write\"}") == 1);
  CHECK(server.process().Stop() == 0);
}

// With RLIMIT_NOFILE at 64, accept fails with EMFILE while the listen queue holds
// more connections: the server must pause and retry, not spin on the error, keep
// serving the connections it has, and accept again once descriptors free up.
TEST_CASE("hostile: out of descriptors, accepts back off instead of spinning") {
  ServerProcess process({"--demo-data"});
  process.LimitOpenFiles(64);
  process.Start();
  auto client = process.Client();
  REQUIRE(DurableLsn(*client) > 0);
  std::vector<std::unique_ptr<RawConnection>> crowd;
  for (int i = 0; i < 100; ++i) crowd.push_back(std::make_unique<RawConnection>(process.port()));
  std::this_thread::sleep_for(milliseconds(500));
  REQUIRE(process.Log().find("cannot accept connections") != std::string::npos);
  double cpu = CpuSeconds(process.pid());
  std::this_thread::sleep_for(milliseconds(2000));
  CHECK(CpuSeconds(process.pid()) - cpu < 0.5);  // a spinning accept loop burns ~2 s
  CheckJson(Get(*client, "/balance?userId=alice"));

  crowd.clear();
  RawConnection late(process.port());
  REQUIRE(late.Send(GetRequest("/healthz")));
  CHECK(late.Read().status == 200);
  CHECK(process.Log().find("accepting again") != std::string::npos);
  CHECK(process.Stop() == 0);
}

}  // namespace ecomm::testing
