// ecomm-stats: the units sold per product over the last 72 h, computed from the orders
// topic alone (SPEC "Data platform"); GET /top answers what the server's /products/top
// answered at the time of the newest event read, which shows the stream is complete.
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http_endpoint.h"
#include "order_consumer.h"
#include "stats_board.h"
#include "stats_log.h"

namespace {

constexpr char kUsageText[] =
    "usage: ecomm-stats --brokers HOST:PORT[,...] [--topic orders] [--group ecomm-stats]\n"
    "                   [--listen HOST:PORT]\n"
    "A consumer-group member (run several to share the topic's partitions) that keeps the\n"
    "units sold per product over the last 72 h of event time, from the partitions it owns.\n"
    "\n"
    "  --brokers LIST   bootstrap brokers (required)\n"
    "  --topic NAME     the order events' topic (default orders)\n"
    "  --group ID       consumer group (default ecomm-stats)\n"
    "  --listen H:P     HTTP address for GET /top and GET /healthz (default 127.0.0.1:8090;\n"
    "                   port 0 picks a free one, logged as \"listening on H:P\")\n"
    "  --help           this text\n"
    "SIGTERM/SIGINT: commit, leave the group, exit 0.\n";

struct Options {
  ecomm::stats::ConsumerOptions consumer;
  std::string host = "127.0.0.1";
  uint16_t port = 8090;
};

// The exit status to stop with (0 after --help, 2 on a bad command line), or nothing
// when the program should go on with *opts.
std::optional<int> ParseArgs(int argc, char** argv, Options* opts) {
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsageText, stdout);
      return 0;
    }
    std::string_view value = i + 1 < argc ? argv[i + 1] : "";
    bool ok = !value.empty();
    if (ok && flag == "--brokers") {
      opts->consumer.brokers = value;
    } else if (ok && flag == "--topic") {
      opts->consumer.topic = value;
    } else if (ok && flag == "--group") {
      opts->consumer.group = value;
    } else if (!ok || flag != "--listen" ||
               !ecomm::tools::ParseHostPort(value, &opts->host, &opts->port)) {
      ecomm::stats::Log("bad argument: %s %s (see --help)", argv[i], std::string(value).c_str());
      return 2;
    }
    ++i;
  }
  if (opts->consumer.brokers.empty()) {
    ecomm::stats::Log("--brokers is required (see --help)");
    return 2;
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  Options opts;
  if (std::optional<int> status = ParseArgs(argc, argv, &opts)) return *status;

  // Blocked before any thread exists, so every thread inherits the mask and the
  // signals stay pending until the consumer loop collects them between batches: no
  // code runs in a signal handler.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  if (pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr) != 0) {
    ecomm::stats::Log("cannot block signals");
    return 1;
  }
  signal(SIGPIPE, SIG_IGN);  // a client gone mid-answer is an error code, not a death

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
    timespec no_wait{0, 0};
    int signo = sigtimedwait(&stop_signals, nullptr, &no_wait);
    if (signo < 0) return false;
    ecomm::stats::Log("%s, stopping", strsignal(signo));
    return true;
  });
  endpoint.reset();
  consumer.reset();
  ecomm::stats::Log("stopped");
  return 0;
}
