#include "support/engine_fixture.h"
#include "replay.h"

namespace ecomm::testing {

void EngineFixture::AddUser(const std::string& user_id, Money balance) {
  auto user = engine.CreateUser(NewUser{user_id, "User " + user_id, user_id + "@example.com"});
  REQUIRE_MESSAGE(user.ok(), user.status().message());
  if (balance > 0) {
    auto charged = engine.Charge(user_id, balance);
    REQUIRE_MESSAGE(charged.ok(), charged.status().message());
  }
}

void EngineFixture::AddProduct(const std::string& product_id, Money price, Quantity stock) {
  auto product =
      engine.CreateProduct(NewProduct{product_id, "Product " + product_id, price, stock});
  REQUIRE_MESSAGE(product.ok(), product.status().message());
}

EngineFixture::Fingerprint EngineFixture::Snapshot() const {
  return Fingerprint{StateDigest(engine), journal.Entries().size()};
}

uint64_t EngineFixture::ReplayedDigest() const {
  ManualClock replay_clock{kStartMs};
  Engine replica(EngineOptions{&replay_clock, nullptr});
  for (const wal::MemoryJournal::Entry& e : journal.Entries()) {
    Status s = ReplayRecord(replica, static_cast<RecordType>(e.type), e.payload, e.lsn);
    REQUIRE_MESSAGE(s.ok(), "replay of LSN ", e.lsn, " failed: ", s.message());
  }
  return StateDigest(replica);
}

Money EngineFixture::Balance(const std::string& user_id) const {
  auto balance = engine.GetBalance(user_id);
  REQUIRE(balance.ok());
  return balance->current_balance;
}

Quantity EngineFixture::Stock(const std::string& product_id) const {
  auto product = engine.GetProduct(product_id);
  REQUIRE(product.ok());
  return product->stock;
}

DatabaseOptions SnapshotOnCloseOptions(wal::FileSystem& fs, const Clock& clock) {
  DatabaseOptions options;
  options.data_dir = "/db";
  options.fs = &fs;
  options.clock = &clock;
  options.snapshot_every = 0;
  options.log = [](std::string_view) {};
  return options;
}

}  // namespace ecomm::testing
