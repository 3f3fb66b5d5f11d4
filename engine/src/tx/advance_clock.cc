// ADVANCE_CLOCK: the test clock moved forward; logged, so time survives a restart.
#include <mutex>

#include "ecomm/engine.h"
#include "engine_core.h"
#include "tx/unit.h"
#include "validation.h"

namespace ecomm {

namespace {

struct AdvanceClockUnit {
  using Record = AdvanceClockRecord;
  struct Scope {
    std::unique_lock<std::mutex> lock;  // advances one at a time
  };

  static Status Screen(const Record& r) {
    return CheckRange("advanceSeconds", r.seconds, 1, limits::kMaxClockAdvanceSeconds);
  }

  static Status Open(EngineState& state, const Record&, Scope* scope) {
    scope->lock = std::unique_lock(state.clock_mu);
    return Status::Ok();
  }

  // `r.at` is the engine's time when the record was made, under the clock lock.
  static Status Check(const EngineState&, const Record& r, const Scope&) {
    if (r.at > limits::kMaxTimeMs - r.seconds * 1000) {
      return Invalid("the clock would pass the year 9999");
    }
    return Status::Ok();
  }

  static void Apply(EngineState& state, const Record& r, Scope&, Lsn) {
    state.clock_offset_ms.fetch_add(r.seconds * 1000, std::memory_order_acq_rel);
  }
};

}  // namespace

Status tx::Replay(EngineState& state, const AdvanceClockRecord& record, Lsn lsn,
                  wal::Journal* follow_log) {
  return ReplayUnit<AdvanceClockUnit>(state, record, lsn, follow_log);
}

Result<Committed<TimeMs>> Engine::AdvanceClock(int64_t seconds) {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  EngineState& state = *core_->state;
  return tx::Mutate<AdvanceClockUnit>(state, AdvanceClockRecord{.seconds = seconds}, nullptr,
                                      [&](const AdvanceClockUnit::Scope&) { return state.Now(); });
}

}  // namespace ecomm
