// ecomm-load, the real binary, against a real ecomm-server: short closed- and open-loop
// runs whose audit must pass, a run whose audit must fail because the state was changed
// behind its back, and the JSON report's schema (SPEC.md "Programs and flags").
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "auth/test_keys.h"
#include "e2e/support/child_process.h"
#include "e2e/support/http_helpers.h"
#include "e2e/support/test_server.h"

namespace ecomm::testing {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

struct LoadRun {
  int exit_code;
  std::string out, err;
  rapidjson::Document json;
};

// The --json report a run wrote; not an object when there is none.
rapidjson::Document ReadReport(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document report;
  report.Parse(text.str().c_str());
  return report;
}

class LoadProcess {
 public:
  LoadProcess(TestServer& server, std::vector<std::string> flags) {
    dir_ = std::filesystem::path(server.process().data_dir()).parent_path().string();
    json_path_ = dir_ + "/load-" + std::to_string(++runs_) + ".json";
    std::vector<std::string> argv = {
        ECOMM_LOAD_BIN, "--url",    "http://127.0.0.1:" + std::to_string(server.port()),
        "--json",       json_path_, "--no-progress"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    process_ = std::make_unique<ChildProcess>(argv, json_path_ + ".out", json_path_ + ".err");
  }

  LoadRun Finish() {
    return LoadRun{process_->Wait(seconds(120)), process_->Stdout(), process_->Stderr(),
                   ReadReport(json_path_)};
  }

 private:
  static inline int runs_ = 0;
  std::string dir_, json_path_;
  std::unique_ptr<ChildProcess> process_;
};

LoadRun RunLoad(TestServer& server, std::vector<std::string> flags) {
  return LoadProcess(server, std::move(flags)).Finish();
}

// ecomm-load --embedded with `flags`; its report and output in files named after `name`
// in the temp directory, removed once read.
LoadRun RunEmbedded(const std::string& name, std::vector<std::string> flags) {
  std::string base =
      std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
  std::vector<std::string> argv = {ECOMM_LOAD_BIN, "--embedded", "--no-progress", "--json",
                                   base + ".json"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  ChildProcess load(argv, base + ".out", base + ".err");
  LoadRun run{load.Wait(seconds(120)), load.Stdout(), load.Stderr(), ReadReport(base + ".json")};
  for (const char* suffix : {".json", ".out", ".err"}) std::filesystem::remove(base + suffix);
  return run;
}

// Waits (30 s at most) until GET `path` answers 200: the run's set-up has made it.
void WaitForSetUp(TestServer& server, const std::string& path) {
  auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (Get(server.client(), path).status != 200 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
}

// The report's shape: SPEC.md's fields, with types, for every operation that ran.
void CheckSchema(const rapidjson::Document& json) {
  REQUIRE_MESSAGE(json.IsObject(), "the JSON report does not parse");
  REQUIRE(json.HasMember("operations"));
  REQUIRE(json["operations"].IsObject());
  CHECK(json["operations"].MemberCount() > 0);
  for (const auto& op : json["operations"].GetObject()) {
    CAPTURE(op.name.GetString());
    const auto& o = op.value;
    REQUIRE(o.IsObject());
    CHECK(o["count"].IsUint64());
    CHECK(o["count"].GetUint64() > 0);
    for (const char* field : {"rps", "p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms"}) {
      CAPTURE(field);
      REQUIRE(o.HasMember(field));
      CHECK(o[field].IsNumber());
      CHECK(o[field].GetDouble() >= 0);
    }
    CHECK(o["p50_ms"].GetDouble() <= o["p99_ms"].GetDouble());
    CHECK(o["p99_ms"].GetDouble() <= o["max_ms"].GetDouble());
    REQUIRE(o["latency_curve"].IsArray());
    double last = 0;
    for (const auto& point : o["latency_curve"].GetArray()) {
      CHECK(point[1].GetDouble() >= last);  // a percentile curve never falls
      last = point[1].GetDouble();
    }
    CHECK(last == o["max_ms"].GetDouble());
    REQUIRE(o["statuses"].IsObject());
    uint64_t answers = 0;
    for (const auto& s : o["statuses"].GetObject()) {
      int code = std::stoi(s.name.GetString());
      CHECK(code >= 0);
      CHECK(code < 600);
      answers += s.value.GetUint64();
    }
    CHECK(answers >= o["count"].GetUint64());  // retries answer too
  }
  REQUIRE(json.HasMember("audit"));
}

}  // namespace

TEST_CASE("ecomm-load: a closed-loop run of every operation passes its audit") {
  TestServer server;
  LoadRun run = RunLoad(server, {"--duration", "2", "--connections", "16", "--mix",
                                 "browse=30,top=10,cart_add=10,cart_remove=3,charge=5,order=25,"
                                 "order_cart=5,cancel=5,history=7,restock=2,coupon_issue=5"});
  INFO(run.out, run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("audit: ok") != std::string::npos);
  CheckSchema(run.json);
  CHECK(std::string(run.json["settings"]["mode"].GetString()) == "closed");
  CHECK(run.json["audit"]["ok"].GetBool());
  CHECK(run.json["audit"]["violations"].IsArray());
  CHECK(run.json["audit"]["violations"].Empty());
  CHECK(run.json["audit"]["orders"].GetUint64() > 0);
  for (const char* op : {"browse", "top", "cart_add", "cart_remove", "charge", "order",
                         "order_cart", "cancel", "history", "restock", "coupon_issue"}) {
    CAPTURE(op);
    CHECK(run.json["operations"].HasMember(op));
  }
  CHECK(run.json["totals"]["unexpected"].GetUint64() == 0);
  CHECK(run.json["ok"].GetBool());
}

TEST_CASE("ecomm-load --jwt-key: every operation against --auth jwt, each user with its token") {
  TestKeys keys;
  TestServer server({"--auth", "jwt", "--jwt-key", keys.es256_public(), "--jwt-audience", "shop"});
  // Without tokens the set-up is refused (401) and the run fails.
  LoadRun refused = RunLoad(server, {"--duration", "1", "--users", "3"});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("401") != std::string::npos);

  // No --admin-token: the population, the coupon campaign, restocks and the audit use a
  // minted ecomm:admin token; every other request carries its own user's token.
  LoadRun run = RunLoad(server, {"--duration", "2", "--connections", "8", "--jwt-key",
                                 keys.es256_private(), "--jwt-audience", "shop", "--mix",
                                 "browse=30,top=10,cart_add=10,cart_remove=3,charge=5,order=25,"
                                 "order_cart=5,cancel=5,history=7,restock=2,coupon_issue=5"});
  INFO(run.out, run.err);
  CHECK(run.exit_code == 0);
  CheckSchema(run.json);
  CHECK(run.json["audit"]["ok"].GetBool());
  for (const auto& op : run.json["operations"].GetObject()) {
    CAPTURE(op.name.GetString());
    CHECK_FALSE(op.value["statuses"].HasMember("401"));
    CHECK_FALSE(op.value["statuses"].HasMember("403"));
  }
  CHECK(run.json["operations"]["cancel"]["count"].GetUint64() > 0);
  CHECK(run.json["audit"]["coupons"]["issued"].GetUint64() > 0);
  CHECK(run.json["totals"]["unexpected"].GetUint64() == 0);
}

TEST_CASE("ecomm-load: an open-loop flash sale keeps its schedule and its audit holds") {
  TestServer server;
  // Little stock on the hot product and little money: orders also fail, and those
  // FAILED orders are audited too.
  LoadRun run =
      RunLoad(server, {"--duration", "3", "--rate", "300", "--mix", "order=6,cancel=1,charge=1",
                       "--hot", "0.9", "--stock", "200", "--balance", "3000"});
  INFO(run.out, run.err);
  CHECK(run.exit_code == 0);
  CheckSchema(run.json);
  CHECK(std::string(run.json["settings"]["mode"].GetString()) == "open");
  uint64_t sent =
      run.json["totals"]["count"].GetUint64() + run.json["totals"]["not_sent"].GetUint64();
  CHECK(sent >= 800);  // 3 s at 300/s, give or take the last arrivals
  CHECK(sent <= 950);
  const auto& orders = run.json["operations"]["order"]["statuses"];
  CHECK(orders.HasMember("200"));
  CHECK(orders.HasMember("409"));  // OUT_OF_STOCK or INSUFFICIENT_BALANCE, recorded FAILED
  CHECK(run.json["audit"]["ok"].GetBool());
}

TEST_CASE("ecomm-load: a balance changed behind the client's back fails the audit") {
  TestServer server;
  LoadProcess load(server, {"--duration", "3", "--users", "4", "--mix", "order=2,charge=1",
                            "--prefix", "tamper-"});
  // Once the population exists, one of its users gets money the load never saw.
  WaitForSetUp(server, "/users/tamper-u0");
  REQUIRE(
      Post(server.client(), "/balance/charge", R"({"userId":"tamper-u0","amount":77})").status ==
      200);
  LoadRun run = load.Finish();
  INFO(run.out, run.err);
  CHECK(run.exit_code == 1);
  CHECK(run.out.find("audit: FAILED") != std::string::npos);
  CHECK(run.out.find("user tamper-u0: balance") != std::string::npos);
  CheckSchema(run.json);
  CHECK_FALSE(run.json["audit"]["ok"].GetBool());
  CHECK(run.json["audit"]["violation_count"].GetUint64() == 1);
  CHECK_FALSE(run.json["ok"].GetBool());
}

TEST_CASE("ecomm-load coupon_issue: 200 users rush a campaign of 50, exactly 50 are issued") {
  TestServer server;
  // Orders carry the coupons won, cancels give them back, charges keep the money going.
  LoadRun run = RunLoad(
      server, {"--duration", "3", "--connections", "16", "--users", "200", "--coupons", "50",
               "--coupon-use", "0.8", "--mix", "coupon_issue=5,order=3,cancel=1,charge=1"});
  INFO(run.out, run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("audit: ok") != std::string::npos);
  CHECK(run.out.find("coupons: 50 of 50 issued") != std::string::npos);
  CheckSchema(run.json);
  CHECK(run.json["audit"]["ok"].GetBool());
  const auto& coupons = run.json["audit"]["coupons"];
  REQUIRE(coupons.IsObject());
  CHECK(coupons["total"].GetInt64() == 50);
  CHECK(coupons["issued"].GetUint64() == 50);
  CHECK(coupons["acknowledged"].GetUint64() == 50);
  CHECK(coupons["unanswered"].GetUint64() == 0);
  CHECK(coupons["remaining"].GetInt64() == 0);
  CHECK(coupons["orders"].GetUint64() > 0);  // orders were sent with coupons
  const auto& issue = run.json["operations"]["coupon_issue"];
  CHECK(issue["statuses"]["200"].GetUint64() == 50);
  // The crowd that came too late, and the users who clicked again: expected, not errors.
  CHECK(issue["conflicts"]["COUPON_SOLD_OUT"].GetUint64() > 0);
  CHECK(issue["conflicts"].HasMember("COUPON_ALREADY_ISSUED"));
  CHECK(issue["unexpected"].GetUint64() == 0);
  CHECK(run.json["totals"]["unexpected"].GetUint64() == 0);
}

TEST_CASE("ecomm-load: a coupon issued behind the client's back fails the coupon audit") {
  TestServer server;
  LoadProcess load(server, {"--duration", "3", "--users", "4", "--mix", "coupon_issue=1,order=2",
                            "--prefix", "tamperc-"});
  // Once the campaign exists, someone outside the run's population gets one of its coupons.
  WaitForSetUp(server, "/coupons/tamperc-c0");
  REQUIRE(
      Post(server.client(), "/users", R"({"userId":"tamperc-x","name":"x","email":"x@x.invalid"})")
          .status == 201);
  REQUIRE(Post(server.client(), "/coupons/tamperc-c0/issue", R"({"userId":"tamperc-x"})").status ==
          200);
  LoadRun run = load.Finish();
  INFO(run.out, run.err);
  CHECK(run.exit_code == 1);
  CHECK(run.out.find("coupon tamperc-c0: remainingQuantity 995") != std::string::npos);
  CHECK(run.json["audit"]["violation_count"].GetUint64() == 1);
}

TEST_CASE("ecomm-load: a usage error exits 2, a server that is not there exits 1") {
  TestServer server;
  CHECK(RunLoad(server, {"--rate", "fast"}).exit_code == 2);
  ChildProcess absent({ECOMM_LOAD_BIN, "--url", "http://127.0.0.1:" + std::to_string(FreePort()),
                       "--duration", "1"},
                      "/dev/null", "/dev/null");
  CHECK(absent.Wait(seconds(60)) == 1);
}

TEST_CASE("ecomm-load --embedded: the same mix against the engine in-process, audited") {
  std::string dir =
      std::filesystem::temp_directory_path() / ("ecomm-load-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  LoadRun run =
      RunEmbedded("ecomm-load-test", {"--data-dir", dir, "--duration", "2", "--connections", "8"});
  INFO(run.out, run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("audit: ok") != std::string::npos);
  CheckSchema(run.json);
  CHECK(std::string(run.json["target"].GetString()).starts_with("embedded"));
  CHECK(std::filesystem::exists(dir + "/wal"));  // it logged, as the server does
  std::filesystem::remove_all(dir);
}

TEST_CASE("ecomm-load --embedded: a FIXED campaign's flash crowd against the engine, audited") {
  LoadRun run = RunEmbedded("ecomm-load-coupons",
                            {"--duration", "2", "--connections", "8", "--users", "200", "--coupons",
                             "50", "--coupon-discount", "300", "--mix",
                             "coupon_issue=5,order=3,order_cart=1,cart_add=1,cancel=1"});
  INFO(run.out, run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("audit: ok") != std::string::npos);
  CheckSchema(run.json);
  CHECK(run.json["audit"]["coupons"]["issued"].GetUint64() == 50);
  CHECK(run.json["audit"]["coupons"]["acknowledged"].GetUint64() == 50);
  CHECK(run.json["operations"]["coupon_issue"]["conflicts"]["COUPON_SOLD_OUT"].GetUint64() > 0);
  CHECK(run.json["settings"]["coupon_discount"].GetString() == std::string("300"));
}

TEST_CASE("ecomm-load: a connection the server closed while it was parked is reopened") {
  // At 1 request/s every parked connection outlives the server's 300 ms idle timeout.
  TestServer server({"--idle-timeout", "300ms"});
  LoadRun run = RunLoad(server, {"--duration", "3", "--rate", "1", "--connections", "2", "--mix",
                                 "order=1,browse=1"});
  INFO(run.out, run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.json["totals"]["count"].GetUint64() >= 2);
  CHECK(run.json["totals"]["server_errors"].GetUint64() == 0);
}

}  // namespace ecomm::testing
