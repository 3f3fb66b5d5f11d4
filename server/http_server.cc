#include "http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <type_traits>

#include "loopback.h"
#include "metrics.h"
#include "problem.h"
#include "url.h"

namespace ecomm::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

using Executor = net::io_context::executor_type;
using Socket = net::basic_stream_socket<tcp, Executor>;  // HttpServer::Socket
using Clock = std::chrono::steady_clock;
using Timer = net::basic_waitable_timer<Clock, net::wait_traits<Clock>, Executor>;
using TlsStream = beast::ssl_stream<Socket>;

// How long a connection closing over TLS waits for the client's close_notify after
// sending its own, before it closes the socket anyway.
constexpr std::chrono::seconds kTlsShutdownTimeout{2};

// One connection, on one io_context's thread: read a request, hand it to the Api,
// write its answer (dispatched back to this thread from whichever thread produced
// it), repeat. Requests pipelined by the client wait in the buffer and are answered
// in order, one at a time, which is why one response message per session suffices.
// One timer enforces the deadline of whatever the connection is waiting for.
// `Stream` is the Socket itself (HTTP) or a TlsStream over it (HTTPS): the same code
// serves both, and the plain one pays nothing for TLS.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  static_assert(kTls || std::is_same_v<Stream, Socket>);

 public:
  Session(Stream stream, Api& api, const HttpOptions& options, ServingState& state)
      : stream_(std::move(stream)),
        timer_(stream_.get_executor()),
        buffer_(options.header_limit + kReadChunk),
        api_(api),
        options_(options),
        state_(state) {
    beast::error_code ec;
    auto peer = Tcp().remote_endpoint(ec);
    from_loopback_ = !ec && tools::IsLoopback(peer.address());
  }
  ~Session() { --state_.connections; }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->Handshake();
      } else {
        self->ReadHeader(self->options_.header_timeout);
      }
    });
  }

 private:
  // What the connection waits for, and so what its deadline means.
  enum class Phase : uint8_t {
    kHandshake,  // TLS: close at the deadline, which the first request's headers share
    kIdle,       // keep-alive, no byte of a next request yet: close at the deadline
    kHeader,     // request line and headers: close at the deadline (SPEC: no answer)
    kBody,       // the body: answer 408 at the deadline
    kHandling,   // the engine has the request: no deadline
    kWriting,    // the answer: close at the deadline (the client does not read)
    kDraining,   // discarding an unread body after an error answer
  };

  // Enters `phase` with a deadline `timeout` from now (none for kHandling). The timer
  // is lazy: a phase only moves the deadline, and the one wait is re-armed only when
  // the deadline comes earlier than it, or when it fires before the deadline. A
  // request crosses four phases; re-arming (and so cancelling) a wait at each cost
  // more than the request's own parsing.
  void Enter(Phase phase, std::chrono::milliseconds timeout = {}) {
    phase_ = phase;
    deadline_ = phase == Phase::kHandling ? Clock::time_point::max() : Clock::now() + timeout;
    if (deadline_ < armed_for_) Arm(deadline_);
  }

  void Arm(Clock::time_point when) {
    if (closed_) return;  // a wait that completed as Close ran must not re-arm
    armed_for_ = when;
    timer_.expires_at(when);  // a wait already pending completes as aborted
    timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
      if (!ec) self->OnTimer();
    });
  }

  void OnTimer() {
    armed_for_ = Clock::time_point::max();
    if (closed_) return;
    if (Clock::now() >= deadline_) return OnDeadline();
    if (deadline_ != Clock::time_point::max()) Arm(deadline_);
  }

  void OnDeadline() {
    if (std::optional<TimeoutKind> kind = KindOf(phase_)) {
      ++state_.timeouts[static_cast<size_t>(*kind)];
    }
    if (phase_ == Phase::kBody) {
      // Cancel the read; OnRequest answers 408 once it sees why.
      body_timed_out_ = true;
      beast::error_code ignored;
      Tcp().cancel(ignored);
      return;
    }
    Close();
  }

  static std::optional<TimeoutKind> KindOf(Phase phase) {
    switch (phase) {
      case Phase::kIdle:
        return TimeoutKind::kIdle;
      case Phase::kHeader:
        return TimeoutKind::kHeader;
      case Phase::kBody:
        return TimeoutKind::kBody;
      case Phase::kWriting:
        return TimeoutKind::kWrite;
      case Phase::kHandshake:
        return TimeoutKind::kHandshake;
      case Phase::kHandling:
      case Phase::kDraining:
        break;
    }
    return std::nullopt;
  }

  // TLS: a failed handshake (a plain-HTTP client, an old protocol, no common cipher)
  // closes this connection only. The first request's headers get what is left of the
  // deadline, so a client cannot take it twice.
  void Handshake() {
    Enter(Phase::kHandshake, options_.header_timeout);
    stream_.async_handshake(
        net::ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
          if (ec) {
            if (!self->closed_) ++self->state_.tls_handshake_failures;
            return self->Close();
          }
          self->handshake_done_ = true;
          auto left =
              std::chrono::duration_cast<std::chrono::milliseconds>(self->deadline_ - Clock::now());
          self->ReadHeader(std::max(left, std::chrono::milliseconds(0)));
        });
  }

  // The next request: at once when the buffer already holds some of it (pipelined),
  // else after the connection's idle wait.
  void NextRequest() {
    if (buffer_.size() > 0) return ReadHeader(options_.header_timeout);
    Enter(Phase::kIdle, options_.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->Close();
                              self->buffer_.commit(n);
                              self->ReadHeader(self->options_.header_timeout);
                            });
  }

  void ReadHeader(std::chrono::milliseconds timeout) {
    parser_.emplace();
    parser_->body_limit(options_.body_limit);
    parser_->header_limit(options_.header_limit);
    Enter(Phase::kHeader, timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (!ec && !parser_->is_done()) {
      Enter(Phase::kBody, options_.body_timeout);
      http::async_read(
          stream_, buffer_, *parser_,
          [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnRequest(ec); });
      return;
    }
    OnRequest(ec);
  }

  void OnRequest(beast::error_code ec) {
    if (body_timed_out_)
      return Refuse(ErrorCode::kRequestTimeout,
                    "the body did not arrive within " +
                        std::to_string(options_.body_timeout.count() / 1000) + " s",
                    /*drain=*/true);
    if (ec == http::error::end_of_stream || ec == net::error::connection_reset ||
        ec == net::error::eof || ec == net::error::operation_aborted ||
        ec == net::error::bad_descriptor) {
      return Close();
    }
    if (ec == http::error::body_limit) {
      return Refuse(ErrorCode::kPayloadTooLarge,
                    "the body exceeds " + std::to_string(options_.body_limit >> 10) + " KiB",
                    /*drain=*/true);
    }
    if (ec == http::error::header_limit) {
      return Refuse(ErrorCode::kInvalidRequest,
                    "the request line and headers exceed " +
                        std::to_string(options_.header_limit / 1024) + " KiB",
                    /*drain=*/true);
    }
    if (ec) {
      return Refuse(ErrorCode::kInvalidRequest, "malformed HTTP request: " + ec.message(),
                    /*drain=*/true);
    }
    // From here on an answer is owed; Write's completion settles it.
    Owe();
    http::request<http::string_body> raw = parser_->release();
    keep_alive_ = raw.keep_alive();
    version_ = raw.version();
    Request request;
    request.method = std::string(raw.method_string());
    Target target;
    if (!ParseTarget(std::string_view(raw.target().data(), raw.target().size()), &target)) {
      return Write(Problem(Status(ErrorCode::kInvalidRequest,
                                  "malformed request target (bad escape or invalid UTF-8)")));
    }
    request.path = std::move(target.path);
    request.segments = std::move(target.segments);
    request.query = std::move(target.query);
    request.body = std::move(raw.body());
    if (auto it = raw.find(http::field::authorization); it != raw.end()) {
      request.authorization = std::string(it->value());
    }
    if (auto it = raw.find("Idempotency-Key"); it != raw.end()) {
      request.idempotency_key = std::string(it->value());
    }
    if (auto it = raw.find(http::field::content_type); it != raw.end()) {
      request.content_type = std::string(it->value());
    }
    if (auto it = raw.find("Ecomm-Min-Lsn"); it != raw.end()) {
      request.min_lsn = std::string(it->value());
    }
    request.from_loopback = from_loopback_;
    Enter(Phase::kHandling);  // the engine, not the client, is on the clock now
    // A read is answered inline on this thread; a commit's answer comes from the WAL
    // writer's thread and is queued to this one.
    api_.Handle(std::move(request),
                [self = this->shared_from_this(), seq = seq_](Response response) {
                  net::dispatch(self->stream_.get_executor(),
                                [self, seq, response = std::move(response)]() mutable {
                                  self->Answer(seq, std::move(response));
                                });
                });
  }

  void Owe() {
    ++state_.in_flight;
    ++seq_;
    answer_owed_ = true;
  }

  // Answers a request that could not be read whole, then closes; `drain` first reads
  // and discards what the client is still sending, so it sees this answer.
  void Refuse(ErrorCode code, std::string detail, bool drain) {
    Owe();
    keep_alive_ = false;
    drain_after_write_ = drain;
    Write(Problem(Status(code, std::move(detail))));
  }

  // One answer per request, and only to the request it was made for: a second one (a
  // handler that replied, or scheduled a reply, and then threw) must neither overwrite
  // the message an async_write is still sending nor answer a later request.
  void Answer(uint64_t seq, Response response) {
    if (seq != seq_ || !answer_owed_) return;
    Write(std::move(response));
  }

  void Write(Response response) {
    answer_owed_ = false;
    if (!response.body_file.empty()) return WriteFile(std::move(response));
    response_ = {};
    SetHead(response, &response_);
    response_.body() = std::move(response.body);
    response_.prepare_payload();
    Send(response_, options_.write_timeout);
  }

  void WriteFile(Response response) {
    file_response_ = {};
    beast::error_code ec;
    file_response_.body().open(response.body_file.c_str(), beast::file_mode::scan, ec);
    if (ec) {
      Response gone =
          Problem(Status(ErrorCode::kUnavailable,
                         "the file to send went away meanwhile (" + ec.message() + "); ask again"));
      gone.headers.emplace_back("Retry-After", "1");
      return Write(std::move(gone));
    }
    SetHead(response, &file_response_);
    file_response_.prepare_payload();
    // A large file (a snapshot) gets a second more per 16 MiB.
    Send(file_response_,
         options_.write_timeout + std::chrono::seconds(file_response_.body().size() >> 24));
  }

  template <class Message>
  void SetHead(const Response& response, Message* message) {
    message->result(static_cast<http::status>(response.status));
    message->version(version_ ? version_ : 11);
    message->set(http::field::server, "ecomm");
    message->set(http::field::content_type, response.content_type);
    if (response.allow) message->set(http::field::allow, *response.allow);
    if (response.www_authenticate) {
      message->set(http::field::www_authenticate, *response.www_authenticate);
    }
    for (const auto& [name, value] : response.headers) message->set(name, value);
    message->keep_alive(keep_alive_);
  }

  template <class Message>
  void Send(Message& message, std::chrono::milliseconds timeout) {
    Enter(Phase::kWriting, timeout);
    http::async_write(stream_, message,
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        --self->state_.in_flight;
                        self->file_response_ = {};  // a sent file is not held open
                        if (ec) return self->Close();
                        if (self->drain_after_write_) return self->Drain();
                        if (!self->keep_alive_ || self->state_.draining) {
                          return self->CloseAfterAnswer();
                        }
                        self->NextRequest();
                      });
  }

  // Below TLS, if any: the bytes are discarded unread, and the connection is not used
  // again (a client is sent no close_notify after a refused request).
  void Drain() {
    beast::error_code ignored;
    Tcp().shutdown(tcp::socket::shutdown_send, ignored);
    buffer_.clear();
    Enter(Phase::kDraining, options_.drain_timeout);
    DrainSome();
  }

  void DrainSome() {
    Tcp().async_read_some(buffer_.prepare(kReadChunk),
                          [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                            self->drained_ += n;
                            if (ec || self->drained_ >= self->options_.drain_limit)
                              return self->Close();
                            self->DrainSome();
                          });
  }

  // At once, whatever is pending (a deadline, an error, the client gone): no TLS
  // close_notify, since a TLS read or write may still be pending.
  void Close() {
    closed_ = true;
    beast::error_code ignored;
    timer_.cancel();
    Tcp().shutdown(tcp::socket::shutdown_send, ignored);
    Tcp().close(ignored);
  }

  // After the last answer, with nothing else pending. Over TLS the client is first
  // sent close_notify, so that it can tell the end from a cut connection; its own
  // close_notify is awaited at most kTlsShutdownTimeout.
  void CloseAfterAnswer() {
    if constexpr (kTls) {
      if (handshake_done_ && !closed_) {
        closed_ = true;  // the deadlines' waits stay unarmed from here on
        timer_.expires_after(kTlsShutdownTimeout);  // completes the lazy wait as aborted
        timer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
          if (!ec) self->Close();
        });
        stream_.async_shutdown(
            [self = this->shared_from_this()](beast::error_code) { self->Close(); });
        return;
      }
    }
    Close();
  }

  Socket& Tcp() { return beast::get_lowest_layer(stream_); }

  static constexpr size_t kReadChunk = 16 << 10;

  Stream stream_;
  Timer timer_;
  Phase phase_ = Phase::kHeader;
  Clock::time_point deadline_ = Clock::time_point::max();   // of the current phase
  Clock::time_point armed_for_ = Clock::time_point::max();  // the pending wait's expiry
  bool closed_ = false;                                     // Close ran: no deadline any more
  bool handshake_done_ = false;                             // TLS: close_notify may be sent
  bool body_timed_out_ = false;
  bool drain_after_write_ = false;
  uint64_t drained_ = 0;
  // Capped: Beast 1.74 bounds headers and body but not chunk extensions or trailers,
  // which would otherwise pile up here (400 once the cap is reached).
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  http::response<http::file_body> file_response_;  // when the body is a file's bytes
  bool from_loopback_ = false;
  Api& api_;
  const HttpOptions& options_;
  ServingState& state_;
  bool keep_alive_ = true;
  uint64_t seq_ = 0;          // the request being answered, counted per connection
  bool answer_owed_ = false;  // it was read and its answer not yet started
  unsigned version_ = 11;
};

// At most this many connections are taken from the backlog per turn of the acceptor's
// event loop, so that accepting a crowd does not starve those already served.
constexpr int kAcceptBurst = 256;

std::vector<std::unique_ptr<net::io_context>> MakeContexts(int threads) {
  std::vector<std::unique_ptr<net::io_context>> contexts;
  // Hint 1: each context is run by one thread (other threads only post to it).
  for (int i = 0; i < std::max(threads, 1); ++i) {
    contexts.push_back(std::make_unique<net::io_context>(1));
  }
  return contexts;
}

}  // namespace

HttpServer::HttpServer(Api& api, HttpOptions options)
    : api_(api),
      options_(std::move(options)),
      contexts_(MakeContexts(options_.threads)),
      acceptor_(*contexts_[0]),
      accept_backoff_(*contexts_[0]) {}

HttpServer::~HttpServer() { Stop(std::chrono::milliseconds(0)); }

bool HttpServer::Start(std::string* error) {
  beast::error_code ec;
  auto address = net::ip::make_address(options_.host, ec);
  if (ec) return *error = "bad listen address " + options_.host, false;
  tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (!ec) acceptor_.non_blocking(true, ec);  // Accept drains the backlog synchronously
  if (ec)
    return *error = "cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                    ": " + ec.message(),
           false;
  port_ = acceptor_.local_endpoint().port();
  if (!options_.tls && !tools::IsLoopbackHost(options_.host)) {
    std::fprintf(stderr,
                 "ecomm: %s:%u is not a loopback address and serves plain HTTP: a "
                 "TLS-terminating proxy must front it (bearer tokens and snapshots must not "
                 "cross a network in clear), or give --tls-cert and --tls-key\n",
                 options_.host.c_str(), port_);
  }
  Accept();
  for (auto& context : contexts_) {
    // Idle connections owe nothing: the context runs until Stop, not until idle.
    threads_.emplace_back([&context, work = net::make_work_guard(*context)] { context->run(); });
  }
  return true;
}

net::io_context& HttpServer::NextContext() { return *contexts_[next_context_]; }

void HttpServer::Accept() {
  acceptor_.async_accept(NextContext(), [this](beast::error_code ec, Socket socket) {
    // Stop closed the acceptor (an accept that completed just before sees it closed).
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (!OnAccepted(ec, std::move(socket))) return;
    // Take the rest of the backlog now: one connection per turn of the event loop
    // leaves a crowd's first requests queued behind everyone else's for seconds.
    for (int taken = 1; taken < kAcceptBurst; ++taken) {
      Socket next(NextContext());
      beast::error_code more;
      acceptor_.accept(next, more);  // the acceptor is non-blocking: would_block ends it
      if (more == net::error::would_block || more == net::error::try_again) break;
      if (!OnAccepted(more, std::move(next))) return;
    }
    Accept();
  });
}

bool HttpServer::OnAccepted(const boost::system::error_code& error, Socket socket) {
  if (error == net::error::no_descriptors || error == net::error::no_buffer_space ||
      error == net::error::no_memory ||
      error == boost::system::errc::too_many_files_open_in_system) {
    AcceptLater(error);
    return false;
  }
  if (accept_failures_ > 0) {
    std::fprintf(stderr, "ecomm: accepting again after %llu failed accepts\n",
                 static_cast<unsigned long long>(accept_failures_));
    accept_failures_ = 0;
  }
  if (error) return true;  // that connection is gone (reset before accept); go on
  // Past the limit the newcomer is closed at once; those already served go on.
  beast::error_code ignored;
  if (state_.connections.load(std::memory_order_relaxed) >= options_.max_connections) {
    ++state_.refused;
    socket.close(ignored);
    return true;
  }
  ++state_.connections;
  socket.set_option(tcp::no_delay(true), ignored);
  if (options_.tls) {
    std::make_shared<Session<TlsStream>>(TlsStream(std::move(socket), *options_.tls), api_,
                                         options_, state_)
        ->Start();
  } else {
    std::make_shared<Session<Socket>>(std::move(socket), api_, options_, state_)->Start();
  }
  // The round-robin moves on only when a connection is served on the context it was
  // dealt, so an accept that finds the backlog empty does not skip a context.
  next_context_ = (next_context_ + 1) % contexts_.size();
  return true;
}

void HttpServer::AcceptLater(const boost::system::error_code& error) {
  if (accept_failures_++ == 0) {
    std::fprintf(stderr, "ecomm: cannot accept connections (%s); retrying every 100 ms\n",
                 error.message().c_str());
  }
  accept_backoff_.expires_after(std::chrono::milliseconds(100));
  accept_backoff_.async_wait([this](beast::error_code ec) {
    if (!ec) Accept();
  });
}

void HttpServer::AppendPrometheus(std::string* out) const {
  auto sample = [out](std::string_view series, uint64_t value) {
    *out += std::string(series) + " " + std::to_string(value) + "\n";
  };
  AppendFamily(out, "ecomm_http_connections", "gauge", "Open client connections.");
  sample("ecomm_http_connections", static_cast<uint64_t>(std::max(state_.connections.load(), 0)));
  AppendFamily(out, "ecomm_http_connections_refused_total", "counter",
               "Connections closed at accept because --max-connections were open.");
  sample("ecomm_http_connections_refused_total", state_.refused.load());
  AppendFamily(out, "ecomm_http_timeouts_total", "counter",
               "Clients cut off at a deadline, by what the server was waiting for.");
  constexpr std::array<const char*, 5> kAwaiting = {"header", "body", "idle", "write", "handshake"};
  for (size_t i = 0; i < kAwaiting.size(); ++i) {
    sample("ecomm_http_timeouts_total{awaiting=\"" + std::string(kAwaiting[i]) + "\"}",
           state_.timeouts[i].load());
  }
  if (options_.tls) {
    AppendFamily(out, "ecomm_http_tls_handshake_failures_total", "counter",
                 "TLS handshakes that failed (plain HTTP, an old protocol, no common cipher).");
    sample("ecomm_http_tls_handshake_failures_total", state_.tls_handshake_failures.load());
  }
}

void HttpServer::Stop(std::chrono::milliseconds grace) {
  if (threads_.empty()) return;
  state_.draining = true;
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    accept_backoff_.cancel();
  });
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (state_.in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (auto& context : contexts_) context->stop();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

}  // namespace ecomm::server
