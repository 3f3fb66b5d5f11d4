// CHARGE: money onto a user's balance (POST /balance/charge).
#include "ecomm/engine.h"
#include "engine_core.h"
#include "make_views.h"
#include "tx/common.h"
#include "tx/unit.h"
#include "validation.h"

namespace ecomm {

namespace {

struct ChargeUnit {
  using Record = ChargeRecord;
  using Scope = tx::AccountScope;
  static constexpr IdempotentOutcome::Kind kKeyKind = IdempotentOutcome::Kind::kCharge;

  // The userId is checked by Open (FindAccount), after the Idempotency-Key, as ever.
  static Status Screen(const Record& r) {
    return CheckRange("amount", r.amount, 1, limits::kMaxChargeAmount);
  }

  static Status Open(EngineState& state, const Record& r, Scope* scope) {
    return tx::OpenAccount(state, r.user_id, scope);
  }

  static Status Check(const EngineState&, const Record& r, const Scope& scope) {
    if (scope.account->balance > limits::kMaxBalance - r.amount) {
      return Invalid("balance would exceed 2^53-1");
    }
    return Status::Ok();
  }

  static void Apply(EngineState& state, const Record& r, Scope& scope, Lsn lsn) {
    Account& account = *scope.account;
    state.capture.Preserve(account);
    account.Post(TransactionType::kCharge, r.amount, r.transaction_id, Uuid{}, r.at);
    if (r.idempotency) {
      IdempotentOutcome outcome = tx::KeyOutcome(kKeyKind, lsn, r.at);
      outcome.user_id = account.user_id;
      outcome.balance_after = account.balance;
      state.idempotency.Complete(*r.idempotency, std::move(outcome));
    }
  }

  static Result<Committed<BalanceView>> Reanswer(EngineState& state,
                                                 const IdempotentOutcome& earlier) {
    BalanceView view{earlier.user_id, earlier.balance_after, earlier.at};
    return Committed<BalanceView>{std::move(view), {earlier.lsn, state.epoch}, true};
  }
};

}  // namespace

Status tx::Replay(EngineState& state, const ChargeRecord& record, Lsn lsn,
                  wal::Journal* follow_log) {
  return ReplayUnit<ChargeUnit>(state, record, lsn, follow_log);
}

Result<Committed<BalanceView>> Engine::Charge(std::string_view user_id, Money amount,
                                              const IdempotencyKey* key) {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  ChargeRecord record{.user_id = user_id,
                      .amount = amount,
                      .transaction_id = Uuid::Random(),
                      .idempotency = std::nullopt};
  return tx::Mutate<ChargeUnit>(*core_->state, record, key, [](const ChargeUnit::Scope& scope) {
    return MakeBalanceView(*scope.account);
  });
}

}  // namespace ecomm
