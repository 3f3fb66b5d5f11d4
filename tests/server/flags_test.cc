#include "flags.h"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "tls/test_pki.h"

namespace ecomm::server {
namespace {

struct Parsed {
  std::optional<ServerFlags> flags;
  std::string message;
  int exit_code = -1;
};

Parsed Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "ecomm-server");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  Parsed parsed;
  parsed.flags =
      ParseFlags(static_cast<int>(argv.size()), argv.data(), &parsed.message, &parsed.exit_code);
  return parsed;
}

TEST_CASE("the tools library's command line: --help, --name=value, the last value, the env") {
  Parsed help = Parse({"--help"});
  CHECK_FALSE(help.flags.has_value());
  CHECK(help.exit_code == 0);
  CHECK(help.message.find("Usage: ecomm-server") != std::string::npos);
  CHECK(help.message.find("--idempotency-ttl") != std::string::npos);

  Parsed unknown = Parse({"--bogus"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.message.starts_with("ecomm-server: "));
  CHECK(unknown.message.ends_with("; see --help\n"));

  Parsed both = Parse({"--threads=3", "--data-dir", "/tmp/d", "--threads", "5", "--fsync=off"});
  REQUIRE(both.flags.has_value());
  CHECK(both.flags->http.threads == 5);
  CHECK(both.flags->database.data_dir == "/tmp/d");
  CHECK(both.flags->database.sync.ToString() == "off");

  Parsed defaults = Parse({});
  CHECK(defaults.flags->http.host == "127.0.0.1");
  CHECK(defaults.flags->http.port == 8080);
  CHECK(defaults.flags->http.threads == 2);
  CHECK(defaults.flags->database.data_dir == "./data");
  CHECK(defaults.flags->database.recovery == wal::RecoveryMode::kStrict);
  CHECK(Parse({"--recover=truncate"}).flags->database.recovery == wal::RecoveryMode::kTruncate);
  CHECK(Parse({"--header-timeout=500ms"}).flags->http.header_timeout.count() == 500);

  CHECK(Parse({"--admin-token=flag"}).flags->api.auth.admin_token == "flag");
  ::setenv("ECOMM_ADMIN_TOKEN", "env", 1);
  CHECK(Parse({}).flags->api.auth.admin_token == "env");
  CHECK(Parse({"--admin-token", "flag"}).flags->api.auth.admin_token == "flag");
  ::unsetenv("ECOMM_ADMIN_TOKEN");
  CHECK_FALSE(Parse({}).flags->api.auth.admin_token.has_value());
}

TEST_CASE("--segment-bytes sets the WAL's segment size within 4 KiB..1 TiB") {
  Parsed parsed = Parse({"--segment-bytes", "65536"});
  REQUIRE(parsed.flags.has_value());
  CHECK(parsed.flags->database.segment_bytes == 65536);
  CHECK(Parse({}).flags->database.segment_bytes == uint64_t{64} << 20);

  for (const char* bad : {"4095", "0", "-1", "64k", "1099511627777"}) {
    CAPTURE(bad);
    Parsed refused = Parse({"--segment-bytes", bad});
    CHECK_FALSE(refused.flags.has_value());
    CHECK(refused.exit_code == 2);
    CHECK(refused.message.find("--segment-bytes takes") != std::string::npos);
  }
  CHECK_FALSE(Parse({"--segment-bytes"}).flags.has_value());
}

TEST_CASE("--idempotency-ttl takes a duration with a unit, 24 h by default") {
  CHECK(Parse({}).flags->database.idempotency_ttl_ms == 86'400'000);
  CHECK(Parse({"--idempotency-ttl", "36h"}).flags->database.idempotency_ttl_ms == 129'600'000);
  CHECK(Parse({"--idempotency-ttl=7d"}).flags->database.idempotency_ttl_ms == 604'800'000);
  CHECK(Parse({"--idempotency-ttl", "90s"}).flags->database.idempotency_ttl_ms == 90'000);
  for (const char* bad : {"0h", "24", "-1h", "1y", "3651d", "h"}) {
    CAPTURE(bad);
    Parsed refused = Parse({"--idempotency-ttl", bad});
    CHECK_FALSE(refused.flags.has_value());
    CHECK(refused.message.find("--idempotency-ttl takes") != std::string::npos);
  }
}

TEST_CASE("--fsync-timeout takes a duration, 30 s by default, 0 for none") {
  CHECK(Parse({}).flags->database.sync_timeout_ms == 30'000);
  CHECK(Parse({"--fsync-timeout", "5s"}).flags->database.sync_timeout_ms == 5'000);
  CHECK(Parse({"--fsync-timeout=250ms"}).flags->database.sync_timeout_ms == 250);
  CHECK(Parse({"--fsync-timeout", "0"}).flags->database.sync_timeout_ms == 0);
  for (const char* bad : {"30", "2h", "-1s", "s"}) {
    CAPTURE(bad);
    Parsed refused = Parse({"--fsync-timeout", bad});
    CHECK_FALSE(refused.flags.has_value());
    CHECK(refused.message.find("--fsync-timeout takes") != std::string::npos);
  }
}

TEST_CASE("--snapshot-every takes a record count, 0 for shutdown only") {
  CHECK(Parse({"--snapshot-every", "0"}).flags->database.snapshot_every == 0);
  CHECK(Parse({"--snapshot-every", "500"}).flags->database.snapshot_every == 500);
  CHECK_FALSE(Parse({"--snapshot-every", "x"}).flags.has_value());
}

TEST_CASE("--auth: off by default on loopback, jwt needs one key, the --jwt-* flags need jwt") {
  Parsed open = Parse({});
  REQUIRE(open.flags.has_value());
  CHECK_FALSE(open.flags->jwt.has_value());

  Parsed jwt = Parse({"--auth", "jwt", "--jwt-key", "pub.pem", "--jwt-issuer", "https://idp",
                      "--jwt-audience", "ecomm"});
  REQUIRE(jwt.flags.has_value());
  REQUIRE(jwt.flags->jwt.has_value());
  CHECK(jwt.flags->jwt->key_file == "pub.pem");
  CHECK(jwt.flags->jwt->issuer == "https://idp");
  CHECK(jwt.flags->jwt->audience == "ecomm");
  Parsed hs = Parse({"--auth=jwt", "--jwt-hs256-secret-file=secret"});
  REQUIRE(hs.flags.has_value());
  CHECK(hs.flags->jwt->hs256_secret_file == "secret");

  struct Refused {
    std::vector<std::string> args;
    const char* says;
  };
  for (const Refused& bad : std::vector<Refused>{
           {{"--auth", "basic"}, "--auth takes off or jwt"},
           {{"--auth", "jwt"}, "exactly one of --jwt-key and --jwt-hs256-secret-file"},
           {{"--auth", "jwt", "--jwt-key", "a", "--jwt-hs256-secret-file", "b"}, "exactly one"},
           {{"--jwt-key", "pub.pem"}, "need --auth jwt"},
           {{"--auth", "off", "--jwt-audience", "x"}, "need --auth jwt"},
       }) {
    Parsed refused = Parse(bad.args);
    CAPTURE(refused.message);
    CHECK_FALSE(refused.flags.has_value());
    CHECK(refused.exit_code == 2);
    CHECK(refused.message.find(bad.says) != std::string::npos);
  }
}

TEST_CASE("protected mode: a non-loopback --listen needs an explicit --auth") {
  for (const char* host : {"0.0.0.0:8080", "192.0.2.7:8080", "[::]:8080", "example.com:80"}) {
    CAPTURE(host);
    Parsed refused = Parse({"--listen", host});
    CHECK_FALSE(refused.flags.has_value());
    CHECK(refused.exit_code == 2);
    CHECK(refused.message.find("is not a loopback address") != std::string::npos);
    CHECK(Parse({"--listen", host, "--auth", "off"}).flags.has_value());
    CHECK(Parse({"--listen", host, "--auth", "jwt", "--jwt-key", "k.pem"}).flags.has_value());
  }
  for (const char* host : {"127.0.0.1:8080", "127.9.9.9:1", "[::1]:8080", "localhost:8080"}) {
    CAPTURE(host);
    CHECK(Parse({"--listen", host}).flags.has_value());
  }
  CHECK(Parse({"--listen", "[::1]:8080"}).flags->http.host == "::1");
  CHECK(Parse({"--listen", "localhost:8080"}).flags->http.host == "127.0.0.1");
}

TEST_CASE("--replication kafka needs --brokers and --advertise-url, and excludes --demo-data") {
  const std::vector<std::string> replica = {"--replication",   "kafka",
                                            "--brokers",       "127.0.0.1:9092",
                                            "--advertise-url", "http://10.0.0.2:8080"};
  Parsed parsed = Parse(replica);
  REQUIRE(parsed.flags.has_value());
  REQUIRE(parsed.flags->replication.has_value());
  CHECK(parsed.flags->replication->brokers == "127.0.0.1:9092");
  CHECK(parsed.flags->replication->log_topic == "ecomm.log");
  CHECK(parsed.flags->replication->data_dir == "./data");
  CHECK(parsed.flags->api.max_read_wait == std::chrono::seconds(2));
  CHECK_FALSE(Parse({}).flags->replication.has_value());
  CHECK_FALSE(parsed.flags->replication->failover_auto);
  std::vector<std::string> automatic = replica;
  automatic.insert(automatic.end(),
                   {"--failover", "auto", "--failover-timeout", "3s", "--lease-topic", "shop.lease",
                    "--bootstrap-from", "https://10.0.0.3:8443"});
  Parsed auto_parsed = Parse(automatic);
  REQUIRE(auto_parsed.flags.has_value());
  CHECK(auto_parsed.flags->replication->failover_auto);
  CHECK(auto_parsed.flags->replication->failover_timeout == std::chrono::seconds(3));
  CHECK(auto_parsed.flags->replication->lease_topic == "shop.lease");
  CHECK(auto_parsed.flags->replication->failover_group == "ecomm-failover");
  CHECK(auto_parsed.flags->bootstrap_from == "https://10.0.0.3:8443");

  struct Bad {
    std::vector<std::string> args;
    const char* says;
  };
  const Bad refusals[] = {
      {{"--replication", "kafka", "--advertise-url", "http://a"}, "needs --brokers"},
      {{"--replication", "kafka", "--brokers", "b:1"}, "needs --advertise-url"},
      {{"--replication", "raft"}, "--replication"},
      {{"--brokers", "b:1"}, "need --replication kafka"},
      {{"--failover", "auto"}, "need --replication kafka"},
      {{"--bootstrap-from", "http://127.0.0.1:1"}, "need --replication kafka"},
      {{"--replication", "kafka", "--brokers", "b:1", "--advertise-url", "http://a", "--failover",
        "raft"},
       "--failover"},
      // A snapshot and the admin token never go to a non-loopback http:// URL.
      {{"--replication", "kafka", "--brokers", "b:1", "--advertise-url", "http://a",
        "--bootstrap-from", "http://10.0.0.3:8080"},
       "--bootstrap-from"},
  };
  for (const Bad& bad : refusals) {
    CAPTURE(bad.says);
    Parsed refused = Parse(bad.args);
    CHECK_FALSE(refused.flags.has_value());
    CHECK(refused.exit_code == 2);
    CHECK(refused.message.find(bad.says) != std::string::npos);
  }
  std::vector<std::string> with_demo = replica;
  with_demo.push_back("--demo-data");
  CHECK(Parse(with_demo).message.find("--demo-data cannot be used with --replication") !=
        std::string::npos);
}

TEST_CASE("--tls-cert and --tls-key: both or neither, each file read and checked at start") {
  testing::TestPki pki;
  CHECK(Parse({}).flags->http.tls == nullptr);
  Parsed served = Parse({"--tls-cert", pki.server_cert(), "--tls-key", pki.server_key()});
  REQUIRE(served.flags.has_value());
  CHECK(served.flags->http.tls != nullptr);
  // HTTPS does not lift protected mode: end users still need --auth on a public address.
  CHECK(Parse({"--listen", "0.0.0.0:8443", "--tls-cert", pki.server_cert(), "--tls-key",
               pki.server_key()})
            .exit_code == 2);

  struct Bad {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Bad> bad_lines = {
      {{"--tls-cert", pki.server_cert()}, "--tls-cert and --tls-key go together"},
      {{"--tls-key", pki.server_key()}, "--tls-cert and --tls-key go together"},
      {{"--tls-cert", pki.missing(), "--tls-key", pki.server_key()},
       "--tls-cert " + pki.missing() + ": No such file or directory"},
      {{"--tls-cert", pki.server_cert(), "--tls-key", pki.missing()},
       "--tls-key " + pki.missing() + ": No such file or directory"},
      {{"--tls-cert", pki.garbage(), "--tls-key", pki.server_key()},
       "--tls-cert " + pki.garbage() + ": not a PEM certificate chain"},
      {{"--tls-cert", pki.server_cert(), "--tls-key", pki.garbage()},
       "--tls-key " + pki.garbage() + ": not an unencrypted PEM private key"},
      // A certificate given as the key, and the key as the certificate.
      {{"--tls-cert", pki.server_cert(), "--tls-key", pki.server_cert()},
       "--tls-key " + pki.server_cert() + ": not an unencrypted PEM private key"},
      {{"--tls-cert", pki.server_key(), "--tls-key", pki.server_key()},
       "--tls-cert " + pki.server_key() + ": not a PEM certificate chain"},
      {{"--tls-cert", pki.server_cert(), "--tls-key", pki.other_ca_key()},
       "--tls-key " + pki.other_ca_key() + " does not match the certificate of --tls-cert " +
           pki.server_cert()},
  };
  for (const Bad& bad : bad_lines) {
    Parsed refused = Parse(bad.args);
    CAPTURE(refused.message);
    CHECK_FALSE(refused.flags.has_value());
    CHECK(refused.exit_code == 2);
    CHECK(refused.message.starts_with("ecomm-server: "));
    CHECK(refused.message.find(bad.says) != std::string::npos);
  }
}

}  // namespace
}  // namespace ecomm::server
