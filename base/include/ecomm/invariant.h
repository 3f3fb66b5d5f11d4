#pragma once

// Invariants that hold in every build, production included (TigerBeetle keeps its
// assertions on): a violated one stops the process with a clear message, and
// recovery from the log then rebuilds a state that never held the broken one. Use it
// for checks that cost a comparison or two; `assert` remains for the expensive ones,
// which run in the sanitizer builds of the test command.
namespace ecomm {

[[noreturn]] void InvariantFailed(const char* condition, const char* why, const char* file,
                                  int line);

}  // namespace ecomm

// ECOMM_INVARIANT(balance >= 0, "a balance never goes negative");
#define ECOMM_INVARIANT(condition, why)                                \
  do {                                                                 \
    if (!(condition)) [[unlikely]]                                     \
      ::ecomm::InvariantFailed(#condition, (why), __FILE__, __LINE__); \
  } while (false)
