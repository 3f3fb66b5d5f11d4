// Cart mutations. A cart line does not reserve stock, so only the account is locked.
#include <mutex>

#include "apply.h"
#include "ecomm/engine.h"
#include "engine_state.h"
#include "make_views.h"
#include "state_gate.h"
#include "validation.h"

namespace ecomm {

Result<Committed<CartView>> Engine::AddToCart(std::string_view user_id, std::string_view product_id,
                                              Quantity quantity) {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  if (Status s = CheckId("userId", user_id); !s.ok()) return s;
  if (Status s = CheckId("productId", product_id); !s.ok()) return s;
  if (Status s = CheckRange("quantity", quantity, 1, limits::kMaxLineQuantity); !s.ok()) return s;
  Result<Account*> account = state_->FindAccount(user_id);
  if (!account.ok()) return account.status();
  Result<Product*> product = state_->FindProduct(product_id);
  if (!product.ok()) return product.status();

  std::lock_guard lock((*account)->mu);
  if (const CartLine* line = (*account)->FindCartLine(product_id)) {
    if (line->quantity > limits::kMaxLineQuantity - quantity) {
      return Status(ErrorCode::kInvalidRequest, "a cart line holds at most 10^6 units");
    }
  } else if ((*account)->cart.size() >= limits::kMaxLines) {
    return Status(ErrorCode::kInvalidRequest, "a cart holds at most 100 lines");
  }
  // A cart is an order in waiting: its total obeys the order total's limit, which
  // also keeps every total a JSON client can hold exactly.
  if ((*account)->CartTotal() > limits::kMaxOrderTotal - (*product)->price * quantity) {
    return Status(ErrorCode::kInvalidRequest, "the cart total would exceed 2^53-1");
  }
  CartAddRecord record{state_->Now(), (*account)->user_id, (*product)->product_id, quantity};
  Result<CommitTicket> ticket = state_->Log(record);
  if (!ticket.ok()) return ticket.status();
  ApplyCartAdd(*state_, record, **account, **product);
  return Committed<CartView>{MakeCartView(**account), *ticket};
}

Result<Committed<CartView>> Engine::RemoveFromCart(std::string_view user_id,
                                                   std::string_view product_id) {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  if (Status s = CheckId("userId", user_id); !s.ok()) return s;
  if (Status s = CheckId("productId", product_id); !s.ok()) return s;
  Result<Account*> account = state_->FindAccount(user_id);
  if (!account.ok()) return account.status();

  std::lock_guard lock((*account)->mu);
  const CartLine* line = (*account)->FindCartLine(product_id);
  if (line == nullptr) {
    return Status(ErrorCode::kCartItemNotFound, "the cart holds no such product");
  }
  CartRemoveRecord record{state_->Now(), (*account)->user_id, line->product->product_id};
  Result<CommitTicket> ticket = state_->Log(record);
  if (!ticket.ok()) return ticket.status();
  ApplyCartRemove(*state_, record, **account);
  return Committed<CartView>{MakeCartView(**account), *ticket};
}

}  // namespace ecomm
