#include "http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>

#include "problem.h"
#include "url.h"

namespace ecomm::server {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

// 127.0.0.0/8 and ::1, also as IPv4-mapped addresses on a dual-stack listener.
bool IsLoopback(const net::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6()).is_loopback();
  }
  return address.is_loopback();
}

using Executor = net::io_context::executor_type;
using Socket = tcp::socket::rebind_executor<Executor>::other;

// One connection, on one io_context's thread: read a request, hand it to the Api,
// write its answer (dispatched back to this thread from whichever thread produced
// it), repeat. Requests pipelined by the client wait in the buffer and are answered
// in order, one at a time, which is why one response message per session suffices.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Socket socket, Api& api, const HttpOptions& options, ServingState& state)
      : stream_(std::move(socket)), api_(api), options_(options), state_(state) {
    beast::error_code ec;
    auto peer = stream_.socket().remote_endpoint(ec);
    from_loopback_ = !ec && IsLoopback(peer.address());
  }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(options_.body_limit);
    parser_->header_limit(16 * 1024);
    stream_.expires_after(buffer_.size() > 0 ? options_.read_timeout : options_.idle_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::connection_reset || ec == net::error::eof) {
      return Close();
    }
    // From here on an answer is owed; Write's completion settles it.
    ++state_.in_flight;
    ++seq_;
    answer_owed_ = true;
    if (ec == http::error::body_limit) {
      keep_alive_ = false;
      return Write(Problem(Status(ErrorCode::kPayloadTooLarge, "the body exceeds 1 MiB")));
    }
    if (ec) {  // a malformed request: answer once, then close
      keep_alive_ = false;
      return Write(
          Problem(Status(ErrorCode::kInvalidRequest, "malformed HTTP request: " + ec.message())));
    }
    http::request<http::string_body> raw = parser_->release();
    keep_alive_ = raw.keep_alive();
    version_ = raw.version();
    Request request;
    request.method = std::string(raw.method_string());
    std::string_view target(raw.target().data(), raw.target().size());
    if (!ParseTarget(target, &request.path, &request.query)) {
      return Write(Problem(Status(ErrorCode::kInvalidRequest, "malformed request target")));
    }
    request.body = std::move(raw.body());
    if (auto it = raw.find(http::field::authorization); it != raw.end()) {
      request.authorization = std::string(it->value());
    }
    if (auto it = raw.find("Idempotency-Key"); it != raw.end()) {
      request.idempotency_key = std::string(it->value());
    }
    request.from_loopback = from_loopback_;
    stream_.expires_never();  // the engine, not the client, is on the clock now
    // A read is answered inline on this thread; a commit's answer comes from the WAL
    // writer's thread and is queued to this one.
    api_.Handle(std::move(request), [self = shared_from_this(), seq = seq_](Response response) {
      net::dispatch(self->stream_.get_executor(),
                    [self, seq, response = std::move(response)]() mutable {
                      self->Answer(seq, std::move(response));
                    });
    });
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
    response_ = {};
    response_.result(static_cast<http::status>(response.status));
    response_.version(version_ ? version_ : 11);
    response_.set(http::field::server, "ecomm");
    response_.set(http::field::content_type, response.content_type);
    response_.keep_alive(keep_alive_);
    response_.body() = std::move(response.body);
    response_.prepare_payload();
    stream_.expires_after(options_.read_timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        --self->state_.in_flight;
                        if (ec || !self->keep_alive_ || self->state_.draining) return self->Close();
                        self->Read();
                      });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  beast::basic_stream<tcp, Executor> stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  bool from_loopback_ = false;
  Api& api_;
  const HttpOptions& options_;
  ServingState& state_;
  bool keep_alive_ = true;
  uint64_t seq_ = 0;          // the request being answered, counted per connection
  bool answer_owed_ = false;  // it was read and its answer not yet started
  unsigned version_ = 11;
};

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
      acceptor_(*contexts_[0]) {}

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
  if (ec)
    return *error = "cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                    ": " + ec.message(),
           false;
  port_ = acceptor_.local_endpoint().port();
  Accept();
  for (auto& context : contexts_) {
    // Idle connections owe nothing: the context runs until Stop, not until idle.
    threads_.emplace_back([&context, work = net::make_work_guard(*context)] { context->run(); });
  }
  return true;
}

void HttpServer::Accept() {
  net::io_context& home = *contexts_[next_context_];
  next_context_ = (next_context_ + 1) % contexts_.size();
  acceptor_.async_accept(home, [this](beast::error_code ec, Socket socket) {
    if (ec == net::error::operation_aborted) return;  // Stop closed the acceptor
    if (!ec) {
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(std::move(socket), api_, options_, state_)->Start();
    }
    Accept();
  });
}

void HttpServer::Stop(std::chrono::milliseconds grace) {
  if (threads_.empty()) return;
  state_.draining = true;
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
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
