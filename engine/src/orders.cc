#include "orders.h"

#include "ecomm/invariant.h"

namespace ecomm {

namespace {

bool IsAllowed(OrderStatus from, OrderStatus to, bool first) {
  if (first) return to == OrderStatus::kPending;
  switch (from) {
    case OrderStatus::kPending:
      return to == OrderStatus::kSuccess || to == OrderStatus::kFailed;
    case OrderStatus::kSuccess:
      return to == OrderStatus::kCancelled;
    case OrderStatus::kFailed:
    case OrderStatus::kCancelled:
      return false;
  }
  return false;
}

}  // namespace

void Order::Transition(OrderStatus to, StatusReason reason, ChangedBy by, TimeMs at) {
  // Invariant: PENDING -> SUCCESS | FAILED, SUCCESS -> CANCELLED, nothing else.
  ECOMM_INVARIANT(IsAllowed(status, to, history.empty()),
                  "an order moves only along the allowed transitions");
  status = to;
  updated_at = at;
  history.push_back(OrderHistoryEntry{to, reason, by, at});
}

}  // namespace ecomm
