#include "ecomm/demo_data.h"

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
  CommitTicket last;
  auto keep = [&last](auto result) -> Status {
    if (!result.ok()) return result.status();
    last = result->ticket;
    return Status::Ok();
  };
  for (const DemoUser& u : kUsers) {
    if (Status s =
            keep(engine.CreateUser(NewUser{u.id, u.name, std::string(u.id) + "@example.com"}));
        !s.ok()) {
      return s;
    }
    if (u.balance == 0) continue;
    if (Status s = keep(engine.Charge(u.id, u.balance)); !s.ok()) return s;
  }
  for (const DemoProduct& p : kProducts) {
    if (Status s = keep(engine.CreateProduct(NewProduct{p.id, p.name, p.price, p.stock}));
        !s.ok()) {
      return s;
    }
  }
  // Durability follows LSN order, so the last ticket covers every earlier one.
  return engine.WaitDurable(last);
}

}  // namespace ecomm::demo
