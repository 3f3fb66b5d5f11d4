#include "shop_client.h"
#include "sync_client.h"

namespace ecomm::load {

namespace http = boost::beast::http;

namespace {

// Ids are the run's own (letters, digits, - and _): no escaping needed.
class HttpShopClient final : public ShopClient {
 public:
  HttpShopClient(const LoadOptions& o, const std::string& authorization)
      : client_(o.host, o.port, authorization) {}

  Reply CreateProduct(const std::string& id, const std::string& name, int64_t price,
                      int64_t stock) override {
    return client_.Call(http::verb::post, "/products",
                        "{\"productId\":\"" + id + "\",\"name\":\"" + name + "\",\"price\":" +
                            std::to_string(price) + ",\"stock\":" + std::to_string(stock) + "}");
  }
  Reply CreateUser(const std::string& id, const std::string& name,
                   const std::string& email) override {
    return client_.Call(
        http::verb::post, "/users",
        "{\"userId\":\"" + id + "\",\"name\":\"" + name + "\",\"email\":\"" + email + "\"}");
  }
  Reply Charge(const std::string& user, int64_t amount, const std::string& key) override {
    return client_.Call(http::verb::post, "/balance/charge",
                        "{\"userId\":\"" + user + "\",\"amount\":" + std::to_string(amount) + "}",
                        key);
  }
  Reply GetBalance(const std::string& user) override {
    return client_.Call(http::verb::get, "/balance?userId=" + user);
  }
  Reply GetProduct(const std::string& id) override {
    return client_.Call(http::verb::get, "/products/" + id);
  }
  Reply GetOrder(const std::string& id) override {
    return client_.Call(http::verb::get, "/orders/" + id);
  }

 private:
  SyncClient client_;
};

}  // namespace

ShopClientFactory HttpShopClients(const LoadOptions& options, std::string authorization) {
  return [&options, authorization] {
    return std::make_unique<HttpShopClient>(options, authorization);
  };
}

}  // namespace ecomm::load
