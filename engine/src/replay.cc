// Recovery and followers: applying records logged earlier, each through its
// transaction unit's own checks and Apply (engine/src/tx/).
#include "ecomm/engine.h"
#include "engine_state.h"
#include "tx/unit.h"

namespace ecomm {

Status Engine::Apply(const Record& record, Lsn lsn) {
  return std::visit([&](const auto& r) { return tx::Replay(*state_, r, lsn); }, record);
}

Status Engine::Replay(RecordType type, std::span<const uint8_t> payload, Lsn lsn) {
  Result<Record> record = DecodeRecord(type, payload);
  if (!record.ok()) return record.status();
  return Apply(*record, lsn);
}

}  // namespace ecomm
