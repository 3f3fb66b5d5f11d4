#pragma once

#include <atomic>

#include "commit_gate.h"

namespace ecomm {

// The door every call into an Engine passes (Engine::Enter). Held shared while a call
// uses the state: a mutation from its first lock until its record is applied, a read
// while it builds its view. Held exclusively for the instant a snapshot fixes its LSN,
// and while a log failure replaces the state with the durable one (Database).
struct StateGate {
  CommitGate lock;
  // From a log failure until the durable state is back: every call answers
  // kUnavailable rather than show a record the log lost.
  std::atomic<bool> reloading{false};
  // Changed (under the exclusive lock) each time the state is replaced: a call that
  // enters more than once can tell whether it still sees the same state.
  uint64_t generation = 0;
};

}  // namespace ecomm
