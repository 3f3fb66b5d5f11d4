#include "http_endpoint.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

#include "ecomm/json_writer.h"

namespace ecomm::tools {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// A client that sends nothing for this long (or does not read its answer) is closed.
constexpr std::chrono::seconds kIdleTimeout{30};
// Requests here are a line and a few headers; these bound what one client may send.
constexpr uint32_t kHeaderLimit = 8 << 10;
constexpr uint64_t kBodyLimit = 8 << 10;

using Response = http::response<http::string_body>;
using Pages = std::map<std::string, EndpointPage, std::less<>>;

Response Answer(const http::request<http::string_body>& request, const Pages& pages) {
  std::string_view target(request.target().data(), request.target().size());
  target = target.substr(0, target.find('?'));
  Response response;
  response.version(request.version());
  response.keep_alive(request.keep_alive());
  auto problem = [&](http::status status, std::string_view title) {
    response.result(status);
    response.set(http::field::content_type, "application/problem+json");
    JsonWriter w;
    w.StartObject();
    w.Field("type", "about:blank");
    w.Field("title", title);
    w.Field("status", static_cast<int>(status));
    w.EndObject();
    response.body() = w.Take();
  };
  auto page = pages.find(target);
  if (page == pages.end()) {
    problem(http::status::not_found, "Not Found");
  } else if (request.method() != http::verb::get) {
    problem(http::status::method_not_allowed, "Method Not Allowed");
    response.set(http::field::allow, "GET");
  } else {
    response.result(http::status::ok);
    response.set(http::field::content_type, page->second.content_type);
    response.body() = page->second.render();
  }
  response.prepare_payload();
  return response;
}

// One connection: read a request, write its answer, again until either side closes.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Pages& pages) : stream_(std::move(socket)), pages_(pages) {}

  void Read() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(kBodyLimit);
    stream_.expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (!ec) self->Write();
                     });
  }

 private:
  void Write() {
    response_ = Answer(parser_->get(), pages_);
    stream_.expires_after(kIdleTimeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return;
                        if (self->response_.keep_alive()) {
                          self->Read();
                        } else {
                          beast::error_code ignored;
                          self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                        }
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  const Pages& pages_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Response response_;
};

}  // namespace

struct HttpEndpoint::Impl {
  explicit Impl(std::map<std::string, EndpointPage> served)
      : pages(served.begin(), served.end()), acceptor(io), retry(io) {}

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (ec) {
        // Out of descriptors or memory: retry after a pause instead of spinning on an
        // error that repeats until some connection closes.
        std::fprintf(stderr, "%s: accept: %s\n", program_invocation_short_name,
                     ec.message().c_str());
        retry.expires_after(std::chrono::milliseconds(100));
        retry.async_wait([this](beast::error_code wait) {
          if (!wait) Accept();
        });
        return;
      }
      std::make_shared<Session>(std::move(socket), pages)->Read();
      Accept();
    });
  }

  const Pages pages;
  asio::io_context io;
  tcp::acceptor acceptor;
  asio::steady_timer retry;
  std::thread thread;
};

std::unique_ptr<HttpEndpoint> HttpEndpoint::Start(const std::string& host, uint16_t port,
                                                  std::map<std::string, EndpointPage> pages,
                                                  std::string* error) {
  auto impl = std::make_unique<Impl>(std::move(pages));
  beast::error_code ec;
  asio::ip::address address = asio::ip::make_address(host, ec);
  if (!ec) impl->acceptor.open(address.is_v6() ? tcp::v6() : tcp::v4(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(tcp::endpoint(address, port), ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message();
    return nullptr;
  }
  impl->Accept();
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<HttpEndpoint>(new HttpEndpoint(std::move(impl)));
}

HttpEndpoint::HttpEndpoint(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpEndpoint::~HttpEndpoint() {
  impl_->io.stop();
  impl_->thread.join();
}

uint16_t HttpEndpoint::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace ecomm::tools
