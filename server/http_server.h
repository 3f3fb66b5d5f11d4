#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api.h"

namespace ecomm::server {

struct HttpOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (tests)
  int threads = 2;
  uint64_t body_limit = 1 << 20;          // 413 past it, enforced while reading
  std::chrono::seconds idle_timeout{60};  // a keep-alive connection with nothing to say
  std::chrono::seconds read_timeout{15};  // a request that trickles in too slowly
};

// What sessions share with the server: requests read but not yet answered, and
// whether a graceful stop has begun (then a connection closes after its answer).
struct ServingState {
  std::atomic<int> in_flight{0};
  std::atomic<bool> draining{false};
};

// HTTP/1.1 on Boost.Asio + Beast: asynchronous, keep-alive and pipelining. Each of
// `threads` threads runs its own io_context; a connection lives on one of them (dealt
// round-robin at accept), so its handlers never race and need no strand, and threads
// share no scheduler lock. A connection costs a socket and a buffer, not a thread.
class HttpServer {
 public:
  HttpServer(Api& api, HttpOptions options);
  ~HttpServer();

  // Binds and starts serving; false (with `*error`) when the address is unusable.
  bool Start(std::string* error);
  uint16_t port() const { return port_; }
  // Stops accepting, lets every request already read be answered and written (up to
  // `grace`), closing each connection after its answer, then stops.
  void Stop(std::chrono::milliseconds grace);

 private:
  void Accept();

  Api& api_;
  HttpOptions options_;
  ServingState state_;
  // One per thread; contexts_[0] also runs the acceptor.
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  size_t next_context_ = 0;  // the acceptor's: where the next connection goes
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace ecomm::server
