// RESTOCK: units added to a product's stock (admin).
#include <mutex>

#include "ecomm/engine.h"
#include "engine_core.h"
#include "make_views.h"
#include "tx/unit.h"
#include "validation.h"

namespace ecomm {

namespace {

struct RestockUnit {
  using Record = RestockRecord;
  struct Scope {
    Product* product = nullptr;
    std::unique_lock<std::mutex> lock;
  };

  // The product id is not screened: an id no product can have is simply not found.
  static Status Screen(const Record& r) {
    return CheckRange("quantity", r.quantity, 1, limits::kMaxRestock);
  }

  static Status Open(EngineState& state, const Record& r, Scope* scope) {
    Result<Product*> found = state.FindProduct(r.product_id);
    if (!found.ok()) return found.status();
    scope->product = *found;
    scope->lock = std::unique_lock(scope->product->mu);
    return Status::Ok();
  }

  static Status Check(const EngineState&, const Record& r, const Scope& scope) {
    if (scope.product->stock.load(std::memory_order_relaxed) > limits::kMaxStock - r.quantity) {
      return Invalid("stock would exceed 10^12");
    }
    return Status::Ok();
  }

  static void Apply(EngineState& state, const Record& r, Scope& scope, Lsn) {
    state.capture.Preserve(*scope.product);
    scope.product->MoveStock(r.quantity, r.at);
  }
};

}  // namespace

Status tx::Replay(EngineState& state, const RestockRecord& record, Lsn lsn,
                  wal::Journal* follow_log) {
  return ReplayUnit<RestockUnit>(state, record, lsn, follow_log);
}

Result<Committed<ProductView>> Engine::Restock(std::string_view product_id, Quantity quantity) {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  RestockRecord record{.product_id = product_id, .quantity = quantity};
  return tx::Mutate<RestockUnit>(
      *core_->state, record, nullptr,
      [](const RestockUnit::Scope& scope) { return MakeProductView(*scope.product); });
}

}  // namespace ecomm
