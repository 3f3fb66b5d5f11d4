// ecomm-load, the real binary, across a failover of real replicas: three ecomm-server
// processes with --replication kafka on librdkafka's mock cluster (in this process), the
// first promoted; ecomm-load lists a follower first. Midway the primary is killed with
// SIGKILL and a follower promoted. The load must follow (421 NOT_PRIMARY, refused
// connections), settle every request with its Idempotency-Key, pass its audit on the new
// primary, and find the two survivors' digests equal at one LSN.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "e2e/support/child_process.h"
#include "e2e/support/http_helpers.h"
#include "e2e/support/server_process.h"
#include "kafka/mock_cluster.h"

namespace ecomm::testing {

namespace {

using namespace std::chrono_literals;

int64_t AppliedLsn(httplib::Client& client) {
  HttpReply reply = Get(client, "/admin/replication");
  return reply.status == 200 ? Int(reply.Json(), "appliedLsn") : -1;
}

std::string Url(int port) { return "http://127.0.0.1:" + std::to_string(port); }

}  // namespace

TEST_CASE("ecomm-load follows the primary across a failover, and the survivors' digests agree") {
  MockCluster cluster;
  cluster.CreateTopic("ecomm.log", 1);
  // Ports fixed before the start: each replica advertises the URL ecomm-load lists.
  std::vector<int> ports;
  while (ports.size() < 3) {
    int port = FreePort();
    if (std::find(ports.begin(), ports.end(), port) == ports.end()) ports.push_back(port);
  }
  std::vector<std::unique_ptr<ServerProcess>> replicas;
  for (int port : ports) {
    replicas.push_back(std::make_unique<ServerProcess>(std::vector<std::string>{
        "--listen", "127.0.0.1:" + std::to_string(port), "--replication", "kafka", "--brokers",
        cluster.bootstraps(), "--advertise-url", Url(port), "--fetch-wait-ms", "5"}));
    replicas.back()->Start();
  }
  auto first = replicas[0]->Client();
  REQUIRE(Post(*first, "/admin/promote", "{}").status == 200);

  std::string dir = std::filesystem::path(replicas[0]->data_dir()).parent_path().string();
  std::string json_path = dir + "/load.json";
  // A follower first, so that the set-up and the load start by being sent elsewhere.
  std::string urls = Url(ports[1]) + "," + Url(ports[0]) + "," + Url(ports[2]);
  ChildProcess load({ECOMM_LOAD_BIN,
                     "--url",
                     urls,
                     "--json",
                     json_path,
                     "--no-progress",
                     "--duration",
                     "8",
                     "--rate",
                     "40",
                     "--connections",
                     "8",
                     "--users",
                     "20",
                     "--products",
                     "5",
                     "--mix",
                     "browse=3,history=1,top=1,charge=2,order=4,cancel=1",
                     "--failover-wait",
                     "30s"},
                    json_path + ".out", json_path + ".err");

  // Midway: the population (45 records) is there and the load has been writing a while.
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (AppliedLsn(*first) < 100 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  REQUIRE(AppliedLsn(*first) >= 100);
  replicas[0]->Kill();
  // A moment without a primary: requests meet the closed port and followers that still
  // name the dead primary, and wait in their backoff.
  std::this_thread::sleep_for(1s);
  auto second = replicas[1]->Client();
  HttpReply promoted;
  for (int i = 0; i < 100 && promoted.status != 200; ++i) {
    promoted = Post(*second, "/admin/promote", "{}");
    if (promoted.status != 200) std::this_thread::sleep_for(100ms);
  }
  REQUIRE_MESSAGE(promoted.status == 200, promoted.body);

  int exit_code = load.Wait(180s);
  std::string out = load.Stdout(), err = load.Stderr();
  INFO(out, err);
  CHECK(exit_code == 0);
  std::ifstream in(json_path);
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document report;
  report.Parse(text.str().c_str());
  REQUIRE(report.IsObject());

  const rapidjson::Value& failover = report["failover"];
  CHECK(failover["replicas"].GetUint64() == 3);
  CHECK(failover["moves"].GetUint64() > 0);
  CHECK(failover["retries"].GetUint64() > 0);
  CHECK(report["totals"]["server_errors"].GetUint64() == 0);
  CHECK(report["totals"]["unexpected"].GetUint64() == 0);
  CHECK(report["ok"].GetBool());

  const rapidjson::Value& audit = report["audit"];
  CHECK(audit["ok"].GetBool());
  CHECK(audit["violations"].Empty());
  CHECK(audit["orders"].GetUint64() > 0);
  const rapidjson::Value& found = audit["replicas"];
  REQUIRE(found["primary"].IsString());
  CHECK(std::string(found["primary"].GetString()) == Url(ports[1]));
  CHECK(found["digests_compared"].GetBool());
  REQUIRE(found["unreachable"].Size() == 1);
  CHECK(std::string(found["unreachable"][0].GetString()) == Url(ports[0]));
  CHECK(err.find("replica " + Url(ports[0]) + " cannot be reached") != std::string::npos);
  // --url order: the new primary, the killed one, the other survivor.
  const rapidjson::Value& members = found["members"];
  REQUIRE(members.Size() == 3);
  CHECK_FALSE(members[1]["reachable"].GetBool());
  CHECK(std::string(members[0]["role"].GetString()) == "primary");
  CHECK(std::string(members[2]["role"].GetString()) == "follower");
  REQUIRE(members[0]["digest"].IsString());
  REQUIRE(members[2]["digest"].IsString());
  CHECK(members[0]["lsn"].GetUint64() == members[2]["lsn"].GetUint64());
  CHECK(std::string(members[0]["digest"].GetString()) ==
        std::string(members[2]["digest"].GetString()));
  // And independently of ecomm-load: the survivors answer the same digest now.
  auto third = replicas[2]->Client();
  CHECK(Str(Get(*second, "/admin/digest").Json(), "digest") ==
        Str(Get(*third, "/admin/digest").Json(), "digest"));
}

}  // namespace ecomm::testing
