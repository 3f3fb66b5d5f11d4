// Embeds the engine through its installed headers only: one charge, one order.
#include <cstdio>

#include "ecomm/engine.h"

int main() {
  ecomm::Engine engine;
  if (!engine.CreateUser({"ann", "Ann", "ann@example.com"}).ok()) return 1;
  if (!engine.CreateProduct({"pen", "Pen", 150, 10}).ok()) return 1;
  if (!engine.Charge("ann", 1'000).ok()) return 1;
  auto order = engine.PlaceOrder({"ann", std::vector<ecomm::OrderLine>{{"pen", 2}}, false});
  if (!order.ok() || order->value.status != ecomm::OrderStatus::kSuccess) return 1;
  std::printf("consumer: balance %lld\n",
              static_cast<long long>(engine.GetBalance("ann")->current_balance));
  return engine.GetBalance("ann")->current_balance == 700 ? 0 : 1;
}
