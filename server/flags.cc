#include "flags.h"

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <string_view>

#include "cli_flags.h"
#include "loopback.h"

namespace ecomm::server {

namespace {

constexpr const char* kUsage = R"(usage: ecomm-server [flags]
  --listen HOST:PORT       address to serve (default 127.0.0.1:8080)
  --data-dir DIR           WAL, snapshots and cursors (default ./data)
  --fsync MODE             always (default) | interval:MS | off
  --admin-token TOKEN      Bearer token for admin endpoints (or env ECOMM_ADMIN_TOKEN);
                           without one (and --auth off), admin endpoints answer
                           loopback clients only
  --auth off|jwt           off: end-user routes are open (the default, allowed only
                           on a loopback --listen unless given explicitly); jwt: they
                           need a Bearer JWT and act only for its sub
  --jwt-key FILE           PEM public key of the identity provider: RS256 or ES256
  --jwt-hs256-secret-file FILE   or an HS256 shared secret (32 bytes or more)
  --jwt-issuer ISS         tokens must carry this iss
  --jwt-audience AUD       tokens must carry this aud
  --threads N              HTTP worker threads (default 2)
  --max-connections N      open connections at most (default 10000); past it a new
                           connection is closed at once
  --header-timeout T       a request's line and headers must arrive within T (default 10s)
  --body-timeout T         its body within T of the headers, else 408 (default 30s)
  --idle-timeout T         a keep-alive connection may stay silent T (default 60s)
  --write-timeout T        a client that does not read its answer is cut after T (default 15s)
                           (T: a number with unit ms or s, e.g. 500ms, 10s)
  --fsync-timeout T        an fdatasync of the log unanswered after T is a log failure
                           (default 30s; 0: wait for ever)
  --idempotency-ttl T      an Idempotency-Key is remembered T after its request, by
                           engine time (default 24h; units ms, s, m, h, d)
  --snapshot-every N       records between snapshots (default 1000000; 0: on shutdown only)
  --segment-bytes N        start a new WAL segment past N bytes (default 67108864); a
                           snapshot deletes whole segments that no reader's cursor needs
  --demo-data              load demo users and products into an empty data directory
  --test-clock             enable POST /admin/clock {"advanceSeconds":N}
  --recover=truncate       cut the log at a corrupt record instead of refusing to start
  --help                   this text
)";

bool ParseInt(std::string_view text, int64_t min, int64_t max, int64_t* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && *out >= min && *out <= max;
}

}  // namespace

std::optional<ServerFlags> ParseFlags(int argc, char** argv, std::string* message, int* exit_code) {
  ServerFlags flags;
  if (const char* token = std::getenv("ECOMM_ADMIN_TOKEN"); token && *token) {
    flags.api.auth.admin_token = token;
  }
  std::optional<std::string> auth;  // --auth as given
  JwtConfig jwt;
  bool jwt_flags = false;
  auto fail = [&](const std::string& why) -> std::optional<ServerFlags> {
    *message = "ecomm-server: " + why + "\n" + kUsage;
    *exit_code = 2;
    return std::nullopt;
  };
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string value;
    size_t eq = arg.find('=');
    std::string_view name = arg.substr(0, eq);
    auto next = [&]() -> bool {
      if (eq != std::string_view::npos) {
        value = std::string(arg.substr(eq + 1));
        return true;
      }
      if (i + 1 >= argc) return false;
      value = argv[++i];
      return true;
    };
    int64_t number = 0;
    if (name == "--help" || name == "-h") {
      *message = kUsage;
      *exit_code = 0;
      return std::nullopt;
    } else if (name == "--demo-data") {
      flags.demo_data = true;
    } else if (name == "--test-clock") {
      flags.api.test_clock = true;
    } else if (name == "--recover") {
      if (!next() || value != "truncate") return fail("--recover takes 'truncate'");
      flags.database.recovery = wal::RecoveryMode::kTruncate;
    } else if (name == "--listen") {
      size_t colon = next() ? value.rfind(':') : std::string::npos;
      if (colon == std::string::npos ||
          !ParseInt(std::string_view(value).substr(colon + 1), 0, 65535, &number)) {
        return fail("--listen takes HOST:PORT");
      }
      flags.http.host = value.substr(0, colon);
      if (flags.http.host.size() > 2 && flags.http.host.front() == '[' &&
          flags.http.host.back() == ']') {  // an IPv6 address: [::1]:8080
        flags.http.host = flags.http.host.substr(1, flags.http.host.size() - 2);
      } else if (flags.http.host == "localhost") {  // the one name taken: no resolver
        flags.http.host = "127.0.0.1";
      }
      flags.http.port = static_cast<uint16_t>(number);
    } else if (name == "--data-dir") {
      if (!next() || value.empty()) return fail("--data-dir takes a directory");
      flags.database.data_dir = value;
    } else if (name == "--fsync") {
      auto policy = next() ? wal::SyncPolicy::Parse(value) : std::nullopt;
      if (!policy) return fail("--fsync takes always, interval:MS or off");
      flags.database.sync = *policy;
    } else if (name == "--admin-token") {
      if (!next() || value.empty()) return fail("--admin-token takes a token");
      flags.api.auth.admin_token = value;
    } else if (name == "--threads") {
      if (!next() || !ParseInt(value, 1, 256, &number)) return fail("--threads takes 1..256");
      flags.http.threads = static_cast<int>(number);
    } else if (name == "--max-connections") {
      if (!next() || !ParseInt(value, 1, 1'000'000, &number)) {
        return fail("--max-connections takes 1..1000000");
      }
      flags.http.max_connections = static_cast<int>(number);
    } else if (name == "--header-timeout" || name == "--body-timeout" || name == "--idle-timeout" ||
               name == "--write-timeout") {
      std::chrono::milliseconds* target = name == "--header-timeout" ? &flags.http.header_timeout
                                          : name == "--body-timeout" ? &flags.http.body_timeout
                                          : name == "--idle-timeout" ? &flags.http.idle_timeout
                                                                     : &flags.http.write_timeout;
      if (!next() || !tools::ParseDuration(value, std::chrono::hours(1), target)) {
        return fail(std::string(name) + " takes a duration such as 500ms or 10s (at most 1 h)");
      }
    } else if (name == "--fsync-timeout") {
      std::chrono::milliseconds timeout{};
      if (!next() ||
          (value != "0" && !tools::ParseDuration(value, std::chrono::hours(1), &timeout))) {
        return fail("--fsync-timeout takes a duration such as 30s (at most 1 h; 0: none)");
      }
      flags.database.sync_timeout_ms = static_cast<uint32_t>(timeout.count());
    } else if (name == "--idempotency-ttl") {
      std::chrono::milliseconds ttl{};
      if (!next() || !tools::ParseDuration(value, std::chrono::days(3650), &ttl)) {
        return fail("--idempotency-ttl takes a duration such as 24h or 7d (at most 3650d)");
      }
      flags.database.idempotency_ttl_ms = ttl.count();
    } else if (name == "--snapshot-every") {
      if (!next() || !ParseInt(value, 0, INT64_MAX, &number)) {
        return fail("--snapshot-every takes a record count");
      }
      flags.database.snapshot_every = static_cast<uint64_t>(number);
    } else if (name == "--segment-bytes") {
      if (!next() || !ParseInt(value, 4096, int64_t{1} << 40, &number)) {
        return fail("--segment-bytes takes 4096..2^40");
      }
      flags.database.segment_bytes = static_cast<uint64_t>(number);
    } else if (name == "--auth") {
      if (!next() || (value != "off" && value != "jwt")) return fail("--auth takes off or jwt");
      auth = value;
    } else if (name == "--jwt-key" || name == "--jwt-hs256-secret-file") {
      if (!next() || value.empty()) return fail(std::string(name) + " takes a file");
      (name == "--jwt-key" ? jwt.key_file : jwt.hs256_secret_file) = value;
      jwt_flags = true;
    } else if (name == "--jwt-issuer" || name == "--jwt-audience") {
      if (!next() || value.empty()) return fail(std::string(name) + " takes a value");
      (name == "--jwt-issuer" ? jwt.issuer : jwt.audience) = value;
      jwt_flags = true;
    } else {
      return fail("unknown flag " + std::string(arg));
    }
  }
  if (auth == "jwt") {
    if (jwt.key_file.empty() == jwt.hs256_secret_file.empty()) {
      return fail("--auth jwt needs exactly one of --jwt-key and --jwt-hs256-secret-file");
    }
    flags.jwt = std::move(jwt);
  } else if (jwt_flags) {
    return fail("the --jwt-* flags need --auth jwt");
  }
  // Redis' protected mode: an open API on a public interface is a mistake until the
  // operator says otherwise.
  if (!auth && !IsLoopbackHost(flags.http.host)) {
    return fail("--listen " + flags.http.host +
                " is not a loopback address: end users would be unauthenticated. Give "
                "--auth jwt (with --jwt-key), or --auth off to serve it open anyway");
  }
  return flags;
}

}  // namespace ecomm::server
