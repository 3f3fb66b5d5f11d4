#pragma once

#include <string>

namespace ecomm::server {

// Raises the soft RLIMIT_NOFILE (never the hard one, which is the operator's) so that
// `max_connections` sockets fit beside the server's own descriptors. Returns a line
// for the log when the hard limit leaves too few (accepts then back off on EMFILE),
// or an empty string.
std::string RaiseOpenFileLimit(int max_connections);

}  // namespace ecomm::server
