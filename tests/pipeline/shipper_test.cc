// The Kafka pipeline end to end, with real processes over real sockets: ecomm-server,
// ecomm-kafka-mock (librdkafka's mock cluster), ecomm-shipper, and kcat as an
// independent consumer reading the topic back.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "e2e/support/child_process.h"
#include "e2e/support/http_helpers.h"
#include "e2e/support/test_server.h"
#include "ecomm/wal/file.h"
#include "ecomm/wal/snapshot_file.h"
#include "ecomm/wal/wal_tailer.h"

namespace ecomm::testing {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using wal::Lsn;

struct Event {
  std::string key;
  rapidjson::Document json;
};

// What the shop did: every SUCCESS order and whether it was cancelled since.
struct Expected {
  std::map<std::string, bool> orders;  // orderId -> cancelled
  size_t Events() const {
    size_t n = orders.size();
    for (const auto& [id, cancelled] : orders) n += cancelled ? 1 : 0;
    return n;
  }
};

class Pipeline {
 public:
  explicit Pipeline(std::vector<std::string> server_flags = {"--demo-data"})
      : server_(std::move(server_flags)),
        dir_(std::filesystem::path(server_.process().data_dir()).parent_path().string()) {
    kafka_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{ECOMM_KAFKA_MOCK_BIN, "--brokers", "3", "--partitions", "4"},
        dir_ + "/kafka.out", dir_ + "/kafka.err");
    std::string out = kafka_->WaitForStdout("\n", seconds(20));
    REQUIRE_MESSAGE(out.starts_with("bootstrap: "), "mock Kafka: ", kafka_->Stderr());
    bootstrap_ = out.substr(11, out.find('\n') - 11);
    StartShipper();
  }

  httplib::Client& client() { return server_.client(); }
  const std::string& bootstrap() const { return bootstrap_; }
  const std::string& dir() const { return dir_; }
  TestServer& server() { return server_; }
  ChildProcess& kafka() { return *kafka_; }
  ChildProcess& shipper() { return *shipper_; }

  // `kafka_config`: a librdkafka properties file for --kafka-config, or "" for none.
  void StartShipper(const std::string& topic = "orders", const std::string& kafka_config = "") {
    metrics_port_ = FreePort();
    std::string listen = "127.0.0.1:" + std::to_string(metrics_port_);
    std::vector<std::string> argv{
        ECOMM_SHIPPER_BIN, "--data-dir", server_.process().data_dir(), "--brokers", bootstrap_,
        "--topic",         topic,        "--metrics-listen",           listen};
    if (!kafka_config.empty()) argv.insert(argv.end(), {"--kafka-config", kafka_config});
    shipper_ = std::make_unique<ChildProcess>(
        argv, dir_ + "/shipper.out", dir_ + "/shipper.err." + std::to_string(++shipper_starts_));
  }

  std::string wal_dir() { return server_.process().data_dir() + "/wal"; }

  // The shipper's cursor: every event up to this LSN is delivered.
  Lsn Shipped() {
    Lsn lsn = 0;
    std::string path = server_.process().data_dir() + "/cursors/shipper";
    return wal::ReadCursor(wal::FileSystem::Posix(), path, &lsn).ok() ? lsn : 0;
  }

  // Waits until the cursor covers everything the server has made durable.
  void WaitShipped(seconds timeout = seconds(60)) {
    Lsn target = static_cast<Lsn>(DurableLsn(client()));
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (Shipped() < target && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(50));
    }
    REQUIRE_MESSAGE(Shipped() >= target, "shipped ", Shipped(), " of ", target,
                    "; shipper: ", shipper_->Stderr());
  }

  // One series of the shipper's /metrics, e.g. "ecomm_shipper_lag_records".
  double ShipperMetric(const std::string& name) {
    httplib::Client metrics("127.0.0.1", metrics_port_);
    auto result = metrics.Get("/metrics");
    REQUIRE(result);
    size_t at = result->body.find("\n" + name + " ");
    REQUIRE(at != std::string::npos);
    return std::stod(result->body.substr(at + name.size() + 2));
  }

  // Every message of the topic, read by kcat from the beginning to the current end.
  std::vector<Event> ReadTopic(const std::string& topic = "orders") {
    ChildProcess kcat({KCAT_BIN, "-C", "-b", bootstrap_, "-t", topic, "-o", "beginning", "-e", "-q",
                       "-f", "%k\t%s\n"},
                      dir_ + "/kcat.out", dir_ + "/kcat.err");
    REQUIRE_MESSAGE(kcat.Wait(seconds(60)) == 0, "kcat: ", kcat.Stderr());
    std::vector<Event> events;
    std::istringstream lines(kcat.Stdout());
    for (std::string line; std::getline(lines, line);) {
      size_t tab = line.find('\t');
      REQUIRE(tab != std::string::npos);
      Event event{line.substr(0, tab), {}};
      event.json.Parse(line.c_str() + tab + 1);
      REQUIRE_MESSAGE(!event.json.HasParseError(), "not JSON: ", line);
      events.push_back(std::move(event));
    }
    return events;
  }

 private:
  TestServer server_;
  std::string dir_;
  std::unique_ptr<ChildProcess> kafka_;
  std::unique_ptr<ChildProcess> shipper_;
  std::string bootstrap_;
  int metrics_port_ = 0;
  int shipper_starts_ = 0;
};

// A shop of its own: users with plenty of money, products with plenty of stock.
struct Shop {
  std::vector<std::string> users;
  std::vector<std::string> products;
};

Shop MakeShop(httplib::Client& c) {
  Shop shop;
  for (int i = 0; i < 10; ++i) shop.users.push_back(CreateUser(c, 1'000'000'000));
  for (int i = 0; i < 6; ++i) shop.products.push_back(CreateProduct(c, 100 + i, 1'000'000));
  return shop;
}

// One random order (1-3 lines), cancelled one time in four. Asserts nothing, so that
// a traffic thread may call it: false with `*error` when an answer was not 200.
bool PlaceRandomOrder(httplib::Client& c, const Shop& shop, std::mt19937& random,
                      Expected* expected, std::string* error) {
  Lines lines;
  for (size_t k = 1 + random() % 3; k > 0; --k) {
    lines.emplace_back(shop.products[random() % shop.products.size()], 1 + random() % 3);
  }
  HttpReply placed = PlaceOrder(c, shop.users[random() % shop.users.size()], lines);
  if (placed.status != 200) return *error = "order: " + placed.body, false;
  rapidjson::Document answer;
  answer.Parse(placed.body.c_str());
  std::string id = answer["orderId"].GetString();
  expected->orders[id] = false;
  if (random() % 4 != 0) return true;
  HttpReply cancelled = Cancel(c, id);
  if (cancelled.status != 200) return *error = "cancel: " + cancelled.body, false;
  expected->orders[id] = true;
  return true;
}

// `n` random orders, plus one FAILED order, which must not be shipped.
void Trade(httplib::Client& c, const Shop& shop, int n, std::mt19937& random, Expected* expected) {
  std::string error;
  for (int i = 0; i < n; ++i) {
    REQUIRE_MESSAGE(PlaceRandomOrder(c, shop, random, expected, &error), error);
  }
  std::string broke = CreateUser(c, 0);
  CHECK(PlaceOrder(c, broke, {{shop.products[0], 1}}).status == 409);
}

// The topic holds every expected event, nothing else, each event's fields as the server
// shows the order, placement before cancel per key; returns the number of duplicates.
size_t CheckTopic(Pipeline& pipeline, const Expected& expected) {
  std::vector<Event> events = pipeline.ReadTopic();
  std::map<std::pair<std::string, std::string>, int> seen;
  std::map<std::string, size_t> first_placed, first_cancelled;
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    std::string id = Str(e.json, "orderId"), type = Str(e.json, "eventType");
    CHECK(e.key == id);
    INFO("event ", ToText(e.json));
    auto it = expected.orders.find(id);
    REQUIRE_MESSAGE(it != expected.orders.end(), "an event for an order that was not placed");
    if (++seen[{id, type}] > 1) continue;
    (type == "ORDER_PLACED" ? first_placed : first_cancelled)[id] = i;
    if (type == "ORDER_CANCELLED") {
      CHECK(it->second);
      CHECK(Str(e.json, "orderStatus") == "CANCELLED");
    } else {
      CHECK(type == "ORDER_PLACED");
      CHECK(Str(e.json, "orderStatus") == "SUCCESS");
    }
    rapidjson::Document order = CheckJson(Get(pipeline.client(), "/orders/" + id));
    CHECK(Str(e.json, "userId") == Str(order, "userId"));
    CHECK(Int(e.json, "totalPrice") == Int(order, "totalPrice"));
    CHECK(Str(e.json, "orderDate") == Str(order, "orderDate"));
    CHECK(IsTimestamp(Str(e.json, "occurredAt")));
    CHECK(Int(e.json, "lsn") > 0);
    std::vector<std::string> shipped_items, order_items;
    for (const auto& item : Array(e.json, "items").GetArray()) {
      shipped_items.push_back(Str(item, "productId") + "x" + std::to_string(Int(item, "quantity")) +
                              "@" + std::to_string(Int(item, "price")));
      CHECK(!Str(item, "name").empty());
    }
    for (const auto& item : Array(order, "items").GetArray()) {
      order_items.push_back(Str(item, "productId") + "x" + std::to_string(Int(item, "quantity")) +
                            "@" + std::to_string(Int(item, "price")));
    }
    std::sort(shipped_items.begin(), shipped_items.end());
    std::sort(order_items.begin(), order_items.end());
    CHECK(shipped_items == order_items);
  }
  size_t duplicates = 0;
  for (const auto& [id, cancelled] : expected.orders) {
    INFO("order ", id);
    CHECK(seen.contains({id, "ORDER_PLACED"}));
    CHECK(seen.contains({id, "ORDER_CANCELLED"}) == cancelled);
    if (cancelled) CHECK(first_placed[id] < first_cancelled[id]);  // one key, one partition
  }
  for (const auto& [key, count] : seen) duplicates += static_cast<size_t>(count - 1);
  CHECK(seen.size() == expected.Events());
  return duplicates;
}

// The first LSN the server's log still holds.
Lsn OldestLsn(Pipeline& pipeline) {
  std::optional<Lsn> oldest;
  REQUIRE(wal::OldestLsn(wal::FileSystem::Posix(), pipeline.wal_dir(), &oldest).ok());
  REQUIRE(oldest.has_value());
  return *oldest;
}

// Trades until the server has deleted its first segment (it deletes segments when it
// takes a snapshot, every 300 records here).
void TradeUntilFirstSegmentGone(Pipeline& pipeline, const Shop& shop, std::mt19937& random,
                                Expected* expected) {
  for (int round = 0; round < 100 && OldestLsn(pipeline) == 1; ++round) {
    Trade(pipeline.client(), shop, 50, random, expected);
    std::this_thread::sleep_for(milliseconds(100));  // the snapshot thread looks every 200 ms
  }
  REQUIRE(OldestLsn(pipeline) > 1);
}

// A pipeline whose shop has placed `orders` random orders from `seed`, every event of
// them shipped: where most tests begin.
struct Traded {
  Traded(uint32_t seed, int orders, std::vector<std::string> server_flags = {"--demo-data"})
      : pipeline(std::move(server_flags)), random(seed), shop(MakeShop(pipeline.client())) {
    Trade(pipeline.client(), shop, orders, random, &expected);
    pipeline.WaitShipped();
  }

  Pipeline pipeline;
  std::mt19937 random;
  Shop shop;
  Expected expected;
};

}  // namespace

TEST_CASE(
    "pipeline: every SUCCESS order and every cancel is shipped once, as the server shows it") {
  Traded traded(20261201, 2000);
  auto& [pipeline, random, shop, expected] = traded;
  CHECK(CheckTopic(pipeline, expected) == 0);
  CHECK(pipeline.ShipperMetric("ecomm_shipper_lag_records") == 0);
  CHECK(pipeline.ShipperMetric("ecomm_shipper_events_total") == expected.Events());
  CHECK(pipeline.shipper().Stop() == 0);  // SIGTERM: flush, save the cursor, exit 0
}

// The seed's real-time statistic computed from the stream alone equals the server's:
// the stream is complete and its events carry what /products/top needs. The second
// half of the orders is shipped, and all are read, by programs given an operator's
// librdkafka properties with --kafka-config.
TEST_CASE("pipeline: ecomm-stats fed by the shipper answers /top as the server does") {
  Traded traded(31, 100);
  auto& [pipeline, random, shop, expected] = traded;
  std::string properties = pipeline.dir() + "/kafka.properties";
  std::ofstream(properties) << "# what an operator adds: TLS, SASL, tuning\n"
                               "\n"
                               "  socket.keepalive.enable = true\n"
                               "client.id=overridden-by-ecomm-stats\n";
  REQUIRE(pipeline.shipper().Stop() == 0);
  Trade(pipeline.client(), shop, 100, random, &expected);
  pipeline.StartShipper("orders", properties);
  pipeline.WaitShipped();
  ChildProcess stats({ECOMM_STATS_BIN, "--brokers", pipeline.bootstrap(), "--listen", "127.0.0.1:0",
                      "--kafka-config", properties},
                     pipeline.dir() + "/stats.out", pipeline.dir() + "/stats.err");
  int port = stats.WaitForListeningPort(seconds(20));
  REQUIRE_MESSAGE(port > 0, "ecomm-stats did not start: ", stats.Stderr());
  std::string server_top = Get(pipeline.client(), "/products/top").body;
  REQUIRE(server_top.size() > 2);  // not "[]"
  httplib::Client stats_client("127.0.0.1", port);
  std::string stats_top;
  auto deadline = std::chrono::steady_clock::now() + seconds(60);
  while (stats_top != server_top && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(200));
    if (auto answer = stats_client.Get("/top")) stats_top = answer->body;
  }
  CHECK(stats_top == server_top);
  CHECK(stats.Stop() == 0);
  CHECK(pipeline.shipper().Stop() == 0);
}

// A properties file librdkafka refuses stops either program at start, naming the
// file's line and librdkafka's reason (no Kafka needed to find out).
TEST_CASE("pipeline: a --kafka-config line librdkafka refuses stops the shipper and ecomm-stats") {
  std::string dir = std::filesystem::temp_directory_path().string() + "/kafka-config-test." +
                    std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::string properties = dir + "/kafka.properties";
  std::ofstream(properties) << "# TLS\nno.such.property = 1\n";
  const std::string reason =
      properties + ":2: No such configuration property: \"no.such.property\"\n";

  ChildProcess shipper({ECOMM_SHIPPER_BIN, "--data-dir", dir, "--brokers", "127.0.0.1:1",
                        "--kafka-config", properties},
                       dir + "/shipper.out", dir + "/shipper.err");
  CHECK(shipper.Wait(seconds(10)) == 1);
  CHECK(shipper.Stderr() == "ecomm-shipper: stopped: kafka: " + reason);

  ChildProcess stats({ECOMM_STATS_BIN, "--brokers", "127.0.0.1:1", "--listen", "127.0.0.1:0",
                      "--kafka-config", properties},
                     dir + "/stats.out", dir + "/stats.err");
  CHECK(stats.Wait(seconds(10)) == 1);
  CHECK(stats.Stderr() == "ecomm-stats: " + reason);
  std::filesystem::remove_all(dir);
}

TEST_CASE("pipeline: Kafka down for 10 s: orders go on, nothing is lost, the lag returns to 0") {
  Traded traded(7, 50);
  auto& [pipeline, random, shop, expected] = traded;

  pipeline.kafka().Signal(SIGUSR1);  // every broker down
  auto down_since = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - down_since < seconds(10)) {
    Trade(pipeline.client(), shop, 20, random, &expected);  // REQUIREs every answer
  }
  CHECK(pipeline.ShipperMetric("ecomm_shipper_lag_records") > 0);
  CHECK(pipeline.ShipperMetric("ecomm_shipper_lag_seconds") > 1);
  CHECK(pipeline.ShipperMetric("ecomm_shipper_kafka_up") == 0);
  pipeline.kafka().Signal(SIGUSR2);  // and up again

  pipeline.WaitShipped(seconds(90));
  CHECK(CheckTopic(pipeline, expected) == 0);
  CHECK(pipeline.ShipperMetric("ecomm_shipper_lag_records") == 0);
  CHECK(pipeline.ShipperMetric("ecomm_shipper_lag_seconds") == 0);
  CHECK(pipeline.shipper().Stop() == 0);
}

TEST_CASE("pipeline: the shipper killed with SIGKILL 5 times during traffic loses nothing") {
  Pipeline pipeline;
  Shop shop = MakeShop(pipeline.client());
  Expected expected;
  std::atomic<bool> trading{true};
  Expected traded;
  std::string error;
  std::thread traffic([&] {
    auto client = pipeline.server().NewClient();
    std::mt19937 random(99);
    while (trading && PlaceRandomOrder(*client, shop, random, &traded, &error)) {
    }
  });
  for (int kill = 0; kill < 5; ++kill) {
    std::this_thread::sleep_for(milliseconds(700));
    pipeline.shipper().Stop(SIGKILL);
    pipeline.StartShipper();
  }
  trading = false;
  traffic.join();
  REQUIRE_MESSAGE(error.empty(), error);
  expected = traded;
  pipeline.WaitShipped();
  size_t duplicates = CheckTopic(pipeline, expected);
  MESSAGE("5 SIGKILLs of the shipper: ", expected.Events(), " events expected, ", duplicates,
          " shipped twice (at-least-once, around the kills)");
  CHECK(pipeline.shipper().Stop() == 0);
}

// Small segments and frequent snapshots, so that the server deletes old segments while
// the shipper cannot deliver: what the shipper still needs must stay. Then a shipper
// with no cursor on this old directory ships from where the retained log begins.
// SPEC "The data platform": on a replica's data directory the shipper ships counted
// records only, those up to the replica's kept place (`cursors/replication`).
TEST_CASE("pipeline: on a replica's data directory only records up to its counted place ship") {
  Traded traded(77, 40);
  auto& [pipeline, random, shop, expected] = traded;
  const std::string cursors = pipeline.server().process().data_dir() + "/cursors";
  Lsn counted = static_cast<Lsn>(DurableLsn(pipeline.client()));
  REQUIRE(wal::WriteCursor(wal::FileSystem::Posix(), cursors, "replication", counted).ok());
  Expected later = expected;
  Trade(pipeline.client(), shop, 40, random, &later);
  std::this_thread::sleep_for(seconds(1));
  CHECK(pipeline.Shipped() == counted);
  CHECK(CheckTopic(pipeline, expected) == 0);  // the counted orders, and no other

  Lsn all = static_cast<Lsn>(DurableLsn(pipeline.client()));
  REQUIRE(wal::WriteCursor(wal::FileSystem::Posix(), cursors, "replication", all).ok());
  pipeline.WaitShipped();
  CHECK(CheckTopic(pipeline, later) == 0);
  CHECK(pipeline.shipper().Stop() == 0);
}

TEST_CASE("pipeline: snapshots delete only the log the shipper no longer needs") {
  Traded traded(4242, 100, {"--demo-data", "--segment-bytes", "16384", "--snapshot-every", "300"});
  auto& [pipeline, random, shop, expected] = traded;

  pipeline.kafka().Signal(SIGUSR1);  // the shipper lags: its cursor cannot move
  std::this_thread::sleep_for(milliseconds(500));
  Lsn cursor = pipeline.Shipped();
  TradeUntilFirstSegmentGone(pipeline, shop, random, &expected);
  Trade(pipeline.client(), shop, 600, random, &expected);  // two more snapshots
  std::this_thread::sleep_for(milliseconds(500));
  CHECK(pipeline.Shipped() == cursor);
  Lsn oldest = OldestLsn(pipeline);
  INFO("cursor ", cursor, ", log from ", oldest);
  CHECK(oldest <= cursor + 1);  // the record after the cursor is still there

  pipeline.kafka().Signal(SIGUSR2);
  pipeline.WaitShipped(seconds(90));
  CHECK(CheckTopic(pipeline, expected) == 0);
  REQUIRE(pipeline.shipper().Stop() == 0);

  // A shipper with no cursor on this directory, whose log no longer begins at LSN 1,
  // starts at the oldest record left and ships exactly the events from there on: the
  // first topic, complete and carrying each event's LSN, says which those are.
  std::filesystem::remove(pipeline.server().process().data_dir() + "/cursors/shipper");
  pipeline.StartShipper("orders-from-retained");
  pipeline.WaitShipped();
  std::string log = pipeline.shipper().Stderr();
  const std::string started = "no cursor yet: shipping from LSN ";
  size_t at = log.find(started);
  REQUIRE_MESSAGE(at != std::string::npos, log);
  Lsn first = std::stoull(log.substr(at + started.size()));
  CHECK(first == OldestLsn(pipeline));

  std::set<std::pair<std::string, std::string>> want, got;
  for (const Event& e : pipeline.ReadTopic()) {
    if (static_cast<Lsn>(Int(e.json, "lsn")) >= first) {
      want.emplace(Str(e.json, "orderId"), Str(e.json, "eventType"));
    }
  }
  std::vector<Event> retained = pipeline.ReadTopic("orders-from-retained");
  for (const Event& e : retained) got.emplace(Str(e.json, "orderId"), Str(e.json, "eventType"));
  CHECK(!want.empty());
  CHECK(got == want);
  CHECK(retained.size() == got.size());  // once each
  CHECK(pipeline.shipper().Stop() == 0);
}

}  // namespace ecomm::testing
