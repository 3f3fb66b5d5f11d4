#pragma once

#include <atomic>
#include <mutex>

#include "accounts.h"
#include "catalog.h"
#include "coupons.h"
#include "ecomm/clock.h"
#include "ecomm/engine.h"
#include "ecomm/record.h"
#include "idempotency.h"
#include "orders.h"
#include "snapshot_capture.h"
#include "top_sellers.h"

namespace ecomm {

namespace wal {
class Journal;
}

// Everything the engine holds. Lock order, the one global order every transaction
// follows: the engine's gate (shared), an account's mu, then product mus by productId
// ascending or one coupon campaign's mu (no transaction takes both); a stripe lock or
// the top-sellers / idempotency / clock mutex is always innermost and brief.
struct EngineState {
  explicit EngineState(const EngineOptions& options);

  // The engine's time: the injected clock plus the logged test-clock offset.
  TimeMs Now() const { return clock->NowMs() + clock_offset_ms.load(std::memory_order_acquire); }

  // Encodes and appends `record`; call with the locks of the mutation held. Returns
  // its ticket (LSN 0 without a journal), or kUnavailable when the journal refuses it;
  // the caller then applies nothing. It never waits for the disk.
  template <class R>
  Result<CommitTicket> Append(const R& record) {
    if (journal == nullptr) return CommitTicket{};  // no copy into a Record when nothing is logged
    return AppendRecord(Record(record));
  }

  // A valid user id (else kInvalidRequest) naming an existing account (else
  // kUserNotFound).
  Result<Account*> FindAccount(std::string_view user_id) const;
  // kProductNotFound for an unknown id.
  Result<Product*> FindProduct(std::string_view product_id) const;
  // kCouponNotFound for an unknown campaign.
  Result<Coupon*> FindCoupon(std::string_view coupon_id) const;

  Result<CommitTicket> AppendRecord(const Record& record) {
    return AppendRecordTo(journal, record);
  }
  // The same to `log` (a follower's own log, whatever journal live mutations use).
  Result<CommitTicket> AppendRecordTo(wal::Journal* log, const Record& record);

  SystemClock system_clock;
  const Clock* clock;
  wal::Journal* journal;
  // The journal epoch (wal::LogPosition) of this state's own appends: an answer
  // given again for an Idempotency-Key gets a ticket in it.
  uint64_t epoch = 0;

  SnapshotCapture capture;
  std::mutex clock_mu;  // serialises AdvanceClock records
  std::atomic<TimeMs> clock_offset_ms{0};

  AccountTable accounts;
  Catalog catalog;
  CouponTable coupons;
  OrderTable orders;
  std::atomic<uint64_t> order_count{0};
  TopSellers top_sellers;
  IdempotencyStore idempotency;
};

}  // namespace ecomm
