#include "e2e/support/server_process.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "e2e/support/contract.h"

namespace ecomm::testing {

namespace {

int NextId() {
  static int id = 0;
  return ++id;
}

}  // namespace

ServerProcess::ServerProcess(std::vector<std::string> extra_flags)
    : flags_(std::move(extra_flags)) {
  auto base = std::filesystem::temp_directory_path() /
              ("ecomm-e2e-" + std::to_string(getpid()) + "-" + std::to_string(NextId()));
  std::filesystem::remove_all(base);
  std::filesystem::create_directories(base);
  data_dir_ = (base / "data").string();
  log_path_ = (base / "server.log").string();
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Kill();
  CheckContract();
  std::filesystem::remove_all(std::filesystem::path(data_dir_).parent_path());
}

void ServerProcess::Start() {
  REQUIRE(pid_ < 0);
  // Truncate the log so the port found below is this start's.
  { std::ofstream truncate(log_path_, std::ios::trunc); }
  pid_ = fork();
  REQUIRE(pid_ >= 0);
  if (pid_ == 0) {
    int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(log, STDERR_FILENO);
    if (open_files_limit_ > 0) {
      rlimit limit{static_cast<rlim_t>(open_files_limit_), static_cast<rlim_t>(open_files_limit_)};
      if (setrlimit(RLIMIT_NOFILE, &limit) != 0) _exit(126);
    }
    // Nothing else of the test's: a server holding a copy of the mock Kafka cluster's
    // sockets (librdkafka opens them without FD_CLOEXEC) would keep the connections of
    // other replicas open when the cluster closes them (brokers down).
    close_range(3, ~0U, 0);
    std::vector<std::string> args = {ECOMM_SERVER_BIN, "--listen", "127.0.0.1:0", "--data-dir",
                                     data_dir_};
    args.insert(args.end(), flags_.begin(), flags_.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  const std::string listening = "listening on 127.0.0.1:";
  for (int i = 0; i < 3000; ++i) {
    std::string log = Log();
    if (size_t at = log.find(listening); at != std::string::npos) {
      port_ = std::atoi(log.c_str() + at + listening.size());
      if (contract::PrismPath() != nullptr) StartProxy();
      return;
    }
    int status = 0;
    REQUIRE_MESSAGE(waitpid(pid_, &status, WNOHANG) == 0, "server exited: ", log);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("server did not start: ", Log());
}

void ServerProcess::StartProxy() {
  std::string server = "http://127.0.0.1:" + std::to_string(port_);
  std::string base = std::filesystem::path(log_path_).parent_path().string();
  // Port 0: Prism binds a free port itself and says which (a port chosen here could be
  // taken by a parallel test before Prism binds it).
  proxy_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{contract::PrismPath(), "proxy", server + "/openapi.json", server,
                               "--host", "127.0.0.1", "--port", "0", "--errors", "false"},
      base + "/prism-" + std::to_string(++proxy_starts_) + ".out", base + "/prism.err");
  const std::string listening = "Prism is listening on http://127.0.0.1:";
  std::string out = proxy_->WaitForStdout(listening, std::chrono::seconds(60));
  size_t at = out.find(listening);
  REQUIRE_MESSAGE(at != std::string::npos, "prism proxy did not start: ", proxy_->Stdout(),
                  proxy_->Stderr());
  proxy_port_ = std::atoi(out.c_str() + at + listening.size());
}

void ServerProcess::CheckContract() {
  for (const std::string& breach : contract::TakeBreaches()) {
    FAIL_CHECK("the answer breaks the OpenAPI document: " << breach);
  }
}

int ServerProcess::Stop() {
  REQUIRE(pid_ > 0);
  proxy_.reset();
  CheckContract();
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void ServerProcess::Kill() {
  proxy_.reset();
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::unique_ptr<httplib::Client> ServerProcess::Client() const {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", proxy_ ? proxy_port_ : port_);
  contract::RegisterClient(client.get(), proxy_ ? port_ : 0);
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);
  client->set_read_timeout(std::chrono::seconds(30));
  client->set_write_timeout(std::chrono::seconds(30));
  return client;
}

std::string ServerProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace ecomm::testing
