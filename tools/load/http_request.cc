#include "http_request.h"

#include "json_body.h"

namespace ecomm::load {

namespace http = boost::beast::http;

namespace {

void WriteItems(JsonWriter& w, const Population& p, const std::vector<Line>& lines) {
  w.Key("items");
  w.StartArray();
  for (const Line& line : lines) {
    w.StartObject();
    w.Field("productId", p.product_id(line.product));
    w.Field("quantity", line.quantity);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

// Ids are the run's own (letters, digits), so they need no URL escaping.
HttpRequest RenderHttp(const Population& p, const ShopRequest& r, const std::string& host,
                       const Authorizer& authorize) {
  HttpRequest req;
  req.version(11);
  req.keep_alive(true);
  req.set(http::field::host, host);
  auto get = [&req](std::string target) {
    req.method(http::verb::get);
    req.target(target);
  };
  auto send = [&req](http::verb verb, std::string target, std::string body) {
    req.method(verb);
    req.target(target);
    req.set(http::field::content_type, "application/json");
    req.body() = std::move(body);
    req.prepare_payload();
  };
  const std::string user = r.user >= 0 ? p.user_id(r.user) : std::string();
  switch (r.op) {
    case Op::kBrowse:
      get(r.variant ? "/products?limit=20" : "/products/" + p.product_id(r.product));
      break;
    case Op::kTop:
      get("/products/top");
      break;
    case Op::kHistory:
      get((r.variant ? "/orders?limit=20&userId=" : "/balance/history?limit=20&userId=") + user);
      break;
    case Op::kCartAdd:
      send(http::verb::post, "/cart/add", JsonBody([&](JsonWriter& w) {
             w.Field("userId", user);
             w.Field("productId", p.product_id(r.product));
             w.Field("quantity", r.amount);
           }));
      break;
    case Op::kCartRemove:
      req.method(http::verb::delete_);
      req.target("/cart/remove?userId=" + user + "&productId=" + p.product_id(r.product));
      break;
    case Op::kCharge:
      send(http::verb::post, "/balance/charge", JsonBody([&](JsonWriter& w) {
             w.Field("userId", user);
             w.Field("amount", r.amount);
           }));
      break;
    case Op::kOrder:
    case Op::kOrderCart:
      send(http::verb::post, "/order", JsonBody([&](JsonWriter& w) {
             w.Field("userId", user);
             if (r.op == Op::kOrder) {
               WriteItems(w, p, r.lines);
             } else {
               w.Field("fromCart", true);
             }
             if (!r.user_coupon_id.empty()) w.Field("userCouponId", r.user_coupon_id);
           }));
      break;
    case Op::kCancel:
      send(http::verb::post, "/orders/" + r.order_id + "/cancel", "");
      break;
    case Op::kRestock:
      send(http::verb::post, "/products/" + p.product_id(r.product) + "/restock",
           JsonBody([&](JsonWriter& w) { w.Field("quantity", r.amount); }));
      break;
    case Op::kCouponIssue:
      send(http::verb::post, "/coupons/" + p.campaign()->id + "/issue",
           JsonBody([&](JsonWriter& w) { w.Field("userId", user); }));
      break;
  }
  if (!r.idempotency_key.empty()) req.set("Idempotency-Key", r.idempotency_key);
  if (authorize) {
    if (std::string value = authorize(r); !value.empty())
      req.set(http::field::authorization, value);
  }
  return req;
}

}  // namespace ecomm::load
