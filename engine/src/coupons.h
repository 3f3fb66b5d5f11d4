#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ecomm/record.h"
#include "ecomm/types.h"
#include "orders.h"
#include "striped_map.h"

namespace ecomm {

// A coupon campaign. Everything but the issued count is fixed at creation, so a
// snapshot stores the definition and recovery counts the issued coupons back from the
// users who hold them.
struct Coupon {
  Coupon(const CreateCouponRecord& r, uint64_t epoch)
      : coupon_id(r.coupon_id),
        name(r.name),
        discount_type(r.discount_type),
        discount_value(r.discount_value),
        total_quantity(r.total_quantity),
        min_order_amount(r.min_order_amount),
        max_discount(r.max_discount),
        valid_from(r.valid_from),
        valid_until(r.valid_until),
        created_at(r.at),
        snapshot_epoch(epoch) {}

  mutable std::mutex mu;  // serialises issues; taken after the issuing user's account mu
  const std::string coupon_id;
  const std::string name;
  const DiscountType discount_type;
  const int64_t discount_value;
  const Quantity total_quantity;
  const Money min_order_amount;
  const Money max_discount;  // 0: no cap
  const TimeMs valid_from;
  const TimeMs valid_until;  // exclusive
  const TimeMs created_at;
  const uint64_t snapshot_epoch;  // the capture epoch it was born in (SnapshotCapture)

  // Written under mu; atomic so that reads need no lock. It never decreases, so a
  // campaign seen sold out stays sold out.
  std::atomic<Quantity> issued{0};

  bool ActiveAt(TimeMs at) const { return valid_from <= at && at < valid_until; }
};

using CouponTable = StripedMap<std::string, Coupon, StringHash>;

// SPEC's discount of an order whose items total `total`: FIXED min(value, total);
// PERCENT floor(total x value / 100), capped by maxDiscount when set. Never more than
// `total` and never negative; total x value is at most (2^53-1) x 100, within int64.
Money DiscountOf(const Coupon& coupon, Money total);

// One coupon a user was issued. USED while an order holds it (order_id set); a
// cancel gives it back. EXPIRED is only ever read, never stored.
struct UserCoupon {
  Uuid user_coupon_id;
  const Coupon* coupon = nullptr;
  TimeMs issued_at = 0;
  TimeMs expires_at = 0;  // the campaign's validUntil
  TimeMs used_at = 0;     // 0 unless used
  Uuid order_id;          // nil unless used

  bool used() const { return !order_id.IsNil(); }
  // What a read at `now` shows.
  UserCouponStatus StatusAt(TimeMs now) const;
  // Usable by an order at `at` whose items total `total`.
  bool UsableAt(TimeMs at, Money total) const {
    return !used() && at < expires_at && total >= coupon->min_order_amount;
  }
};

// A user's coupons, guarded by the account's mu, indexed both ways so that neither
// "already issued?" nor an order's coupon is a scan.
class CouponWallet {
 public:
  const std::vector<UserCoupon>& all() const { return coupons_; }  // oldest first
  bool Holds(std::string_view coupon_id) const { return by_campaign_.contains(coupon_id); }
  UserCoupon* Find(const Uuid& user_coupon_id);
  // Adds a coupon of a campaign the wallet does not hold, under an id it does not hold.
  void Add(const UserCoupon& coupon);

 private:
  std::vector<UserCoupon> coupons_;
  // Keys view the campaigns' ids, which live as long as the engine.
  std::unordered_map<std::string_view, size_t> by_campaign_;
  std::unordered_map<Uuid, size_t, UuidHash> by_id_;
};

}  // namespace ecomm
