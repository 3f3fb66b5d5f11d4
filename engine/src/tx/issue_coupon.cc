// ISSUE_COUPON: one of a campaign's coupons to a user, first come, first served, at
// most one per user (POST /coupons/{couponId}/issue).
#include <mutex>

#include "ecomm/engine.h"
#include "ecomm/invariant.h"
#include "engine_core.h"
#include "make_views.h"
#include "tx/common.h"
#include "tx/unit.h"
#include "validation.h"

namespace ecomm {

namespace {

struct IssueCouponUnit {
  using Record = IssueCouponRecord;
  struct Scope {
    Account* account = nullptr;
    Coupon* coupon = nullptr;
    std::unique_lock<std::mutex> account_lock;
    std::unique_lock<std::mutex> coupon_lock;  // after the account's: the lock order
    const UserCoupon* issued = nullptr;
  };
  static constexpr IdempotentOutcome::Kind kKeyKind = IdempotentOutcome::Kind::kIssueCoupon;

  // The ids are checked by Open (the campaign, then the user: SPEC's order).
  static Status Screen(const Record& r) {
    if (r.user_coupon_id.IsNil()) return Invalid("a user coupon has an id");
    return Status::Ok();
  }

  static Status Open(EngineState& state, const Record& r, Scope* scope) {
    Result<Coupon*> coupon = state.FindCoupon(r.coupon_id);
    if (!coupon.ok()) return coupon.status();
    scope->coupon = *coupon;
    Result<Account*> account = state.FindAccount(r.user_id);
    if (!account.ok()) return account.status();
    scope->account = *account;
    scope->account_lock = std::unique_lock(scope->account->mu);
    // A campaign seen sold out stays so (the count never falls), and Check refuses it:
    // the flash crowd that comes after the last coupon does not queue for the lock.
    if (!SoldOut(*scope->coupon)) scope->coupon_lock = std::unique_lock(scope->coupon->mu);
    return Status::Ok();
  }

  static Status Check(const EngineState&, const Record& r, const Scope& scope) {
    const Coupon& coupon = *scope.coupon;
    if (scope.account->FindCoupon(r.user_coupon_id) != nullptr) {
      return Invalid("user coupon " + r.user_coupon_id.ToString() + " exists");
    }
    if (!coupon.ActiveAt(r.at)) {
      return Status(ErrorCode::kCouponNotActive, "the campaign is not running now");
    }
    if (scope.account->coupons && scope.account->coupons->Holds(coupon.coupon_id)) {
      return Status(ErrorCode::kCouponAlreadyIssued, "the user holds a coupon of this campaign");
    }
    if (SoldOut(coupon)) return Status(ErrorCode::kCouponSoldOut, "no coupons left");
    ECOMM_INVARIANT(scope.coupon_lock.owns_lock(), "a coupon is issued under its campaign's lock");
    return Status::Ok();
  }

  static void Apply(EngineState& state, const Record& r, Scope& scope, Lsn lsn) {
    Account& account = *scope.account;
    Coupon& coupon = *scope.coupon;
    state.capture.Preserve(account);
    account.Wallet().Add(UserCoupon{.user_coupon_id = r.user_coupon_id,
                                    .coupon = &coupon,
                                    .issued_at = r.at,
                                    .expires_at = coupon.valid_until,
                                    .used_at = 0,
                                    .order_id = Uuid{}});
    coupon.issued.fetch_add(1, std::memory_order_acq_rel);
    scope.issued = account.FindCoupon(r.user_coupon_id);
    if (r.idempotency) {
      IdempotentOutcome outcome = tx::KeyOutcome(kKeyKind, lsn, r.at);
      outcome.user_id = account.user_id;
      outcome.subject_id = r.user_coupon_id;
      state.idempotency.Complete(*r.idempotency, std::move(outcome));
    }
  }

  static Result<Committed<UserCouponView>> Reanswer(EngineState& state,
                                                    const IdempotentOutcome& earlier) {
    Result<Account*> account = state.FindAccount(earlier.user_id);
    ECOMM_INVARIANT(account.ok(), "an outcome is stored only with its user");
    std::lock_guard lock((*account)->mu);
    const UserCoupon* issued = (*account)->FindCoupon(earlier.subject_id);
    ECOMM_INVARIANT(issued != nullptr, "an outcome is stored only with its coupon");
    return Committed<UserCouponView>{
        MakeIssuedCouponView(*issued, earlier.user_id), {earlier.lsn, state.epoch}, true};
  }

  static bool SoldOut(const Coupon& coupon) {
    return coupon.issued.load(std::memory_order_acquire) >= coupon.total_quantity;
  }
};

}  // namespace

Status tx::Replay(EngineState& state, const IssueCouponRecord& record, Lsn lsn,
                  wal::Journal* follow_log) {
  return ReplayUnit<IssueCouponUnit>(state, record, lsn, follow_log);
}

Result<Committed<UserCouponView>> Engine::IssueCoupon(std::string_view coupon_id,
                                                      std::string_view user_id,
                                                      const IdempotencyKey* key) {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  IssueCouponRecord record{.coupon_id = coupon_id,
                           .user_id = user_id,
                           .user_coupon_id = Uuid::Random(),
                           .idempotency = std::nullopt};
  return tx::Mutate<IssueCouponUnit>(*core_->state, record, key,
                                     [](const IssueCouponUnit::Scope& s) {
                                       return MakeIssuedCouponView(*s.issued, s.account->user_id);
                                     });
}

}  // namespace ecomm
