// Snapshots for peers (GET /admin/snapshot): which files carry the embedder's annex (a
// replica's place in the log topic), and the newest of them.
#include <mutex>
#include <utility>
#include <vector>

#include "ecomm/database.h"
#include "ecomm/wal/snapshot_file.h"
#include "ecomm/wal/wal_writer.h"
#include "snapshot_codec.h"

namespace ecomm {

Result<SnapshotFileAnnex> ReadSnapshotAnnex(wal::FileSystem* fs, const std::string& path) {
  wal::SnapshotImage image;
  if (Status s = wal::ReadSnapshot(fs, path, &image); !s.ok()) return s;
  Result<std::optional<std::string>> annex = FindAnnex(image.chunks);
  if (!annex.ok()) return Status::Corruption(path + ": " + annex.status().message());
  return SnapshotFileAnnex{image.lsn, std::move(annex).value()};
}

void Database::SetSnapshotAnnex(SnapshotAnnex annex) {
  std::lock_guard lock(snapshot_mu_);
  snapshot_annex_ = std::move(annex);
}

void Database::ForgetSnapshot(Lsn lsn) {
  verified_snapshots_.erase(lsn);
  failed_snapshots_.erase(lsn);
  std::lock_guard lock(annexes_mu_);
  snapshot_annexes_.erase(lsn);
}

void Database::NoteSnapshotAnnex(Lsn lsn, std::string annex) {
  std::lock_guard lock(annexes_mu_);
  snapshot_annexes_[lsn] = std::move(annex);
}

Result<Database::AnnexedSnapshot> Database::NewestAnnexedSnapshot(Lsn after) {
  {
    // Not under snapshot_mu_, which a snapshot holds for as long as it writes: an HTTP
    // thread asks. A file listed here and removed before it is sent answers 503.
    std::vector<wal::SnapshotInfo> snapshots;
    if (Status s = wal::ListSnapshots(fs_, dirs_.snapshots, &snapshots); !s.ok()) return s;
    std::lock_guard lock(annexes_mu_);
    for (auto it = snapshots.rbegin(); it != snapshots.rend() && it->lsn > after; ++it) {
      auto annex = snapshot_annexes_.find(it->lsn);
      if (annex == snapshot_annexes_.end()) continue;
      return AnnexedSnapshot{it->lsn, wal::JoinPath(dirs_.snapshots, it->name), annex->second};
    }
  }
  // None can be taken past `after` before the log reaches past it: asking then would
  // only keep the maintenance thread snapshotting for a caller that polls.
  if (Lsn end = wal_->Stats().appended_lsn; after >= end) {
    return Status(ErrorCode::kNotFound, "no snapshot past LSN " + std::to_string(after) +
                                            ": this log ends at LSN " + std::to_string(end));
  }
  {
    std::lock_guard lock(loop_mu_);
    snapshot_wanted_ = true;
  }
  loop_cv_.notify_all();
  return Status(ErrorCode::kNotFound, "no snapshot past LSN " + std::to_string(after) +
                                          " carries an annex yet; one is being taken");
}

}  // namespace ecomm
