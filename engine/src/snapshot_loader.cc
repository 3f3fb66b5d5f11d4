#include "snapshot_loader.h"

#include "ecomm/wal/snapshot_file.h"
#include "engine_core.h"
#include "snapshot_codec.h"

namespace ecomm {

Result<LoadedSnapshot> LoadNewestSnapshot(wal::FileSystem* fs, const std::string& snapshot_dir,
                                          const EngineOptions& engine_options,
                                          const std::function<void(const std::string&)>& log) {
  std::vector<wal::SnapshotInfo> snapshots;
  if (Status s = wal::ListSnapshots(fs, snapshot_dir, &snapshots); !s.ok()) {
    return s;
  }
  LoadedSnapshot loaded{std::make_unique<Engine>(engine_options), 0, ""};
  // The newest snapshot that verifies and loads; else the one before it.
  for (auto it = snapshots.rbegin(); it != snapshots.rend(); ++it) {
    wal::SnapshotImage image;
    std::string path = wal::JoinPath(snapshot_dir, it->name);
    Status read = wal::ReadSnapshot(fs, path, &image);
    Status applied =
        read.ok() ? LoadSnapshotChunks(*loaded.engine->core().state, image.chunks, &loaded.annex)
                  : read;
    if (applied.ok() && image.lsn == it->lsn) {
      loaded.snapshot_lsn = image.lsn;
      break;
    }
    std::string why = applied.ok() ? "its LSN does not match its name" : applied.message();
    loaded.skipped += path + ": " + why + "; ";
    loaded.failed.push_back(it->lsn);
    log("snapshot " + path + " skipped: " + why);
    loaded.engine = std::make_unique<Engine>(engine_options);  // drop what was half loaded
    loaded.annex.reset();
  }
  return loaded;
}

}  // namespace ecomm
