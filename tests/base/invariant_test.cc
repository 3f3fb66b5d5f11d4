// ECOMM_INVARIANT holds in every build: this file is compiled with NDEBUG, as a
// Release build is, so `assert` is off here, yet a violated invariant still stops the
// process with a message naming the condition, the reason and the place.
#define NDEBUG 1
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cassert>
#include <csignal>
#include <string>

#include "ecomm/invariant.h"

namespace ecomm::testing {
namespace {

TEST_CASE("a violated ECOMM_INVARIANT stops the process even with NDEBUG, assert does not") {
  assert(1 + 1 == 3);  // compiled out: NDEBUG is defined in this file
  ECOMM_INVARIANT(1 + 1 == 2, "arithmetic holds");

  int out[2];
  REQUIRE(::pipe(out) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::dup2(out[1], STDERR_FILENO);
    volatile int two = 2;
    ECOMM_INVARIANT(two == 3, "two is not three");
    ::_exit(0);  // not reached
  }
  ::close(out[1]);
  std::string message;
  char buffer[512];
  for (ssize_t n; (n = ::read(out[0], buffer, sizeof buffer)) > 0;) message.append(buffer, n);
  ::close(out[0]);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGABRT);
  CHECK(message.find("invariant violated at") != std::string::npos);
  CHECK(message.find("invariant_test.cc") != std::string::npos);
  CHECK(message.find("two == 3 (two is not three)") != std::string::npos);
}

}  // namespace
}  // namespace ecomm::testing
