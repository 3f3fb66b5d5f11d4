#pragma once

#include "accounts.h"
#include "catalog.h"
#include "coupons.h"
#include "ecomm/views.h"
#include "orders.h"

// Copies of engine state for callers. Each function's comment names the lock the
// caller must hold.
namespace ecomm {

UserView MakeUserView(const Account& account);        // no lock: identity is immutable
BalanceView MakeBalanceView(const Account& account);  // account.mu
BalanceEntryView MakeBalanceEntryView(const BalanceEntry& entry);
ProductView MakeProductView(const Product& product);  // no lock: stock is atomic
CartView MakeCartView(const Account& account);        // account.mu
// The order as it stood after its first `history_size` status changes (all of them
// when 0): how an idempotent retry sees the first response. order.user->mu.
OrderView MakeOrderView(const Order& order, size_t history_size = 0);
CouponView MakeCouponView(const Coupon& coupon);  // no lock: the issued count is atomic
// A user coupon as its issue answered: AVAILABLE, never used. The account's mu.
UserCouponView MakeIssuedCouponView(const UserCoupon& coupon, std::string_view user_id);
// A user coupon as a read at `now` shows it. The account's mu.
UserCouponView MakeUserCouponView(const UserCoupon& coupon, std::string_view user_id, TimeMs now);

}  // namespace ecomm
