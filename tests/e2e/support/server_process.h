#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include <httplib.h>

#include "e2e/support/child_process.h"

namespace ecomm::testing {

// The real ecomm-server binary on a free loopback port with its own data directory.
// Start() waits until it listens; Stop() sends SIGTERM and waits for exit 0; Kill()
// sends SIGKILL. The data directory outlives restarts and is removed at destruction.
class ServerProcess {
 public:
  explicit ServerProcess(std::vector<std::string> extra_flags = {});
  ~ServerProcess();

  void Start();
  int Stop();  // the exit status
  void Kill();

  // The server's own port; Client() goes through the contract proxy when there is one.
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // RLIMIT_NOFILE (soft and hard) for the next Start, to run out of descriptors.
  void LimitOpenFiles(int limit) { open_files_limit_ = limit; }
  const std::string& data_dir() const { return data_dir_; }
  // The flags of the next Start (the same data directory).
  void SetFlags(std::vector<std::string> flags) { flags_ = std::move(flags); }
  // A client for this server (keep-alive, generous timeouts).
  std::unique_ptr<httplib::Client> Client() const;
  // The server's stderr so far.
  std::string Log() const;

 private:
  // The contract run: `prism proxy` in front of this start of the server.
  void StartProxy();
  // Fails the test for every contract breach seen since the last check.
  static void CheckContract();

  std::vector<std::string> flags_;
  std::unique_ptr<ChildProcess> proxy_;
  int proxy_port_ = 0;
  int proxy_starts_ = 0;  // each start's output in a file of its own, to find its port
  std::string data_dir_;
  std::string log_path_;
  pid_t pid_ = -1;
  int open_files_limit_ = 0;  // 0: inherited
  int port_ = 0;
};

}  // namespace ecomm::testing
