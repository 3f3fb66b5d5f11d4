#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api.h"

namespace boost::asio::ssl {
class context;
}

namespace ecomm::server {

// What one client may hold of the server, and for how long (SPEC "Failures and
// limits"). Every wait on a client has a deadline; every buffer has a bound.
struct HttpOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (tests)
  int threads = 2;
  int max_connections = 10'000;      // past it a new connection is closed at once
  uint64_t body_limit = 1 << 20;     // 413 past it, enforced while reading
  uint32_t header_limit = 16 << 10;  // request line and headers; 400 past it
  // A new connection's first request line and headers, or a later request's from its
  // first byte: a slowloris client is closed (without an answer) at this deadline.
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_timeout{30'000};   // from the headers; then 408
  std::chrono::milliseconds idle_timeout{60'000};   // keep-alive with nothing sent
  std::chrono::milliseconds write_timeout{15'000};  // a client that does not read
  // After an answer to a request whose body was not read (413, malformed), what is
  // read and discarded before closing, so the client sees the answer, not a reset.
  uint64_t drain_limit = 8 << 20;
  std::chrono::milliseconds drain_timeout{5'000};
  // HTTPS when set (--tls-cert, --tls-key; tls_context.h), shared by every connection.
  // A new connection's TLS handshake counts against its header_timeout: the handshake
  // and the first request's headers must both arrive within it.
  std::shared_ptr<boost::asio::ssl::context> tls;
};

// What sessions share with the server: open connections, requests read but not yet
// answered, and whether a graceful stop has begun (then a connection closes after its
// answer).
struct ServingState {
  std::atomic<int> connections{0};
  std::atomic<int> in_flight{0};
  std::atomic<bool> draining{false};
  // What the limits did, for /metrics.
  std::atomic<uint64_t> refused{0};                 // closed at accept: over max_connections
  std::atomic<uint64_t> tls_handshake_failures{0};  // HTTPS only
  std::array<std::atomic<uint64_t>, 5> timeouts{};  // by TimeoutKind
};

// The deadlines a client can miss, as counted in ServingState::timeouts.
enum class TimeoutKind : uint8_t { kHeader, kBody, kIdle, kWrite, kHandshake };

// HTTP/1.1 on Boost.Asio + Beast: asynchronous, keep-alive and pipelining. Each of
// `threads` threads runs its own io_context; a connection lives on one of them (dealt
// round-robin at accept), so its handlers never race and need no strand, and threads
// share no scheduler lock. A connection costs a socket and a buffer, not a thread.
// With HttpOptions::tls every connection is HTTPS (the same session over an SSL stream).
class HttpServer {
 public:
  HttpServer(Api& api, HttpOptions options);
  ~HttpServer();

  // Binds and starts serving; false (with `*error`) when the address is unusable. Plain
  // HTTP on an address beyond loopback is logged: a TLS-terminating proxy must front it.
  bool Start(std::string* error);
  uint16_t port() const { return port_; }
  // Prometheus text: open connections, connections refused, deadlines missed.
  void AppendPrometheus(std::string* out) const;
  // Stops accepting, lets every request already read be answered and written (up to
  // `grace`), closing each connection after its answer, then stops.
  void Stop(std::chrono::milliseconds grace);

 private:
  using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp,
                                                  boost::asio::io_context::executor_type>;

  void Accept();
  // Serves an accepted connection, or says why accepting must pause (false: it will
  // resume by itself).
  bool OnAccepted(const boost::system::error_code& error, Socket socket);
  // The context the next connection goes to; OnAccepted moves it on (round-robin)
  // once a connection is served there.
  boost::asio::io_context& NextContext();
  // Accepting failed for want of descriptors or memory: retry after a pause instead
  // of spinning on an error that repeats until some connection closes.
  void AcceptLater(const boost::system::error_code& error);

  Api& api_;
  HttpOptions options_;
  ServingState state_;
  // One per thread; contexts_[0] also runs the acceptor.
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  size_t next_context_ = 0;  // the acceptor's: where the next connection goes
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_backoff_;
  uint64_t accept_failures_ = 0;  // in the current run of failed accepts
  uint16_t port_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace ecomm::server
