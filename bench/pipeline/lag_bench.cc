// lag_bench: end-to-end lag of the Kafka pipeline, from an order's acknowledgement by
// ecomm-server to its ORDER_PLACED event being readable by a consumer of the topic.
// Orders go out at a steady rate (each client thread sends on its own schedule of
// intended times, so a slow answer does not slow the arrivals); a consumer of its own
// group, started first, notes when each order's event arrives. Both clocks are this
// process's steady clock. The first --warmup seconds of orders are sent but not counted
// (the consumer's first fetches of a partition come late). Assumes the users bench0.. and products
// bench-p0.. of bench/pipeline/run.sh. Prints lag and acknowledgement percentiles (the
// histogram's: at most 3.1 % above the exact ones).
#include <httplib.h>
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "cli_flags.h"
#include "ecomm/histogram.h"
#include "steady_orders.h"

namespace {

using ecomm::Histogram;
using namespace ecomm::bench;

struct Options {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string brokers;
  std::string topic = "orders";
  OrderSchedule schedule{32};
};

// Notes when each key first arrives on the topic.
class Arrivals {
 public:
  bool Start(const Options& options) {
    char error[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    std::string group = "lag-bench-" + std::to_string(getpid());
    for (auto [name, value] :
         std::map<std::string, std::string>{{"bootstrap.servers", options.brokers},
                                            {"group.id", group},
                                            {"auto.offset.reset", "latest"},
                                            {"enable.auto.commit", "false"},
                                            {"fetch.wait.max.ms", "10"}}) {
      if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error, sizeof error) !=
          RD_KAFKA_CONF_OK) {
        std::fprintf(stderr, "lag_bench: %s\n", error);
        return false;
      }
    }
    consumer_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
    if (consumer_ == nullptr) {
      std::fprintf(stderr, "lag_bench: %s\n", error);
      std::exit(1);
    }
    rd_kafka_poll_set_consumer(consumer_);
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, options.topic.c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(consumer_, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    thread_ = std::thread([this] { Consume(); });
    // Ready once partitions are assigned and their end offsets resolved.
    for (int i = 0; i < 300 && !assigned_; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::this_thread::sleep_for(std::chrono::seconds(2));
    return assigned_;
  }

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    rd_kafka_consumer_close(consumer_);
    rd_kafka_destroy(consumer_);
  }

  std::unordered_map<std::string, Clock::time_point> Take() {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  void Consume() {
    while (!stop_) {
      rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer_, 50);
      auto now = Clock::now();
      if (!assigned_) {
        rd_kafka_topic_partition_list_t* assignment = nullptr;
        if (rd_kafka_assignment(consumer_, &assignment) == RD_KAFKA_RESP_ERR_NO_ERROR) {
          assigned_ = assignment->cnt > 0;
          rd_kafka_topic_partition_list_destroy(assignment);
        }
      }
      if (message == nullptr) continue;
      if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        std::string_view value(static_cast<const char*>(message->payload), message->len);
        if (value.find("\"ORDER_PLACED\"") != std::string_view::npos) {
          std::lock_guard lock(mu_);
          seen_.emplace(JsonString(value, "orderId"), now);
        }
      }
      rd_kafka_message_destroy(message);
    }
  }

  rd_kafka_t* consumer_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> assigned_{false};
  std::mutex mu_;
  std::unordered_map<std::string, Clock::time_point> seen_;
};

// The command line into `o`: the exit status to stop with, or nothing to go on.
std::optional<int> Parse(int argc, char** argv, Options* o) {
  using ecomm::tools::AddNumber;
  using ecomm::tools::AddText;
  CLI::App app("Lag of the Kafka pipeline: order acknowledged -> event readable.", "lag_bench");
  AddText(app, "--brokers", &o->brokers, "the Kafka bootstrap servers")->required();
  AddText(app, "--host", &o->host, "ecomm-server's address")->default_str(o->host);
  AddNumber(app, "--port", &o->port, 1, 65535, "ecomm-server's port");
  AddText(app, "--topic", &o->topic, "the orders topic")->default_str(o->topic);
  o->schedule.AddFlags(app);
  return ecomm::tools::ParseFlags(app, argc, argv);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (std::optional<int> exit = Parse(argc, argv, &options)) return *exit;
  // Prime the consumer on the mock cluster's lazily created topic.
  Arrivals arrivals;
  if (!arrivals.Start(options)) {
    std::fprintf(stderr, "lag_bench: the consumer got no partitions\n");
    arrivals.Stop();
    return 1;
  }

  std::mutex mu;
  std::unordered_map<std::string, Clock::time_point> acked;
  Histogram ack_us(Histogram::kFine);  // from the intended send time to the answer
  std::atomic<int> failures{0};
  const OrderSchedule& schedule = options.schedule;
  options.schedule.Begin();
  std::vector<std::thread> threads;
  for (int t = 0; t < schedule.threads(); ++t) {
    threads.emplace_back([&, t] {
      httplib::Client client(options.host, options.port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);  // else headers and body wait on delayed ACKs: 40 ms
      std::vector<std::pair<std::string, Clock::time_point>> mine;
      for (int k = 0; k < schedule.PerThread(); ++k) {
        auto intended = schedule.Intended(t, k);
        std::this_thread::sleep_until(intended);
        auto answer = client.Post("/order", schedule.Body(t, k), "application/json");
        auto now = Clock::now();
        if (!answer || answer->status != 200) {
          ++failures;
          continue;
        }
        if (!schedule.Counted(intended)) continue;
        mine.emplace_back(JsonString(answer->body, "orderId"), now);
        ack_us.Record(Micros(now - intended));
      }
      std::lock_guard lock(mu);
      for (auto& [id, at] : mine) acked.emplace(std::move(id), at);
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double elapsed = Millis(Clock::now() - schedule.start()) / 1000;

  // Let the pipeline deliver the last orders.
  auto all_seen = [&] {
    auto seen = arrivals.Take();
    return std::all_of(acked.begin(), acked.end(),
                       [&seen](const auto& order) { return seen.contains(order.first); });
  };
  for (int i = 0; i < 200 && !all_seen(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  arrivals.Stop();
  auto seen = arrivals.Take();
  // An event may be read before its client thread has the answer (the shipper may read
  // a record before the group commit returns): such a lag counts as 0 in the
  // percentiles, and the minimum, exact, shows how early.
  Histogram lag_us(Histogram::kFine);
  double min_lag_ms = std::numeric_limits<double>::max();
  size_t missing = 0;
  for (const auto& [id, at] : acked) {
    auto it = seen.find(id);
    if (it == seen.end()) {
      ++missing;
      continue;
    }
    min_lag_ms = std::min(min_lag_ms, Millis(it->second - at));
    lag_us.Record(it->second > at ? Micros(it->second - at) : 0);
  }
  std::printf("orders acknowledged: %zu in %.1f s (%.0f/s), failed %d\n", acked.size(), elapsed,
              static_cast<double>(acked.size()) / elapsed, failures.load());
  std::printf("acknowledgement from intended send (ms): p50 %.2f p99 %.2f max %.2f\n",
              PercentileMs(ack_us, 0.5), PercentileMs(ack_us, 0.99), PercentileMs(ack_us, 1.0));
  std::printf("lag acknowledged -> readable (ms): p50 %.2f p90 %.2f p99 %.2f max %.2f min %.2f\n",
              PercentileMs(lag_us, 0.5), PercentileMs(lag_us, 0.9), PercentileMs(lag_us, 0.99),
              PercentileMs(lag_us, 1.0), lag_us.Count() == 0 ? 0.0 : min_lag_ms);
  std::printf("events never seen: %zu\n", missing);
  return missing == 0 && failures == 0 ? 0 : 1;
}
