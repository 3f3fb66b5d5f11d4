// Charging a balance.
#include <mutex>

#include "apply.h"
#include "ecomm/engine.h"
#include "engine_state.h"
#include "make_views.h"
#include "state_gate.h"
#include "validation.h"

namespace ecomm {

Result<Committed<BalanceView>> Engine::Charge(std::string_view user_id, Money amount,
                                              const IdempotencyKey* key) {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  if (Status s = CheckRange("amount", amount, 1, limits::kMaxChargeAmount); !s.ok()) return s;
  if (Status s = CheckIdempotencyKey(key); !s.ok()) return s;

  KeyReservation reservation(state_->idempotency, key, IdempotentOutcome::Kind::kCharge);
  IdempotentOutcome earlier;
  auto reserved = reservation.Acquire(state_->Now(), &earlier);
  if (!reserved.ok()) return reserved.status();
  if (*reserved == IdempotencyStore::Reservation::kCompleted) {
    BalanceView view{earlier.user_id, earlier.balance_after, earlier.at};
    return Committed<BalanceView>{std::move(view), {earlier.lsn, state_->epoch}, true};
  }

  Result<Account*> found = state_->FindAccount(user_id);
  if (!found.ok()) return found.status();
  Account& account = **found;
  std::lock_guard lock(account.mu);
  if (account.balance > limits::kMaxBalance - amount) {
    return Status(ErrorCode::kInvalidRequest, "balance would exceed 2^53-1");
  }
  ChargeRecord record{state_->Now(), account.user_id, amount, Uuid::Random(), reservation.tag()};
  Result<CommitTicket> ticket = state_->Log(record);
  if (!ticket.ok()) return ticket.status();
  ApplyCharge(*state_, record, account, ticket->lsn);
  reservation.Keep();
  return Committed<BalanceView>{MakeBalanceView(account), *ticket};
}

}  // namespace ecomm
