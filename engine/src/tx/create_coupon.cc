// CREATE_COUPON: a coupon campaign, a limited number of coupons to give out (admin).
#include <memory>

#include "ecomm/engine.h"
#include "engine_core.h"
#include "make_views.h"
#include "tx/unit.h"
#include "validation.h"

namespace ecomm {

namespace {

struct CreateCouponUnit {
  using Record = CreateCouponRecord;
  struct Scope {
    CouponTable::LockedStripe stripe;  // where the id goes
    Coupon* created = nullptr;
  };

  static Status Screen(const Record& r) {
    if (Status s = CheckId("couponId", r.coupon_id); !s.ok()) return s;
    if (Status s = CheckText("name", r.name); !s.ok()) return s;
    // An embedder may pass any byte; the log's decoder reads only these two.
    if (r.discount_type != DiscountType::kFixed && r.discount_type != DiscountType::kPercent) {
      return Invalid("discountType must be FIXED or PERCENT");
    }
    bool percent = r.discount_type == DiscountType::kPercent;
    if (Status s = CheckRange("discountValue", r.discount_value, 1,
                              percent ? limits::kMaxDiscountPercent : limits::kMaxFixedDiscount);
        !s.ok()) {
      return s;
    }
    if (Status s = CheckRange("totalQuantity", r.total_quantity, 1, limits::kMaxCouponQuantity);
        !s.ok()) {
      return s;
    }
    if (Status s = CheckRange("minOrderAmount", r.min_order_amount, 0, limits::kMaxMinOrderAmount);
        !s.ok()) {
      return s;
    }
    if (r.max_discount != 0) {
      if (!percent) return Invalid("maxDiscount is for PERCENT coupons only");
      if (Status s = CheckRange("maxDiscount", r.max_discount, 1, limits::kMaxFixedDiscount);
          !s.ok()) {
        return s;
      }
    }
    if (Status s = CheckRange("validFrom", r.valid_from, 0, limits::kMaxTimeMs); !s.ok()) return s;
    if (Status s = CheckRange("validUntil", r.valid_until, 0, limits::kMaxTimeMs); !s.ok()) {
      return s;
    }
    if (r.valid_from >= r.valid_until) return Invalid("validFrom must be before validUntil");
    return Status::Ok();
  }

  static Status Open(EngineState& state, const Record& r, Scope* scope) {
    scope->stripe = state.coupons.LockStripe(r.coupon_id);
    return Status::Ok();
  }

  static Status Check(const EngineState&, const Record& r, const Scope& scope) {
    if (scope.stripe.map->contains(r.coupon_id)) {
      return Status(ErrorCode::kAlreadyExists,
                    "coupon " + std::string(r.coupon_id) + " already exists");
    }
    return Status::Ok();
  }

  static void Apply(EngineState& state, const Record& r, Scope& scope, Lsn) {
    // Born in the current capture epoch: a running snapshot leaves it out.
    auto coupon = std::make_unique<Coupon>(r, state.capture.epoch());
    scope.created = coupon.get();
    scope.stripe.map->emplace(coupon->coupon_id, std::move(coupon));
  }
};

}  // namespace

Status tx::Replay(EngineState& state, const CreateCouponRecord& record, Lsn lsn,
                  wal::Journal* follow_log) {
  return ReplayUnit<CreateCouponUnit>(state, record, lsn, follow_log);
}

Result<Committed<CouponView>> Engine::CreateCoupon(const NewCoupon& coupon) {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  // A maxDiscount of 0 would read as "no cap" in the record (Screen refuses the rest).
  if (coupon.max_discount == 0) {
    return coupon.discount_type == DiscountType::kPercent
               ? Invalid("maxDiscount must be an integer from 1 to 1000000000")
               : Invalid("maxDiscount is for PERCENT coupons only");
  }
  // The state's clock, not Engine::Now: the gate is held already and is not recursive.
  TimeMs now = core_->state->Now();
  TimeMs from = coupon.valid_from.value_or(now);
  std::string id = coupon.coupon_id ? *coupon.coupon_id : Uuid::Random().ToString();
  CreateCouponRecord record{
      .coupon_id = id,
      .name = coupon.name,
      .discount_type = coupon.discount_type,
      .discount_value = coupon.discount_value,
      .total_quantity = coupon.total_quantity,
      .min_order_amount = coupon.min_order_amount,
      .max_discount = coupon.max_discount.value_or(0),
      .valid_from = from,
      .valid_until = coupon.valid_until.value_or(now + limits::kDefaultCouponValidityMs)};
  return tx::Mutate<CreateCouponUnit>(
      *core_->state, record, nullptr,
      [](const CreateCouponUnit::Scope& s) { return MakeCouponView(*s.created); });
}

}  // namespace ecomm
