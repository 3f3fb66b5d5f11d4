// Recovery and followers: applying records logged earlier, each through its
// transaction unit's own checks and Apply (engine/src/tx/).
#include "replay.h"

#include <mutex>
#include <shared_mutex>

#include "engine_core.h"
#include "tx/unit.h"

namespace ecomm {

namespace {

Status Replay(Engine& engine, const Record& record, Lsn lsn, wal::Journal* follow_log) {
  EngineState& state = *engine.core().state;
  return std::visit([&](const auto& r) { return tx::Replay(state, r, lsn, follow_log); }, record);
}

}  // namespace

Status ReplayRecord(Engine& engine, const Record& record, Lsn lsn) {
  return Replay(engine, record, lsn, nullptr);
}

Status ReplayRecord(Engine& engine, RecordType type, std::span<const uint8_t> payload, Lsn lsn) {
  Result<Record> record = DecodeRecord(type, payload);
  if (!record.ok()) return record.status();
  return ReplayRecord(engine, *record, lsn);
}

Status FollowRecord(Engine& engine, RecordType type, std::span<const uint8_t> payload, Lsn lsn,
                    wal::Journal* log) {
  Result<Record> record = DecodeRecord(type, payload);
  if (!record.ok()) return record.status();
  // Through the gate, as a live mutation: a snapshot fixes its LSN there, and a log
  // failure swaps the state behind it.
  std::shared_lock gate(engine.core().gate.lock);
  if (engine.core().gate.reloading.load(std::memory_order_acquire)) {
    return Status(ErrorCode::kUnavailable,
                  "the log failed; the engine is reloading its durable state");
  }
  return Replay(engine, *record, lsn, log);
}

}  // namespace ecomm
