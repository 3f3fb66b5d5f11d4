// CART_REMOVE: a product's line out of a user's cart.
#include "ecomm/engine.h"
#include "ecomm/invariant.h"
#include "engine_core.h"
#include "make_views.h"
#include "tx/common.h"
#include "tx/unit.h"
#include "validation.h"

namespace ecomm {

namespace {

struct CartRemoveUnit {
  using Record = CartRemoveRecord;
  using Scope = tx::AccountScope;

  static Status Screen(const Record& r) {
    if (Status s = CheckId("userId", r.user_id); !s.ok()) return s;
    return CheckId("productId", r.product_id);
  }

  static Status Open(EngineState& state, const Record& r, Scope* scope) {
    return tx::OpenAccount(state, r.user_id, scope);
  }

  static Status Check(const EngineState&, const Record& r, const Scope& scope) {
    if (scope.account->FindCartLine(r.product_id) == nullptr) {
      return Status(ErrorCode::kCartItemNotFound, "the cart holds no such product");
    }
    return Status::Ok();
  }

  static void Apply(EngineState& state, const Record& r, Scope& scope, Lsn) {
    Account& account = *scope.account;
    state.capture.Preserve(account);
    CartLine* line = account.FindCartLine(r.product_id);
    ECOMM_INVARIANT(line != nullptr, "Check found the line");
    account.cart.erase(account.cart.begin() + (line - account.cart.data()));
  }
};

}  // namespace

Status tx::Replay(EngineState& state, const CartRemoveRecord& record, Lsn lsn,
                  wal::Journal* follow_log) {
  return ReplayUnit<CartRemoveUnit>(state, record, lsn, follow_log);
}

Result<Committed<CartView>> Engine::RemoveFromCart(std::string_view user_id,
                                                   std::string_view product_id) {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  CartRemoveRecord record{.user_id = user_id, .product_id = product_id};
  return tx::Mutate<CartRemoveUnit>(
      *core_->state, record, nullptr,
      [](const CartRemoveUnit::Scope& s) { return MakeCartView(*s.account); });
}

}  // namespace ecomm
