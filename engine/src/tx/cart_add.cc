// CART_ADD: units of a product into a user's cart. A cart line reserves no stock, so
// only the account is locked.
#include "ecomm/engine.h"
#include "ecomm/invariant.h"
#include "engine_core.h"
#include "make_views.h"
#include "tx/common.h"
#include "tx/unit.h"
#include "validation.h"

namespace ecomm {

namespace {

struct CartAddUnit {
  using Record = CartAddRecord;
  struct Scope : tx::AccountScope {
    Product* product = nullptr;
  };

  static Status Screen(const Record& r) {
    if (Status s = CheckId("userId", r.user_id); !s.ok()) return s;
    if (Status s = CheckId("productId", r.product_id); !s.ok()) return s;
    return CheckRange("quantity", r.quantity, 1, limits::kMaxLineQuantity);
  }

  // The product is found, not locked: a cart line reads only its price, which never
  // changes.
  static Status Open(EngineState& state, const Record& r, Scope* scope) {
    if (Status s = tx::OpenAccount(state, r.user_id, scope); !s.ok()) return s;
    Result<Product*> product = state.FindProduct(r.product_id);
    if (!product.ok()) return product.status();
    scope->product = *product;
    return Status::Ok();
  }

  static Status Check(const EngineState&, const Record& r, const Scope& scope) {
    const Account& account = *scope.account;
    if (const CartLine* line = scope.account->FindCartLine(r.product_id)) {
      if (line->quantity > limits::kMaxLineQuantity - r.quantity) {
        return Invalid("a cart line holds at most 10^6 units");
      }
    } else if (account.cart.size() >= limits::kMaxLines) {
      return Invalid("a cart holds at most 100 lines");
    }
    // A cart is an order in waiting: its total obeys the order total's limit, which
    // also keeps every total a JSON client can hold exactly.
    if (account.CartTotal() > limits::kMaxOrderTotal - scope.product->price * r.quantity) {
      return Invalid("the cart total would exceed 2^53-1");
    }
    return Status::Ok();
  }

  static void Apply(EngineState& state, const Record& r, Scope& scope, Lsn) {
    Account& account = *scope.account;
    state.capture.Preserve(account);
    if (CartLine* line = account.FindCartLine(r.product_id)) {
      line->quantity += r.quantity;
      ECOMM_INVARIANT(line->quantity <= limits::kMaxLineQuantity, "a cart line holds at most 10^6");
    } else {
      account.cart.push_back(CartLine{scope.product, r.quantity});
    }
    ECOMM_INVARIANT(account.cart.size() <= limits::kMaxLines, "a cart holds at most 100 lines");
  }
};

}  // namespace

Status tx::Replay(EngineState& state, const CartAddRecord& record, Lsn lsn,
                  wal::Journal* follow_log) {
  return ReplayUnit<CartAddUnit>(state, record, lsn, follow_log);
}

Result<Committed<CartView>> Engine::AddToCart(std::string_view user_id, std::string_view product_id,
                                              Quantity quantity) {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  CartAddRecord record{.user_id = user_id, .product_id = product_id, .quantity = quantity};
  return tx::Mutate<CartAddUnit>(
      *core_->state, record, nullptr,
      [](const CartAddUnit::Scope& scope) { return MakeCartView(*scope.account); });
}

}  // namespace ecomm
