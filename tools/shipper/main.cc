// ecomm-shipper: ships every SUCCESS order and every cancel of a data directory's
// WAL to Kafka, beside a running ecomm-server (see shipper.h). SIGTERM or SIGINT:
// flush, save the cursor, exit 0.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "cli_flags.h"
#include "http_endpoint.h"
#include "shipper.h"
#include "stop_signals.h"

namespace {

std::string RenderMetrics(const ecomm::shipper::ShipperStats& stats) {
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  int64_t oldest = stats.oldest_pending_ms.load();
  double lag_seconds = oldest == 0 ? 0.0 : static_cast<double>(now_ms - oldest) / 1000.0;
  uint64_t read = stats.read_lsn.load(), cursor = stats.cursor_lsn.load();
  std::string out;
  auto metric = [&out](const char* name, const char* type, const char* help,
                       const std::string& value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
           name + " " + value + "\n";
  };
  metric("ecomm_shipper_cursor_lsn", "gauge", "Every event up to this LSN is delivered.",
         std::to_string(cursor));
  metric("ecomm_shipper_read_lsn", "gauge", "The newest record read from the log.",
         std::to_string(read));
  metric("ecomm_shipper_lag_records", "gauge", "Records read but not yet covered by the cursor.",
         std::to_string(read > cursor ? read - cursor : 0));
  metric("ecomm_shipper_lag_seconds", "gauge",
         "Age of the oldest event not yet delivered (0: none waiting).",
         std::to_string(lag_seconds));
  metric("ecomm_shipper_events_total", "counter", "Events delivered since start.",
         std::to_string(stats.events.load()));
  metric("ecomm_shipper_delivery_errors_total", "counter",
         "Deliveries Kafka refused for good (each restarts shipping from the cursor).",
         std::to_string(stats.delivery_errors.load()));
  metric("ecomm_shipper_kafka_up", "gauge", "1 while Kafka is reachable.",
         stats.kafka_reachable.load() ? "1" : "0");
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  ecomm::shipper::ShipperOptions options;
  std::string metrics_host;
  uint16_t metrics_port = 0;
  CLI::App app(
      "Ships each SUCCESS order and each cancel of a data directory's WAL as a JSON event\n"
      "keyed by orderId, with the record's LSN as header \"lsn\"; at-least-once, never\n"
      "skipping.",
      "ecomm-shipper");
  app.add_option("--data-dir", options.data_dir,
                 "the server's data directory (read-only but for cursors/shipper)")
      ->capture_default_str();
  app.add_option("--brokers", options.brokers, "Kafka bootstrap servers, HOST:PORT[,...]")
      ->required();
  app.add_option("--kafka-config", options.kafka_config,
                 "librdkafka properties, name=value a line (security.protocol, ssl.*, sasl.*);\n"
                 "--brokers and the shipper's own producer settings override it")
      ->type_name("FILE");
  app.add_option("--topic", options.topic, "topic")->capture_default_str();
  CLI::Option* metrics =
      ecomm::tools::AddHostPort(app, "--metrics-listen", &metrics_host, &metrics_port,
                                "serve Prometheus text on GET /metrics (lag, events, errors)");
  app.footer(
      "The cursor file cursors/shipper says what was delivered; the server keeps the log\n"
      "from there on. SIGTERM or SIGINT: flush, save the cursor, exit 0.");
  if (std::optional<int> exit = ecomm::tools::ParseFlags(app, argc, argv)) return *exit;

  // A thread of its own waits for a stop signal and raises the flag Run watches. It is
  // detached (it waits for ever when Run fails), hence a flag that outlives main.
  ecomm::tools::StopSignals stop_signals;
  static std::atomic<bool> stop{false};
  std::thread([] {
    ecomm::tools::StopSignals::Wait();
    stop = true;
  }).detach();

  ecomm::shipper::ShipperStats stats;
  std::unique_ptr<ecomm::tools::HttpEndpoint> endpoint;
  if (metrics->count() > 0) {
    std::string error;
    endpoint = ecomm::tools::HttpEndpoint::Start(
        metrics_host, metrics_port,
        {{"/metrics", {"text/plain; version=0.0.4", [&stats] { return RenderMetrics(stats); }}}},
        &error);
    if (endpoint == nullptr) {
      std::fprintf(stderr, "ecomm-shipper: %s\n", error.c_str());
      return 1;
    }
  }
  ecomm::shipper::Shipper shipper(options, &stats);
  ecomm::Status s = shipper.Run(stop, std::chrono::seconds(10));
  if (!s.ok()) {
    std::fprintf(stderr, "ecomm-shipper: stopped: %s\n", s.message().c_str());
    return 1;
  }
  return 0;
}
