// GET /products, GET /products/{id}, GET /products/top, POST /products,
// POST /products/{id}/restock
#include "api_helpers.h"

namespace ecomm::server {

void Api::ListProducts(Request& r, Reply reply) {
  std::optional<size_t> limit;
  if (r.query.contains("limit")) {
    ECOMM_TRY(value, PageLimit(r));
    limit = *value;
  }
  std::optional<std::string_view> after;
  if (auto it = r.query.find("after"); it != r.query.end()) after = it->second;
  ECOMM_TRY(products, engine_.ListProducts(limit, after));
  reply(Json(200, ToJsonArray(*products)));
}

void Api::GetProduct(Request& r, Reply reply) {
  ECOMM_TRY(product, engine_.GetProduct(r.path_params[0]));
  reply(Json(200, ToJson(*product)));
}

void Api::TopProducts(Request&, Reply reply) {
  ECOMM_TRY(top, engine_.TopSellers());
  reply(Json(200, ToJsonArray(*top)));
}

void Api::CreateProduct(Request& r, Reply reply) {
  ECOMM_TRY(body, ParseObject(r.body));
  ECOMM_TRY(id, OptionalStringField(*body, "productId"));
  ECOMM_TRY(name, StringField(*body, "name"));
  ECOMM_TRY(price, IntField(*body, "price"));
  ECOMM_TRY(stock, IntField(*body, "stock"));
  Commit(engine_.CreateProduct(NewProduct{*id, *name, *price, *stock}), std::move(reply),
         [](const ProductView& v) { return Json(201, ToJson(v)); });
}

void Api::Restock(Request& r, Reply reply) {
  ECOMM_TRY(body, ParseObject(r.body));
  ECOMM_TRY(quantity, IntField(*body, "quantity"));
  Commit(engine_.Restock(r.path_params[0], *quantity), std::move(reply),
         [](const ProductView& v) { return Json(200, ToJson(v)); });
}

}  // namespace ecomm::server
