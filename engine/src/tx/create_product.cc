// CREATE_PRODUCT: a new product with its price and first stock (admin).
#include <memory>

#include "ecomm/engine.h"
#include "engine_core.h"
#include "make_views.h"
#include "tx/unit.h"
#include "validation.h"

namespace ecomm {

namespace {

struct CreateProductUnit {
  using Record = CreateProductRecord;
  struct Scope {
    Catalog::LockedStripe stripe;  // where the id goes
    Product* created = nullptr;
  };

  static Status Screen(const Record& r) {
    if (Status s = CheckId("productId", r.product_id); !s.ok()) return s;
    if (Status s = CheckText("name", r.name); !s.ok()) return s;
    if (Status s = CheckRange("price", r.price, 0, limits::kMaxPrice); !s.ok()) return s;
    return CheckRange("stock", r.stock, 0, limits::kMaxStock);
  }

  static Status Open(EngineState& state, const Record& r, Scope* scope) {
    scope->stripe = state.catalog.LockStripe(r.product_id);
    return Status::Ok();
  }

  static Status Check(const EngineState&, const Record& r, const Scope& scope) {
    if (scope.stripe.map->contains(r.product_id)) {
      return Status(ErrorCode::kAlreadyExists,
                    "product " + std::string(r.product_id) + " already exists");
    }
    return Status::Ok();
  }

  static void Apply(EngineState& state, const Record& r, Scope& scope, Lsn) {
    auto product = std::make_unique<Product>(r.product_id, r.name, r.price, r.stock, r.at);
    product->snapshot_epoch = state.capture.epoch();  // born after any running snapshot
    scope.created = state.catalog.Insert(*scope.stripe.map, std::move(product));
  }
};

}  // namespace

Status tx::Replay(EngineState& state, const CreateProductRecord& record, Lsn lsn,
                  wal::Journal* follow_log) {
  return ReplayUnit<CreateProductUnit>(state, record, lsn, follow_log);
}

Result<Committed<ProductView>> Engine::CreateProduct(const NewProduct& product) {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  std::string id = product.product_id ? *product.product_id : Uuid::Random().ToString();
  CreateProductRecord record{
      .product_id = id, .name = product.name, .price = product.price, .stock = product.stock};
  return tx::Mutate<CreateProductUnit>(
      *core_->state, record, nullptr,
      [](const CreateProductUnit::Scope& s) { return MakeProductView(*s.created); });
}

}  // namespace ecomm
