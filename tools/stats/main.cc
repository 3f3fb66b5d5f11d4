// ecomm-stats: the units sold per product over the last 72 h, computed from the orders
// topic alone (SPEC "Data platform"); GET /top answers what the server's /products/top
// answered at the time of the newest event read, which shows the stream is complete.
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "cli_flags.h"
#include "http_endpoint.h"
#include "order_consumer.h"
#include "stats_board.h"
#include "stats_log.h"
#include "stop_signals.h"

namespace {

struct Options {
  ecomm::stats::ConsumerOptions consumer;
  std::string host = "127.0.0.1";
  uint16_t port = 8090;
};

// The exit status to stop with (0 after --help, 2 on a bad command line), or nothing
// when the program should go on with *opts.
std::optional<int> ParseArgs(int argc, char** argv, Options* opts) {
  CLI::App app(
      "A consumer-group member (run several to share the topic's partitions) that keeps the\n"
      "units sold per product over the last 72 h of event time, from the partitions it owns.",
      "ecomm-stats");
  app.add_option("--brokers", opts->consumer.brokers, "bootstrap brokers, HOST:PORT[,...]")
      ->required();
  app.add_option("--kafka-config", opts->consumer.kafka_config,
                 "librdkafka properties, name=value a line (security.protocol, ssl.*, sasl.*);\n"
                 "--brokers and the consumer's own settings (--group included) override it")
      ->type_name("FILE");
  app.add_option("--topic", opts->consumer.topic, "the order events' topic")->capture_default_str();
  app.add_option("--group", opts->consumer.group, "consumer group")->capture_default_str();
  ecomm::tools::AddHostPort(app, "--listen", &opts->host, &opts->port,
                            "HTTP address for GET /top and GET /healthz (default "
                            "127.0.0.1:8090; port 0 picks a free one, logged as "
                            "\"listening on H:P\")");
  app.footer("SIGTERM/SIGINT: commit, leave the group, exit 0.");
  return ecomm::tools::ParseFlags(app, argc, argv);
}

}  // namespace

int main(int argc, char** argv) {
  Options opts;
  if (std::optional<int> status = ParseArgs(argc, argv, &opts)) return *status;

  // Before any thread exists; the consumer loop takes a signal between batches.
  ecomm::tools::StopSignals stop_signals;

  ecomm::stats::StatsBoard board;
  std::string error;
  std::unique_ptr<ecomm::stats::OrderConsumer> consumer =
      ecomm::stats::OrderConsumer::Create(opts.consumer, &board, &error);
  if (consumer == nullptr) {
    ecomm::stats::Log("%s", error.c_str());
    return 1;
  }
  auto endpoint = ecomm::tools::HttpEndpoint::Start(
      opts.host, opts.port,
      {{"/top", {"application/json", [&board] { return board.Read().top; }}},
       {"/healthz", {"application/json", [&board] { return board.Read().health; }}}},
      &error);
  if (endpoint == nullptr) {
    ecomm::stats::Log("%s", error.c_str());
    return 1;
  }
  ecomm::stats::Log("listening on %s:%u", opts.host.c_str(), endpoint->port());

  consumer->Run([&stop_signals] {
    std::optional<int> signal = stop_signals.Poll();
    if (signal) ecomm::stats::Log("%s, stopping", strsignal(*signal));
    return signal.has_value();
  });
  endpoint.reset();
  consumer.reset();
  ecomm::stats::Log("stopped");
  return 0;
}
