// ecomm-demo: the engine embedded in a program, before the HTTP server exists. Loads
// the demo data and walks the seed's flows (charge, order, cart, top sellers, cancel),
// printing what each call answered.
#include <cstdio>
#include <optional>
#include <string>

#include "cli_flags.h"
#include "ecomm/demo_data.h"
#include "ecomm/engine.h"

namespace {

using ecomm::CodeName;
using ecomm::Name;

void Print(const ecomm::OrderView& o) {
  std::printf("  order %s user=%s total=%lld status=%s\n", o.order_id.ToString().c_str(),
              o.user_id.c_str(), static_cast<long long>(o.total_price),
              std::string(Name(o.status)).c_str());
  for (const auto& item : o.items) {
    std::printf("    %s x%lld @ %lld\n", item.product_id.c_str(),
                static_cast<long long>(item.quantity), static_cast<long long>(item.price));
  }
}

int Fail(const ecomm::Status& s) {
  std::fprintf(stderr, "demo: %s: %s\n", std::string(CodeName(s.code())).c_str(),
               s.message().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "The engine embedded in a program: loads the demo data and walks the seed's flows\n"
      "(charge, order, cart, top sellers, cancel), printing what each call answered.",
      "ecomm-demo");
  if (std::optional<int> status = ecomm::tools::ParseFlags(app, argc, argv)) return *status;
  ecomm::Engine engine;
  if (ecomm::Status s = ecomm::demo::LoadDemoData(engine); !s.ok()) return Fail(s);
  auto counts = engine.Counts();
  std::printf("demo data: %llu users, %llu products\n",
              static_cast<unsigned long long>(counts.users),
              static_cast<unsigned long long>(counts.products));

  auto charged = engine.Charge("carol", 5'000);
  if (!charged.ok()) return Fail(charged.status());
  std::printf("charge carol 5000 -> balance %lld\n",
              static_cast<long long>(charged->value.current_balance));

  auto order = engine.PlaceOrder(
      {"alice", std::vector<ecomm::OrderLine>{{"p-keyboard", 1}, {"p-cable", 2}}, false});
  if (!order.ok()) return Fail(order.status());
  std::printf("alice orders a keyboard and two cables:\n");
  Print(order->value);

  auto failed =
      engine.PlaceOrder({"carol", std::vector<ecomm::OrderLine>{{"p-monitor", 1}}, false});
  if (!failed.ok()) return Fail(failed.status());
  std::printf("carol orders a monitor with too little money: %s\n",
              std::string(CodeName(failed->value.failure())).c_str());
  Print(failed->value);

  if (auto s = engine.AddToCart("bob", "p-mouse", 2); !s.ok()) return Fail(s.status());
  auto checkout = engine.PlaceOrder({"bob", std::nullopt, true});
  if (!checkout.ok()) return Fail(checkout.status());
  std::printf("bob checks out a cart of two mice:\n");
  Print(checkout->value);

  std::printf("top sellers (72 h):\n");
  auto top_sellers = engine.TopSellers();
  if (!top_sellers.ok()) return Fail(top_sellers.status());
  for (const auto& top : *top_sellers) {
    std::printf("  %s %s sold %lld\n", top.product_id.c_str(), top.name.c_str(),
                static_cast<long long>(top.total_sales));
  }

  auto cancelled = engine.CancelOrder(order->value.order_id.ToString());
  if (!cancelled.ok()) return Fail(cancelled.status());
  std::printf("alice cancels; balance back to %lld\n",
              static_cast<long long>(engine.GetBalance("alice")->current_balance));
  return 0;
}
