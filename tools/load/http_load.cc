#include "http_load.h"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
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

constexpr auto kGrace = std::chrono::seconds(10);
constexpr auto kStaleAfter = std::chrono::seconds(1);
constexpr uint64_t kBodyLimit = uint64_t{64} << 20;

uint64_t Micros(Clock::duration d) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}

Repeat RepeatOf(Op op) {
  if (op == Op::kBrowse || op == Op::kTop || op == Op::kHistory) return Repeat::kRead;
  return IsKeyedMutation(op) ? Repeat::kKeyed : Repeat::kUnkeyed;
}

void Count(std::array<std::atomic<uint64_t>, OpStats::kStatuses>& statuses, int status) {
  statuses[static_cast<size_t>(std::clamp(status, 0, OpStats::kStatuses - 1))]++;
}

// The answers whose problem code the Route looks at.
bool RouteReadsCode(int status) { return status == 409 || status == 421 || status == 503; }

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
  void Decide(const Attempt& attempt, const ShopReply& reply);
  void Finish(const ShopReply& reply);
  OpStats& op_stats();

  Worker& worker_;
  ReplicaSet& replicas_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  HttpRequest request_;
  std::optional<http::response_parser<http::string_body>> parser_;
  VirtualUser user_;
  ShopRequest current_;
  Repeat repeat_ = Repeat::kRead;  // current_'s
  Route route_;                    // where this connection's requests go
  size_t socket_replica_ = 0;      // where the socket is connected, when it is
  Clock::time_point intended_;
  int sends_ = 0;  // of current_, counting the first
  bool connected_ = false;
  Clock::time_point last_answer_ = Clock::now();
  bool may_be_stale_ = false;
  bool busy_ = false;  // a request is being sent, awaited or retried
};

class HttpLoad::Worker {
 public:
  Worker(HttpLoad& load, int index, int workers)
      : load_(load), index_(index), workers_(workers), arrival_timer_(io_) {}

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
      replicas_(*worker.load_.replicas_),
      socket_(worker.io_),
      timer_(worker.io_),
      user_(worker.load_.options_, worker.load_.population_, worker.load_.ledger_, index, seed),
      route_(replicas_, worker.load_.options_.failover_wait) {}

OpStats& HttpLoad::Connection::op_stats() {
  return worker_.stats.ops[static_cast<size_t>(current_.op)];
}

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
  socket_replica_ = route_.replica();
  asio::async_connect(
      socket_, worker_.load_.endpoints_[socket_replica_],
      [this](beast::error_code ec, const tcp::endpoint&) {
        if (ec) {
          ++worker_.stats.connect_failures;
          if (busy_) return Decide(Attempt::Refused(), ShopReply{});
          if (worker_.stopping()) return;
          Step step = route_.Reconnect();
          if (step.moved) ++worker_.stats.failover.moves;
          timer_.expires_after(step.pause);
          timer_.async_wait([this](beast::error_code e) {
            if (!e) Connect();
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
  repeat_ = RepeatOf(current_.op);
  route_.Begin(Clock::now());
  sends_ = 0;
  busy_ = true;
  Issue();
}

void HttpLoad::Connection::Issue() {
  if (!connected_ || socket_replica_ != route_.replica()) {  // the route moved
    Close();
    return Connect();  // comes back here once connected
  }
  if (sends_++ > 0) ++worker_.stats.failover.retries;
  request_ = RenderHttp(worker_.load_.population_, current_,
                        replicas_.at(socket_replica_).host_port(), worker_.load_.authorize_);
  // A follower serves reads too: never one older than what the run saw acknowledged.
  if (replicas_.failover() && repeat_ == Repeat::kRead && replicas_.lsn_floor() > 0) {
    request_.set("Ecomm-Min-Lsn", std::to_string(replicas_.lsn_floor()));
  }
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
  std::string primary;
  if (auto it = response.find("Ecomm-Primary"); it != response.end()) {
    primary = std::string(it->value());
  }
  if (auto it = response.find("Ecomm-Lsn"); it != response.end()) {
    uint64_t lsn = 0;
    std::string_view text(it->value().data(), it->value().size());
    std::from_chars(text.data(), text.data() + text.size(), lsn);
    replicas_.NoteLsn(lsn);
  }
  if (!response.keep_alive()) Close();
  std::string code = RouteReadsCode(reply.status) ? ProblemCode(reply.body) : "";
  Decide(Attempt::Answered(reply.status, code, primary), reply);
}

// No answer: the outcome of a mutation is unknown until a retry with its key settles it.
void HttpLoad::Connection::OnFailure() {
  Close();
  if (may_be_stale_ && sends_ == 1 && !worker_.aborting()) {
    may_be_stale_ = false;
    --sends_;
    return Connect();  // the server closed it while parked: it never saw the request
  }
  Decide(Attempt::Lost(), ShopReply{});
}

// The route says whether this attempt's answer is the request's, or where and when to
// send it again.
void HttpLoad::Connection::Decide(const Attempt& attempt, const ShopReply& reply) {
  Step step = route_.After(attempt, repeat_, Clock::now());
  bool again = step.retry && !worker_.aborting();
  if (!replicas_.failover()) {
    // One URL: every answer and every lost connection counts, as before failover.
    if (attempt.kind != Attempt::Kind::kRefused) Count(op_stats().statuses, reply.status);
  } else if (again) {
    Count(worker_.stats.failover.retried_statuses, reply.status);
  }
  if (!again) return Finish(reply);
  if (step.moved) ++worker_.stats.failover.moves;
  timer_.expires_after(step.pause);
  timer_.async_wait([this](beast::error_code e) {
    if (e) return Finish(ShopReply{});  // cut at the end of the grace period
    Issue();
  });
}

void HttpLoad::Connection::Finish(const ShopReply& reply) {
  last_answer_ = Clock::now();
  OpStats& op = op_stats();
  op.latency.Record(Micros(Clock::now() - intended_));
  // Several replicas: only the answer that settled the request (Decide counted the others).
  if (replicas_.failover()) Count(op.statuses, reply.status);
  op.NoteConflict(reply.status, reply.body);
  if (!user_.Settle(current_, reply)) op.unexpected++;
  if (!connected_ && !worker_.stopping()) {
    busy_ = false;
    return Connect();  // and Idle() once connected
  }
  Idle();
}

HttpLoad::HttpLoad(const LoadOptions& options, const Population& population, Ledger* ledger,
                   ReplicaSet* replicas, Authorizer authorize)
    : options_(options),
      population_(population),
      ledger_(ledger),
      replicas_(replicas),
      authorize_(std::move(authorize)),
      seed_(options.seed) {}

HttpLoad::~HttpLoad() = default;

std::unique_ptr<RunStats> HttpLoad::Run() {
  asio::io_context resolve_io;
  tcp::resolver resolver(resolve_io);
  auto total = std::make_unique<RunStats>();
  endpoints_.clear();
  for (const ReplicaUrl& url : replicas_->urls()) {
    beast::error_code ec;
    endpoints_.push_back(resolver.resolve(url.host, std::to_string(url.port), ec));
    if (ec || endpoints_.back().empty()) {
      std::fprintf(stderr, "ecomm-load: cannot resolve %s: %s\n", url.host.c_str(),
                   ec.message().c_str());
      total->connect_failures = 1;
      return total;
    }
  }

  int threads = std::min(options_.threads, options_.connections);
  std::vector<std::unique_ptr<Worker>> workers;
  auto start = Clock::now() + std::chrono::milliseconds(50);
  for (int t = 0, first = 0; t < threads; ++t) {
    int n = options_.connections / threads + (t < options_.connections % threads ? 1 : 0);
    workers.push_back(std::make_unique<Worker>(*this, t, threads));
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
  // A request caught in a failover may take up to --failover-wait to settle.
  auto grace = replicas_->failover() ? std::max<Clock::duration>(
                                           kGrace, options_.failover_wait + std::chrono::seconds(5))
                                     : Clock::duration(kGrace);
  auto grace_end = Clock::now() + grace;
  while (finished < threads && Clock::now() < grace_end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (finished < threads) {
    std::fprintf(
        stderr, "ecomm-load: requests still unanswered %lld s after the end: cut\n",
        static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(grace).count()));
    for (auto& w : workers) w->Abort();
  }
  for (std::thread& t : running) t.join();
  for (auto& w : workers) total->Merge(w->stats);
  return total;
}

}  // namespace ecomm::load
