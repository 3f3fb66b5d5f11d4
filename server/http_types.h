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

// Who a request acts as, once authenticated (SPEC "End-user authentication").
struct Caller {
  // The one userId the request may name or touch; none: any user (open mode, the
  // admin token, a token with the ecomm:admin scope).
  std::optional<std::string> user;
  // The namespace of its Idempotency-Keys: the token's subject; empty: the shared one.
  std::string key_owner;

  bool MayActFor(std::string_view user_id) const { return !user || *user == user_id; }
};

struct Request {
  std::string method;                        // "GET", "POST", ...
  std::string path;                          // the path as sent (percent-encoded)
  std::vector<std::string> segments;         // the path's segments, each decoded
  std::map<std::string, std::string> query;  // decoded; the first of repeated names
  std::string body;
  std::optional<std::string> authorization;    // the Authorization header
  std::optional<std::string> idempotency_key;  // the Idempotency-Key header
  std::optional<std::string> content_type;     // the Content-Type header
  std::optional<std::string> min_lsn;          // the Ecomm-Min-Lsn header (read your writes)
  bool from_loopback = false;
  std::vector<std::string> path_params;  // filled by the router: the {id} segments
  Caller caller;                         // filled by authentication
};

struct Response {
  Response() = default;
  Response(int status, std::string content_type, std::string body)
      : status(status), content_type(std::move(content_type)), body(std::move(body)) {}

  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // When set, the body is this file's bytes instead (GET /admin/snapshot), sent from
  // the file as the client reads; a file gone by then is answered 503.
  std::string body_file;
  std::optional<std::string> www_authenticate;  // the challenge of a 401 or 403
  std::optional<std::string> allow;             // a 405's methods of the path (RFC 9110)
  // Further headers: Ecomm-Lsn of a mutation, Ecomm-Primary of a 421, Retry-After.
  std::vector<std::pair<std::string, std::string>> headers;
};

// How a handler answers: now, or later from another thread (once a commit is durable).
using Reply = std::function<void(Response)>;

}  // namespace ecomm::server
