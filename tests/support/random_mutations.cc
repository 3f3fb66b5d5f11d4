#include "support/random_mutations.h"

namespace ecomm::testing {

namespace {

std::string User(int i) { return "u" + std::to_string(i); }
std::string Product(int i) { return "p" + std::to_string(i); }

}  // namespace

Lsn SeedShop(Engine& engine, const ShopShape& shape) {
  Lsn last = 0;
  for (int i = 0; i < shape.products; ++i) {
    auto p = engine.CreateProduct(
        NewProduct{Product(i), "Product " + std::to_string(i), 10 + 5 * i, shape.stock});
    if (!p.ok()) return 0;
    last = p->ticket.lsn;
  }
  for (int i = 0; i < shape.users; ++i) {
    auto u = engine.CreateUser(NewUser{User(i), "User " + std::to_string(i), User(i) + "@x.io"});
    if (!u.ok()) return 0;
    auto c = engine.Charge(User(i), shape.balance);
    if (!c.ok()) return 0;
    last = c->ticket.lsn;
  }
  return last;
}

bool SeedShopDurably(Engine& engine, const ShopShape& shape) {
  Lsn last = SeedShop(engine, shape);
  return last > 0 && engine.WaitDurable(CommitTicket{last}).ok();
}

RandomMutations::RandomMutations(Engine& engine, uint64_t seed, ShopShape shape)
    : engine_(engine), rng_(seed), seed_(seed), shape_(shape) {}

template <class R>
std::optional<CommitTicket> RandomMutations::Outcome(const R& result) {
  if (result.ok()) return result->ticket;
  if (result.code() == ErrorCode::kUnavailable) return std::nullopt;
  return CommitTicket{0};
}

std::optional<CommitTicket> RandomMutations::Step() {
  std::string user = User(Pick(shape_.users));
  int dice = Pick(100);
  if (dice < 20) return Outcome(engine_.Charge(user, 1 + Pick(2'000)));
  if (dice < 30) {
    IdempotencyKey key{"k" + std::to_string(seed_) + "-" + std::to_string(keys_++), "charge"};
    return Outcome(engine_.Charge(user, 1 + Pick(2'000), &key));
  }
  if (dice < 65) {
    std::vector<OrderLine> lines;
    for (int n = 1 + Pick(3); n > 0; --n)
      lines.push_back({Product(Pick(shape_.products)), 1 + Pick(5)});
    auto r = engine_.PlaceOrder(OrderRequest{user, lines, false});
    if (r.ok() && r->value.status == OrderStatus::kSuccess) {
      live_orders_.push_back(r->value.order_id.ToString());
    }
    return Outcome(r);
  }
  if (dice < 78)
    return Outcome(engine_.AddToCart(user, Product(Pick(shape_.products)), 1 + Pick(3)));
  if (dice < 85) return Outcome(engine_.PlaceOrder(OrderRequest{user, std::nullopt, true}));
  if (dice < 95 && !live_orders_.empty()) {
    size_t i = static_cast<size_t>(Pick(static_cast<int>(live_orders_.size())));
    auto r = engine_.CancelOrder(live_orders_[i]);
    if (r.ok()) live_orders_.erase(live_orders_.begin() + static_cast<long>(i));
    return Outcome(r);
  }
  if (!shape_.restocks) return Outcome(engine_.Charge(user, 1 + Pick(2'000)));
  return Outcome(engine_.Restock(Product(Pick(shape_.products)), 1 + Pick(20)));
}

}  // namespace ecomm::testing
