// A follower's way in: records the log topic counted, applied and logged locally.
#include "ecomm/database.h"
#include "ecomm/wal/wal_writer.h"
#include "replay.h"

namespace ecomm {

Status Database::ApplyCounted(RecordType type, std::span<const uint8_t> payload, Lsn lsn) {
  Lsn last = wal_->Stats().appended_lsn;
  if (lsn != last + 1) {
    return Status(ErrorCode::kInternal, "counted record " + std::to_string(lsn) +
                                            " does not follow this log's last record, " +
                                            std::to_string(last));
  }
  return FollowRecord(*engine_, type, payload, lsn);
}

}  // namespace ecomm
