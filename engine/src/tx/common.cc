#include "tx/common.h"

#include "ecomm/invariant.h"
#include "make_views.h"
#include "tx/unit.h"

namespace ecomm::tx {

Status CheckTime(TimeMs at) {
  if (at < 0 || at > limits::kMaxTimeMs) return Invalid("time out of range");
  return Status::Ok();
}

Status Misfit(const Record& record, const Status& why) {
  return Status(ErrorCode::kInternal,
                "record does not fit the state (" + why.message() + "): " + DescribeRecord(record));
}

Status OpenAccount(EngineState& state, std::string_view user_id, AccountScope* scope) {
  Result<Account*> found = state.FindAccount(user_id);
  if (!found.ok()) return found.status();
  scope->account = *found;
  scope->lock = std::unique_lock(scope->account->mu);
  return Status::Ok();
}

IdempotentOutcome KeyOutcome(IdempotentOutcome::Kind kind, Lsn lsn, TimeMs at) {
  IdempotentOutcome outcome;
  outcome.kind = kind;
  outcome.lsn = lsn;
  outcome.at = at;
  return outcome;
}

Result<Committed<OrderView>> ReanswerOrder(EngineState& state, const IdempotentOutcome& earlier) {
  const Order* order = state.orders.Find(earlier.subject_id);
  ECOMM_INVARIANT(order != nullptr, "an outcome is stored only with its order");
  std::lock_guard lock(order->user->mu);
  return Committed<OrderView>{
      MakeOrderView(*order, earlier.history_size), {earlier.lsn, state.epoch}, true};
}

}  // namespace ecomm::tx
