// Idempotency keys on Charge, PlaceOrder and CancelOrder: a retry with the same key
// and fingerprint answers the first outcome (SUCCESS or FAILED) and applies nothing;
// another fingerprint or operation is IDEMPOTENCY_KEY_REUSED; rejected requests leave
// no trace; keys are validated; a replica of the log knows the same keys.
#include <optional>
#include <string>
#include <vector>

#include "replay.h"
#include "support/engine_fixture.h"
#include "support/fault_file_system.h"

namespace ecomm::testing {
namespace {

// A user "u" with 10 000 and a product p at 250, ten in stock.
struct KeyShop : EngineFixture {
  KeyShop() {
    AddUser("u", 10'000);
    AddProduct("p", 250, 10);
  }
};

// A fresh engine that replayed `f`'s journal: what a restart recovers.
struct Replica {
  explicit Replica(const EngineFixture& f) {
    for (const wal::MemoryJournal::Entry& e : f.journal.Entries()) {
      Status s = ReplayRecord(engine, static_cast<RecordType>(e.type), e.payload, e.lsn);
      REQUIRE_MESSAGE(s.ok(), s.message());
    }
  }
  ManualClock clock{kStartMs};
  Engine engine{EngineOptions{&clock, nullptr}};
};

OrderRequest Buy(Quantity quantity, const std::string& user = "u",
                 const std::string& product = "p") {
  return OrderRequest{user, std::vector<OrderLine>{{product, quantity}}, false};
}

// Runs a first keyed request, which must apply.
template <class Call>
auto Applied(Call&& call) {
  auto first = call();
  REQUIRE_MESSAGE(first.ok(), first.status().message());
  CHECK_FALSE(first->reanswered);
  return first.value();
}

// Runs a retry, which must answer `first`'s ticket as replayed and change nothing.
template <class Call, class Value>
Value Replayed(EngineFixture& f, const Committed<Value>& first, Call&& call) {
  EngineFixture::Fingerprint before = f.Snapshot();
  auto retry = call();
  REQUIRE_MESSAGE(retry.ok(), retry.status().message());
  CHECK(retry->reanswered);
  CHECK(retry->ticket.lsn == first.ticket.lsn);
  CHECK(f.engine.WaitDurable(retry->ticket).ok());
  CHECK(f.Snapshot() == before);
  return retry->value;
}

TEST_CASE("a retried charge answers the first balance and charges nothing again") {
  KeyShop f;
  const IdempotencyKey key{"charge-1", "POST /balance/charge u 100"};
  auto charge = [&] { return f.engine.Charge("u", 100, &key); };
  Committed<BalanceView> first = Applied(charge);
  CHECK(first.value.current_balance == 10'100);
  REQUIRE(f.engine.Charge("u", 7).ok());  // the balance moves on

  f.clock.Advance(60'000);
  BalanceView again = Replayed(f, first, charge);
  CHECK(again.user_id == "u");
  CHECK(again.current_balance == 10'100);  // the first response, not today's balance
  CHECK(again.updated_at == first.value.updated_at);
  CHECK(f.Balance("u") == 10'107);
  CHECK(f.engine.ListBalanceHistory("u", 100, std::nullopt)->items.size() == 3);
}

TEST_CASE("a retried order answers the first order and places nothing again") {
  KeyShop f;
  const IdempotencyKey key{"order-1", "POST /order u p 1"};
  auto order = [&] { return f.engine.PlaceOrder(Buy(1), &key); };
  Committed<OrderView> first = Applied(order);
  REQUIRE(first.value.status == OrderStatus::kSuccess);

  OrderView again = Replayed(f, first, order);
  CHECK(again.order_id == first.value.order_id);
  CHECK(again.status == OrderStatus::kSuccess);
  CHECK(again.total_price == 250);
  CHECK(again.history.size() == 2);
  CHECK(f.engine.Counts().orders == 1);
  CHECK(f.Balance("u") == 9'750);
  CHECK(f.Stock("p") == 9);
}

TEST_CASE("a retried order answers SUCCESS even if the order was cancelled since") {
  KeyShop f;
  const IdempotencyKey key{"order-1", "POST /order u p 2"};
  auto order = [&] { return f.engine.PlaceOrder(Buy(2), &key); };
  Committed<OrderView> first = Applied(order);
  REQUIRE(f.engine.CancelOrder(first.value.order_id.ToString()).ok());

  OrderView again = Replayed(f, first, order);
  CHECK(again.order_id == first.value.order_id);
  CHECK(again.status == OrderStatus::kSuccess);
  CHECK(again.history.size() == 2);
  CHECK(again.updated_at == first.value.updated_at);
  CHECK(f.engine.GetOrder(first.value.order_id.ToString())->status == OrderStatus::kCancelled);
  CHECK(f.Balance("u") == 10'000);
}

TEST_CASE("a FAILED order is a stored outcome: its retry answers FAILED") {
  KeyShop f;
  f.AddUser("poor", 100);
  const IdempotencyKey key{"order-poor", "POST /order poor p 1"};
  auto order = [&] { return f.engine.PlaceOrder(Buy(1, "poor"), &key); };
  Committed<OrderView> first = Applied(order);
  REQUIRE(first.value.failure() == ErrorCode::kInsufficientBalance);
  // Even once the user could pay, the retry is the first answer, not a new order.
  REQUIRE(f.engine.Charge("poor", 1'000).ok());

  OrderView again = Replayed(f, first, order);
  CHECK(again.order_id == first.value.order_id);
  CHECK(again.status == OrderStatus::kFailed);
  CHECK(again.failure() == ErrorCode::kInsufficientBalance);
  CHECK(f.Balance("poor") == 1'100);
  CHECK(f.engine.ListOrders("poor", 20, std::nullopt)->items.size() == 1);
}

TEST_CASE("a retried cancel answers CANCELLED and refunds once") {
  KeyShop f;
  auto placed = f.engine.PlaceOrder(Buy(3));
  REQUIRE(placed.ok());
  const std::string id = placed->value.order_id.ToString();
  const IdempotencyKey key{"cancel-1", "POST /orders/" + id + "/cancel"};
  auto cancel = [&] { return f.engine.CancelOrder(id, &key); };
  Committed<OrderView> first = Applied(cancel);
  REQUIRE(first.value.status == OrderStatus::kCancelled);

  OrderView again = Replayed(f, first, cancel);
  CHECK(again.order_id == placed->value.order_id);
  CHECK(again.status == OrderStatus::kCancelled);
  CHECK(again.history.size() == 3);
  CHECK(f.Balance("u") == 10'000);
  CHECK(f.Stock("p") == 10);
}

TEST_CASE("the same key with another fingerprint is IDEMPOTENCY_KEY_REUSED") {
  KeyShop f;
  f.AddUser("v");
  auto placed = f.engine.PlaceOrder(Buy(1));
  REQUIRE(placed.ok());
  const IdempotencyKey first{"shared", "POST /balance/charge u 100"};
  REQUIRE(f.engine.Charge("u", 100, &first).ok());

  const IdempotencyKey other{"shared", "POST /balance/charge u 200"};
  ExpectRejected(f, ErrorCode::kIdempotencyKeyReused,
                 [&] { return f.engine.Charge("u", 200, &other); });
  // The key is global: another user cannot use it either.
  const IdempotencyKey for_v{"shared", "POST /balance/charge v 100"};
  ExpectRejected(f, ErrorCode::kIdempotencyKeyReused,
                 [&] { return f.engine.Charge("v", 100, &for_v); });
  ExpectRejected(f, ErrorCode::kIdempotencyKeyReused,
                 [&] { return f.engine.PlaceOrder(Buy(1), &other); });
  ExpectRejected(f, ErrorCode::kIdempotencyKeyReused,
                 [&] { return f.engine.CancelOrder(placed->value.order_id.ToString(), &other); });
  CHECK(f.Balance("u") == 9'850);
}

// Fingerprints are the caller's; even an identical one cannot carry a key over to
// another operation.
TEST_CASE("a key used by one operation is IDEMPOTENCY_KEY_REUSED for another") {
  KeyShop f;
  auto placed = f.engine.PlaceOrder(Buy(1));
  REQUIRE(placed.ok());
  const std::string id = placed->value.order_id.ToString();
  const IdempotencyKey charge_key{"k-charge", "same"};
  const IdempotencyKey order_key{"k-order", "same"};
  REQUIRE(f.engine.Charge("u", 100, &charge_key).ok());
  REQUIRE(f.engine.PlaceOrder(Buy(1), &order_key).ok());

  ExpectRejected(f, ErrorCode::kIdempotencyKeyReused,
                 [&] { return f.engine.PlaceOrder(Buy(1), &charge_key); });
  ExpectRejected(f, ErrorCode::kIdempotencyKeyReused,
                 [&] { return f.engine.CancelOrder(id, &charge_key); });
  ExpectRejected(f, ErrorCode::kIdempotencyKeyReused,
                 [&] { return f.engine.Charge("u", 100, &order_key); });
  ExpectRejected(f, ErrorCode::kIdempotencyKeyReused,
                 [&] { return f.engine.CancelOrder(id, &order_key); });
  CHECK(f.engine.GetOrder(id)->status == OrderStatus::kSuccess);
}

TEST_CASE("rejected requests are not stored: a retry after fixing the cause applies") {
  KeyShop f;
  SUBCASE("charge of an unknown user") {
    const IdempotencyKey key{"k", "POST /balance/charge late 100"};
    ExpectRejected(f, ErrorCode::kUserNotFound, [&] { return f.engine.Charge("late", 100, &key); });
    f.AddUser("late");
    auto retry = f.engine.Charge("late", 100, &key);
    REQUIRE(retry.ok());
    CHECK_FALSE(retry->reanswered);
    CHECK(f.Balance("late") == 100);
  }
  SUBCASE("order of an unknown product") {
    const IdempotencyKey key{"k", "POST /order u soon 1"};
    ExpectRejected(f, ErrorCode::kProductNotFound,
                   [&] { return f.engine.PlaceOrder(Buy(1, "u", "soon"), &key); });
    f.AddProduct("soon", 5, 1);
    auto retry = f.engine.PlaceOrder(Buy(1, "u", "soon"), &key);
    REQUIRE(retry.ok());
    CHECK_FALSE(retry->reanswered);
    CHECK(retry->value.status == OrderStatus::kSuccess);
  }
  SUBCASE("order from an empty cart") {
    const IdempotencyKey key{"k", "POST /order u fromCart"};
    const OrderRequest from_cart{"u", std::nullopt, true};
    ExpectRejected(f, ErrorCode::kInvalidRequest,
                   [&] { return f.engine.PlaceOrder(from_cart, &key); });
    REQUIRE(f.engine.AddToCart("u", "p", 2).ok());
    auto retry = f.engine.PlaceOrder(from_cart, &key);
    REQUIRE(retry.ok());
    CHECK_FALSE(retry->reanswered);
    CHECK(retry->value.total_price == 500);
  }
  SUBCASE("cancels of an unknown order and of a FAILED order") {
    auto failed = f.engine.PlaceOrder(Buy(11));
    REQUIRE(failed.ok());
    REQUIRE(failed->value.status == OrderStatus::kFailed);
    const IdempotencyKey key{"k", "POST /orders/x/cancel"};
    ExpectRejected(f, ErrorCode::kOrderNotFound,
                   [&] { return f.engine.CancelOrder(Uuid::Random().ToString(), &key); });
    ExpectRejected(f, ErrorCode::kInvalidOrderState,
                   [&] { return f.engine.CancelOrder(failed->value.order_id.ToString(), &key); });
    // Had either been stored, this other request would be IDEMPOTENCY_KEY_REUSED.
    const IdempotencyKey same_key{"k", "POST /balance/charge u 1"};
    auto charged = f.engine.Charge("u", 1, &same_key);
    REQUIRE(charged.ok());
    CHECK_FALSE(charged->reanswered);
  }
  SUBCASE("charge over the amount limit") {
    const IdempotencyKey key{"k", "POST /balance/charge u big"};
    ExpectRejected(f, ErrorCode::kInvalidRequest,
                   [&] { return f.engine.Charge("u", limits::kMaxChargeAmount + 1, &key); });
    auto charged = f.engine.Charge("u", limits::kMaxChargeAmount, &key);
    REQUIRE(charged.ok());
    CHECK_FALSE(charged->reanswered);
  }
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("an Idempotency-Key is 1..128 printable ASCII bytes") {
  KeyShop f;
  auto placed = f.engine.PlaceOrder(Buy(1));
  REQUIRE(placed.ok());
  const std::string id = placed->value.order_id.ToString();
  const std::vector<IdempotencyKey> invalid = {
      {"", "fp"},
      {std::string(limits::kMaxIdempotencyKeyBytes + 1, 'k'), "fp"},
      {"ctrl\x01", "fp"},
      {"tab\t", "fp"},
      {"new\nline", "fp"},
      {"del\x7f", "fp"},
      {"caf\xc3\xa9", "fp"},  // UTF-8 is not ASCII
      {"ok-key", ""},         // a request always has a fingerprint
  };
  for (size_t i = 0; i < invalid.size(); ++i) {
    INFO("invalid key #", i);
    const IdempotencyKey* key = &invalid[i];
    ExpectRejected(f, ErrorCode::kInvalidRequest, [&] { return f.engine.Charge("u", 1, key); });
    ExpectRejected(f, ErrorCode::kInvalidRequest, [&] { return f.engine.PlaceOrder(Buy(1), key); });
    ExpectRejected(f, ErrorCode::kInvalidRequest, [&] { return f.engine.CancelOrder(id, key); });
  }
  const IdempotencyKey longest{std::string(limits::kMaxIdempotencyKeyBytes, '~'), "fp"};
  auto charged = f.engine.Charge("u", 1, &longest);
  REQUIRE(charged.ok());
  CHECK(f.Balance("u") == 9'751);
}

TEST_CASE("a replica of the log answers retries as the original does") {
  KeyShop f;
  f.AddUser("poor", 1);
  const IdempotencyKey charge_key{"c", "charge"};
  const IdempotencyKey order_key{"o", "order"};
  const IdempotencyKey failed_key{"x", "failed order"};
  const IdempotencyKey cancel_key{"k", "cancel"};
  auto charged = f.engine.Charge("u", 100, &charge_key);
  auto ordered = f.engine.PlaceOrder(Buy(1), &order_key);
  auto failed = f.engine.PlaceOrder(Buy(1, "poor"), &failed_key);
  auto to_cancel = f.engine.PlaceOrder(Buy(2));
  REQUIRE(charged.ok());
  REQUIRE(ordered.ok());
  REQUIRE(failed.ok());
  REQUIRE(to_cancel.ok());
  const std::string cancel_id = to_cancel->value.order_id.ToString();
  auto cancelled = f.engine.CancelOrder(cancel_id, &cancel_key);
  REQUIRE(cancelled.ok());
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));

  Replica r(f);
  REQUIRE(StateDigest(r.engine) == StateDigest(f.engine));
  auto charge_again = r.engine.Charge("u", 100, &charge_key);
  REQUIRE(charge_again.ok());
  CHECK(charge_again->reanswered);
  CHECK(charge_again->ticket.lsn == charged->ticket.lsn);
  CHECK(charge_again->value.current_balance == 10'100);

  auto order_again = r.engine.PlaceOrder(Buy(1), &order_key);
  REQUIRE(order_again.ok());
  CHECK(order_again->reanswered);
  CHECK(order_again->ticket.lsn == ordered->ticket.lsn);
  CHECK(order_again->value.order_id == ordered->value.order_id);

  auto failed_again = r.engine.PlaceOrder(Buy(1, "poor"), &failed_key);
  REQUIRE(failed_again.ok());
  CHECK(failed_again->reanswered);
  CHECK(failed_again->value.order_id == failed->value.order_id);
  CHECK(failed_again->value.status == OrderStatus::kFailed);

  auto cancel_again = r.engine.CancelOrder(cancel_id, &cancel_key);
  REQUIRE(cancel_again.ok());
  CHECK(cancel_again->reanswered);
  CHECK(cancel_again->ticket.lsn == cancelled->ticket.lsn);
  CHECK(cancel_again->value.status == OrderStatus::kCancelled);

  const IdempotencyKey other{"c", "another charge"};
  CHECK(r.engine.Charge("u", 100, &other).code() == ErrorCode::kIdempotencyKeyReused);
  // None of the retries changed the replica.
  CHECK(StateDigest(r.engine) == StateDigest(f.engine));
}

TEST_CASE("a key is held for 24 h of engine time after its request, then it is free") {
  constexpr TimeMs kTtl = limits::kDefaultIdempotencyTtlMs;
  KeyShop f;
  const IdempotencyKey key{"k", "POST /balance/charge u 100"};
  const IdempotencyKey other{"k", "POST /balance/charge u 200"};
  Committed<BalanceView> first = Applied([&] { return f.engine.Charge("u", 100, &key); });

  f.clock.Advance(kTtl - 1);  // the last millisecond: still the first request's key
  ExpectRejected(f, ErrorCode::kIdempotencyKeyReused,
                 [&] { return f.engine.Charge("u", 200, &other); });
  CHECK(Replayed(f, first, [&] { return f.engine.Charge("u", 100, &key); }).current_balance ==
        10'100);

  f.clock.Advance(1);  // 24 h: another body is a new request, and so is the same body
  Committed<BalanceView> second = Applied([&] { return f.engine.Charge("u", 200, &other); });
  CHECK(second.value.current_balance == 10'300);
  CHECK(Replayed(f, second, [&] { return f.engine.Charge("u", 200, &other); }).current_balance ==
        10'300);
  ExpectRejected(f, ErrorCode::kIdempotencyKeyReused,
                 [&] { return f.engine.Charge("u", 100, &key); });

  // Replay agrees: on a replica whose clock is where this one is, the key holds the
  // second request; a replica clock a day later finds it free.
  Replica r(f);
  r.clock.Set(f.clock.NowMs());
  CHECK(StateDigest(r.engine) == StateDigest(f.engine));
  CHECK(r.engine.Charge("u", 100, &key).code() == ErrorCode::kIdempotencyKeyReused);
  r.clock.Advance(kTtl);
  auto fresh = r.engine.Charge("u", 100, &key);
  REQUIRE(fresh.ok());
  CHECK_FALSE(fresh->reanswered);
}

TEST_CASE("expired keys are swept as later requests complete: the store does not grow with time") {
  KeyShop f;
  auto charge_with_keys = [&](const std::string& prefix) {
    for (int i = 0; i < 1'000; ++i) {
      const IdempotencyKey key{prefix + std::to_string(i), "charge"};
      REQUIRE(f.engine.Charge("u", 1, &key).ok());
    }
  };
  charge_with_keys("day1-");
  CHECK(f.engine.Counts().idempotency_keys == 1'000);
  f.clock.Advance(limits::kDefaultIdempotencyTtlMs);
  charge_with_keys("day2-");
  // Each completion sweeps up to two expired keys: every day-1 key is gone.
  CHECK(f.engine.Counts().idempotency_keys == 1'000);
  f.clock.Advance(limits::kDefaultIdempotencyTtlMs);
  charge_with_keys("day3-");
  CHECK(f.engine.Counts().idempotency_keys == 1'000);
  // The digest, like a snapshot, counts only keys that still hold.
  Replica r(f);
  r.clock.Set(f.clock.NowMs());
  CHECK(StateDigest(r.engine) == StateDigest(f.engine));
}

TEST_CASE("SweepExpired frees expired keys when no keyed request comes, a budget at a time") {
  KeyShop f;
  for (int i = 0; i < 100; ++i) {
    const IdempotencyKey key{"k" + std::to_string(i), "charge"};
    REQUIRE(f.engine.Charge("u", 1, &key).ok());
  }
  CHECK(f.engine.SweepExpired(1'000) == 0);  // none expired yet
  f.clock.Advance(limits::kDefaultIdempotencyTtlMs);
  CHECK(f.engine.SweepExpired(60) == 60);
  CHECK(f.engine.Counts().idempotency_keys == 40);
  CHECK(f.engine.SweepExpired(1'000) == 40);
  CHECK(f.engine.Counts().idempotency_keys == 0);
}

TEST_CASE("a snapshot leaves expired keys out: after a restart only live keys are held") {
  FaultFileSystem fs(1);
  ManualClock clock{kStartMs};
  DatabaseOptions options = SnapshotOnCloseOptions(fs, clock);
  auto charge = [](Engine& engine, const std::string& key, Money amount) {
    const IdempotencyKey k{key, "charge " + std::to_string(amount)};
    return engine.Charge("u", amount, &k);
  };
  {
    auto db = Database::Open(options);
    REQUIRE(db.ok());
    Engine& engine = (*db)->engine();
    REQUIRE(engine.CreateUser(NewUser{"u", "U", "u@x"}).ok());
    for (int i = 0; i < 10; ++i) REQUIRE(charge(engine, "old-" + std::to_string(i), 1).ok());
    clock.Advance(limits::kDefaultIdempotencyTtlMs);
    for (int i = 0; i < 3; ++i) REQUIRE(charge(engine, "new-" + std::to_string(i), 1).ok());
    CHECK(engine.Counts().idempotency_keys > 3);  // three completions swept six at most
    REQUIRE((*db)->Close().ok());
  }
  auto db = Database::Open(options);
  REQUIRE(db.ok());
  Engine& engine = (*db)->engine();
  CHECK((*db)->recovery().records_replayed == 0);  // all of it from the snapshot
  CHECK(engine.Counts().idempotency_keys == 3);
  CHECK(charge(engine, "new-0", 2).code() == ErrorCode::kIdempotencyKeyReused);
  CHECK(charge(engine, "old-0", 2).ok());
  CHECK(engine.GetBalance("u")->current_balance == 15);
}

}  // namespace
}  // namespace ecomm::testing
