// ecomm-server: recover the data directory, serve the REST API, and on SIGTERM or
// SIGINT stop accepting, finish in-flight requests, write a snapshot and exit 0. A
// replica left behind by the log topic's retention stops the same way, then starts
// again in place (exec), which bootstraps it from a peer's snapshot.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "ecomm/demo_data.h"
#include "fd_limit.h"
#include "flags.h"
#include "http_server.h"
#include "peer_fetch.h"
#include "stop_signals.h"

int main(int argc, char** argv) {
  using namespace ecomm;
  std::string message;
  int exit_code = 0;
  auto flags = server::ParseFlags(argc, argv, &message, &exit_code);
  if (!flags) {
    std::fputs(message.c_str(), exit_code == 0 ? stdout : stderr);
    return exit_code;
  }
  if (flags->jwt) {
    auto verifier = auth::JwtVerifier::Load(*flags->jwt);
    if (!verifier.ok()) {
      std::fprintf(stderr, "ecomm-server: --auth jwt: %s\n", verifier.status().message().c_str());
      return 2;
    }
    flags->api.auth.jwt = std::move(verifier).value();
  }
  tools::StopSignals stop_signals;  // before the database's and the server's threads

  auto log_line = [](std::string_view line) {
    std::fprintf(stderr, "ecomm: %.*s\n", static_cast<int>(line.size()), line.data());
  };
  if (flags->replication) {
    // A replica with no state, or off the topic's retention, starts from a peer's snapshot.
    bool stopped = false;
    Status s = server::BootstrapReplica(*flags, log_line, &stopped);
    if (stopped) {
      std::fprintf(stderr, "ecomm: stopped before the bootstrap was done\n");
      return 0;
    }
    if (!s.ok()) {
      std::fprintf(stderr, "ecomm-server: bootstrap: %s\n", s.message().c_str());
      return s.code() == ErrorCode::kInvalidArgument ? 2 : 1;
    }
  }
  auto db = Database::Open(flags->database);
  if (!db.ok()) {
    std::fprintf(stderr, "ecomm-server: cannot open %s: %s\n", flags->database.data_dir.c_str(),
                 db.status().ToString().c_str());
    return 1;
  }
  Engine& engine = (*db)->engine();
  if (flags->demo_data && engine.Counts().users == 0 && engine.Counts().products == 0) {
    if (Status s = demo::LoadDemoData(engine); !s.ok()) {
      std::fprintf(stderr, "ecomm-server: demo data: %s\n", s.message().c_str());
      return 1;
    }
    std::fprintf(stderr, "ecomm: loaded demo data\n");
  }

  std::unique_ptr<replication::Replicator> replica;
  std::atomic<bool> bootstrap_again{false};
  if (flags->replication) {
    flags->replication->fs = flags->database.fs;
    flags->replication->log = log_line;
    flags->replication->off_retention = [&bootstrap_again] {
      bootstrap_again = true;
      kill(getpid(), SIGTERM);  // taken by stop_signals.Wait() below
    };
    auto started = replication::Replicator::Start(**db, *flags->replication);
    if (!started.ok()) {
      std::fprintf(stderr, "ecomm-server: --replication kafka: %s\n",
                   started.status().message().c_str());
      return started.code() == ErrorCode::kInvalidArgument ? 2 : 1;
    }
    replica = std::move(started).value();
    flags->api.replica = replica.get();
  }
  if (std::string note = server::RaiseOpenFileLimit(flags->http.max_connections); !note.empty()) {
    std::fprintf(stderr, "ecomm: %s\n", note.c_str());
  }
  server::Api api(**db, flags->api);
  server::HttpServer http(api, flags->http);
  api.AddMetrics([&http](std::string* out) { http.AppendPrometheus(out); });
  std::string error;
  if (!http.Start(&error)) {
    std::fprintf(stderr, "ecomm-server: %s\n", error.c_str());
    return 1;
  }
  std::string auth = flags->api.auth.jwt ? "jwt " + std::string(flags->api.auth.jwt->algorithm())
                                         : std::string("off");
  std::fprintf(stderr,
               "ecomm: listening on %s:%u (auth %s, fsync %s, %d threads, at most %d "
               "connections, data %s)\n",
               flags->http.host.c_str(), http.port(), auth.c_str(),
               flags->database.sync.ToString().c_str(), flags->http.threads,
               flags->http.max_connections, flags->database.data_dir.c_str());
  const std::string& host = flags->http.host;
  std::fprintf(
      stderr, "ecomm: API reference at %s://%s:%u/docs\n", flags->http.tls ? "https" : "http",
      (host.find(':') == std::string::npos ? host : "[" + host + "]").c_str(), http.port());
  std::fflush(stderr);

  int signal = stop_signals.Wait();
  if (bootstrap_again) {
    std::fprintf(stderr,
                 "ecomm: off the log topic's retention: stop, then start again in place "
                 "to bootstrap\n");
  } else {
    std::fprintf(stderr, "ecomm: signal %d: stop accepting, answer in-flight requests\n", signal);
  }
  http.Stop(std::chrono::seconds(10));
  if (replica) replica->StopReading();  // before the database it applies records to
  Status closed = (*db)->Close();
  replica.reset();  // after: a primary's journal hears the local log's last answers
  std::fprintf(stderr, "ecomm: stopped%s%s\n", closed.ok() ? "" : ": ",
               closed.ok() ? "" : closed.message().c_str());
  if (bootstrap_again && closed.ok()) {
    // An operator's SIGINT or SIGTERM that came while this run stopped is obeyed: no
    // new start. (One that came in the same instant as this process's own SIGTERM
    // merged with it and is lost; the new start stops at the next one.)
    if (std::optional<int> stop = tools::StopSignals::Poll()) {
      std::fprintf(stderr, "ecomm: signal %d while stopping: not starting again\n", *stop);
      return 0;
    }
    // The same program and flags, a fresh start: BootstrapIfNeeded finds the kept place
    // below the topic's oldest offset.
    // Nothing of this run stays open in the next (librdkafka's sockets lack CLOEXEC).
    std::fflush(nullptr);
    if (close_range(3, ~0U, 0) != 0) {
      for (int fd = 3; fd < getdtablesize(); ++fd) close(fd);  // a kernel before 5.9
    }
    execv("/proc/self/exe", argv);
    std::fprintf(stderr, "ecomm-server: cannot start again: %s\n", std::strerror(errno));
    return 1;
  }
  return closed.ok() ? 0 : 1;
}
