#include "fuzz_support.h"

#include <cstdio>
#include <cstdlib>
#include "replay.h"

namespace ecomm::fuzz {

void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz check failed: %s\n", what);
  std::abort();
}

std::vector<Record> SetupRecords() {
  PlaceOrderRecord order;
  order.at = kStartMs;
  order.order_id = kSetupOrderId;
  order.user_id = "u1";
  order.payment_id = Uuid{0x3333, 0x4444};
  order.lines = {{"p1", 2, 250}};
  return {
      CreateUserRecord{kStartMs, "u1", "Ann", "ann@example.com"},
      CreateUserRecord{kStartMs, "u2", "Bob", "bob@example.com"},
      CreateProductRecord{kStartMs, "p1", "Pen", 250, 100},
      CreateProductRecord{kStartMs, "p2", "Ink", 40, 3},
      ChargeRecord{kStartMs, "u1", 10'000, Uuid{0x5555, 0x6666}, std::nullopt},
      order,
      CartAddRecord{kStartMs, "u1", "p1", 1},
  };
}

std::vector<Record> SampleRecords() {
  TimeMs at = kStartMs + 1000;
  PlaceOrderRecord success;
  success.at = at;
  success.order_id = Uuid{0x7777, 0x8888};
  success.user_id = "u1";
  success.payment_id = Uuid{0x9999, 0xaaaa};
  success.lines = {{"p1", 1, 250}, {"p2", 2, 40}};
  success.idempotency = IdempotencyTag{"order-key", "POST /orders {}"};
  PlaceOrderRecord failed;
  failed.at = at;
  failed.order_id = Uuid{0xbbbb, 0xcccc};
  failed.user_id = "u2";
  failed.status = OrderStatus::kFailed;
  failed.reason = StatusReason::kInsufficientBalance;
  failed.lines = {{"p2", 1, 40}};
  return {
      CreateUserRecord{at, "u3", "Cid", "cid@example.com"},
      CreateProductRecord{at, "p3", "Pad", 5, 0},
      RestockRecord{at, "p3", 7},
      ChargeRecord{at, "u2", 20, Uuid{0xdddd, 0xeeee}, IdempotencyTag{"charge-key", "fp"}},
      success,
      failed,
      CancelOrderRecord{at, kSetupOrderId, Uuid{0xffff, 0x1}, ChangedBy::kAdmin, std::nullopt},
      CartAddRecord{at, "u2", "p3", 2},
      CartRemoveRecord{at, "u2", "p3"},
      AdvanceClockRecord{at, 3600},
  };
}

SetupEngine::SetupEngine() {
  for (const Record& record : SetupRecords()) {
    Check(ReplayRecord(engine, record, next_lsn++).ok(), "the setup records apply");
  }
}

}  // namespace ecomm::fuzz
