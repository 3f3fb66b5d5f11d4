#include "engine_state.h"

#include <string>

#include "ecomm/bytes.h"
#include "ecomm/wal/journal.h"
#include "validation.h"

namespace ecomm {

EngineState::EngineState(const EngineOptions& options)
    : clock(options.clock ? options.clock : &system_clock),
      journal(options.journal),
      idempotency(options.idempotency_ttl_ms) {}

Result<CommitTicket> EngineState::AppendRecordTo(wal::Journal* log, const Record& record) {
  thread_local std::string buffer;
  buffer.clear();
  EncodeRecord(record, &buffer);
  auto bytes = AsBytes(buffer);
  wal::Appended appended = log->Append(static_cast<uint8_t>(TypeOf(record)), bytes);
  if (appended.ok()) return CommitTicket{appended.lsn(), appended.position().epoch, log};
  // Both are 503 UNAVAILABLE; the message tells a client whether retrying soon helps.
  if (appended.refusal() == wal::Refusal::kBacklogFull) {
    return Status(ErrorCode::kUnavailable, "the log backlog is full; retry shortly");
  }
  return Status(ErrorCode::kUnavailable, "the log cannot be written");
}

Result<Account*> EngineState::FindAccount(std::string_view user_id) const {
  if (Status s = CheckId("userId", user_id); !s.ok()) return s;
  Account* account = accounts.Find(user_id);
  if (account == nullptr) return Status(ErrorCode::kUserNotFound, "no such user");
  return account;
}

Result<Product*> EngineState::FindProduct(std::string_view product_id) const {
  Product* product = catalog.Find(product_id);
  if (product == nullptr) {
    return Status(ErrorCode::kProductNotFound, "no such product: " + std::string(product_id));
  }
  return product;
}

Result<Coupon*> EngineState::FindCoupon(std::string_view coupon_id) const {
  Coupon* coupon = coupons.Find(coupon_id);
  if (coupon == nullptr) return Status(ErrorCode::kCouponNotFound, "no such coupon campaign");
  return coupon;
}

}  // namespace ecomm
