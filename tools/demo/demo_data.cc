#include "demo/demo_data.h"

#include <array>

namespace ecomm::demo {

namespace {

struct DemoUser {
  const char* id;
  const char* name;
  Money balance;
};

struct DemoProduct {
  const char* id;
  const char* name;
  Money price;
  Quantity stock;
};

constexpr std::array kUsers = {
    DemoUser{"alice", "Alice Kim", 100'000},
    DemoUser{"bob", "Bob Lee", 20'000},
    DemoUser{"carol", "Carol Park", 0},
};

constexpr std::array kProducts = {
    DemoProduct{"p-cable", "USB-C cable", 900, 500},
    DemoProduct{"p-keyboard", "Mechanical keyboard", 8'900, 40},
    DemoProduct{"p-monitor", "27-inch monitor", 32'000, 10},
    DemoProduct{"p-mouse", "Wireless mouse", 2'500, 120},
    DemoProduct{"p-stand", "Laptop stand", 3'400, 3},
};

}  // namespace

Status LoadDemoData(Engine& engine) {
  for (const DemoUser& u : kUsers) {
    auto user = engine.CreateUser(NewUser{u.id, u.name, std::string(u.id) + "@example.com"});
    if (!user.ok()) return user.status();
    if (u.balance > 0) {
      auto charged = engine.Charge(u.id, u.balance);
      if (!charged.ok()) return charged.status();
    }
  }
  for (const DemoProduct& p : kProducts) {
    auto product = engine.CreateProduct(NewProduct{p.id, p.name, p.price, p.stock});
    if (!product.ok()) return product.status();
  }
  return Status::Ok();
}

}  // namespace ecomm::demo
