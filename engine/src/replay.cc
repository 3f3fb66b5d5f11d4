// Recovery and followers: applying records logged earlier, each through its
// transaction unit's own checks and Apply (engine/src/tx/).
#include "replay.h"

#include "engine_core.h"
#include "tx/unit.h"

namespace ecomm {

Status ReplayRecord(Engine& engine, const Record& record, Lsn lsn) {
  EngineState& state = *engine.core().state;
  return std::visit([&](const auto& r) { return tx::Replay(state, r, lsn); }, record);
}

Status ReplayRecord(Engine& engine, RecordType type, std::span<const uint8_t> payload, Lsn lsn) {
  Result<Record> record = DecodeRecord(type, payload);
  if (!record.ok()) return record.status();
  return ReplayRecord(engine, *record, lsn);
}

}  // namespace ecomm
