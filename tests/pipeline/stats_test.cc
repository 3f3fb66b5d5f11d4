// ecomm-stats with real processes over real sockets: the mock Kafka cluster, a few
// hundred crafted order events produced by kcat (repeats, cancels read before their
// placements, orders on both sides of the 72 h edge, records that are not events), and
// one or two ecomm-stats members of one consumer group. The expected top 5 is computed
// here from the crafted orders, independently of the window the program keeps.
#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <httplib.h>

#include "e2e/support/child_process.h"
#include "support/wait_until.h"

namespace ecomm::testing {

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int64_t kMinute = 60'000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kWindowMinutes = 72 * 60;
constexpr int kPartitions = 4;

int64_t MinuteOf(int64_t ms) { return ms / kMinute; }  // times here are after 1970

std::string Rfc3339(int64_t ms) {
  time_t seconds_since_epoch = static_cast<time_t>(ms / 1000);
  tm utc{};
  gmtime_r(&seconds_since_epoch, &utc);
  char text[32];
  size_t n = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + n, sizeof(text) - n, ".%03dZ", static_cast<int>(ms % 1000));
  return text;
}

struct Product {
  std::string id;
  std::string name;
  int64_t price;
};

struct Order {
  std::string id;
  int64_t date;
  std::vector<std::pair<size_t, int64_t>> lines;  // product index, quantity
  int64_t cancelled_at = 0;                       // 0: never cancelled
};

// A line of /top: productId, name, price, totalSales.
using TopLine = std::tuple<std::string, std::string, int64_t, int64_t>;

std::string Describe(const std::vector<TopLine>& top) {
  std::string text;
  for (const auto& [id, name, price, total] : top) {
    text += id + " '" + name + "' " + std::to_string(price) + " x" + std::to_string(total) + "; ";
  }
  return text.empty() ? "(empty)" : text;
}

// What the topic holds and what a complete reading of it must answer.
class Shop {
 public:
  // The newest occurredAt of all the events: 2026-11-30T12:00:30.000Z.
  static constexpr int64_t kNow = 1'796'040'030'000;

  Shop() {
    for (int i = 1; i <= 12; ++i) {
      char id[8];
      std::snprintf(id, sizeof(id), "p-%02d", i);
      products_.push_back(Product{id, "Product " + std::to_string(i), 100 * i});
    }
    std::mt19937 rng(20261130);
    // Sales skewed towards the first products, so that the top 5 stands out.
    std::discrete_distribution<size_t> product({30, 26, 22, 19, 17, 15, 13, 11, 9, 7, 5, 3});
    std::uniform_int_distribution<int64_t> quantity(1, 5);
    std::uniform_int_distribution<int64_t> age(1, 80 * kHour);  // some before the window
    std::uniform_int_distribution<int64_t> cancel_delay(kMinute, 10 * kHour);
    std::bernoulli_distribution cancelled(0.2);
    for (int i = 0; i < 300; ++i) {
      Order order{"o-" + std::to_string(i), kNow - age(rng), {}};
      std::set<size_t> used;
      for (int l = 0, lines = 1 + i % 3; l < lines; ++l) {
        size_t p = product(rng);
        if (used.insert(p).second) order.lines.emplace_back(p, quantity(rng));
      }
      if (cancelled(rng)) order.cancelled_at = std::min(order.date + cancel_delay(rng), kNow - 1);
      orders_.push_back(order);
    }
    // The edge, to the minute: exactly now - 72 h is out, one minute later is in. Their
    // quantities would reorder the top 5 if the edge were wrong.
    orders_.push_back(Order{"edge-out", kNow - 72 * kHour, {{11, 500}}});
    orders_.push_back(Order{"edge-in", kNow - 72 * kHour + kMinute, {{10, 400}}});
    // The newest event, which sets the clock.
    orders_.push_back(Order{"clock", kNow, {{0, 1}}});
    MakeRecords(rng);
  }

  // The top 5 the server answered when its clock read `now`.
  std::vector<TopLine> ExpectedTop(int64_t now) const {
    std::map<size_t, int64_t> units;
    for (const Order& order : orders_) {
      if (order.cancelled_at != 0 || order.date > now) continue;
      if (MinuteOf(order.date) <= MinuteOf(now) - kWindowMinutes) continue;
      for (const auto& [p, q] : order.lines) units[p] += q;
    }
    std::vector<TopLine> top;
    for (const auto& [p, total] : units) {
      top.emplace_back(products_[p].id, products_[p].name, products_[p].price, total);
    }
    std::sort(top.begin(), top.end(), [](const TopLine& a, const TopLine& b) {
      if (std::get<3>(a) != std::get<3>(b)) return std::get<3>(a) > std::get<3>(b);
      return std::get<0>(a) < std::get<0>(b);
    });
    if (top.size() > 5) top.resize(5);
    return top;
  }

  // Adds an order placed at `date` (after everything else) and returns its record.
  std::string Place(const std::string& id, int64_t date, size_t product, int64_t quantity) {
    orders_.push_back(Order{id, date, {{product, quantity}}});
    return Record(orders_.back(), false);
  }

  // "key|value" lines for kcat -K'|'.
  const std::vector<std::string>& records() const { return records_; }
  // Distinct (orderId, eventType) pairs, and the records that repeat one.
  size_t distinct_events() const { return distinct_events_; }
  size_t repeats() const { return repeats_; }
  size_t malformed() const { return kMalformed.size(); }

 private:
  inline static const std::vector<std::string> kMalformed = {
      "bad-1|not json", R"(bad-2|{"eventType":"ORDER_SHIPPED","orderId":"x"})", "bad-3|{}",
      // CVE-2024-38517: RapidJSON 1.1.0 reads out of bounds on these exponents.
      R"(bad-4|{"eventType":"ORDER_PLACED","orderId":"o","totalAmount":1e400000000})",
      R"(bad-5|{"eventType":"ORDER_PLACED","orderId":"o","totalAmount":0.0000000000000000001e-99999999})"};

  std::string Record(const Order& order, bool cancel) {
    std::string items;
    int64_t total = 0;
    for (const auto& [p, q] : order.lines) {
      const Product& product = products_[p];
      items += std::string(items.empty() ? "" : ",") + R"({"productId":")" + product.id +
               R"(","name":")" + product.name + R"(","quantity":)" + std::to_string(q) +
               R"(,"price":)" + std::to_string(product.price) + "}";
      total += q * product.price;
    }
    return order.id + "|" + R"({"eventType":")" + (cancel ? "ORDER_CANCELLED" : "ORDER_PLACED") +
           R"(","orderId":")" + order.id + R"(","userId":"u-1","items":[)" + items +
           R"(],"totalPrice":)" + std::to_string(total) + R"(,"orderStatus":")" +
           (cancel ? "CANCELLED" : "SUCCESS") + R"(","orderDate":")" + Rfc3339(order.date) +
           R"(","occurredAt":")" + Rfc3339(cancel ? order.cancelled_at : order.date) +
           R"(","lsn":)" + std::to_string(++lsn_) + "}";
  }

  // The records in a shuffled order of orders; one cancelled order in three has its
  // cancel first (on the same partition, as the key is the orderId); about one event
  // in six of an order inside the window is sent again later. Events dated before the
  // window are never repeated: whether their one record is applied or found expired
  // depends on how far the reader's clock has got, and the counts checked below add
  // the two.
  void MakeRecords(std::mt19937& rng) {
    std::vector<const Order*> shuffled;
    for (const Order& order : orders_) shuffled.push_back(&order);
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    std::bernoulli_distribution repeat(1.0 / 6);
    std::vector<std::string> repeated;
    for (size_t i = 0; i < shuffled.size(); ++i) {
      const Order* order = shuffled[i];
      std::vector<std::string> events = {Record(*order, false)};
      if (order->cancelled_at != 0) {
        events.push_back(Record(*order, true));
        if (i % 3 == 0) std::swap(events[0], events[1]);
      }
      bool in_window = MinuteOf(order->date) > MinuteOf(kNow) - kWindowMinutes;
      for (const std::string& event : events) {
        records_.push_back(event);
        ++distinct_events_;
        if (in_window && repeat(rng)) repeated.push_back(event);
      }
      // Some repeats come right after the first, the rest at the end.
      if (!repeated.empty() && i % 2 == 0) {
        records_.push_back(repeated.back());
        repeated.pop_back();
        ++repeats_;
      }
    }
    repeats_ += repeated.size();
    records_.insert(records_.end(), repeated.begin(), repeated.end());
    records_.insert(records_.begin() + static_cast<std::ptrdiff_t>(records_.size() / 2),
                    kMalformed.begin(), kMalformed.end());
  }

  std::vector<Product> products_;
  std::vector<Order> orders_;
  std::vector<std::string> records_;
  size_t distinct_events_ = 0;
  size_t repeats_ = 0;
  int64_t lsn_ = 0;
};

// The mock cluster with the topic `orders` in four partitions.
class Kafka {
 public:
  explicit Kafka(const std::string& dir) : dir_(dir) {
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{ECOMM_KAFKA_MOCK_BIN, "--partitions", std::to_string(kPartitions)},
        dir + "/kafka.out", dir + "/kafka.err");
    std::string out = process_->WaitForStdout("\n", seconds(20));
    REQUIRE_MESSAGE(out.starts_with("bootstrap: "), "mock Kafka: ", process_->Stderr());
    bootstrap_ = out.substr(11, out.find('\n') - 11);
  }

  const std::string& bootstrap() const { return bootstrap_; }

  // Produces "key|value" records with kcat, an independent client; returns once
  // every record is acknowledged.
  void Produce(const std::vector<std::string>& records) {
    std::string input = dir_ + "/records-" + std::to_string(++batches_) + ".txt";
    {
      std::ofstream out(input);
      for (const std::string& r : records) out << r << '\n';
    }
    ChildProcess kcat({KCAT_BIN, "-P", "-b", bootstrap_, "-t", "orders", "-K", "|", "-l", input},
                      input + ".out", input + ".err");
    REQUIRE_MESSAGE(kcat.Wait(seconds(30)) == 0, "kcat: ", kcat.Stderr());
  }

 private:
  std::string dir_;
  std::unique_ptr<ChildProcess> process_;
  std::string bootstrap_;
  int batches_ = 0;
};

// One ecomm-stats member of the group `ecomm-stats`, on a port of its choosing.
class Stats {
 public:
  Stats(const std::string& dir, const std::string& name, const std::string& bootstrap)
      : err_path_(dir + "/" + name + ".err") {
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{ECOMM_STATS_BIN, "--brokers", bootstrap, "--listen",
                                 "127.0.0.1:0"},
        dir + "/" + name + ".out", err_path_);
    int port = process_->WaitForListeningPort(seconds(20));
    REQUIRE_MESSAGE(port > 0, "ecomm-stats did not start: ", Log());
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port);
    client_->set_read_timeout(seconds(5));
  }

  std::string Log() const { return process_->Stderr(); }
  // SIGTERM; the exit status.
  int Stop() { return process_->Stop(SIGTERM); }

  // The status and body of GET `path`; status 0 when there was no answer.
  std::pair<int, std::string> Get(const std::string& path) {
    httplib::Result result = client_->Get(path);
    if (!result) return {0, httplib::to_string(result.error())};
    return {result->status, result->body};
  }

  std::vector<TopLine> Top() {
    auto [status, body] = Get("/top");
    REQUIRE_MESSAGE(status == 200, body);
    rapidjson::Document doc;
    doc.Parse(body.c_str());
    REQUIRE_MESSAGE(doc.IsArray(), body);
    std::vector<TopLine> top;
    for (const rapidjson::Value& line : doc.GetArray()) {
      REQUIRE(line.IsObject());
      REQUIRE(line.MemberCount() == 4);
      top.emplace_back(line["productId"].GetString(), line["name"].GetString(),
                       line["price"].GetInt64(), line["totalSales"].GetInt64());
    }
    return top;
  }

  rapidjson::Document Health() {
    auto [status, body] = Get("/healthz");
    REQUIRE_MESSAGE(status == 200, body);
    rapidjson::Document doc;
    doc.Parse(body.c_str());
    REQUIRE_MESSAGE(doc.IsObject(), body);
    return doc;
  }

  // Polls GET /top until it equals `expected`; fails with the last answer and the log.
  void WaitForTop(const std::vector<TopLine>& expected) {
    std::vector<TopLine> top;
    bool equal = WaitUntil(
        [&] {
          top = Top();
          return top == expected;
        },
        seconds(30), milliseconds(200));
    REQUIRE_MESSAGE(equal, "expected ", Describe(expected), "\ngot ", Describe(top), "\nlog:\n",
                    Log());
  }

 private:
  std::string err_path_;
  std::unique_ptr<ChildProcess> process_;
  std::unique_ptr<httplib::Client> client_;
};

// What members' /healthz count, summed.
struct Counts {
  uint64_t seen = 0;  // applied + expired: the distinct events read
  uint64_t duplicates = 0;
  uint64_t malformed = 0;
  std::vector<int> partitions;  // ascending
  bool caught_up = true;

  void Add(const rapidjson::Value& health) {
    seen += health["appliedEvents"].GetUint64() + health["expiredEvents"].GetUint64();
    duplicates += health["duplicateEvents"].GetUint64();
    malformed += health["malformedEvents"].GetUint64();
    for (const rapidjson::Value& p : health["partitions"].GetArray()) {
      partitions.push_back(p.GetInt());
    }
    std::sort(partitions.begin(), partitions.end());
    caught_up = caught_up && health["caughtUp"].GetBool();
  }
  // Every partition owned once, read to its end, and every record counted once.
  bool Complete(const Shop& shop) const {
    return caught_up && partitions == std::vector<int>{0, 1, 2, 3} &&
           seen == shop.distinct_events() && duplicates == shop.repeats() &&
           malformed == shop.malformed();
  }
  std::string Describe(const Shop& shop) const {
    std::string owned;
    for (int p : partitions) owned += std::to_string(p) + " ";
    return "partitions " + owned + (caught_up ? "caught up" : "catching up") + ", events " +
           std::to_string(seen) + " of " + std::to_string(shop.distinct_events()) +
           ", duplicates " + std::to_string(duplicates) + " of " + std::to_string(shop.repeats()) +
           ", malformed " + std::to_string(malformed) + " of " + std::to_string(shop.malformed());
  }
};

// Waits until `members` together hold the topic as `shop` wrote it, each owning
// `partitions_each` partitions.
void WaitForComplete(const std::vector<Stats*>& members, const Shop& shop, size_t partitions_each) {
  Counts counts;
  bool complete = WaitUntil(
      [&] {
        counts = Counts();
        bool balanced = true;
        for (Stats* member : members) {
          rapidjson::Document health = member->Health();
          balanced = balanced && health["partitions"].Size() == partitions_each;
          counts.Add(health);
        }
        return balanced && counts.Complete(shop);
      },
      seconds(40), milliseconds(200));
  std::string logs;
  for (Stats* member : members) logs += "\nlog:\n" + member->Log();
  REQUIRE_MESSAGE(complete, counts.Describe(shop), logs);
}

std::string TempDir() {
  auto dir = std::filesystem::temp_directory_path() / ("ecomm-stats-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace

TEST_CASE(
    "ecomm-stats answers the topic's top 5, shared by a group, after rebalances and restarts") {
  Shop shop;
  std::string dir = TempDir();
  Kafka kafka(dir);
  kafka.Produce(shop.records());
  std::vector<TopLine> expected = shop.ExpectedTop(Shop::kNow);
  REQUIRE(expected.size() == 5);
  // The data is worth testing with: the edges and the cancels change the answer.
  CHECK(std::get<0>(expected[0]) == "p-11");  // edge-in, 400 units

  // One member owns every partition and reads the whole topic.
  auto a = std::make_unique<Stats>(dir, "a", kafka.bootstrap());
  a->WaitForTop(expected);
  WaitForComplete({a.get()}, shop, kPartitions);
  CHECK(std::string(a->Health()["clock"].GetString()) == Rfc3339(Shop::kNow));
  CHECK(a->Get("/healthz").first == 200);
  CHECK(a->Get("/products/top").first == 404);
  CHECK(a->Get("/").first == 404);

  // A second member: after the rebalance each owns half the partitions, and between
  // them every event is read once.
  auto b = std::make_unique<Stats>(dir, "b", kafka.bootstrap());
  WaitForComplete({a.get(), b.get()}, shop, kPartitions / 2);

  // The second leaves: the first takes every partition back and rebuilds the window.
  CHECK(b->Stop() == 0);
  CHECK(b->Log().find("left the group") != std::string::npos);
  a->WaitForTop(expected);
  WaitForComplete({a.get()}, shop, kPartitions);

  // A restarted member rebuilds from the topic.
  CHECK(a->Stop() == 0);
  a = std::make_unique<Stats>(dir, "a2", kafka.bootstrap());
  a->WaitForTop(expected);

  // A live event one minute later moves the clock: the minute of edge-in leaves the
  // window, and the new order's units count.
  int64_t later = Shop::kNow + kMinute;
  kafka.Produce({shop.Place("later", later, 4, 30)});
  expected = shop.ExpectedTop(later);
  CHECK(std::get<0>(expected[0]) != "p-11");
  a->WaitForTop(expected);
  CHECK(a->Stop() == 0);
  std::filesystem::remove_all(dir);
}

// The statistics read what anyone who can produce to the topic wrote: a number that
// makes RapidJSON 1.1.0 read out of bounds (CVE-2024-38517) is refused by the screen
// before the parser sees it, counted and logged, and the member goes on serving.
TEST_CASE("ecomm-stats survives an event carrying CVE-2024-38517's number, and logs it") {
  std::string dir = TempDir();
  Kafka kafka(dir);
  kafka.Produce({R"(cve|{"eventType":"ORDER_PLACED","orderId":"cve","totalAmount":1e400000000})"});
  Stats stats(dir, "cve", kafka.bootstrap());
  bool counted = WaitUntil([&] { return stats.Health()["malformedEvents"].GetUint64() == 1; },
                           seconds(30), milliseconds(200));
  REQUIRE_MESSAGE(counted, stats.Log());
  CHECK_MESSAGE(stats.Log().find("no fraction or exponent") != std::string::npos, stats.Log());
  CHECK(stats.Get("/top").first == 200);
  CHECK(stats.Stop() == 0);
  std::filesystem::remove_all(dir);
}

}  // namespace ecomm::testing
