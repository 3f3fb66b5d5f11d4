#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "ecomm/replication/bootstrap.h"
#include "flags.h"

namespace ecomm::server {

// How a replica fetches a peer's snapshot (GET /admin/snapshot) when it bootstraps:
// cpp-httplib, with the admin token, over https verified with `tls_ca` ("" for the
// system's CAs). Nothing is sent to a non-loopback http:// URL (SPEC "TLS").
replication::BootstrapOptions::Fetch MakePeerSnapshotFetch(std::string admin_token,
                                                           std::string tls_ca);

// replication::BootstrapIfNeeded for a replica's flags, fetching with the above. A stop
// signal meanwhile ends it: `*stopped` is then true.
Status BootstrapReplica(const ServerFlags& flags, const std::function<void(std::string_view)>& log,
                        bool* stopped);

}  // namespace ecomm::server
