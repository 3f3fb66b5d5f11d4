#include "flags.h"

#include <chrono>
#include <cstdint>
#include <string_view>

#include "cli_flags.h"
#include "http_url.h"
#include "loopback.h"
#include "tls_context.h"

namespace ecomm::server {

namespace {

constexpr std::chrono::hours kTimeoutMax{1};

}  // namespace

std::optional<ServerFlags> ParseFlags(int argc, const char* const* argv, std::string* message,
                                      int* exit_code) {
  ServerFlags flags;
  auth::JwtConfig jwt;
  std::string auth;  // --auth as given
  CLI::App app("The shop's REST API over HTTP/1.1, durable on a data directory's write-ahead log.",
               "ecomm-server");
  // As before CLI11: a flag given twice takes its last value.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  HttpOptions& http = flags.http;
  DatabaseOptions& db = flags.database;
  tools::AddHostPort(app, "--listen", &http.host, &http.port,
                     "address to serve; HOST an IP address or localhost")
      ->default_str(http.host + ":" + std::to_string(http.port));
  tools::AddText(app, "--data-dir", &db.data_dir, "WAL, snapshots and cursors")
      ->type_name("DIR")
      ->default_str(db.data_dir);
  tools::AddParsed(
      app, "--fsync",
      [&db](const std::string& text) {
        std::optional<wal::SyncPolicy> policy = wal::SyncPolicy::Parse(text);
        if (policy) db.sync = *policy;
        return policy.has_value();
      },
      "always, interval:MS or off", "when a commit is acknowledged: after its fdatasync (always)")
      ->type_name("MODE")
      ->default_str(db.sync.ToString());
  tools::AddText(app, "--admin-token", &flags.api.auth.admin_token,
                 "Bearer token for admin endpoints; without one (and --auth off), admin "
                 "endpoints answer loopback clients only")
      ->type_name("TOKEN")
      ->envname("ECOMM_ADMIN_TOKEN");
  tools::AddParsed(
      app, "--auth",
      [&auth](const std::string& text) {
        auth = text;
        return text == "off" || text == "jwt";
      },
      "off or jwt",
      "off: end-user routes are open (the default, allowed only on a loopback --listen "
      "unless given); jwt: they need a Bearer JWT and act only for its sub")
      ->type_name("off|jwt");
  tools::AddText(app, "--jwt-key", &jwt.key_file,
                 "PEM public key of the identity provider: RS256 or ES256")
      ->type_name("FILE");
  tools::AddText(app, "--jwt-hs256-secret-file", &jwt.hs256_secret_file,
                 "or an HS256 shared secret (32 bytes or more)")
      ->type_name("FILE");
  tools::AddText(app, "--jwt-issuer", &jwt.issuer, "tokens must carry this iss")->type_name("ISS");
  tools::AddText(app, "--jwt-audience", &jwt.audience, "tokens must carry this aud")
      ->type_name("AUD");
  std::string tls_cert;
  std::string tls_key;
  tools::AddText(app, "--tls-cert", &tls_cert,
                 "serve HTTPS (TLS 1.2+) with this PEM certificate chain; needs --tls-key")
      ->type_name("FILE");
  tools::AddText(app, "--tls-key", &tls_key, "the PEM private key of --tls-cert (unencrypted)")
      ->type_name("FILE");
  tools::AddNumber(app, "--threads", &http.threads, 1, 256, "HTTP worker threads");
  tools::AddNumber(app, "--max-connections", &http.max_connections, 1, 1'000'000,
                   "open connections at most; past it a new connection is closed at once");
  tools::AddDuration(app, "--header-timeout", &http.header_timeout, kTimeoutMax,
                     "a request's line and headers must arrive within T (default 10s); with "
                     "TLS, a new connection's handshake too");
  tools::AddDuration(app, "--body-timeout", &http.body_timeout, kTimeoutMax,
                     "its body within T of the headers, else 408 (default 30s)");
  tools::AddDuration(app, "--idle-timeout", &http.idle_timeout, kTimeoutMax,
                     "a keep-alive connection may stay silent T (default 60s)");
  tools::AddDuration(app, "--write-timeout", &http.write_timeout, kTimeoutMax,
                     "a client that does not read its answer is cut after T (default 15s)");
  tools::AddParsed(
      app, "--fsync-timeout",
      [&db](const std::string& text) {
        std::chrono::milliseconds timeout{0};
        if (text != "0" && !tools::ParseDuration(text, kTimeoutMax, &timeout)) return false;
        db.sync_timeout_ms = static_cast<uint32_t>(timeout.count());
        return true;
      },
      "a count with a unit (ms, s, m, h) up to 1h, or 0",
      "an fdatasync of the log unanswered after T is a log failure (default 30s; 0: wait for "
      "ever)")
      ->type_name("T");
  std::chrono::milliseconds ttl{db.idempotency_ttl_ms};
  tools::AddDuration(app, "--idempotency-ttl", &ttl, std::chrono::days(3650),
                     "an Idempotency-Key is remembered T after its request, by engine time "
                     "(default 24h, at most 3650d)");
  tools::AddNumber(app, "--snapshot-every", &db.snapshot_every, uint64_t{0}, uint64_t{INT64_MAX},
                   "records between snapshots (0: on shutdown only)");
  tools::AddNumber(app, "--segment-bytes", &db.segment_bytes, uint64_t{4096}, uint64_t{1} << 40,
                   "start a new WAL segment past N bytes; a snapshot deletes whole segments "
                   "that no reader's cursor needs");
  app.add_flag("--demo-data", flags.demo_data,
               "load demo users and products into an empty data directory");
  app.add_flag("--test-clock", flags.api.test_clock,
               "enable POST /admin/clock {\"advanceSeconds\":N}");
  tools::AddParsed(
      app, "--recover",
      [&db](const std::string& text) {
        if (text != "truncate") return false;
        db.recovery = wal::RecoveryMode::kTruncate;
        return true;
      },
      "truncate", "truncate: cut the log at a corrupt record instead of refusing to start")
      ->type_name("truncate");
  std::string replication_mode;
  replication::ReplicatorOptions replica;
  tools::AddChoice(app, "--replication", &replication_mode, {"off", "kafka"},
                   "kafka: a replica of the log topic, starting as a follower (SPEC "
                   "\"Replication and failover\")");
  tools::AddText(app, "--brokers", &replica.brokers,
                 "with --replication kafka: Kafka bootstrap "
                 "brokers")
      ->type_name("HOST:PORT[,...]");
  tools::AddText(app, "--kafka-config", &replica.kafka_config,
                 "librdkafka properties (TLS, SASL), one name=value a line")
      ->type_name("FILE");
  tools::AddText(app, "--log-topic", &replica.log_topic,
                 "the replicated log: a topic of exactly one partition")
      ->type_name("TOPIC")
      ->default_str(replica.log_topic);
  tools::AddText(app, "--advertise-url", &replica.advertise_url,
                 "this replica's URL as the others reach it")
      ->type_name("URL");
  tools::AddDuration(app, "--max-read-wait", &flags.api.max_read_wait, kTimeoutMax,
                     "a read with Ecomm-Min-Lsn waits at most T for it to count here "
                     "(default 2s), then 503 REPLICA_BEHIND");
  tools::AddDuration(app, "--replication-timeout", &replica.replication_timeout, kTimeoutMax,
                     "a write not counted in the log topic by then answers 503 (it still "
                     "counts later); a promotion not decided by then answers 503 (default 5s)");
  tools::AddNumber(app, "--fetch-wait-ms", &replica.fetch_wait_ms, 1, 10'000,
                   "how long a broker holds a fetch that finds nothing new");
  std::string failover_mode;
  tools::AddChoice(app, "--failover", &failover_mode, {"manual", "auto"},
                   "auto: the replicas share a lease (a Kafka consumer group on --lease-topic); "
                   "its holder promotes itself (default manual: POST /admin/promote)");
  tools::AddText(app, "--lease-topic", &replica.lease_topic,
                 "with --failover auto: the lease, a topic of exactly one partition")
      ->type_name("TOPIC")
      ->default_str(replica.lease_topic);
  tools::AddText(app, "--failover-group", &replica.failover_group,
                 "with --failover auto: the consumer group the replicas share")
      ->type_name("GROUP")
      ->default_str(replica.failover_group);
  tools::AddDuration(app, "--failover-timeout", &replica.failover_timeout, kTimeoutMax,
                     "with --failover auto: a lease holder silent for T loses the lease "
                     "(the group's session timeout; default 6s)");
  tools::AddText(app, "--bootstrap-from", &flags.bootstrap_from,
                 "a replica with no state (or off the topic's retention) fetches its first "
                 "snapshot from this peer; default: the primary the topic names")
      ->type_name("URL");
  tools::AddText(app, "--tls-ca", &flags.tls_ca,
                 "PEM certificates to trust when fetching a snapshot over https (default: the "
                 "system's)")
      ->type_name("FILE");
  app.footer("T: a count with a unit, ms, s, m, h or d (500ms, 10s, 24h).");

  if (std::optional<int> status = tools::ParseFlags(app, argc, argv, message)) {
    *exit_code = *status;
    return std::nullopt;
  }
  auto refuse = [&](const std::string& why) -> std::optional<ServerFlags> {
    *message = tools::UsageText(app, why);
    *exit_code = 2;
    return std::nullopt;
  };
  db.idempotency_ttl_ms = ttl.count();
  if (http.host == "localhost") http.host = "127.0.0.1";  // the one name taken: no resolver
  // Each of these flags refuses an empty value: empty is not given.
  if (auth == "jwt") {
    if (jwt.key_file.empty() == jwt.hs256_secret_file.empty()) {
      return refuse("--auth jwt needs exactly one of --jwt-key and --jwt-hs256-secret-file");
    }
    flags.jwt = std::move(jwt);
  } else if (!jwt.key_file.empty() || !jwt.hs256_secret_file.empty() || jwt.issuer ||
             jwt.audience) {
    return refuse("the --jwt-* flags need --auth jwt");
  }
  if (replication_mode == "kafka") {
    if (replica.brokers.empty()) return refuse("--replication kafka needs --brokers");
    if (replica.advertise_url.empty()) return refuse("--replication kafka needs --advertise-url");
    // A follower's state is the topic's: records of its own would make it diverge.
    if (flags.demo_data) return refuse("--demo-data cannot be used with --replication kafka");
    replica.failover_auto = failover_mode == "auto";
    if (!flags.bootstrap_from.empty()) {
      Result<tools::HttpUrl> peer = tools::ParseHttpUrl(flags.bootstrap_from);
      Status may = peer.ok() ? tools::CheckMaySendSecret(*peer, "the admin token") : peer.status();
      if (!may.ok()) return refuse("--bootstrap-from: " + may.message());
    }
    replica.data_dir = db.data_dir;
    flags.replication = std::move(replica);
  } else if (!replica.brokers.empty() || !replica.advertise_url.empty() ||
             !replica.kafka_config.empty() || !flags.bootstrap_from.empty() ||
             !flags.tls_ca.empty() || !failover_mode.empty()) {
    return refuse(
        "--brokers, --kafka-config, --advertise-url, --bootstrap-from, --tls-ca and "
        "--failover need --replication kafka");
  }
  // Redis' protected mode: an open API on a public interface is a mistake until the
  // operator says otherwise.
  if (auth.empty() && !tools::IsLoopbackHost(http.host)) {
    return refuse("--listen " + http.host +
                  " is not a loopback address: end users would be unauthenticated. Give "
                  "--auth jwt (with --jwt-key), or --auth off to serve it open anyway");
  }
  if (tls_cert.empty() != tls_key.empty()) {
    return refuse("--tls-cert and --tls-key go together: give both, or neither for plain HTTP");
  }
  if (!tls_cert.empty()) {
    // Read now, so that a bad file stops the start before the data directory is opened.
    auto context = LoadTlsContext(tls_cert, tls_key);
    if (!context.ok()) {
      *message = app.get_name() + ": " + context.status().message() + "\n";
      *exit_code = 2;
      return std::nullopt;
    }
    http.tls = std::move(context).value();
  }
  return flags;
}

}  // namespace ecomm::server
