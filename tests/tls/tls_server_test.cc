// ecomm-server with --tls-cert and --tls-key (SPEC "TLS"), the real binary over real
// sockets: verified clients are served (a read and a mutation), every client the server
// must not serve is refused and costs only its own connection, the handshake has a
// deadline, a last answer ends with close_notify, and SIGTERM still exits 0.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "e2e/support/child_process.h"
#include "e2e/support/http_helpers.h"
#include "e2e/support/server_process.h"
#include "http_client.h"
#include "tls/test_pki.h"

namespace ecomm::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// An HTTPS client for 127.0.0.1:`port` (or `host`) trusting `ca_file`.
std::unique_ptr<httplib::Client> HttpsClient(int port, const std::string& ca_file,
                                             const std::string& host = "127.0.0.1") {
  Result<tools::HttpUrl> url = tools::ParseHttpUrl("https://" + host + ":" + std::to_string(port));
  REQUIRE(url.ok());
  auto client = tools::MakeHttpClient(*url, ca_file);
  REQUIRE(client.ok());
  (*client)->set_connection_timeout(std::chrono::seconds(10));
  (*client)->set_read_timeout(std::chrono::seconds(30));
  return std::move(client).value();
}

// The real server serving HTTPS with the test CA's certificate (or `cert`, `key`).
struct TlsServer {
  explicit TlsServer(const TestPki& pki, std::vector<std::string> extra = {})
      : process(Flags(pki.server_cert(), pki.server_key(), std::move(extra))) {
    process.Start();
  }
  TlsServer(const std::string& cert, const std::string& key) : process(Flags(cert, key, {})) {
    process.Start();
  }
  ~TlsServer() {
    if (process.pid() > 0) process.Kill();
  }
  static std::vector<std::string> Flags(const std::string& cert, const std::string& key,
                                        std::vector<std::string> extra) {
    std::vector<std::string> flags = {"--tls-cert", cert, "--tls-key", key};
    flags.insert(flags.end(), extra.begin(), extra.end());
    return flags;
  }
  ServerProcess process;
};

// A TLS client on OpenSSL's C API, for what cpp-httplib does not let a test choose:
// the protocol versions offered, and how the server ends the connection.
class RawTlsClient {
 public:
  RawTlsClient(int port, const std::string& ca_file, int max_version = 0) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    timeval timeout{10, 0};  // a server that never answers fails the test, not hangs it
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    ctx_ = SSL_CTX_new(TLS_client_method());
    REQUIRE(ctx_ != nullptr);
    // OpenSSL 3 offers TLS 1.0 and 1.1 only at security level 0: this client must
    // really offer them, so that a refusal is the server's.
    SSL_CTX_set_security_level(ctx_, 0);
    REQUIRE(SSL_CTX_set_cipher_list(ctx_, "DEFAULT:@SECLEVEL=0") == 1);
    SSL_CTX_set_min_proto_version(ctx_, TLS1_VERSION);
    if (max_version != 0) SSL_CTX_set_max_proto_version(ctx_, max_version);
    REQUIRE(SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr) == 1);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    ssl_ = SSL_new(ctx_);
    REQUIRE(ssl_ != nullptr);
    SSL_set_fd(ssl_, fd_);
  }
  ~RawTlsClient() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
    close(fd_);
  }
  RawTlsClient(const RawTlsClient&) = delete;
  RawTlsClient& operator=(const RawTlsClient&) = delete;

  // True once the handshake succeeded; else false with OpenSSL's reason in error().
  bool Handshake() {
    ERR_clear_error();
    if (SSL_connect(ssl_) == 1) return true;
    char reason[256] = "no OpenSSL error queued";
    if (unsigned long code = ERR_get_error(); code != 0) {
      ERR_error_string_n(code, reason, sizeof reason);
    }
    error_ = reason;
    return false;
  }
  const std::string& error() const { return error_; }
  std::string version() const { return SSL_get_version(ssl_); }

  bool Write(const std::string& bytes) {
    return SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) ==
           static_cast<int>(bytes.size());
  }
  // Everything until the connection ends; `*clean` when it ended with close_notify.
  std::string ReadToEnd(bool* clean) {
    std::string out;
    char chunk[16384];
    int n;
    while ((n = SSL_read(ssl_, chunk, sizeof chunk)) > 0) out.append(chunk, static_cast<size_t>(n));
    *clean = SSL_get_error(ssl_, n) == SSL_ERROR_ZERO_RETURN;
    return out;
  }

 private:
  int fd_ = -1;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string error_;
};

TEST_CASE("a client trusting the CA gets /healthz and a mutation over HTTPS, and SIGTERM exits 0") {
  TestPki pki;
  TlsServer server(pki);
  for (const char* host : {"127.0.0.1", "localhost"}) {
    CAPTURE(host);
    auto client = HttpsClient(server.process.port(), pki.ca_cert(), host);
    CHECK(Get(*client, "/healthz").status == 200);
    std::string user = CreateUser(*client, 500);  // POST /users and /balance/charge
    CHECK(BalanceOf(*client, user) == 500);
  }
  std::string log = server.process.Log();
  CHECK(log.find("API reference at https://") != std::string::npos);
  CHECK(log.find("TLS-terminating proxy") == std::string::npos);  // TLS and loopback
  CHECK(server.process.Stop() == 0);
}

TEST_CASE("refused: a client trusting another CA, and a certificate for another host") {
  TestPki pki;
  TlsServer server(pki);
  HttpReply wrong_ca = Get(*HttpsClient(server.process.port(), pki.other_ca_cert()), "/healthz");
  CHECK(wrong_ca.status == 0);
  CHECK(wrong_ca.body.find("SSLServerVerification") != std::string::npos);
  // The server goes on serving everyone else.
  CHECK(Get(*HttpsClient(server.process.port(), pki.ca_cert()), "/healthz").status == 200);

  TlsServer elsewhere(pki.elsewhere_cert(), pki.elsewhere_key());
  HttpReply wrong_host = Get(*HttpsClient(elsewhere.process.port(), pki.ca_cert()), "/healthz");
  CHECK(wrong_host.status == 0);
  CHECK(wrong_host.body.find("SSLServerVerification") != std::string::npos);
}

TEST_CASE("plain HTTP to the HTTPS port is not served, and closes only that connection") {
  TestPki pki;
  TlsServer server(pki);
  auto client = HttpsClient(server.process.port(), pki.ca_cert());
  REQUIRE(Get(*client, "/healthz").status == 200);  // a keep-alive connection, open
  RawConnection plain(server.process.port());
  REQUIRE(plain.Send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  CHECK(plain.Read().status == 0);  // no HTTP answer: a TLS alert, then the end
  CHECK(Get(*client, "/healthz").status == 200);
  CHECK(MetricValue(*client, "ecomm_http_tls_handshake_failures_total") == 1);
}

TEST_CASE("a client offering TLS 1.1 at most is refused, the same client with TLS 1.2 is served") {
  TestPki pki;
  TlsServer server(pki);
  RawTlsClient old(server.process.port(), pki.ca_cert(), TLS1_1_VERSION);
  CHECK_FALSE(old.Handshake());
  CAPTURE(old.error());
  CHECK(old.error().find("protocol version") != std::string::npos);  // the server's alert

  RawTlsClient tls12(server.process.port(), pki.ca_cert(), TLS1_2_VERSION);
  REQUIRE(tls12.Handshake());
  CHECK(tls12.version() == "TLSv1.2");
  // A last answer (Connection: close) ends with the server's close_notify.
  REQUIRE(tls12.Write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
  bool clean = false;
  std::string answer = tls12.ReadToEnd(&clean);
  CHECK(answer.starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(clean);
}

TEST_CASE("the handshake has a deadline: a connection that never sends a ClientHello is closed") {
  TestPki pki;
  TlsServer server(pki, {"--header-timeout", "1s"});
  auto started = steady_clock::now();
  RawConnection silent(server.process.port());
  CHECK(silent.ClosedWithin(milliseconds(5000)));
  CHECK(steady_clock::now() - started >= milliseconds(900));
  // After a handshake the first request's headers have what is left of the same deadline.
  started = steady_clock::now();
  RawTlsClient quiet(server.process.port(), pki.ca_cert());
  REQUIRE(quiet.Handshake());
  bool clean = true;
  CHECK(quiet.ReadToEnd(&clean).empty());
  CHECK(steady_clock::now() - started < milliseconds(5000));

  auto client = HttpsClient(server.process.port(), pki.ca_cert());
  CHECK(MetricValue(*client, "ecomm_http_timeouts_total{awaiting=\"handshake\"}") == 1);
  CHECK(MetricValue(*client, "ecomm_http_timeouts_total{awaiting=\"header\"}") == 1);
  CHECK(MetricValue(*client, "ecomm_http_tls_handshake_failures_total") == 0);
}

TEST_CASE("plain HTTP beyond loopback: the server says at start that a TLS proxy must front it") {
  // ServerProcess listens on 127.0.0.1; this one listens on every interface.
  std::string dir =
      std::filesystem::temp_directory_path() / ("ecomm-tls-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  ChildProcess server(
      {ECOMM_SERVER_BIN, "--listen", "0.0.0.0:0", "--auth", "off", "--data-dir", dir + "/data"},
      dir + "/out", dir + "/err");
  std::string log;
  for (int i = 0; i < 1000 && log.find("listening on") == std::string::npos; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
    log = server.Stderr();
  }
  CAPTURE(log);
  CHECK(log.find("is not a loopback address and serves plain HTTP: a TLS-terminating proxy must "
                 "front it") != std::string::npos);
  CHECK(server.Stop() == 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ecomm::testing
