// kafka_round_trip_bench: the floor under a replicated write, without the server. A
// primary answers a write only once its record's message is produced, acknowledged and
// read back from the topic; this measures that round trip alone, with the primary's own
// producer (KafkaSink: its settings, its delivery-report thread) and a reader with the
// replicas' fetch wait, on whatever cluster --brokers names. --in-flight messages
// circulate in a closed loop: each one read back is replaced by a new one at once, so
// that the rate is what that many waiting writers could reach if each message carried
// one record. The topic must exist with one partition; reading starts at its end. The
// acknowledgement times are served every 2 ms (KafkaSink's period), so they read about
// 1 ms high on average.
// Percentiles are the histogram's: at most 3.1 % above the exact ones.
#include <chrono>
#include <cinttypes>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "cli_flags.h"
#include "ecomm/histogram.h"
#include "kafka/kafka_config.h"
#include "kafka/partition_reader.h"
#include "kafka_sink.h"
#include "steady_orders.h"

namespace {

using ecomm::Histogram;
using namespace ecomm::bench;

struct Options {
  std::string brokers;
  std::string topic = "ecomm.rtt";
  int in_flight = 1;
  int seconds = 10;
  int fetch_wait_ms = 5;
  int record_bytes = 160;  // about one order's record in a message
};

std::optional<int> Parse(int argc, char** argv, Options* o) {
  using ecomm::tools::AddNumber;
  using ecomm::tools::AddText;
  CLI::App app("Kafka round trip: produce -> acknowledged -> read back, closed loop.",
               "kafka_round_trip_bench");
  AddText(app, "--brokers", &o->brokers, "bootstrap servers")->required();
  AddText(app, "--topic", &o->topic, "a topic of one partition");
  AddNumber(app, "--in-flight", &o->in_flight, 1, 4096, "messages circulating at once");
  AddNumber(app, "--seconds", &o->seconds, 1, 3600, "seconds measured");
  AddNumber(app, "--fetch-wait-ms", &o->fetch_wait_ms, 1, 10'000,
            "the reader's fetch.wait.max.ms (the replicas' --fetch-wait-ms)");
  AddNumber(app, "--record-bytes", &o->record_bytes, 1, 1'000'000, "bytes of each message");
  return ecomm::tools::ParseFlags(app, argc, argv);
}

// The messages produced and not yet read back, by tag, with their produce times; and
// how many new ones the producer may send.
struct Circle {
  std::mutex mu;
  std::condition_variable cv;
  std::unordered_map<uint64_t, Clock::time_point> sent_at;
  int free = 0;
  bool stop = false;
};

// A message's tag, at its start: "<tag> " then padding to --record-bytes.
std::string Message(uint64_t tag, size_t bytes) {
  std::string message = std::to_string(tag) + " ";
  if (message.size() < bytes) message.resize(bytes, 'r');
  return message;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (std::optional<int> exit = Parse(argc, argv, &o)) return *exit;
  auto sink_config = ecomm::kafka::KafkaConfig::Build(o.brokers, "");
  auto reader_config = ecomm::kafka::KafkaConfig::Build(o.brokers, "");
  if (!sink_config.ok() || !reader_config.ok()) {
    std::fprintf(
        stderr, "kafka_round_trip_bench: %s\n",
        (sink_config.ok() ? reader_config.status() : sink_config.status()).ToString().c_str());
    return 2;
  }
  // The first second (connecting, the producer's id) is not measured.
  const auto warm_end = Clock::now() + std::chrono::seconds(1);
  const auto stop_at = warm_end + std::chrono::seconds(o.seconds);
  Histogram ack_us(Histogram::kFine);
  auto sink = ecomm::replication::KafkaSink::Create(*sink_config, o.topic, nullptr, &ack_us);
  ecomm::kafka::PartitionReaderOptions reader_options;
  reader_options.topic = o.topic;
  reader_options.fetch_wait_max_ms = o.fetch_wait_ms;
  auto reader =
      ecomm::kafka::PartitionReader::Create(std::move(reader_config).value(), reader_options);
  if (!sink.ok() || !reader.ok()) {
    std::fprintf(stderr, "kafka_round_trip_bench: %s\n",
                 (sink.ok() ? reader.status() : sink.status()).ToString().c_str());
    return 2;
  }
  auto end = (*reader)->Watermarks(10'000);
  if (!end.ok() || !(*reader)->Start(end->high).ok()) {
    std::fprintf(stderr, "kafka_round_trip_bench: cannot read %s from its end\n", o.topic.c_str());
    return 2;
  }

  Circle circle;
  circle.free = o.in_flight;
  Histogram round_trip_us(Histogram::kFine);
  uint64_t read_back = 0;

  std::thread reading([&] {
    while (Clock::now() < stop_at) {
      auto batch = (*reader)->Poll(100);
      if (!batch.ok()) continue;
      Clock::time_point now = Clock::now();
      std::lock_guard lock(circle.mu);
      for (const auto& m : batch->messages) {
        auto it = circle.sent_at.find(std::strtoull(m.value.c_str(), nullptr, 10));
        if (it == circle.sent_at.end()) continue;
        if (it->second >= warm_end) {
          round_trip_us.Record(Micros(now - it->second));
          ++read_back;
        }
        circle.sent_at.erase(it);
        ++circle.free;
      }
      circle.cv.notify_one();
    }
    std::lock_guard lock(circle.mu);
    circle.stop = true;
    circle.cv.notify_one();
  });

  uint64_t tag = 0;
  std::optional<Histogram> ack_at_warm_end;  // a reading, taken away at the end
  std::unique_lock lock(circle.mu);
  while (!circle.stop) {
    circle.cv.wait(lock, [&] { return circle.free > 0 || circle.stop; });
    if (!ack_at_warm_end && Clock::now() >= warm_end) ack_at_warm_end.emplace(ack_us);
    int sends = circle.free;
    circle.free = 0;
    for (int i = 0; i < sends; ++i) {
      ++tag;
      circle.sent_at[tag] = Clock::now();
      lock.unlock();
      (*sink)->Send(Message(tag, static_cast<size_t>(o.record_bytes)));
      lock.lock();
    }
  }
  lock.unlock();
  reading.join();
  if (ack_at_warm_end) ack_us.Subtract(*ack_at_warm_end);

  std::printf("in flight %d, fetch wait %d ms, %d-byte messages, %d s\n", o.in_flight,
              o.fetch_wait_ms, o.record_bytes, o.seconds);
  std::printf("round trips/s %.0f\n", static_cast<double>(read_back) / o.seconds);
  std::printf("produce -> read back (ms): p50 %.2f p90 %.2f p99 %.2f\n",
              PercentileMs(round_trip_us, 0.5), PercentileMs(round_trip_us, 0.9),
              PercentileMs(round_trip_us, 0.99));
  std::printf("produce -> acknowledged (ms): p50 %.2f p99 %.2f\n", PercentileMs(ack_us, 0.5),
              PercentileMs(ack_us, 0.99));
  return read_back > 0 ? 0 : 1;
}
