#pragma once

#include <string>

#include "ecomm/wal/file.h"

namespace ecomm::wal {

// Where each part of a data directory lives (FORMAT.md "Data directory"): the one
// place its layout is written, for the server, its replicas and the tools that read it.
struct DataDir {
  explicit DataDir(const std::string& root)
      : wal(JoinPath(root, "wal")),
        snapshots(JoinPath(root, "snapshots")),
        cursors(JoinPath(root, "cursors")),
        replication(JoinPath(root, "replication")) {}

  std::string wal;          // log segments
  std::string snapshots;    // snapshots
  std::string cursors;      // readers' positions (the shipper, the replication cursor)
  std::string replication;  // a replica's place on the log topic, the bootstrap marker
};

}  // namespace ecomm::wal
