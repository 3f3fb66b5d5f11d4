#include "http_url.h"

#include "cli_flags.h"
#include "loopback.h"

namespace ecomm::tools {

std::string HttpUrl::Origin() const {
  bool v6 = host.find(':') != std::string::npos;
  return std::string(https ? "https://" : "http://") + (v6 ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

Result<HttpUrl> ParseHttpUrl(std::string_view text) {
  auto refuse = [text](std::string_view why) {
    return Status::InvalidArgument("URL '" + std::string(text) + "': " + std::string(why));
  };
  HttpUrl url;
  std::string_view rest = text;
  if (rest.starts_with("https://")) {
    url.https = true;
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    return refuse("not http:// or https://");
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find_first_of("/?#@") != std::string_view::npos) {
    return refuse("give the scheme, host and port only (no path, query or user)");
  }
  // HOST:PORT, or HOST alone (the scheme's port); a bare IPv6 address needs brackets.
  bool has_port = !rest.empty() && rest.back() != ']' && rest.rfind(':') != std::string_view::npos;
  if (has_port) {
    if (!ParseHostPort(rest, &url.host, &url.port) || url.port == 0) {
      return refuse("the port is not 1..65535");
    }
  } else {
    if (rest.size() > 2 && rest.front() == '[' && rest.back() == ']') {
      rest = rest.substr(1, rest.size() - 2);
    }
    url.host = std::string(rest);
    url.port = url.https ? 443 : 80;
  }
  if (url.host.empty() || url.host.find_first_of("[]") != std::string::npos) {
    return refuse("no host");
  }
  return url;
}

Status CheckMaySendSecret(const HttpUrl& url, std::string_view what) {
  if (url.https || IsLoopbackHost(url.host)) return Status::Ok();
  return Status::InvalidArgument("refusing to send " + std::string(what) + " to " + url.Origin() +
                                 " in clear: it is not a loopback address; use https:// (with "
                                 "--tls-ca) or a TLS-terminating proxy");
}

}  // namespace ecomm::tools
