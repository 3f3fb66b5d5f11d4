// The tools library's StopSignals (tools/common/stop_signals.h), in this process: each
// test case blocks the stop signals before sending itself one.
#include "stop_signals.h"

#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

namespace ecomm::tools {
namespace {

// As `kill` from a shell sends it: to the process, for any thread to take.
void SendToProcess(int signal) { REQUIRE(kill(getpid(), signal) == 0); }

TEST_CASE("StopSignals: SIGTERM and SIGINT stay pending until taken, each once") {
  StopSignals stop_signals;
  CHECK_FALSE(StopSignals::Poll().has_value());
  pollfd readable{stop_signals.fd(), POLLIN, 0};
  CHECK(poll(&readable, 1, 0) == 0);

  SendToProcess(SIGTERM);
  CHECK(poll(&readable, 1, 1000) == 1);
  CHECK(StopSignals::Poll() == SIGTERM);
  CHECK_FALSE(StopSignals::Poll().has_value());
  CHECK(poll(&readable, 1, 0) == 0);

  SendToProcess(SIGINT);
  CHECK(StopSignals::Wait() == SIGINT);
}

TEST_CASE("StopSignals: a thread started afterwards can wait for the process's signal") {
  StopSignals stop_signals;
  int received = 0;
  std::thread waiter([&received] { received = StopSignals::Wait(); });
  SendToProcess(SIGTERM);
  waiter.join();
  CHECK(received == SIGTERM);
}

TEST_CASE("StopSignals: SIGPIPE is ignored, a write to a closed pipe fails with EPIPE") {
  StopSignals stop_signals;
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  close(fds[0]);
  CHECK(write(fds[1], "x", 1) == -1);
  CHECK(errno == EPIPE);
  close(fds[1]);
}

}  // namespace
}  // namespace ecomm::tools
