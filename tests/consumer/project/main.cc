// Embeds the engine through its installed headers only: one charge and one order in
// memory; then a durable database, and a replica loaded from its directory.
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "ecomm/database.h"
#include "ecomm/engine.h"
#include "ecomm/replica.h"

namespace {

bool InMemory() {
  ecomm::Engine engine;
  if (!engine.CreateUser({"ann", "Ann", "ann@example.com"}).ok()) return false;
  if (!engine.CreateProduct({"pen", "Pen", 150, 10}).ok()) return false;
  if (!engine.Charge("ann", 1'000).ok()) return false;
  auto order = engine.PlaceOrder({"ann", std::vector<ecomm::OrderLine>{{"pen", 2}}, false});
  if (!order.ok() || order->value.status != ecomm::OrderStatus::kSuccess) return false;
  std::printf("consumer: balance %lld\n",
              static_cast<long long>(engine.GetBalance("ann")->current_balance));
  return engine.GetBalance("ann")->current_balance == 700;
}

bool DurableThenReplica(const std::string& dir) {
  ecomm::DatabaseOptions options;
  options.data_dir = dir;
  auto db = ecomm::Database::Open(options);
  if (!db.ok()) return false;
  ecomm::Engine& engine = (*db)->engine();
  if (!engine.CreateUser({"bob", "Bob", "bob@example.com"}).ok()) return false;
  auto charged = engine.Charge("bob", 250);
  if (!charged.ok() || !engine.WaitDurable(charged->ticket).ok()) return false;
  if (!(*db)->Close().ok()) return false;  // writes a final snapshot
  auto replica = ecomm::Replica::Load(nullptr, dir, [](const std::string&) {});
  if (!replica.ok() || replica->applied_lsn() == 0) return false;
  auto balance = replica->engine().GetBalance("bob");
  std::printf("consumer: replica balance %lld at LSN %llu\n",
              static_cast<long long>(balance.ok() ? balance->current_balance : -1),
              static_cast<unsigned long long>(replica->applied_lsn()));
  return balance.ok() && balance->current_balance == 250;
}

}  // namespace

int main() {
  if (!InMemory()) return 1;
  char dir[] = "/tmp/ecomm-consumer-XXXXXX";
  if (mkdtemp(dir) == nullptr) return 1;
  bool ok = DurableThenReplica(dir);
  std::filesystem::remove_all(dir);
  return ok ? 0 : 1;
}
