// POST /cart/add, DELETE /cart/remove, GET /cart
#include "api_helpers.h"

namespace ecomm::server {

namespace {

Response CartJson(const CartView& cart) { return Json(200, ToJson(cart)); }

}  // namespace

void Api::CartAdd(Request& r, Reply reply) {
  ECOMM_TRY(body, ParseObject(r.body));
  ECOMM_TRY(user_id, StringField(*body, "userId"));
  ECOMM_CHECK(MayActFor(r, *user_id));
  ECOMM_TRY(product_id, StringField(*body, "productId"));
  ECOMM_TRY(quantity, IntField(*body, "quantity"));
  Commit(engine_.AddToCart(*user_id, *product_id, *quantity), std::move(reply), CartJson);
}

void Api::CartRemove(Request& r, Reply reply) {
  // SPEC: userId and productId from the query, or from the body when the query has none.
  std::string user_id, product_id;
  if (r.query.contains("userId") || r.query.contains("productId")) {
    ECOMM_TRY(user, QueryParam(r, "userId"));
    ECOMM_TRY(product, QueryParam(r, "productId"));
    user_id = *user;
    product_id = *product;
  } else {
    ECOMM_TRY(body, ParseObject(r.body));
    ECOMM_TRY(user, StringField(*body, "userId"));
    ECOMM_TRY(product, StringField(*body, "productId"));
    user_id = *user;
    product_id = *product;
  }
  ECOMM_CHECK(MayActFor(r, user_id));
  Commit(engine_.RemoveFromCart(user_id, product_id), std::move(reply), CartJson);
}

void Api::GetCart(Request& r, Reply reply) {
  ECOMM_TRY(user_id, QueryParam(r, "userId"));
  ECOMM_CHECK(MayActFor(r, *user_id));
  ECOMM_TRY(cart, engine_.GetCart(*user_id));
  reply(CartJson(*cart));
}

}  // namespace ecomm::server
