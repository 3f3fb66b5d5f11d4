#include "http_load.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <deque>
#include <optional>
#include <thread>

namespace ecomm::load {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kMaxAttempts = 3;  // for a mutation without an answer or with a 503
constexpr auto kRetryPause = std::chrono::milliseconds(50);
constexpr auto kReconnectPause = std::chrono::milliseconds(100);
constexpr auto kGrace = std::chrono::seconds(10);
constexpr auto kStaleAfter = std::chrono::seconds(1);
constexpr uint64_t kBodyLimit = uint64_t{64} << 20;

uint64_t Micros(Clock::duration d) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}

}  // namespace

class HttpLoad::Connection {
 public:
  Connection(Worker& worker, int index, uint64_t seed);
  void Connect();
  void Send(Clock::time_point intended);
  void Close();

 private:
  void Idle();
  void Issue();
  void OnRead(beast::error_code ec);
  void OnFailure();
  void Finish(const ShopReply& reply);

  Worker& worker_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  HttpRequest request_;
  std::optional<http::response_parser<http::string_body>> parser_;
  VirtualUser user_;
  ShopRequest current_;
  Clock::time_point intended_;
  int attempt_ = 0;
  bool connected_ = false;
  Clock::time_point last_answer_ = Clock::now();
  bool may_be_stale_ = false;
  bool busy_ = false;  // a request is being sent, awaited or retried
};

class HttpLoad::Worker {
 public:
  Worker(HttpLoad& load, int index, int workers, tcp::resolver::results_type endpoints)
      : load_(load),
        endpoints_(std::move(endpoints)),
        index_(index),
        workers_(workers),
        arrival_timer_(io_) {}

  void Start(Clock::time_point start, int first_connection, int connections) {
    start_ = start;
    for (int c = first_connection; c < first_connection + connections; ++c) {
      connections_.push_back(std::make_unique<Connection>(*this, c, load_.seed_ + 7919 * c));
    }
    asio::post(io_, [this] {
      for (auto& c : connections_) c->Connect();
      if (open_loop()) ScheduleArrival();
    });
  }
  void Run() { io_.run(); }
  // No new requests; those in flight finish.
  void Stop() {
    asio::post(io_, [this] {
      stopping_ = true;
      arrival_timer_.cancel();
      stats.not_sent += queue_.size();
      queue_.clear();
      for (Connection* c : idle_) c->Close();
      idle_.clear();
    });
  }
  // Cuts what is still in flight.
  void Abort() {
    asio::post(io_, [this] {
      aborting_ = true;
      for (auto& c : connections_) c->Close();
    });
  }

  bool open_loop() const { return load_.options_.rate > 0; }
  bool stopping() const { return stopping_; }
  bool aborting() const { return aborting_; }
  // The next arrival for an idle connection (open loop), or none: then it waits.
  std::optional<Clock::time_point> TakeQueued() {
    if (queue_.empty()) return std::nullopt;
    auto t = queue_.front();
    queue_.pop_front();
    return t;
  }
  void Park(Connection* c) { idle_.push_back(c); }

  asio::io_context io_;
  RunStats stats;
  HttpLoad& load_;
  const tcp::resolver::results_type endpoints_;  // tried in turn, as resolved

 private:
  // The k-th arrival of this thread; the threads' schedules interleave evenly.
  Clock::time_point ArrivalTime(uint64_t k) const {
    const LoadOptions& o = load_.options_;
    double per_thread = o.rate / workers_;
    double seconds = (static_cast<double>(k) + static_cast<double>(index_) / workers_) / per_thread;
    return start_ +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  }

  void ScheduleArrival() {
    arrival_timer_.expires_at(ArrivalTime(arrivals_));
    arrival_timer_.async_wait([this](beast::error_code ec) {
      if (ec || stopping_) return;
      for (auto now = Clock::now(); ArrivalTime(arrivals_) <= now; ++arrivals_) {
        if (idle_.empty()) {
          queue_.push_back(ArrivalTime(arrivals_));
        } else {
          Connection* c = idle_.back();
          idle_.pop_back();
          c->Send(ArrivalTime(arrivals_));
        }
      }
      ScheduleArrival();
    });
  }

  const int index_;
  const int workers_;  // the rate is split over this many
  Clock::time_point start_;
  asio::steady_timer arrival_timer_;
  uint64_t arrivals_ = 0;
  std::deque<Clock::time_point> queue_;
  std::vector<Connection*> idle_;
  std::vector<std::unique_ptr<Connection>> connections_;
  bool stopping_ = false;
  bool aborting_ = false;
};

HttpLoad::Connection::Connection(Worker& worker, int index, uint64_t seed)
    : worker_(worker),
      socket_(worker.io_),
      timer_(worker.io_),
      user_(worker.load_.options_, worker.load_.population_, worker.load_.ledger_, index, seed) {}

void HttpLoad::Connection::Close() {
  beast::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  timer_.cancel();
  connected_ = false;
}

void HttpLoad::Connection::Connect() {
  socket_ = tcp::socket(worker_.io_);
  buffer_.clear();
  asio::async_connect(
      socket_, worker_.endpoints_, [this](beast::error_code ec, const tcp::endpoint&) {
        if (ec) {
          ++worker_.stats.connect_failures;
          if (worker_.aborting() && busy_) return Finish(ShopReply{});
          if (worker_.stopping() && !busy_) return;
          timer_.expires_after(kReconnectPause);
          timer_.async_wait([this](beast::error_code e) {
            if (!e) return Connect();
            if (busy_) Finish(ShopReply{});  // cut at the end of the grace period
          });
          return;
        }
        beast::error_code ignored;  // a connection closed meanwhile fails its first write
        socket_.set_option(tcp::no_delay(true), ignored);
        connected_ = true;
        if (busy_) {
          Issue();
        } else {
          Idle();
        }
      });
}

void HttpLoad::Connection::Idle() {
  busy_ = false;
  if (worker_.stopping()) return Close();
  if (!worker_.open_loop()) return Send(Clock::now());
  if (auto intended = worker_.TakeQueued()) return Send(*intended);
  worker_.Park(this);
}

void HttpLoad::Connection::Send(Clock::time_point intended) {
  // A connection parked a while may have been closed by the server's idle timeout;
  // a failure before any answer on it is then resent once on a new connection.
  may_be_stale_ = Clock::now() - last_answer_ > kStaleAfter;
  intended_ = intended;
  current_ = user_.Next();
  attempt_ = 0;
  busy_ = true;
  Issue();
}

void HttpLoad::Connection::Issue() {
  if (!connected_) return Connect();  // comes back here once connected
  ++attempt_;
  request_ = RenderHttp(worker_.load_.population_, current_, worker_.load_.host_header_,
                        worker_.load_.authorize_);
  parser_.emplace();
  parser_->body_limit(kBodyLimit);
  http::async_write(socket_, request_, [this](beast::error_code ec, size_t) {
    if (ec) return OnFailure();
    http::async_read(socket_, buffer_, *parser_,
                     [this](beast::error_code e, size_t) { OnRead(e); });
  });
}

void HttpLoad::Connection::OnRead(beast::error_code ec) {
  if (ec) return OnFailure();
  auto& response = parser_->get();
  ShopReply reply{static_cast<int>(response.result_int()), std::move(response.body())};
  if (!response.keep_alive()) Close();
  OpStats& op = worker_.stats.ops[static_cast<size_t>(current_.op)];
  op.statuses[static_cast<size_t>(std::min(reply.status, OpStats::kStatuses - 1))]++;
  // 503: outcome unknown; 409 IDEMPOTENCY_KEY_IN_USE: an earlier attempt is still in
  // flight. Either way the same key, a little later, gets the outcome.
  bool in_doubt =
      reply.status == 503 ||
      (reply.status == 409 && reply.body.find("IDEMPOTENCY_KEY_IN_USE") != std::string::npos);
  if (in_doubt && IsKeyedMutation(current_.op) && attempt_ < kMaxAttempts) {
    timer_.expires_after(kRetryPause);
    timer_.async_wait([this](beast::error_code e) {
      if (e) return Finish(ShopReply{});
      Issue();
    });
    return;
  }
  Finish(reply);
}

// No answer: the outcome of a mutation is unknown until a retry with its key settles it.
void HttpLoad::Connection::OnFailure() {
  Close();
  if (may_be_stale_ && attempt_ == 1 && !worker_.aborting()) {
    may_be_stale_ = false;
    --attempt_;
    return Connect();  // the server closed it while parked: it never saw the request
  }
  worker_.stats.ops[static_cast<size_t>(current_.op)].statuses[0]++;
  if (IsKeyedMutation(current_.op) && attempt_ < kMaxAttempts && !worker_.aborting()) {
    timer_.expires_after(kRetryPause);
    timer_.async_wait([this](beast::error_code e) {
      if (e) return Finish(ShopReply{});
      Connect();
    });
    return;
  }
  Finish(ShopReply{});
}

void HttpLoad::Connection::Finish(const ShopReply& reply) {
  last_answer_ = Clock::now();
  OpStats& op = worker_.stats.ops[static_cast<size_t>(current_.op)];
  op.latency.Record(Micros(Clock::now() - intended_));
  if (!user_.Settle(current_, reply)) op.unexpected++;
  if (!connected_ && !worker_.stopping()) {
    busy_ = false;
    return Connect();  // and Idle() once connected
  }
  Idle();
}

HttpLoad::HttpLoad(const LoadOptions& options, const Population& population, Ledger* ledger,
                   Authorizer authorize)
    : options_(options),
      population_(population),
      ledger_(ledger),
      authorize_(std::move(authorize)),
      host_header_(options.host + ":" + std::to_string(options.port)),
      seed_(options.seed) {}

HttpLoad::~HttpLoad() = default;

std::unique_ptr<RunStats> HttpLoad::Run() {
  asio::io_context resolve_io;
  tcp::resolver resolver(resolve_io);
  beast::error_code ec;
  auto endpoints = resolver.resolve(options_.host, std::to_string(options_.port), ec);
  auto total = std::make_unique<RunStats>();
  if (ec || endpoints.empty()) {
    std::fprintf(stderr, "ecomm-load: cannot resolve %s: %s\n", options_.host.c_str(),
                 ec.message().c_str());
    total->connect_failures = 1;
    return total;
  }

  int threads = std::min(options_.threads, options_.connections);
  std::vector<std::unique_ptr<Worker>> workers;
  auto start = Clock::now() + std::chrono::milliseconds(50);
  for (int t = 0, first = 0; t < threads; ++t) {
    int n = options_.connections / threads + (t < options_.connections % threads ? 1 : 0);
    workers.push_back(std::make_unique<Worker>(*this, t, threads, endpoints));
    workers.back()->Start(start, first, n);
    first += n;
  }
  std::atomic<int> finished{0};
  std::vector<std::thread> running;
  for (auto& w : workers) {
    running.emplace_back([&w, &finished] {
      w->Run();
      ++finished;
    });
  }

  std::vector<const RunStats*> sources;
  for (auto& w : workers) sources.push_back(&w->stats);
  ShowProgress(sources, start, start + options_.duration, options_.progress);
  for (auto& w : workers) w->Stop();
  auto grace_end = Clock::now() + kGrace;
  while (finished < threads && Clock::now() < grace_end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (finished < threads) {
    std::fprintf(stderr, "ecomm-load: requests still unanswered %lld s after the end: cut\n",
                 static_cast<long long>(kGrace.count()));
    for (auto& w : workers) w->Abort();
  }
  for (std::thread& t : running) t.join();
  for (auto& w : workers) total->Merge(w->stats);
  return total;
}

}  // namespace ecomm::load
