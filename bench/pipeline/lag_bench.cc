// lag_bench: end-to-end lag of the Kafka pipeline, from an order's acknowledgement by
// ecomm-server to its ORDER_PLACED event being readable by a consumer of the topic.
// Orders go out at a steady rate (each client thread sends on its own schedule of
// intended times, so a slow answer does not slow the arrivals); a consumer of its own
// group, started first, notes when each order's event arrives. Both clocks are this
// process's steady clock. The first --warmup seconds of orders are sent but not counted
// (the consumer's first fetches of a partition come late). Assumes the users bench0.. and products
// bench-p0.. of bench/pipeline/run.sh. Prints lag and acknowledgement percentiles.
#include <httplib.h>
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string brokers;
  std::string topic = "orders";
  double rate = 5000;
  int seconds = 20;
  int warmup = 2;
  int threads = 32;
  int users = 200;
  int products = 10;
};

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t at = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[at];
}

// The orderId of an answer or an event: the value of its "orderId" field.
std::string OrderId(std::string_view json) {
  constexpr std::string_view kField = "\"orderId\":\"";
  size_t at = json.find(kField);
  if (at == std::string_view::npos) return {};
  at += kField.size();
  size_t end = json.find('"', at);
  return end == std::string_view::npos ? std::string() : std::string(json.substr(at, end - at));
}

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
          seen_.emplace(OrderId(value), now);
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

bool Parse(int argc, char** argv, Options* o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view name = argv[i];
    const char* value = argv[i + 1];
    if (name == "--host") {
      o->host = value;
    } else if (name == "--port") {
      o->port = std::atoi(value);
    } else if (name == "--brokers") {
      o->brokers = value;
    } else if (name == "--topic") {
      o->topic = value;
    } else if (name == "--rate") {
      o->rate = std::atof(value);
    } else if (name == "--seconds") {
      o->seconds = std::atoi(value);
    } else if (name == "--warmup") {
      o->warmup = std::atoi(value);
    } else if (name == "--threads") {
      o->threads = std::atoi(value);
    } else {
      return false;
    }
  }
  return argc % 2 == 1 && !o->brokers.empty() && o->rate > 0 && o->seconds > 0 && o->warmup >= 0 &&
         o->threads > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!Parse(argc, argv, &options)) {
    std::fprintf(stderr,
                 "usage: lag_bench --brokers B [--host H] [--port P] [--topic T] [--rate R]"
                 " [--seconds S] [--warmup S] [--threads N]\n");
    return 2;
  }
  // Prime the consumer on the mock cluster's lazily created topic.
  Arrivals arrivals;
  if (!arrivals.Start(options)) {
    std::fprintf(stderr, "lag_bench: the consumer got no partitions\n");
    arrivals.Stop();
    return 1;
  }

  std::mutex mu;
  std::unordered_map<std::string, Clock::time_point> acked;
  std::vector<double> ack_ms;  // from the intended send time to the answer
  std::atomic<int> failures{0};
  const auto warm = Clock::now() + std::chrono::milliseconds(100);
  const auto start = warm + std::chrono::seconds(options.warmup);
  const auto interval = std::chrono::duration<double>(options.threads / options.rate);
  const int per_thread =
      static_cast<int>(options.rate * (options.warmup + options.seconds)) / options.threads;
  std::vector<std::thread> threads;
  for (int t = 0; t < options.threads; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client client(options.host, options.port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);  // else headers and body wait on delayed ACKs: 40 ms
      std::vector<std::pair<std::string, Clock::time_point>> mine;
      std::vector<double> latencies;
      // Threads are staggered by 1/rate, so together they send evenly.
      auto offset = std::chrono::duration<double>(t / options.rate);
      for (int k = 0; k < per_thread; ++k) {
        auto intended = warm + std::chrono::duration_cast<Clock::duration>(offset + k * interval);
        std::this_thread::sleep_until(intended);
        std::string body = "{\"userId\":\"bench" + std::to_string((t * 7919 + k) % options.users) +
                           "\",\"items\":[{\"productId\":\"bench-p" +
                           std::to_string(k % options.products) + "\",\"quantity\":1}]}";
        auto answer = client.Post("/order", body, "application/json");
        auto now = Clock::now();
        if (!answer || answer->status != 200) {
          ++failures;
          continue;
        }
        if (intended < start) continue;
        mine.emplace_back(OrderId(answer->body), now);
        latencies.push_back(Millis(now - intended));
      }
      std::lock_guard lock(mu);
      for (auto& [id, at] : mine) acked.emplace(std::move(id), at);
      ack_ms.insert(ack_ms.end(), latencies.begin(), latencies.end());
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double elapsed = Millis(Clock::now() - start) / 1000;

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
  std::vector<double> lag_ms;
  size_t missing = 0;
  for (const auto& [id, at] : acked) {
    auto it = seen.find(id);
    if (it == seen.end()) {
      ++missing;
    } else {
      lag_ms.push_back(Millis(it->second - at));
    }
  }
  std::sort(lag_ms.begin(), lag_ms.end());
  std::sort(ack_ms.begin(), ack_ms.end());
  std::printf("orders acknowledged: %zu in %.1f s (%.0f/s), failed %d\n", acked.size(), elapsed,
              static_cast<double>(acked.size()) / elapsed, failures.load());
  std::printf("acknowledgement from intended send (ms): p50 %.2f p99 %.2f max %.2f\n",
              Percentile(ack_ms, 0.5), Percentile(ack_ms, 0.99), Percentile(ack_ms, 1.0));
  std::printf("lag acknowledged -> readable (ms): p50 %.2f p90 %.2f p99 %.2f max %.2f min %.2f\n",
              Percentile(lag_ms, 0.5), Percentile(lag_ms, 0.9), Percentile(lag_ms, 0.99),
              Percentile(lag_ms, 1.0), Percentile(lag_ms, 0.0));
  std::printf("events never seen: %zu\n", missing);
  return missing == 0 && failures == 0 ? 0 : 1;
}
