#include "accounts.h"

#include <algorithm>

#include "catalog.h"
#include "ecomm/invariant.h"

namespace ecomm {

void Account::Post(TransactionType type, Money amount, Uuid transaction_id, Uuid order_id,
                   TimeMs at) {
  Money after = balance + amount;
  // Invariant: a balance is never negative and never above 2^53-1; callers check.
  ECOMM_INVARIANT(after >= 0 && after <= limits::kMaxBalance, "a balance stays within 0..2^53-1");
  history.push_back(BalanceEntry{transaction_id, order_id, amount, balance, after, at, type});
  balance = after;
  balance_updated_at = at;
}

CartLine* Account::FindCartLine(std::string_view product_id) {
  auto it = std::find_if(cart.begin(), cart.end(), [&](const CartLine& line) {
    return line.product->product_id == product_id;
  });
  return it == cart.end() ? nullptr : &*it;
}

Money Account::CartTotal() const {
  Money total = 0;
  for (const CartLine& line : cart) total += line.product->price * line.quantity;
  return total;
}

CouponWallet& Account::Wallet() {
  if (!coupons) coupons = std::make_unique<CouponWallet>();
  return *coupons;
}

AccountFrame FrameOf(const Account& account, uint64_t epoch) {
  return AccountFrame{
      .epoch = epoch,
      .balance = account.balance,
      .balance_updated_at = account.balance_updated_at,
      .cart = account.cart,
      .history_size = account.history.size(),
      .orders_size = account.orders.size(),
      .changed_orders = {},
      .coupons = account.coupons ? account.coupons->all() : std::vector<UserCoupon>{},
  };
}

}  // namespace ecomm
