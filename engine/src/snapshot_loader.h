#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ecomm/engine.h"
#include "ecomm/result.h"
#include "ecomm/wal/file.h"

namespace ecomm {

// A directory's newest snapshot that verifies, loaded into a new engine with no journal.
struct LoadedSnapshot {
  std::unique_ptr<Engine> engine;
  Lsn snapshot_lsn = 0;                   // 0: no snapshot, the engine is empty
  std::string skipped = {};               // newer snapshots that failed to verify, and why
  std::vector<Lsn> failed = {};           // the LSNs of those snapshots
  std::optional<std::string> annex = {};  // the loaded snapshot's annex chunk, if any
};

// Tries the snapshots of `snapshot_dir` newest first until one reads, loads and carries
// the LSN its name says; each one skipped is logged. Writes nothing: safe beside a
// server that has the directory open. Recovery (Database) and replicas share it.
Result<LoadedSnapshot> LoadNewestSnapshot(wal::FileSystem* fs, const std::string& snapshot_dir,
                                          const EngineOptions& engine_options,
                                          const std::function<void(const std::string&)>& log);

}  // namespace ecomm
