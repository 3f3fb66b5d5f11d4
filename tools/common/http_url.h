#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ecomm/result.h"

// The URL a program is told to talk to (ecomm-load's --url, a replica's primary or
// --bootstrap-from), and the one rule about what may be sent to it: a bearer token,
// an admin token or a snapshot never crosses a network in clear (SPEC "TLS").
namespace ecomm::tools {

struct HttpUrl {
  bool https = false;
  std::string host;  // without brackets for IPv6
  uint16_t port = 0;

  // "https://host:port", brackets around an IPv6 host: what cpp-httplib's Client takes.
  std::string Origin() const;
};

// "http://HOST[:PORT][/]" or "https://..." (port 80 or 443 by default); anything else,
// a path included, is kInvalidArgument saying why.
Result<HttpUrl> ParseHttpUrl(std::string_view text);

// OK when `what` (e.g. "the admin token", "a snapshot") may be sent to `url`: over
// https, or over http to a loopback host. Otherwise kInvalidArgument saying so, which
// callers turn into exit status 2 before they send anything.
Status CheckMaySendSecret(const HttpUrl& url, std::string_view what);

}  // namespace ecomm::tools
