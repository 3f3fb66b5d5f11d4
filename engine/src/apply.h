#pragma once

#include <span>

#include "ecomm/record.h"
#include "engine_state.h"

// The one code path by which records change state, for live mutations and for
// recovery alike. The caller holds the locks of everything the record touches (or is
// the only thread) and has checked that the record fits the current state; these
// functions assert what they rely on and cannot fail.
namespace ecomm {

Account* ApplyCreateUser(EngineState& state, const CreateUserRecord& record,
                         AccountTable::Map& locked_stripe);
Product* ApplyCreateProduct(EngineState& state, const CreateProductRecord& record,
                            Catalog::Stripe& locked_stripe);
void ApplyRestock(EngineState& state, const RestockRecord& record, Product& product);
void ApplyCharge(EngineState& state, const ChargeRecord& record, Account& account, Lsn lsn);
// `products[i]` is the product of `record.lines[i]`.
Order* ApplyPlaceOrder(EngineState& state, const PlaceOrderRecord& record, Account& account,
                       std::span<Product* const> products, Lsn lsn);
void ApplyCancelOrder(EngineState& state, const CancelOrderRecord& record, Order& order, Lsn lsn);
void ApplyCartAdd(EngineState& state, const CartAddRecord& record, Account& account,
                  Product& product);
void ApplyCartRemove(EngineState& state, const CartRemoveRecord& record, Account& account);
void ApplyAdvanceClock(EngineState& state, const AdvanceClockRecord& record);

}  // namespace ecomm
