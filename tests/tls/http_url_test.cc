// tools/common's URLs (http_url.h) and clients (http_client.h): the parse, the rule
// that no token or snapshot is sent in clear beyond loopback, and the client's refusals
// of a CA file that cannot be used.
#include <doctest/doctest.h>

#include <string>

#include "http_client.h"
#include "http_url.h"
#include "loopback.h"
#include "tls/test_pki.h"

namespace ecomm::tools {
namespace {

TEST_CASE("ParseHttpUrl: the scheme, a host and a port (the scheme's by default), nothing else") {
  struct Good {
    const char* text;
    bool https;
    const char* host;
    uint16_t port;
    const char* origin;
  };
  for (const Good& good : {
           Good{"http://127.0.0.1:8080", false, "127.0.0.1", 8080, "http://127.0.0.1:8080"},
           Good{"http://127.0.0.1:8080/", false, "127.0.0.1", 8080, "http://127.0.0.1:8080"},
           Good{"https://shop.example", true, "shop.example", 443, "https://shop.example:443"},
           Good{"http://shop.example", false, "shop.example", 80, "http://shop.example:80"},
           Good{"https://[::1]:8443", true, "::1", 8443, "https://[::1]:8443"},
           Good{"https://[::1]", true, "::1", 443, "https://[::1]:443"},
       }) {
    CAPTURE(good.text);
    Result<HttpUrl> url = ParseHttpUrl(good.text);
    REQUIRE(url.ok());
    CHECK(url->https == good.https);
    CHECK(url->host == good.host);
    CHECK(url->port == good.port);
    CHECK(url->Origin() == good.origin);
  }
  for (const char* bad :
       {"", "127.0.0.1:8080", "ftp://host:21", "http://", "https://:443", "http://host:0",
        "http://host:65536", "http://host:port", "http://host:8080/path", "http://user@host:8080",
        "http://host?x=1", "http://[]:80"}) {
    CAPTURE(bad);
    Result<HttpUrl> url = ParseHttpUrl(bad);
    REQUIRE_FALSE(url.ok());
    CHECK(url.code() == ErrorCode::kInvalidArgument);
    CHECK(url.status().message().starts_with("URL '" + std::string(bad) + "': "));
  }
}

TEST_CASE("IsLoopbackHost: 127/8, ::1 (also IPv4-mapped) and localhost, no other name") {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "localhost"}) {
    CAPTURE(host);
    CHECK(IsLoopbackHost(host));
  }
  for (const char* host : {"0.0.0.0", "::", "10.0.0.1", "::ffff:10.0.0.1", "192.168.1.1",
                           "localhost.example", "shop.example", ""}) {
    CAPTURE(host);
    CHECK_FALSE(IsLoopbackHost(host));
  }
}

TEST_CASE("CheckMaySendSecret: https anywhere, http only to loopback") {
  auto check = [](const char* url, const char* what) {
    Result<HttpUrl> parsed = ParseHttpUrl(url);
    REQUIRE(parsed.ok());
    return CheckMaySendSecret(*parsed, what);
  };
  for (const char* url :
       {"http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080",
        "https://127.0.0.1:8443", "https://10.0.0.7:8443", "https://shop.example"}) {
    CAPTURE(url);
    CHECK(check(url, "the admin token").ok());
  }
  for (const char* url : {"http://10.0.0.7:8080", "http://shop.example", "http://0.0.0.0:8080",
                          "http://[2001:db8::1]:8080"}) {
    CAPTURE(url);
    Status refused = check(url, "a snapshot");
    CHECK(refused.code() == ErrorCode::kInvalidArgument);
    CHECK(refused.message().starts_with("refusing to send a snapshot to http://"));
    CHECK(refused.message().find("in clear") != std::string::npos);
    CHECK(refused.message().find("https://") != std::string::npos);
  }
}

TEST_CASE("MakeHttpClient: a CA file is checked before any connection") {
  testing::TestPki pki;
  Result<HttpUrl> https = ParseHttpUrl("https://127.0.0.1:1");
  Result<HttpUrl> http = ParseHttpUrl("http://127.0.0.1:1");
  REQUIRE(https.ok());
  REQUIRE(http.ok());
  CHECK(MakeHttpClient(*https, pki.ca_cert()).ok());
  CHECK(MakeHttpClient(*https, "").ok());  // the system's CAs
  CHECK(MakeHttpClient(*http, "").ok());

  Result<std::unique_ptr<httplib::Client>> missing = MakeHttpClient(*https, pki.missing());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.code() == ErrorCode::kInvalidArgument);
  CHECK(missing.status().message() == "--tls-ca " + pki.missing() + ": No such file or directory");

  Result<std::unique_ptr<httplib::Client>> garbage = MakeHttpClient(*https, pki.garbage());
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.status().message() == "--tls-ca " + pki.garbage() + ": no PEM certificate in it");

  Result<std::unique_ptr<httplib::Client>> plain = MakeHttpClient(*http, pki.ca_cert());
  REQUIRE_FALSE(plain.ok());
  CHECK(plain.status().message().find("--tls-ca is for https:// URLs") != std::string::npos);
}

}  // namespace
}  // namespace ecomm::tools
