#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "ecomm/engine.h"
#include "ecomm/record.h"
#include "ecomm/result.h"

namespace ecomm {

namespace wal {
class FileSystem;
}

// An engine fed a log instead of requests: the Kafka shipper follows the server's log
// with one, and `ecomm-wal replay` rebuilds a state from a log. Each record runs
// through its transaction's replay path, which holds it to the live path's own rules
// and applies it with the live path's own Apply: a replica that accepts a log agrees
// with the engine that wrote it, to the last byte of StateDigest.
class Replica {
 public:
  // An empty state; `options.journal` is ignored (a replica logs nothing).
  explicit Replica(EngineOptions options = {});
  // The newest snapshot of `data_dir` that verifies (else the one before), writing
  // nothing: safe beside a server that has the directory open. `fs` null: the real one.
  // Each snapshot skipped goes to `log`.
  static Result<Replica> Load(wal::FileSystem* fs, const std::string& data_dir,
                              const std::function<void(const std::string&)>& log);

  // Applies the record logged at `lsn`, which must come after applied_lsn():
  // kInternal, nothing applied, when it does not or when the record does not fit the
  // state (a corrupt log); kCorruption when `payload` is not a record of `type`.
  Status Apply(const Record& record, Lsn lsn);
  Status Apply(RecordType type, std::span<const uint8_t> payload, Lsn lsn);

  // Reads see every record applied so far.
  const Engine& engine() const { return *engine_; }
  // The snapshot's LSN, then the last record's; 0 for an empty replica.
  Lsn applied_lsn() const { return applied_lsn_; }
  // Newer snapshots Load passed over because they did not verify, and why.
  const std::string& skipped_snapshots() const { return skipped_; }
  // XXH3 over a deterministic walk of the whole state: two replicas (or engines) that
  // applied the same records have the same digest.
  uint64_t Digest() const;

 private:
  Replica(std::unique_ptr<Engine> engine, Lsn applied_lsn, std::string skipped);

  std::unique_ptr<Engine> engine_;
  Lsn applied_lsn_ = 0;
  std::string skipped_;
};

}  // namespace ecomm
