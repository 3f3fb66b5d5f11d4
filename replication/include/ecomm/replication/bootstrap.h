#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "ecomm/result.h"
#include "ecomm/types.h"
#include "ecomm/wal/file.h"

// A replica that has no state yet, or whose place the log topic no longer holds, starts
// from a peer's snapshot (SPEC "Replication and failover": GET /admin/snapshot of the
// current primary, or of --bootstrap-from URL). Runs before the Database opens: it
// puts the snapshot in the data directory, and the Database loads it as its own; the
// place stored in the snapshot (its annex) tells the Replicator where to read on.
namespace ecomm::replication {

struct BootstrapOptions {
  std::string data_dir;
  wal::FileSystem* fs = nullptr;  // null: the real one
  std::string brokers;
  std::string kafka_config;
  std::string log_topic = "ecomm.log";
  // --bootstrap-from: the peer to ask; empty: the primary the topic's newest epoch
  // record names, or else the one the replica's kept place names.
  std::string bootstrap_from;
  std::string self_url;  // --advertise-url: never asked (it is not serving yet)
  // GETs `url` + "/admin/snapshot?after=" + `after` (with the admin credentials: a
  // snapshot past that LSN), handing the body to `write` piece by piece in order
  // (`write` false: stop, the fetch failed). kUnavailable when it may work if asked
  // again (no snapshot yet: 503; the peer down), another code when it will not.
  using Fetch = std::function<Status(const std::string& url, Lsn after,
                                     const std::function<bool(std::string_view)>& write)>;
  Fetch fetch;
  // How long a peer that cannot give a snapshot yet is asked again.
  std::chrono::seconds patience{120};
  std::function<void(std::string_view)> log;
  // True once the program is asked to stop (SIGTERM): the bootstrap gives up at once,
  // leaving a directory the next start bootstraps again.
  std::function<bool()> stop_requested;
};

// Fetches a snapshot when the replica needs one: its data directory holds no snapshot
// and no log record while the topic no longer starts at offset 0 (or --bootstrap-from
// was given), or its kept place is before the oldest offset the topic still holds (its
// local log and snapshots are then replaced). Ok when none is needed or it is in place.
// kInvalidArgument when no peer to ask is known; kUnavailable when none answered.
Status BootstrapIfNeeded(const BootstrapOptions& options);

}  // namespace ecomm::replication
