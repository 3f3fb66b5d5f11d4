// ecomm-shipper: ships every SUCCESS order and every cancel of a data directory's
// WAL to Kafka, beside a running ecomm-server (see shipper.h). SIGTERM or SIGINT:
// flush, save the cursor, exit 0.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "http_endpoint.h"
#include "shipper.h"

namespace {

constexpr const char* kUsage =
    R"(usage: ecomm-shipper --data-dir DIR --brokers HOST:PORT[,...] [flags]
  --data-dir DIR           the server's data directory (read-only but for cursors/shipper)
  --brokers LIST           Kafka bootstrap servers
  --topic NAME             topic (default orders)
  --metrics-listen H:P     serve Prometheus text on GET /metrics (lag, events, errors)
  --help                   this text
Ships each SUCCESS order and each cancel as a JSON event keyed by orderId, with the
record's LSN as header "lsn"; at-least-once, never skipping. The cursor file
cursors/shipper says what was delivered; the server keeps the log from there on.
)";

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
  std::string metrics_listen;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return !out->empty();
    };
    bool ok = true;
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--data-dir") {
      ok = value(&options.data_dir);
    } else if (arg == "--brokers") {
      ok = value(&options.brokers);
    } else if (arg == "--topic") {
      ok = value(&options.topic);
    } else if (arg == "--metrics-listen") {
      ok = value(&metrics_listen);
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr, "ecomm-shipper: bad flag %s\n%s", argv[i], kUsage);
      return 2;
    }
  }
  if (options.brokers.empty()) {
    std::fprintf(stderr, "ecomm-shipper: --brokers is required\n%s", kUsage);
    return 2;
  }

  // Stop signals are taken by a thread of their own (sigwait), never by a handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::atomic<bool> stop{false};
  std::thread waiter([&signals, &stop] {
    int received = 0;
    sigwait(&signals, &received);
    stop = true;
  });
  waiter.detach();

  ecomm::shipper::ShipperStats stats;
  std::unique_ptr<ecomm::tools::HttpEndpoint> endpoint;
  if (!metrics_listen.empty()) {
    std::string host, error;
    uint16_t port = 0;
    if (!ecomm::tools::ParseHostPort(metrics_listen, &host, &port)) {
      std::fprintf(stderr, "ecomm-shipper: --metrics-listen takes HOST:PORT\n%s", kUsage);
      return 2;
    }
    endpoint = ecomm::tools::HttpEndpoint::Start(
        host, port,
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
