#include "json_body.h"
#include "replica_client.h"
#include "shop_client.h"

namespace ecomm::load {

namespace http = boost::beast::http;

namespace {

// Ids are the run's own (letters, digits, - and _): no URL escaping needed.
class HttpShopClient final : public ShopClient {
 public:
  HttpShopClient(ReplicaSet* replicas, std::chrono::milliseconds failover_wait,
                 const std::string& authorization)
      : client_(replicas, failover_wait, authorization) {}

  ShopReply CreateProduct(const std::string& id, const std::string& name, int64_t price,
                          int64_t stock) override {
    return client_.Call(http::verb::post, "/products", Repeat::kUnkeyed,
                        JsonBody([&](JsonWriter& w) {
                          w.Field("productId", id);
                          w.Field("name", name);
                          w.Field("price", price);
                          w.Field("stock", stock);
                        }));
  }
  ShopReply CreateUser(const std::string& id, const std::string& name,
                       const std::string& email) override {
    return client_.Call(http::verb::post, "/users", Repeat::kUnkeyed, JsonBody([&](JsonWriter& w) {
                          w.Field("userId", id);
                          w.Field("name", name);
                          w.Field("email", email);
                        }));
  }
  ShopReply Charge(const std::string& user, int64_t amount, const std::string& key) override {
    return client_.Call(http::verb::post, "/balance/charge", Repeat::kKeyed,
                        JsonBody([&](JsonWriter& w) {
                          w.Field("userId", user);
                          w.Field("amount", amount);
                        }),
                        key);
  }
  ShopReply GetBalance(const std::string& user) override {
    return client_.Call(http::verb::get, "/balance?userId=" + user, Repeat::kRead);
  }
  ShopReply GetProduct(const std::string& id) override {
    return client_.Call(http::verb::get, "/products/" + id, Repeat::kRead);
  }
  ShopReply GetOrder(const std::string& id) override {
    return client_.Call(http::verb::get, "/orders/" + id, Repeat::kRead);
  }
  ShopReply CreateCoupon(const Campaign& campaign) override {
    const Discount& d = campaign.discount;
    return client_.Call(http::verb::post, "/coupons", Repeat::kUnkeyed,
                        JsonBody([&](JsonWriter& w) {
                          w.Field("couponId", campaign.id);
                          w.Field("name", "Load campaign " + campaign.id);
                          w.Field("discountType", Name(d.type));
                          w.Field("discountValue", d.value);
                          w.Field("totalQuantity", campaign.total_quantity);
                          if (d.max) w.Field("maxDiscount", *d.max);
                        }));
  }
  ShopReply GetCoupon(const std::string& id) override {
    return client_.Call(http::verb::get, "/coupons/" + id, Repeat::kRead);
  }
  ShopReply ListUserCoupons(const std::string& user) override {
    return client_.Call(http::verb::get, "/users/" + user + "/coupons", Repeat::kRead);
  }

 private:
  ReplicaClient client_;
};

}  // namespace

ShopClientFactory HttpShopClients(ReplicaSet* replicas, std::chrono::milliseconds failover_wait,
                                  std::string authorization) {
  return [replicas, failover_wait, authorization] {
    return std::make_unique<HttpShopClient>(replicas, failover_wait, authorization);
  };
}

}  // namespace ecomm::load
