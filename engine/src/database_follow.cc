// A replica's ways in and out: records the log topic counted, applied and logged
// locally; the digest replicas compare.
#include <mutex>

#include "ecomm/database.h"
#include "ecomm/wal/wal_writer.h"
#include "engine_core.h"
#include "replay.h"

namespace ecomm {

Status Database::ApplyCounted(RecordType type, std::span<const uint8_t> payload, Lsn lsn) {
  std::lock_guard lock(follow_mu_);
  // A failed log (or a cut back under way) numbers again from a lower LSN once it
  // works: until then this record's place is not known.
  if (Status failed = wal_->error(); !failed.ok()) {
    return Status(ErrorCode::kUnavailable,
                  "the local log cannot take records: " + failed.message());
  }
  Lsn last = wal_->Stats().appended_lsn;
  if (lsn != last + 1) {
    return Status(ErrorCode::kInternal, "counted record " + std::to_string(lsn) +
                                            " does not follow this log's last record, " +
                                            std::to_string(last));
  }
  return FollowRecord(*engine_, type, payload, lsn, wal_.get());
}

void Database::UseJournal(wal::Journal* journal) {
  std::unique_lock gate(engine_->core().gate.lock);
  engine_->core().state->journal = journal ? journal : wal_.get();
}

wal::Journal* Database::local_journal() { return wal_.get(); }

Database::DigestAt Database::Digest() const {
  std::lock_guard lock(follow_mu_);
  return DigestAt{wal_->Stats().appended_lsn, StateDigest(*engine_)};
}

}  // namespace ecomm
