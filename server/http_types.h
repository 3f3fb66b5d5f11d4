#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The server's own view of one HTTP exchange, independent of Beast, so handlers and
// their tests need no sockets.
namespace ecomm::server {

struct Request {
  std::string method;                        // "GET", "POST", ...
  std::string path;                          // the path as sent (percent-encoded)
  std::vector<std::string> segments;         // the path's segments, each decoded
  std::map<std::string, std::string> query;  // decoded; the first of repeated names
  std::string body;
  std::optional<std::string> authorization;    // the Authorization header
  std::optional<std::string> idempotency_key;  // the Idempotency-Key header
  std::optional<std::string> content_type;     // the Content-Type header
  bool from_loopback = false;
  std::vector<std::string> path_params;  // filled by the router: the {id} segments
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// How a handler answers: now, or later from another thread (once a commit is durable).
using Reply = std::function<void(Response)>;

}  // namespace ecomm::server
