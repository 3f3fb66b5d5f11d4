// ecomm-attacker: hostile HTTP clients, to measure what they cost the normal ones
// (bench/hostile/run.sh).
//
// Usage:
//   ecomm-attacker --target HOST:PORT [--slowloris N] [--interval-ms MS] [--garbage N]
//                  [--duration S] [--seed N]
//
// --slowloris N keeps N connections open, each sending an endless request header, one
// more byte every --interval-ms (default 1000), so that each holds a server connection
// while costing the attacker nothing.
// --garbage N runs N connections, each sending a request of random bytes (a control
// byte first, "\r\n\r\n" last), reading the answer until the server closes, then
// connecting again at once: as many bad requests as the server will answer.
//
// Whatever closes a connection, it is opened again so that the attack keeps its size;
// after a pause when it ended without an answer (a header deadline, a server over its
// connection limit, an error), so that a refusing server is not hammered in a loop.
// Runs --duration S seconds (default 0: until SIGINT or SIGTERM). Once a second, and at
// the end, it prints the counters:
//   open      connections open now
//   connects  connects that succeeded, first ones and reconnects
//   cut       connections the server closed without answering
//   2xx..5xx  answers by status class; other: an answer that is not HTTP/1.x 2xx-5xx
//   errors    failed connects, resets and other I/O errors (a server that closes a
//             connection before reading all it was sent resets it)
// Exit status 1 when any answer was a 5xx, 2 on bad flags.
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "cli_flags.h"
#include "stop_signals.h"

namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

// Enough connects in flight to open 10,000 connections in a second or two, few enough
// not to overflow the server's accept backlog (SYNs dropped there are retried only
// after a second).
constexpr int kMaxConnecting = 256;
constexpr auto kBackoff = std::chrono::milliseconds(50);
// A request the server will wait for: its header never ends.
constexpr std::string_view kSlowPrefix = "GET /balance?userId=alice HTTP/1.1\r\nHost: x\r\nX-a: ";
// "HTTP/1.1 404": what is read of an answer to classify it.
constexpr size_t kStatusLine = 12;

struct Options {
  std::string host;
  uint16_t port = 0;
  int slowloris = 0;
  int garbage = 0;
  int interval_ms = 1000;
  int duration_s = 0;
  uint64_t seed = 1;
};

// The exit status to stop with (0 after --help, 2 on a bad command line), or nothing
// when the program goes on with *options.
std::optional<int> ParseOptions(int argc, char** argv, Options* options) {
  CLI::App app("Hostile HTTP clients, to measure what they cost the normal ones.",
               "ecomm-attacker");
  ecomm::tools::AddHostPort(app, "--target", &options->host, &options->port, "the server")
      ->required();
  ecomm::tools::AddNumber(app, "--slowloris", &options->slowloris, 0, 1'000'000,
                          "connections each sending an endless request header");
  ecomm::tools::AddNumber(app, "--interval-ms", &options->interval_ms, 1, 1'000'000,
                          "a slowloris connection sends one more byte every MS");
  ecomm::tools::AddNumber(app, "--garbage", &options->garbage, 0, 1'000'000,
                          "connections each sending requests of random bytes");
  ecomm::tools::AddNumber(app, "--duration", &options->duration_s, 0, 1'000'000,
                          "seconds to run (0: until SIGINT or SIGTERM)");
  ecomm::tools::AddNumber(app, "--seed", &options->seed, uint64_t{0}, uint64_t{INT64_MAX},
                          "of the random bytes");
  app.footer("Exit status 1 when any answer was a 5xx, 2 on bad flags.");
  if (std::optional<int> status = ecomm::tools::ParseFlags(app, argc, argv)) return status;
  if (options->slowloris + options->garbage == 0) {
    return ecomm::tools::UsageError(app, "no --slowloris or --garbage clients");
  }
  return std::nullopt;
}

// Each connection holds a descriptor: raise the soft limit as far as the hard one
// allows, and say so when that is not enough.
void EnsureDescriptors(int connections) {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  rlim_t wanted = static_cast<rlim_t>(connections) + 64;  // + stdio, epoll, signals
  if (limit.rlim_cur >= wanted) return;
  limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
  setrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < wanted) {
    std::fprintf(stderr, "ecomm-attacker: only %llu descriptors for %d connections\n",
                 static_cast<unsigned long long>(limit.rlim_cur), connections);
  }
}

struct Counters {
  int64_t open = 0;
  uint64_t connects = 0;
  uint64_t cut = 0;
  std::array<uint64_t, 6> answers{};  // by status class, 1..5; 0: not an HTTP answer
  uint64_t errors = 0;
};

void PrintCounters(const char* prefix, const Counters& c) {
  std::printf(
      "%s open=%lld connects=%llu cut=%llu 2xx=%llu 4xx=%llu 5xx=%llu other=%llu "
      "errors=%llu\n",
      prefix, static_cast<long long>(c.open), static_cast<unsigned long long>(c.connects),
      static_cast<unsigned long long>(c.cut), static_cast<unsigned long long>(c.answers[2]),
      static_cast<unsigned long long>(c.answers[4]), static_cast<unsigned long long>(c.answers[5]),
      static_cast<unsigned long long>(c.answers[0] + c.answers[1] + c.answers[3]),
      static_cast<unsigned long long>(c.errors));
  std::fflush(stdout);  // the line is read from a file while the attack goes on
}

// "HTTP/1.1 404" -> 4; anything else -> 0.
size_t StatusClass(std::string_view head) {
  if (head.size() < kStatusLine || !head.starts_with("HTTP/1.") || head[8] != ' ') return 0;
  char digit = head[9];
  return digit >= '1' && digit <= '5' ? static_cast<size_t>(digit - '0') : 0;
}

// At most kMaxConnecting connects in flight; the others wait their turn in order.
class ConnectGate {
 public:
  void Enter(std::function<void()> connect) {
    if (in_flight_ == kMaxConnecting) return waiting_.push_back(std::move(connect));
    ++in_flight_;
    connect();
  }
  void Leave() {
    --in_flight_;
    if (waiting_.empty()) return;
    std::function<void()> next = std::move(waiting_.front());
    waiting_.pop_front();
    Enter(std::move(next));
  }

 private:
  int in_flight_ = 0;
  std::deque<std::function<void()>> waiting_;
};

// What every connection uses; all of it on the one thread that runs `io`.
struct Shared {
  net::io_context& io;
  tcp::endpoint target;
  std::chrono::milliseconds interval;
  std::mt19937_64 rng;
  ConnectGate gate;
  Counters counters;
};

// Random bytes the server cannot take for a request line, then the end of a header,
// so that it answers at once instead of waiting for more.
std::string GarbageRequest(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> control(0, 31);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<size_t> length(0, 1023);
  int first = control(rng);
  while (first == '\t' || first == '\n' || first == '\r') first = control(rng);
  std::string request(1, static_cast<char>(first));
  for (size_t n = length(rng); n > 0; --n) request += static_cast<char>(byte(rng));
  request += "\r\n\r\n";
  return request;
}

enum class Kind { kSlowloris, kGarbage };

// One client slot: connects, attacks, and when the connection ends, connects again.
// The socket and timer are reused from one connection to the next; a handler that
// belongs to an earlier connection sees a stale generation and does nothing.
class Connection {
 public:
  Connection(Shared& shared, Kind kind)
      : shared_(shared), kind_(kind), socket_(shared.io), timer_(shared.io) {}

  void Connect() {
    shared_.gate.Enter([this] {
      socket_.async_connect(shared_.target, [this](error_code ec) {
        shared_.gate.Leave();
        OnConnect(ec);
      });
    });
  }

 private:
  void OnConnect(error_code ec) {
    if (ec) return End(/*error=*/true);
    open_ = true;
    ++shared_.counters.open;
    ++shared_.counters.connects;
    head_.clear();
    answered_ = false;
    Read();
    Send(kind_ == Kind::kSlowloris ? std::string(kSlowPrefix) : GarbageRequest(shared_.rng));
  }

  // Slowloris clients go on with one byte per interval once a write is out.
  void Send(std::string bytes) {
    out_ = std::move(bytes);
    net::async_write(socket_, net::buffer(out_),
                     [this, generation = generation_](error_code ec, size_t) {
                       if (generation != generation_) return;
                       if (ec) return End(/*error=*/true);
                       if (kind_ == Kind::kSlowloris) Drip();
                     });
  }

  void Drip() {
    timer_.expires_after(shared_.interval);
    timer_.async_wait([this, generation = generation_](error_code ec) {
      if (!ec && generation == generation_) Send("a");
    });
  }

  // Reads until the server closes; only the status line of an answer is kept.
  void Read() {
    socket_.async_read_some(net::buffer(in_),
                            [this, generation = generation_](error_code ec, size_t n) {
                              if (generation != generation_) return;
                              if (ec) {
                                if (!head_.empty() && !answered_)
                                  Classify();  // shorter than a status line
                                return End(/*error=*/ec != net::error::eof);
                              }
                              head_.append(in_.data(), std::min(n, kStatusLine - head_.size()));
                              if (head_.size() == kStatusLine && !answered_) Classify();
                              Read();
                            });
  }

  void Classify() {
    answered_ = true;
    ++shared_.counters.answers[StatusClass(head_)];
  }

  // Counts how the connection ended and connects again: at once after an answer,
  // after a pause otherwise.
  void End(bool error) {
    ++generation_;
    if (open_) --shared_.counters.open;
    open_ = false;
    error_code ignored;
    socket_.close(ignored);
    if (error) {
      ++shared_.counters.errors;
    } else if (!answered_) {
      ++shared_.counters.cut;
    }
    if (answered_ && !error) return Connect();
    timer_.expires_after(kBackoff);
    timer_.async_wait([this, generation = generation_](error_code ec) {
      if (!ec && generation == generation_) Connect();
    });
  }

  Shared& shared_;
  Kind kind_;
  tcp::socket socket_;
  net::steady_timer timer_;  // the next slowloris byte, or the pause before reconnecting
  uint64_t generation_ = 0;  // which connection of this slot is current
  bool open_ = false;
  bool answered_ = false;
  std::string out_;
  std::array<char, 512> in_;
  std::string head_;  // the answer's first kStatusLine bytes
};

// One line of counters per second since `start`.
void Tick(net::steady_timer& ticker, const Counters& counters, SteadyClock::time_point start,
          int second) {
  ticker.expires_at(start + std::chrono::seconds(second));
  ticker.async_wait([&ticker, &counters, start, second](error_code ec) {
    if (ec) return;
    std::string prefix = std::to_string(second) + "s";
    PrintCounters(prefix.c_str(), counters);
    Tick(ticker, counters, start, second + 1);
  });
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (std::optional<int> status = ParseOptions(argc, argv, &options)) return *status;
  EnsureDescriptors(options.slowloris + options.garbage);

  ecomm::tools::StopSignals stop_signals;
  net::io_context io(1);
  error_code ec;
  tcp::resolver::results_type resolved =
      tcp::resolver(io).resolve(options.host, std::to_string(options.port), ec);
  if (ec || resolved.empty()) {
    std::fprintf(stderr, "ecomm-attacker: cannot resolve %s:%u: %s\n", options.host.c_str(),
                 options.port, ec.message().c_str());
    return 2;
  }
  Shared shared{io,
                resolved.begin()->endpoint(),
                std::chrono::milliseconds(options.interval_ms),
                std::mt19937_64(options.seed),
                {},
                {}};

  std::vector<std::unique_ptr<Connection>> connections;
  for (int i = 0; i < options.slowloris; ++i) {
    connections.push_back(std::make_unique<Connection>(shared, Kind::kSlowloris));
  }
  for (int i = 0; i < options.garbage; ++i) {
    connections.push_back(std::make_unique<Connection>(shared, Kind::kGarbage));
  }
  for (auto& connection : connections) connection->Connect();

  SteadyClock::time_point start = SteadyClock::now();
  net::steady_timer ticker(io);
  Tick(ticker, shared.counters, start, 1);
  net::steady_timer deadline(io);
  if (options.duration_s > 0) {
    deadline.expires_after(std::chrono::seconds(options.duration_s));
    deadline.async_wait([&io](error_code ec) {
      if (!ec) io.stop();
    });
  }
  // A copy of the descriptor: the stream_descriptor closes the one it holds.
  net::posix::stream_descriptor stop(io, dup(stop_signals.fd()));
  stop.async_wait(net::posix::stream_descriptor::wait_read, [&io](error_code) { io.stop(); });
  io.run();

  std::chrono::duration<double> elapsed = SteadyClock::now() - start;
  char prefix[64];
  std::snprintf(prefix, sizeof prefix, "summary after %.1fs:", elapsed.count());
  PrintCounters(prefix, shared.counters);
  return shared.counters.answers[5] > 0 ? 1 : 0;
}
