// Admin mutations: users, products, restocks and the test clock.
#include <mutex>

#include "apply.h"
#include "ecomm/engine.h"
#include "engine_state.h"
#include "make_views.h"
#include "state_gate.h"
#include "validation.h"

namespace ecomm {

namespace {

Status Exists(std::string_view what) {
  return Status(ErrorCode::kAlreadyExists, std::string(what) + " already exists");
}

}  // namespace

Result<Committed<UserView>> Engine::CreateUser(const NewUser& user) {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  std::string id = user.user_id ? *user.user_id : Uuid::Random().ToString();
  if (Status s = CheckId("userId", id); !s.ok()) return s;
  if (Status s = CheckText("name", user.name); !s.ok()) return s;
  if (Status s = CheckText("email", user.email); !s.ok()) return s;
  CreateUserRecord record{state_->Now(), id, user.name, user.email};
  return state_->accounts.WithStripe(id, [&](auto& stripe) -> Result<Committed<UserView>> {
    if (stripe.contains(id)) return Exists("user " + id);
    Result<CommitTicket> ticket = state_->Log(record);
    if (!ticket.ok()) return ticket.status();
    Account* account = ApplyCreateUser(*state_, record, stripe);
    return Committed<UserView>{MakeUserView(*account), *ticket};
  });
}

Result<Committed<ProductView>> Engine::CreateProduct(const NewProduct& product) {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  std::string id = product.product_id ? *product.product_id : Uuid::Random().ToString();
  if (Status s = CheckId("productId", id); !s.ok()) return s;
  if (Status s = CheckText("name", product.name); !s.ok()) return s;
  if (Status s = CheckRange("price", product.price, 0, limits::kMaxPrice); !s.ok()) return s;
  if (Status s = CheckRange("stock", product.stock, 0, limits::kMaxStock); !s.ok()) return s;
  CreateProductRecord record{state_->Now(), id, product.name, product.price, product.stock};
  return state_->catalog.WithStripe(id, [&](auto& stripe) -> Result<Committed<ProductView>> {
    if (stripe.contains(id)) return Exists("product " + id);
    Result<CommitTicket> ticket = state_->Log(record);
    if (!ticket.ok()) return ticket.status();
    Product* created = ApplyCreateProduct(*state_, record, stripe);
    return Committed<ProductView>{MakeProductView(*created), *ticket};
  });
}

Result<Committed<ProductView>> Engine::Restock(std::string_view product_id, Quantity quantity) {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  if (Status s = CheckRange("quantity", quantity, 1, limits::kMaxRestock); !s.ok()) return s;
  Result<Product*> found = state_->FindProduct(product_id);
  if (!found.ok()) return found.status();
  Product& product = **found;
  std::lock_guard lock(product.mu);
  if (product.stock.load(std::memory_order_relaxed) > limits::kMaxStock - quantity) {
    return Status(ErrorCode::kInvalidRequest, "stock would exceed 10^12");
  }
  RestockRecord record{state_->Now(), product.product_id, quantity};
  Result<CommitTicket> ticket = state_->Log(record);
  if (!ticket.ok()) return ticket.status();
  ApplyRestock(*state_, record, product);
  return Committed<ProductView>{MakeProductView(product), *ticket};
}

Result<Committed<TimeMs>> Engine::AdvanceClock(int64_t seconds) {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  if (Status s = CheckRange("advanceSeconds", seconds, 1, limits::kMaxClockAdvanceSeconds);
      !s.ok()) {
    return s;
  }
  std::lock_guard lock(state_->clock_mu);
  if (state_->Now() > limits::kMaxTimeMs - seconds * 1000) {
    return Status(ErrorCode::kInvalidRequest, "the clock would pass the year 9999");
  }
  AdvanceClockRecord record{state_->Now(), seconds};
  Result<CommitTicket> ticket = state_->Log(record);
  if (!ticket.ok()) return ticket.status();
  ApplyAdvanceClock(*state_, record);
  return Committed<TimeMs>{state_->Now(), *ticket};
}

}  // namespace ecomm
