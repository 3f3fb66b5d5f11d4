// POST /coupons, GET /coupons/{id}, POST /coupons/{id}/issue, GET /users/{id}/coupons
#include "api_helpers.h"

namespace ecomm::server {

namespace {

Result<DiscountType> DiscountTypeField(const rapidjson::Value& body) {
  auto name = StringField(body, "discountType");
  if (!name.ok()) return name.status();
  for (DiscountType type : {DiscountType::kFixed, DiscountType::kPercent}) {
    if (*name == Name(type)) return type;
  }
  return Status(ErrorCode::kInvalidRequest, "discountType must be FIXED or PERCENT");
}

}  // namespace

void Api::CreateCoupon(Request& r, Reply reply) {
  ECOMM_TRY(body, ParseObject(r.body));
  ECOMM_TRY(id, OptionalStringField(*body, "couponId"));
  ECOMM_TRY(name, StringField(*body, "name"));
  ECOMM_TRY(type, DiscountTypeField(*body));
  ECOMM_TRY(value, IntField(*body, "discountValue"));
  ECOMM_TRY(quantity, IntField(*body, "totalQuantity"));
  ECOMM_TRY(min_order_amount, OptionalIntField(*body, "minOrderAmount"));
  ECOMM_TRY(max_discount, OptionalIntField(*body, "maxDiscount"));
  ECOMM_TRY(valid_from, OptionalTimeField(*body, "validFrom"));
  ECOMM_TRY(valid_until, OptionalTimeField(*body, "validUntil"));
  NewCoupon coupon{.coupon_id = *id,
                   .name = *name,
                   .discount_type = *type,
                   .discount_value = *value,
                   .total_quantity = *quantity,
                   .min_order_amount = min_order_amount->value_or(0),
                   .max_discount = *max_discount,
                   .valid_from = *valid_from,
                   .valid_until = *valid_until};
  Commit(engine_.CreateCoupon(coupon), std::move(reply),
         [](const CouponView& v) { return Json(201, ToJson(v)); });
}

void Api::GetCoupon(Request& r, Reply reply) {
  ECOMM_TRY(coupon, engine_.GetCoupon(r.path_params[0]));
  reply(Json(200, ToJson(*coupon)));
}

void Api::IssueCoupon(Request& r, Reply reply) {
  ECOMM_TRY(body, ParseObject(r.body));
  ECOMM_TRY(user_id, StringField(*body, "userId"));
  ECOMM_CHECK(MayActFor(r, *user_id));
  auto key = KeyOf(r);
  Commit(engine_.IssueCoupon(r.path_params[0], *user_id, key ? &*key : nullptr), std::move(reply),
         [](const UserCouponView& v) { return Json(200, ToJson(v)); });
}

void Api::ListUserCoupons(Request& r, Reply reply) {
  ECOMM_CHECK(MayActFor(r, r.path_params[0]));
  ECOMM_TRY(coupons, engine_.ListUserCoupons(r.path_params[0]));
  reply(Json(200, ToJsonArray(*coupons)));
}

}  // namespace ecomm::server
