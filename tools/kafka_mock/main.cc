// ecomm-kafka-mock: librdkafka's in-process mock Kafka cluster on 127.0.0.1, so demos and
// tests get a real Kafka protocol endpoint (kcat, librdkafka clients) where no broker can
// be installed. Brokers can be taken down and brought back, by signal or by a line on
// stdin, so a test can cut its clients off from Kafka and watch them recover.
//
// One thread does everything: the signals are blocked and read from signalfds, polled
// together with stdin, so no code runs inside a signal handler.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "cli_flags.h"
#include "stop_signals.h"

// rdkafka_mock.h refuses to compile unless rdkafka.h came first.
#include <librdkafka/rdkafka_mock.h>

namespace {

constexpr int32_t kAllBrokers = -1;  // the mock API's "every broker"

struct Options {
  int brokers = 3;
  std::vector<std::string> topics = {"orders"};
  int partitions = 4;
  std::string port_file;
};

__attribute__((format(printf, 1, 2))) void Log(const char* format, ...) {
  std::fputs("ecomm-kafka-mock: ", stderr);
  va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
  std::fputc('\n', stderr);
}

// Returns the exit status to stop with (0 after --help, 2 on a bad command line), or
// nothing when the program should go on with *opts.
std::optional<int> ParseArgs(int argc, char** argv, Options* opts) {
  CLI::App app(
      "Runs librdkafka's mock Kafka cluster on 127.0.0.1. Once it is ready, prints one line\n"
      "\"bootstrap: 127.0.0.1:PORT,...\" on stdout; runs until SIGTERM, SIGINT or `quit`.",
      "ecomm-kafka-mock");
  app.add_option("--brokers", opts->brokers, "brokers, ids 1..N")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  app.add_option("--topic", opts->topics,
                 "topics created at start (repeat it, or list them: --topic a,b)")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--partitions", opts->partitions,
                 "their partitions each; replication factor min(3, brokers)")
      ->check(CLI::Range(1, 10'000))
      ->capture_default_str();
  app.add_option("--port-file", opts->port_file,
                 "also write the bootstrap string to PATH (tmp file + rename)");
  app.footer(
      "A producer's first use of another topic creates it (4 partitions), as\n"
      "auto.create.topics.enable would. The data lives in memory and is gone at exit.\n"
      "\n"
      "Taking brokers down (connections closed, new ones refused; leaders do not move):\n"
      "  SIGUSR1 all brokers down, SIGUSR2 all brokers up, or lines on stdin:\n"
      "  down | up | down ID | up ID | quit   each answered \"ok\" or \"error: ...\" on stdout");
  return ecomm::tools::ParseFlags(app, argc, argv);
}

// Writes through a temporary file and a rename, so a test polling for the file never
// reads half of it.
bool WriteFileAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) {
    Log("cannot create %s: %s", tmp.c_str(), std::strerror(errno));
    return false;
  }
  bool written = std::fputs(text.c_str(), f) >= 0;
  if (std::fclose(f) != 0 || !written || std::rename(tmp.c_str(), path.c_str()) != 0) {
    Log("cannot write %s: %s", path.c_str(), std::strerror(errno));
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

// The mock cluster and the client handle it is built on.
class MockCluster {
 public:
  static std::unique_ptr<MockCluster> Start(const Options& opts) {
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    // The handle only keeps the cluster's books and never connects: its notice that it has
    // no bootstrap.servers would mislead, and the mock's own messages are all errors.
    for (auto [name, value] :
         {std::pair{"client.id", "ecomm-kafka-mock"}, std::pair{"log_level", "4"}}) {
      if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
        Log("%s", errstr);
        rd_kafka_conf_destroy(conf);
        return nullptr;
      }
    }
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (rk == nullptr) {
      Log("cannot create the client handle: %s", errstr);
      rd_kafka_conf_destroy(conf);  // still ours: rd_kafka_new takes it only on success
      return nullptr;
    }
    rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(rk, opts.brokers);
    if (mc == nullptr) {
      Log("cannot create the mock cluster");
      rd_kafka_destroy(rk);
      return nullptr;
    }
    auto cluster = std::unique_ptr<MockCluster>(new MockCluster(rk, mc));
    // Three replicas as on a production cluster, fewer if there are fewer brokers. Only
    // Metadata sees the factor: the mock keeps one copy of the data, and 2.0.2 assigns
    // min(3, N) replicas (brokers 1..3) whatever is passed here.
    int replication = std::min(3, opts.brokers);
    for (const std::string& topic : opts.topics) {
      rd_kafka_resp_err_t err =
          rd_kafka_mock_topic_create(mc, topic.c_str(), opts.partitions, replication);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        Log("cannot create topic %s: %s", topic.c_str(), rd_kafka_err2str(err));
        return nullptr;
      }
      Log("%d broker(s), topic %s with %d partition(s), replication factor %d", opts.brokers,
          topic.c_str(), opts.partitions, replication);
    }
    return cluster;
  }

  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  ~MockCluster() {
    rd_kafka_mock_cluster_destroy(mc_);
    rd_kafka_destroy(rk_);
  }

  std::string Bootstraps() const { return rd_kafka_mock_cluster_bootstraps(mc_); }

  // broker_id is 1..N or kAllBrokers. Returns an error message, empty on success.
  std::string SetBrokers(int32_t broker_id, bool up) {
    rd_kafka_resp_err_t err = up ? rd_kafka_mock_broker_set_up(mc_, broker_id)
                                 : rd_kafka_mock_broker_set_down(mc_, broker_id);
    std::string who = broker_id == kAllBrokers ? std::string("all brokers")
                                               : "broker " + std::to_string(broker_id);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::string message = who + ": " + rd_kafka_err2str(err);
      Log("%s", message.c_str());
      return message;
    }
    Log("%s %s", who.c_str(), up ? "up" : "down");
    return {};
  }

 private:
  MockCluster(rd_kafka_t* rk, rd_kafka_mock_cluster_t* mc) : rk_(rk), mc_(mc) {}

  rd_kafka_t* rk_;
  rd_kafka_mock_cluster_t* mc_;
};

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> words;
  constexpr std::string_view kSpace = " \t\r";
  for (size_t start = line.find_first_not_of(kSpace); start != std::string_view::npos;
       start = line.find_first_not_of(kSpace, start)) {
    size_t end = std::min(line.find_first_of(kSpace, start), line.size());
    words.push_back(line.substr(start, end - start));
    start = end;
  }
  return words;
}

// Carries out one stdin command and answers it on stdout. Returns true for `quit`.
bool RunCommand(MockCluster& cluster, int brokers, std::string_view line) {
  std::vector<std::string_view> words = Words(line);
  if (words.empty()) return false;  // a stray blank line is not a command
  std::string error;
  bool quit = false;
  if (words.size() == 1 && words[0] == "quit") {
    quit = true;
  } else if ((words[0] == "down" || words[0] == "up") && words.size() <= 2) {
    int id = kAllBrokers;
    if (words.size() == 2 && !ecomm::tools::ParseNumber(words[1], 1, brokers, &id)) {
      error =
          "no broker " + std::string(words[1]) + " (ids are 1.." + std::to_string(brokers) + ")";
    } else {
      error = cluster.SetBrokers(id, words[0] == "up");
    }
  } else {
    error = "unknown command (down | up | down ID | up ID | quit)";
  }
  if (error.empty()) {
    std::puts("ok");
  } else {
    std::printf("error: %s\n", error.c_str());
  }
  std::fflush(stdout);
  return quit;
}

// Serves signals and stdin commands until told to stop; returns the exit status.
// `broker_signals` is a signalfd for SIGUSR1 and SIGUSR2; `stdin_fd` -1 when there is
// no stdin.
int Serve(MockCluster& cluster, int brokers, const ecomm::tools::StopSignals& stop_signals,
          int broker_signals, int stdin_fd) {
  pollfd fds[3] = {
      {stop_signals.fd(), POLLIN, 0}, {broker_signals, POLLIN, 0}, {stdin_fd, POLLIN, 0}};
  std::string pending;  // stdin bytes after the last complete line
  for (;;) {
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      Log("poll: %s", std::strerror(errno));
      return 1;
    }
    if (std::optional<int> signal = ecomm::tools::StopSignals::Poll()) {
      Log("%s, stopping", strsignal(*signal));
      return 0;
    }
    if (fds[1].revents != 0) {
      signalfd_siginfo info;
      if (read(broker_signals, &info, sizeof(info)) == sizeof(info)) {
        cluster.SetBrokers(kAllBrokers, info.ssi_signo == SIGUSR2);
      }
      continue;
    }
    if (fds[2].revents != 0) {
      char buf[4096];
      ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) {
        // End of stdin (or no stdin at all) is not a request to stop: tests often start
        // the mock with stdin on /dev/null and drive it by signals.
        if (RunCommand(cluster, brokers, pending)) return 0;  // a last line without '\n'
        fds[2].fd = -1;                                       // poll ignores negative descriptors
        continue;
      }
      pending.append(buf, static_cast<size_t>(n));
      for (size_t eol; (eol = pending.find('\n')) != std::string::npos;) {
        std::string line = pending.substr(0, eol);
        pending.erase(0, eol + 1);
        if (RunCommand(cluster, brokers, line)) return 0;
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  // Asked before this program opens a descriptor that could take number 0: tests often
  // start the mock with stdin closed.
  int stdin_fd = fcntl(STDIN_FILENO, F_GETFD) < 0 ? -1 : STDIN_FILENO;
  Options opts;
  if (std::optional<int> status = ParseArgs(argc, argv, &opts)) return *status;

  // Blocked before any thread exists, so every librdkafka thread inherits the mask and
  // these signals reach only the signalfds.
  ecomm::tools::StopSignals stop_signals;
  sigset_t broker_set;
  sigemptyset(&broker_set);
  for (int s : {SIGUSR1, SIGUSR2}) sigaddset(&broker_set, s);
  if (pthread_sigmask(SIG_BLOCK, &broker_set, nullptr) != 0) {
    Log("cannot block signals");
    return 1;
  }
  int broker_signals = signalfd(-1, &broker_set, SFD_CLOEXEC);
  if (broker_signals < 0) {
    Log("signalfd: %s", std::strerror(errno));
    return 1;
  }

  std::unique_ptr<MockCluster> cluster = MockCluster::Start(opts);
  if (cluster == nullptr) return 1;
  std::string bootstraps = cluster->Bootstraps();
  if (!opts.port_file.empty() && !WriteFileAtomically(opts.port_file, bootstraps + "\n")) {
    return 1;
  }
  std::printf("bootstrap: %s\n", bootstraps.c_str());
  std::fflush(stdout);

  int status = Serve(*cluster, opts.brokers, stop_signals, broker_signals, stdin_fd);
  cluster.reset();
  close(broker_signals);
  Log("stopped");
  return status;
}
