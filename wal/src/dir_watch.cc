#include "dir_watch.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <thread>

namespace ecomm::wal {

DirWatch::DirWatch(std::string dir) : dir_(std::move(dir)) {
  fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  // Watching from construction on means a change made between a reader's last look
  // and its next Wait is queued, not missed.
  if (fd_ >= 0) AddWatch();
}

DirWatch::~DirWatch() {
  if (fd_ >= 0) ::close(fd_);
}

bool DirWatch::AddWatch() {
  watch_ = ::inotify_add_watch(fd_, dir_.c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO);
  return watch_ >= 0;
}

void DirWatch::Wait(std::chrono::milliseconds timeout) {
  if (fd_ < 0) {
    std::this_thread::sleep_for(timeout);
    return;
  }
  if (watch_ < 0) {
    // The directory did not exist (or was replaced) when last tried. A watch added now
    // has missed whatever happened before it: return at once so the caller looks.
    if (!AddWatch()) std::this_thread::sleep_for(timeout);
    return;
  }
  pollfd p{fd_, POLLIN, 0};
  auto ms = std::clamp<int64_t>(timeout.count(), 0, INT_MAX);
  if (::poll(&p, 1, static_cast<int>(ms)) > 0) Drain();
}

// Consumes the queued events, so that the next Wait blocks until a new one. Only the
// end of the watch matters (the directory was removed): it is added again next time.
void DirWatch::Drain() {
  alignas(inotify_event) char buffer[4096];
  while (true) {
    ssize_t n = ::read(fd_, buffer, sizeof buffer);
    if (n <= 0) return;
    for (ssize_t at = 0; at < n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
      if ((event->mask & IN_IGNORED) && event->wd == watch_) watch_ = -1;
      at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
    }
  }
}

}  // namespace ecomm::wal
