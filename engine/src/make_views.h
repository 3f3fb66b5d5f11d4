#pragma once

#include "accounts.h"
#include "catalog.h"
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

}  // namespace ecomm
