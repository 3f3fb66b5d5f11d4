#include "http_server.h"

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

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

// One connection: read a request, hand it to the Api, write its answer (posted back
// to this connection's strand from whichever thread produced it), repeat. Requests
// pipelined by the client wait in the buffer and are answered in order.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Api& api, const HttpOptions& options, ServingState& state)
      : stream_(std::move(socket)), api_(api), options_(options), state_(state) {}

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
    beast::error_code peer_ec;
    auto peer = stream_.socket().remote_endpoint(peer_ec);
    request.from_loopback = !peer_ec && IsLoopback(peer.address());
    stream_.expires_never();  // the engine, not the client, is on the clock now
    api_.Handle(std::move(request), [self = shared_from_this()](Response response) {
      net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->Write(std::move(response));
      });
    });
  }

  void Write(Response response) {
    auto message = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), version_ ? version_ : 11);
    message->set(http::field::server, "ecomm");
    message->set(http::field::content_type, response.content_type);
    message->keep_alive(keep_alive_);
    message->body() = std::move(response.body);
    message->prepare_payload();
    stream_.expires_after(options_.read_timeout);
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message](beast::error_code ec, size_t) {
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

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Api& api_;
  const HttpOptions& options_;
  ServingState& state_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
};

}  // namespace

HttpServer::HttpServer(Api& api, HttpOptions options)
    : api_(api), options_(std::move(options)), acceptor_(net::make_strand(io_)) {}

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
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { io_.run(); });
  return true;
}

void HttpServer::Accept() {
  acceptor_.async_accept(net::make_strand(io_), [this](beast::error_code ec, tcp::socket socket) {
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
  io_.stop();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

}  // namespace ecomm::server
