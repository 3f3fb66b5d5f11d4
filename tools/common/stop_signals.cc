#include "stop_signals.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "ecomm/invariant.h"

namespace ecomm::tools {

namespace {

sigset_t StopSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

StopSignals::StopSignals() {
  sigset_t set = StopSet();
  int blocked = pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ECOMM_INVARIANT(blocked == 0, "pthread_sigmask fails only on a bad argument");
  signal(SIGPIPE, SIG_IGN);
  fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  ECOMM_INVARIANT(fd_ >= 0, "a program starting without a descriptor or memory to spare");
}

StopSignals::~StopSignals() { close(fd_); }

int StopSignals::Wait() {
  sigset_t set = StopSet();
  int number;
  do {
    number = sigwaitinfo(&set, nullptr);
  } while (number < 0);  // EINTR: a handler of another signal ran
  return number;
}

std::optional<int> StopSignals::Poll() {
  sigset_t set = StopSet();
  timespec no_wait{0, 0};
  int number = sigtimedwait(&set, nullptr, &no_wait);
  if (number < 0) return std::nullopt;  // EAGAIN: none pending
  return number;
}

}  // namespace ecomm::tools
