// A mutation the log refuses because its backlog is full (the disk stalls) answers
// UNAVAILABLE at once, saying to retry, and changes nothing: no balance, stock,
// history, order or log record, and its Idempotency-Key is free again. The log has
// not failed: once the writer drains, the same request succeeds.
#include <memory>
#include <string>
#include <vector>

#include "ecomm/wal/wal_writer.h"
#include "replay.h"
#include "support/engine_fixture.h"
#include "support/fault_file_system.h"

namespace ecomm::testing {
namespace {

// An engine on a real WAL writer over a file system whose syncs can stall, with a
// backlog that one record fills. It holds a user "u" with 10 000 and a product p at
// 250, ten in stock, durable.
struct StalledLog {
  StalledLog() {
    wal::WalOptions options;
    options.max_pending_bytes = 1;
    REQUIRE(wal::WalWriter::Open(&fs, "/wal", 1, options, &wal).ok());
    engine = std::make_unique<Engine>(EngineOptions{&clock, wal.get()});
    // One at a time: a mutation that does not wait for the one before finds the
    // backlog full.
    Durable(engine->CreateUser(NewUser{"u", "U", "u@example.com"}));
    Durable(engine->CreateUser(NewUser{"v", "V", "v@example.com"}));
    Durable(engine->Charge("u", 10'000));
    Durable(engine->CreateProduct(NewProduct{"p", "P", 250, 10}));
  }
  ~StalledLog() { fs.UnblockSyncs(); }

  template <class T>
  void Durable(const Result<Committed<T>>& result) {
    REQUIRE_MESSAGE(result.ok(), result.status().message());
    REQUIRE(engine->WaitDurable(result->ticket).ok());
  }

  // Stalls the disk with one record in its sync and one in the backlog, both charges
  // of "v"; returns the ticket of the second.
  CommitTicket Stall() {
    fs.BlockSyncs();
    REQUIRE(engine->Charge("v", 1).ok());
    fs.WaitForBlockedSync();
    auto queued = engine->Charge("v", 1);
    REQUIRE(queued.ok());
    return queued->ticket;
  }

  template <class T>
  void ExpectBacklogFull(const Result<T>& result) {
    REQUIRE_FALSE(result.ok());
    CHECK(result.code() == ErrorCode::kUnavailable);
    CHECK_MESSAGE(result.status().message().find("backlog is full") != std::string::npos,
                  result.status().message());
  }

  FaultFileSystem fs{11};
  ManualClock clock{kStartMs};
  std::unique_ptr<wal::WalWriter> wal;
  std::unique_ptr<Engine> engine;  // after wal: destroyed before it
};

OrderRequest BuyP(Quantity quantity) {
  return OrderRequest{"u", std::vector<OrderLine>{{"p", quantity}}, false};
}

TEST_CASE("a charge or order refused for a full log backlog changes nothing and can be retried") {
  StalledLog s;
  CommitTicket queued = s.Stall();
  const uint64_t digest = StateDigest(*s.engine);
  const Lsn appended = s.wal->Stats().appended_lsn;
  const IdempotencyKey charge_key{"charge-1", "POST /balance/charge u 500"};
  const IdempotencyKey order_key{"order-1", "POST /order u p 2"};

  // Twice each: a key left reserved by the first refusal would make the second
  // IDEMPOTENCY_KEY_IN_USE.
  for (int attempt = 0; attempt < 2; ++attempt) {
    s.ExpectBacklogFull(s.engine->Charge("u", 500, &charge_key));
    s.ExpectBacklogFull(s.engine->PlaceOrder(BuyP(2), &order_key));
    s.ExpectBacklogFull(s.engine->PlaceOrder(BuyP(1)));
  }
  CHECK(StateDigest(*s.engine) == digest);
  CHECK(s.engine->GetBalance("u")->current_balance == 10'000);
  CHECK(s.engine->GetProduct("p")->stock == 10);
  CHECK(s.engine->ListBalanceHistory("u", 100, std::nullopt)->items.size() == 1);
  CHECK(s.engine->ListOrders("u", 100, std::nullopt)->items.empty());
  CHECK(s.engine->Counts().orders == 0);
  CHECK(s.wal->Stats().appended_lsn == appended);
  CHECK(s.wal->error().ok());  // a full backlog is not a failed log

  s.fs.UnblockSyncs();
  REQUIRE(s.engine->WaitDurable(queued).ok());
  auto charged = s.engine->Charge("u", 500, &charge_key);
  REQUIRE_MESSAGE(charged.ok(), charged.status().message());
  CHECK_FALSE(charged->reanswered);
  CHECK(charged->value.current_balance == 10'500);
  REQUIRE(s.engine->WaitDurable(charged->ticket).ok());  // else the order finds it queued
  auto ordered = s.engine->PlaceOrder(BuyP(2), &order_key);
  REQUIRE_MESSAGE(ordered.ok(), ordered.status().message());
  CHECK_FALSE(ordered->reanswered);
  CHECK(ordered->value.status == OrderStatus::kSuccess);
  CHECK(s.engine->WaitDurable(ordered->ticket).ok());
  CHECK(s.engine->GetBalance("u")->current_balance == 10'000);
  CHECK(s.engine->GetProduct("p")->stock == 8);
}

}  // namespace
}  // namespace ecomm::testing
