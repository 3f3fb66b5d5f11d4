#include "coupons.h"

#include <algorithm>

#include "ecomm/invariant.h"

namespace ecomm {

Money DiscountOf(const Coupon& coupon, Money total) {
  ECOMM_INVARIANT(total >= 0 && total <= limits::kMaxOrderTotal, "an order total is checked first");
  if (coupon.discount_type == DiscountType::kFixed) return std::min(coupon.discount_value, total);
  Money discount = total * coupon.discount_value / 100;
  if (coupon.max_discount > 0) discount = std::min(discount, coupon.max_discount);
  return discount;
}

UserCouponStatus UserCoupon::StatusAt(TimeMs now) const {
  if (used()) return UserCouponStatus::kUsed;
  return now >= expires_at ? UserCouponStatus::kExpired : UserCouponStatus::kAvailable;
}

UserCoupon* CouponWallet::Find(const Uuid& user_coupon_id) {
  auto it = by_id_.find(user_coupon_id);
  return it == by_id_.end() ? nullptr : &coupons_[it->second];
}

void CouponWallet::Add(const UserCoupon& coupon) {
  bool fresh = by_campaign_.emplace(coupon.coupon->coupon_id, coupons_.size()).second &&
               by_id_.emplace(coupon.user_coupon_id, coupons_.size()).second;
  ECOMM_INVARIANT(fresh, "one coupon per user and campaign, under an id of its own");
  coupons_.push_back(coupon);
}

}  // namespace ecomm
