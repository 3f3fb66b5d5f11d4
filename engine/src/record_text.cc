#include <string>

#include "ecomm/record.h"
#include "overloaded.h"

namespace ecomm {

namespace {

void AppendTag(std::string& out, const std::optional<IdempotencyTag>& tag) {
  if (tag) out += " idempotency_key=" + std::string(tag->key);
}

}  // namespace

std::string DescribeRecord(const Record& record) {
  std::string out(Name(TypeOf(record)));
  auto field = [&](std::string_view name, const auto& value) {
    out += ' ';
    out += name;
    out += '=';
    if constexpr (std::is_arithmetic_v<std::decay_t<decltype(value)>>) {
      out += std::to_string(value);
    } else {
      out += value;
    }
  };
  std::visit(Overloaded{
                 [&](const CreateUserRecord& r) {
                   field("at", r.at);
                   field("user", r.user_id);
                   field("name", r.name);
                   field("email", r.email);
                 },
                 [&](const CreateProductRecord& r) {
                   field("at", r.at);
                   field("product", r.product_id);
                   field("name", r.name);
                   field("price", r.price);
                   field("stock", r.stock);
                 },
                 [&](const RestockRecord& r) {
                   field("at", r.at);
                   field("product", r.product_id);
                   field("quantity", r.quantity);
                 },
                 [&](const ChargeRecord& r) {
                   field("at", r.at);
                   field("user", r.user_id);
                   field("amount", r.amount);
                   field("tx", r.transaction_id.ToString());
                   AppendTag(out, r.idempotency);
                 },
                 [&](const PlaceOrderRecord& r) {
                   field("at", r.at);
                   field("order", r.order_id.ToString());
                   field("user", r.user_id);
                   field("status", Name(r.status));
                   if (r.reason != StatusReason::kNone) field("reason", Describe(r.reason));
                   if (r.from_cart) out += " from_cart";
                   for (const OrderLineRecord& line : r.lines) {
                     out += " line=" + std::string(line.product_id) + "x" +
                            std::to_string(line.quantity) + "@" + std::to_string(line.price);
                   }
                   AppendTag(out, r.idempotency);
                 },
                 [&](const CancelOrderRecord& r) {
                   field("at", r.at);
                   field("order", r.order_id.ToString());
                   field("refund_tx", r.refund_id.ToString());
                   field("by", Name(r.changed_by));
                   AppendTag(out, r.idempotency);
                 },
                 [&](const CartAddRecord& r) {
                   field("at", r.at);
                   field("user", r.user_id);
                   field("product", r.product_id);
                   field("quantity", r.quantity);
                 },
                 [&](const CartRemoveRecord& r) {
                   field("at", r.at);
                   field("user", r.user_id);
                   field("product", r.product_id);
                 },
                 [&](const AdvanceClockRecord& r) {
                   field("at", r.at);
                   field("seconds", r.seconds);
                 },
             },
             record);
  return out;
}

}  // namespace ecomm
