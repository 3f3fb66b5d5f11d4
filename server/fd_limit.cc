#include "fd_limit.h"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ecomm::server {

namespace {

// Listener, epoll and event descriptors, stdio, WAL segments, snapshots being
// written or read, cursors: far fewer than this.
constexpr rlim_t kOwnDescriptors = 256;

}  // namespace

std::string RaiseOpenFileLimit(int max_connections) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return std::string("cannot read RLIMIT_NOFILE: ") + std::strerror(errno);
  }
  rlim_t wanted = static_cast<rlim_t>(max_connections) + kOwnDescriptors;
  if (limit.rlim_cur >= wanted) return "";
  rlim_t reachable = limit.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, limit.rlim_max);
  rlimit raised{reachable, limit.rlim_max};
  if (setrlimit(RLIMIT_NOFILE, &raised) != 0) {
    return std::string("cannot raise RLIMIT_NOFILE: ") + std::strerror(errno);
  }
  if (reachable < wanted) {
    return "--max-connections " + std::to_string(max_connections) + " needs " +
           std::to_string(wanted) + " file descriptors but the hard RLIMIT_NOFILE is " +
           std::to_string(limit.rlim_max) + "; past it accepts wait for descriptors to free";
  }
  return "";
}

}  // namespace ecomm::server
