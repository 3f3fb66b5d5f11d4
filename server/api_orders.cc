// POST /order, GET /orders/{id}, GET /orders, POST /orders/{id}/cancel
#include "api_helpers.h"

namespace ecomm::server {

namespace {

std::string OrderJson(const OrderView& order, bool history) {
  JsonWriter w;
  Write(w, order, history);
  return w.Take();
}

// Another user's order is not found, so that its existence does not leak.
Status Owned(const Request& r, const OrderView& order) {
  if (r.caller.MayActFor(order.user_id)) return Status::Ok();
  return Status(ErrorCode::kOrderNotFound, "no such order");  // the engine's words
}

// 200 with the order, or the 409 problem of a FAILED one.
Response PlacedOrder(const OrderView& order) {
  if (order.status == OrderStatus::kFailed) return FailedOrderProblem(order);
  return Json(200, OrderJson(order, false));
}

Result<OrderRequest> DecodeOrderRequest(const rapidjson::Value& body) {
  OrderRequest request;
  auto user_id = StringField(body, "userId");
  if (!user_id.ok()) return user_id.status();
  request.user_id = std::move(user_id).value();
  if (auto it = body.FindMember("fromCart"); it != body.MemberEnd()) {
    if (!it->value.IsBool())
      return Status(ErrorCode::kInvalidRequest, "fromCart must be a boolean");
    if (body.HasMember("items")) {
      return Status(ErrorCode::kInvalidRequest, "give either items or fromCart, not both");
    }
    request.from_cart = it->value.GetBool();
  }
  if (auto it = body.FindMember("items"); it != body.MemberEnd()) {
    if (!it->value.IsArray()) return Status(ErrorCode::kInvalidRequest, "items must be an array");
    std::vector<OrderLine> lines;
    for (const rapidjson::Value& item : it->value.GetArray()) {
      if (!item.IsObject())
        return Status(ErrorCode::kInvalidRequest, "each item must be an object");
      auto product_id = StringField(item, "productId");
      if (!product_id.ok()) return product_id.status();
      auto quantity = IntField(item, "quantity");
      if (!quantity.ok()) return quantity.status();
      lines.push_back(OrderLine{std::move(product_id).value(), *quantity});
    }
    request.items = std::move(lines);
  }
  auto user_coupon_id = OptionalStringField(body, "userCouponId");
  if (!user_coupon_id.ok()) return user_coupon_id.status();
  request.user_coupon_id = std::move(user_coupon_id).value();
  return request;
}

}  // namespace

void Api::PlaceOrder(Request& r, Reply reply) {
  // 0. Authenticated by Handle; decoded; acting for the token's sub; keyed in its space.
  ECOMM_TRY(body, ParseObject(r.body));
  ECOMM_TRY(request, DecodeOrderRequest(*body));
  ECOMM_CHECK(MayActFor(r, request->user_id));
  auto key = KeyOf(r);
  Commit(engine_.PlaceOrder(*request, key ? &*key : nullptr), std::move(reply), PlacedOrder);
}

void Api::GetOrder(Request& r, Reply reply) {
  ECOMM_TRY(order, engine_.GetOrder(r.path_params[0]));
  ECOMM_CHECK(Owned(r, *order));
  reply(Json(200, OrderJson(*order, true)));
}

void Api::ListOrders(Request& r, Reply reply) {
  ECOMM_TRY(user_id, QueryParam(r, "userId"));
  ECOMM_CHECK(MayActFor(r, *user_id));
  ECOMM_TRY(limit, PageLimit(r));
  ECOMM_TRY(position, PageCursor(r, "orders", *user_id));
  ECOMM_TRY(page, engine_.ListOrders(*user_id, *limit, *position));
  reply(Json(200, PageJson(*page, "orders", *user_id,
                           [](JsonWriter& w, const OrderView& o) { Write(w, o, false); })));
}

void Api::CancelOrder(Request& r, Reply reply) {
  if (r.caller.user) {  // an order's owner never changes: checking first is not a race
    ECOMM_TRY(order, engine_.GetOrder(r.path_params[0]));
    ECOMM_CHECK(Owned(r, *order));
  }
  auto key = KeyOf(r);
  Commit(engine_.CancelOrder(r.path_params[0], key ? &*key : nullptr), std::move(reply),
         [](const OrderView& order) { return Json(200, OrderJson(order, true)); });
}

}  // namespace ecomm::server
