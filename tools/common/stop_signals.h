#pragma once

#include <optional>

// How every long-running program stops: on SIGINT or SIGTERM, taken as a value where
// the program chooses (between batches, by a thread that waits for it, in a poll loop
// or an io_context), never by a handler interrupting whatever a thread was doing.
namespace ecomm::tools {

class StopSignals {
 public:
  // Blocks SIGINT and SIGTERM in the calling thread and in every thread it starts later,
  // so that they stay pending until taken. Create it in main before any thread exists:
  // a thread started earlier would still die of them. Also ignores SIGPIPE, the other
  // signal that ends a program by default: a write to a reader that went away then
  // fails with EPIPE instead.
  StopSignals();
  // The signals stay blocked: one arriving late must not kill a program on its way out.
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Blocks until SIGINT or SIGTERM; its number. Static, so that a detached thread can
  // wait without holding the object (it may outlive main).
  static int Wait();
  // The number of a signal that arrived, taking it; nothing when none has.
  static std::optional<int> Poll();
  // Readable while a signal is pending, for a poll() loop or an Asio descriptor; Poll
  // then takes it.
  int fd() const { return fd_; }

 private:
  int fd_;  // a signalfd for SIGINT and SIGTERM
};

}  // namespace ecomm::tools
