#pragma once

#include <concepts>
#include <optional>
#include <type_traits>
#include <utility>

#include "ecomm/engine.h"
#include "ecomm/invariant.h"
#include "ecomm/record.h"
#include "engine_state.h"
#include "idempotency.h"

// A transaction unit is one mutation's rule, in one file (engine/src/tx/<name>.cc).
// The live path, recovery and followers run the same unit through the drivers below,
// so a rule cannot differ between them. A unit U declares:
//
//   using Record = ...;   // its log record; fields in ecomm/record.h
//   struct Scope { ... }; // the objects the record touches, their locks held
//   // The checks of the record alone (ids, texts, ranges, the shape of an outcome):
//   // 400s live, where a request can break them.
//   static Status Screen(const Record&);
//   // Finds what the record touches (404s) and locks it in the global lock order.
//   static Status Open(EngineState&, const Record&, Scope*);
//   // The checks against the state, locks held: every refusal a record can meet.
//   static Status Check(const EngineState&, const Record&, const Scope&);
//   // Changes the state; cannot fail (Check said yes).
//   static void Apply(EngineState&, const Record&, Scope&, Lsn);
//
// A unit whose requests may carry an Idempotency-Key adds
//   static constexpr IdempotentOutcome::Kind kKeyKind;
//   static Result<Committed<View>> Reanswer(EngineState&, const IdempotentOutcome&);
namespace ecomm::tx {

template <class U>
concept Keyed = requires {
  U::kKeyKind;
};

// Every record's time is one the engine accepts.
Status CheckTime(TimeMs at);

// A record that does not fit the state it lands on (a bug, or corruption the checksums
// missed): recovery stops with the unit's own reason instead of corrupting memory.
Status Misfit(const Record& record, const Status& why);

// Every refusal of a record against the state it lands on, live and on replay alike:
// its time, then the unit's Check.
template <class U>
Status CheckState(EngineState& state, const typename U::Record& record, typename U::Scope& scope) {
  if (Status s = CheckTime(record.at); !s.ok()) return s;
  return U::Check(state, record, scope);
}

// The end of every live mutation, with the record built and its scope locked:
// CheckState, log, Apply. Nothing is applied when a check refuses or the log does.
template <class U>
Result<CommitTicket> Commit(EngineState& state, const typename U::Record& record,
                            typename U::Scope& scope) {
  if (Status s = CheckState<U>(state, record, scope); !s.ok()) return s;
  Result<CommitTicket> ticket = state.Append(record);
  if (!ticket.ok()) return ticket.status();
  U::Apply(state, record, scope, ticket->lsn);
  return ticket;
}

// Replay of a record logged at `lsn` (recovery, followers): the live path's Screen,
// Open, Check and Apply; any refusal is a Misfit carrying the live path's reason.
// Recovery reads the record from the log it applies (`follow_log` null); a follower
// also appends it to `follow_log`, its own log, at the LSN it counted at, between Check
// and Apply as the live path does (nothing refused is logged). Not the engine's
// journal: that is a primary's, which a deposed one keeps so that it refuses writes.
template <class U>
Status ReplayUnit(EngineState& state, const typename U::Record& record, Lsn lsn,
                  wal::Journal* follow_log) {
  if (Status s = U::Screen(record); !s.ok()) return Misfit(record, s);
  typename U::Scope scope;
  if (Status s = U::Open(state, record, &scope); !s.ok()) return Misfit(record, s);
  if (Status s = CheckState<U>(state, record, scope); !s.ok()) return Misfit(record, s);
  if (follow_log != nullptr) {
    Result<CommitTicket> ticket = state.AppendRecordTo(follow_log, Record(record));
    if (!ticket.ok()) return ticket.status();
    ECOMM_INVARIANT(ticket->lsn == lsn, "a follower logs each record at the LSN it counted at");
  }
  U::Apply(state, record, scope, lsn);
  return Status::Ok();
}

// The live mutation of a unit whose request has passed its screen: the
// Idempotency-Key, then `build(&record, &scope)` (find what the record touches, lock it
// in the global lock order, fill in what follows from the state), the engine's time,
// then Commit. `answer(scope)` makes the reply while the locks are still held. The
// caller holds the engine's gate.
template <class U, class Build, class Answer>
auto MutateFromState(EngineState& state, const IdempotencyKey* key, Build&& build, Answer&& answer)
    -> Result<Committed<std::invoke_result_t<Answer&, typename U::Scope&>>> {
  using View = std::invoke_result_t<Answer&, typename U::Scope&>;
  std::optional<KeyReservation> reservation;
  if constexpr (Keyed<U>) {
    reservation.emplace(state.idempotency, key, U::kKeyKind);
    auto earlier = reservation->Acquire(state.Now());
    if (!earlier.ok()) return earlier.status();
    if (*earlier) return U::Reanswer(state, **earlier);
  }
  typename U::Record record;
  typename U::Scope scope;
  if (Status s = build(&record, &scope); !s.ok()) return s;
  if constexpr (Keyed<U>) record.idempotency = reservation->tag();
  record.at = state.Now();
  Result<CommitTicket> ticket = Commit<U>(state, record, scope);
  if (!ticket.ok()) return ticket.status();
  if (reservation) reservation->Keep();
  return Committed<View>{answer(scope), *ticket};
}

// The live mutation of a unit whose record follows from its request alone: Screen,
// then MutateFromState with the unit's Open.
template <class U, class Answer>
auto Mutate(EngineState& state, typename U::Record record, const IdempotencyKey* key,
            Answer&& answer)
    -> Result<Committed<std::invoke_result_t<Answer&, typename U::Scope&>>> {
  using Record = typename U::Record;
  using Scope = typename U::Scope;
  if (Status s = U::Screen(record); !s.ok()) return s;
  return MutateFromState<U>(
      state, key,
      [&](Record* built, Scope* scope) {
        *built = std::move(record);
        return U::Open(state, *built, scope);
      },
      answer);
}

// Replay of one record of each kind, declared once per unit (engine/src/tx/*.cc).
Status Replay(EngineState& state, const CreateUserRecord& record, Lsn lsn,
              wal::Journal* follow_log);
Status Replay(EngineState& state, const CreateProductRecord& record, Lsn lsn,
              wal::Journal* follow_log);
Status Replay(EngineState& state, const RestockRecord& record, Lsn lsn, wal::Journal* follow_log);
Status Replay(EngineState& state, const ChargeRecord& record, Lsn lsn, wal::Journal* follow_log);
Status Replay(EngineState& state, const PlaceOrderRecord& record, Lsn lsn,
              wal::Journal* follow_log);
Status Replay(EngineState& state, const CancelOrderRecord& record, Lsn lsn,
              wal::Journal* follow_log);
Status Replay(EngineState& state, const CartAddRecord& record, Lsn lsn, wal::Journal* follow_log);
Status Replay(EngineState& state, const CartRemoveRecord& record, Lsn lsn,
              wal::Journal* follow_log);
Status Replay(EngineState& state, const AdvanceClockRecord& record, Lsn lsn,
              wal::Journal* follow_log);
Status Replay(EngineState& state, const CreateCouponRecord& record, Lsn lsn,
              wal::Journal* follow_log);
Status Replay(EngineState& state, const IssueCouponRecord& record, Lsn lsn,
              wal::Journal* follow_log);

}  // namespace ecomm::tx
