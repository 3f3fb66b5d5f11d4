#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <string>
#include <thread>

// A minimal HTTP endpoint on its own thread for a sidecar's Prometheus text: every
// GET /metrics is answered with what `render` returns, anything else with 404. One
// request per connection; no keep-alive, no pipelining, nothing a scraper needs more.
namespace ecomm::shipper {

class MetricsEndpoint {
 public:
  explicit MetricsEndpoint(std::function<std::string()> render);
  ~MetricsEndpoint();

  // Listens on HOST:PORT; false with `*error` when it cannot.
  bool Start(const std::string& host_port, std::string* error);

 private:
  void Accept();

  std::function<std::string()> render_;
  boost::asio::io_context context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_;
  std::thread thread_;
};

}  // namespace ecomm::shipper
