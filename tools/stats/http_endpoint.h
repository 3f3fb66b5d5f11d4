#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "stats_board.h"

namespace ecomm::stats {

// GET /top and GET /healthz over HTTP/1.1 with keep-alive, on one thread of its own
// (Boost.Beast, asynchronous, so an idle keep-alive client blocks nobody). Answers
// come from the board as published; every other path is 404, another method 405.
class HttpEndpoint {
 public:
  // Binds `host`:`port` (0: any free port) and starts serving; nothing, with
  // `*error`, when the address is unusable.
  static std::unique_ptr<HttpEndpoint> Start(const std::string& host, uint16_t port,
                                             const StatsBoard& board, std::string* error);
  // Stops serving and joins the thread.
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  uint16_t port() const;

 private:
  struct Impl;  // keeps Boost out of the other translation units (slow to compile)
  explicit HttpEndpoint(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ecomm::stats
