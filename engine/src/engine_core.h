#pragma once

#include <memory>

#include "ecomm/engine.h"
#include "engine_state.h"
#include "state_gate.h"

namespace ecomm {

// What an Engine is behind its public methods: the state and the gate every call
// passes. The engine library's own parts reach it through Engine::core(): a Database
// swaps the state after a log failure and fixes a snapshot's LSN at the gate; replay
// applies records to the state (replay.h).
struct EngineCore {
  explicit EngineCore(const EngineOptions& options)
      : state(std::make_unique<EngineState>(options)) {}

  StateGate gate;  // guards `state` itself, which a log failure replaces
  std::unique_ptr<EngineState> state;
};

}  // namespace ecomm
