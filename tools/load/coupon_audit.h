#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "shop_client.h"
#include "workload.h"

namespace ecomm::load {

// The run's coupon campaign as the audit found it.
struct CouponAudit {
  int64_t total = 0;          // totalQuantity, as the run created it
  int64_t remaining = 0;      // remainingQuantity, as the server reports it
  uint64_t issued = 0;        // user coupons of the campaign the run's users hold
  uint64_t acknowledged = 0;  // 200 issues the client saw
  uint64_t unanswered = 0;    // issues whose outcome it never learned
  uint64_t used = 0;          // USED ones
  uint64_t orders = 0;        // orders checked: those the USED coupons name, and every
                              // order the client sent with a coupon
};

// SPEC "Coupons", against the server: issued <= totalQuantity and remainingQuantity =
// total - issued; at most one user coupon per user; as many issued as acknowledged
// (give or take the unanswered issues), each acknowledged one held by its user; every
// USED coupon names a SUCCESS order that carries it, every SUCCESS order with a coupon
// is the one its coupon names, and every order with a coupon has the rule's discount
// and totalPrice = items' total - discount. Each failure goes to `violation`, which is
// called from several threads.
CouponAudit AuditCoupons(const ShopClientFactory& clients, const Population& population,
                         const Ledger& ledger, const std::function<void(std::string)>& violation);

}  // namespace ecomm::load
