#include "ecomm/replica.h"

#include <utility>

#include "ecomm/wal/data_dir.h"
#include "ecomm/wal/file.h"
#include "replay.h"
#include "snapshot_loader.h"

namespace ecomm {

namespace {

EngineOptions WithoutJournal(EngineOptions options) {
  options.journal = nullptr;
  return options;
}

}  // namespace

Replica::Replica(EngineOptions options)
    : engine_(std::make_unique<Engine>(WithoutJournal(options))) {}

Replica::Replica(std::unique_ptr<Engine> engine, Lsn applied_lsn, std::string skipped)
    : engine_(std::move(engine)), applied_lsn_(applied_lsn), skipped_(std::move(skipped)) {}

Result<Replica> Replica::Load(wal::FileSystem* fs, const std::string& data_dir,
                              const std::function<void(const std::string&)>& log) {
  Result<LoadedSnapshot> loaded = LoadNewestSnapshot(
      fs ? fs : wal::FileSystem::Posix(), wal::DataDir(data_dir).snapshots, EngineOptions{}, log);
  if (!loaded.ok()) return loaded.status();
  return Replica(std::move(loaded->engine), loaded->snapshot_lsn, std::move(loaded->skipped));
}

Status Replica::Apply(const Record& record, Lsn lsn) {
  if (lsn <= applied_lsn_) {
    return Status(ErrorCode::kInternal, "record " + std::to_string(lsn) +
                                            " does not come after LSN " +
                                            std::to_string(applied_lsn_));
  }
  Status applied = ReplayRecord(*engine_, record, lsn);
  if (applied.ok()) applied_lsn_ = lsn;
  return applied;
}

Status Replica::Apply(RecordType type, std::span<const uint8_t> payload, Lsn lsn) {
  Result<Record> record = DecodeRecord(type, payload);
  if (!record.ok()) return record.status();
  return Apply(*record, lsn);
}

uint64_t Replica::Digest() const { return StateDigest(*engine_); }

}  // namespace ecomm
