#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

// A program of the pipeline (the mock Kafka, the shipper, kcat) run as a child of the
// test, its stdout and stderr in files the test can read while it runs.
namespace ecomm::testing {

class ChildProcess {
 public:
  // Starts `argv` (argv[0] a path) with stdout to `out_path` and stderr to `err_path`.
  ChildProcess(std::vector<std::string> argv, std::string out_path, std::string err_path);
  ~ChildProcess();  // SIGKILL if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int signal) const;
  // SIGTERM (or `signal`), then waits; the exit status, 128+N for a signal N.
  int Stop(int signal = 15);
  // Waits for the child to exit on its own, up to `timeout`; -1 when it did not.
  int Wait(std::chrono::milliseconds timeout);
  std::string Stdout() const;
  std::string Stderr() const;
  // Waits up to `timeout` for `text` in stdout; the whole stdout then, or "" on timeout.
  std::string WaitForStdout(const std::string& text, std::chrono::milliseconds timeout) const;
  // Waits up to `timeout` for "listening on 127.0.0.1:PORT" in stderr (our programs
  // started with --listen 127.0.0.1:0 say so); the port, or 0 on timeout.
  int WaitForListeningPort(std::chrono::milliseconds timeout) const;

 private:
  std::string out_path_;
  std::string err_path_;
  pid_t pid_ = -1;
};

// A loopback TCP port nobody listens on at the moment of asking.
int FreePort();

}  // namespace ecomm::testing
