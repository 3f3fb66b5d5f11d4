#include "metrics_endpoint.h"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <charconv>
#include <memory>
#include <string_view>

namespace ecomm::shipper {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

// Reads one request, answers it, closes.
struct Exchange : std::enable_shared_from_this<Exchange> {
  Exchange(tcp::socket socket, const std::function<std::string()>& render)
      : stream(std::move(socket)), render(render) {}

  void Start() {
    stream.expires_after(std::chrono::seconds(10));
    http::async_read(stream, buffer, request,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (!ec) self->Answer();
                     });
  }

  void Answer() {
    bool metrics = request.method() == http::verb::get && request.target() == "/metrics";
    response.result(metrics ? http::status::ok : http::status::not_found);
    response.set(http::field::content_type, "text/plain; version=0.0.4");
    response.body() = metrics ? render() : "not found\n";
    response.keep_alive(false);
    response.prepare_payload();
    http::async_write(stream, response, [self = shared_from_this()](beast::error_code, size_t) {
      beast::error_code ignored;
      self->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    });
  }

  beast::tcp_stream stream;
  const std::function<std::string()>& render;
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  http::response<http::string_body> response;
};

}  // namespace

MetricsEndpoint::MetricsEndpoint(std::function<std::string()> render)
    : render_(std::move(render)), acceptor_(context_), retry_(context_) {}

MetricsEndpoint::~MetricsEndpoint() {
  context_.stop();
  if (thread_.joinable()) thread_.join();
}

bool MetricsEndpoint::Start(const std::string& host_port, std::string* error) {
  size_t colon = host_port.rfind(':');
  uint16_t port = 0;
  beast::error_code ec;
  if (colon == std::string::npos) return *error = "bad address " + host_port, false;
  auto address = net::ip::make_address(host_port.substr(0, colon), ec);
  std::string_view digits = std::string_view(host_port).substr(colon + 1);
  auto [end, parsed] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec || parsed != std::errc() || end != digits.data() + digits.size()) {
    return *error = "bad address " + host_port, false;
  }
  tcp::endpoint endpoint(address, port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return *error = "cannot listen on " + host_port + ": " + ec.message(), false;
  Accept();
  thread_ = std::thread([this] { context_.run(); });
  return true;
}

void MetricsEndpoint::Accept() {
  acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted) return;
    if (!ec) {
      std::make_shared<Exchange>(std::move(socket), render_)->Start();
      return Accept();
    }
    // Out of descriptors, say: the error repeats until something closes, so pause.
    retry_.expires_after(std::chrono::milliseconds(100));
    retry_.async_wait([this](beast::error_code wait) {
      if (!wait) Accept();
    });
  });
}

}  // namespace ecomm::shipper
