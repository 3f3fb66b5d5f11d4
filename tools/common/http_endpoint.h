#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

// The small HTTP endpoint a sidecar serves its answers on (ecomm-stats' GET /top,
// ecomm-shipper's GET /metrics): HTTP/1.1 with keep-alive on one thread of its own
// (Boost.Beast, asynchronous, so an idle keep-alive client blocks nobody), bounded
// requests, idle clients closed. Every other path is 404, another method 405.
namespace ecomm::tools {

// One GET path's answer, rendered on the endpoint's thread at each request.
struct EndpointPage {
  std::string content_type;
  std::function<std::string()> render;
};

class HttpEndpoint {
 public:
  // Binds `host`:`port` (0: any free port) and starts serving `pages` by path;
  // nothing, with `*error`, when the address is unusable.
  static std::unique_ptr<HttpEndpoint> Start(const std::string& host, uint16_t port,
                                             std::map<std::string, EndpointPage> pages,
                                             std::string* error);
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

}  // namespace ecomm::tools
