#include "api.h"

#include <xxhash.h>

#include <chrono>
#include <cstdio>

#include "problem.h"
#include "request_headers.h"

namespace ecomm::server {

Api::Api(Database& db, ApiOptions options)
    : db_(db), engine_(db.engine()), options_(std::move(options)) {
  AddRoutes();
  std::vector<std::string> names;
  for (const Route& route : router_.routes()) names.push_back(route.method + " " + route.pattern);
  metrics_ = std::make_unique<RequestMetrics>(std::move(names));
}

void Api::AddRoutes() {
  auto bind = [this](void (Api::*handler)(Request&, Reply)) {
    return [this, handler](Request& r, Reply reply) { (this->*handler)(r, std::move(reply)); };
  };
  router_.Add("POST", "/balance/charge", bind(&Api::Charge));
  router_.Add("GET", "/balance", bind(&Api::GetBalance));
  router_.Add("GET", "/balance/history", bind(&Api::BalanceHistory));
  router_.Add("GET", "/products/top", bind(&Api::TopProducts));
  router_.Add("GET", "/products", bind(&Api::ListProducts));
  router_.Add("POST", "/products", bind(&Api::CreateProduct), /*admin=*/true);
  router_.Add("GET", "/products/{productId}", bind(&Api::GetProduct));
  router_.Add("POST", "/products/{productId}/restock", bind(&Api::Restock), /*admin=*/true);
  router_.Add("POST", "/order", bind(&Api::PlaceOrder));
  router_.Add("GET", "/orders", bind(&Api::ListOrders));
  router_.Add("GET", "/orders/{orderId}", bind(&Api::GetOrder));
  router_.Add("POST", "/orders/{orderId}/cancel", bind(&Api::CancelOrder));
  router_.Add("POST", "/cart/add", bind(&Api::CartAdd));
  router_.Add("DELETE", "/cart/remove", bind(&Api::CartRemove));
  router_.Add("GET", "/cart", bind(&Api::GetCart));
  router_.Add("POST", "/users", bind(&Api::CreateUser), /*admin=*/true);
  router_.Add("GET", "/users/{userId}", bind(&Api::GetUser));
  if (options_.test_clock) {
    router_.Add("POST", "/admin/clock", bind(&Api::AdvanceClock), /*admin=*/true);
  }
  router_.Add("GET", "/healthz", bind(&Api::Health));
  router_.Add("GET", "/metrics", bind(&Api::Metrics));
  router_.Add("GET", "/openapi.json", bind(&Api::OpenApi));
}

bool Api::Authorized(const Request& request) const {
  if (!options_.admin_token) return request.from_loopback;
  if (!request.authorization) return false;
  std::optional<std::string_view> token = BearerCredentials(*request.authorization);
  return token && ConstantTimeEquals(*token, *options_.admin_token);
}

void Api::Handle(Request request, Reply reply) {
  auto start = std::chrono::steady_clock::now();
  Result<const Route*> found = router_.Find(request);
  size_t route = found.ok() ? (*found)->index : RequestMetrics::kUnrouted;
  // Count and time the answer whenever and on whichever thread it comes.
  Reply counted = [this, route, start, reply = std::move(reply)](Response response) {
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    metrics_->Record(route, response.status, static_cast<uint64_t>(micros.count()));
    reply(std::move(response));
  };
  if (!found.ok()) return counted(Problem(found.status()));
  if ((*found)->admin && !Authorized(request)) {
    return counted(Problem(Status(ErrorCode::kUnauthorized,
                                  options_.admin_token ? "a valid admin Bearer token is required"
                                                       : "admin endpoints answer loopback only")));
  }
  // Without a token the loopback rule alone guards admin writes, and a web page the
  // operator visits can reach loopback; it cannot send application/json cross-origin
  // without a CORS preflight, which this server never grants.
  if ((*found)->admin && !options_.admin_token && request.method == "POST" &&
      !(request.content_type && IsJsonMediaType(*request.content_type))) {
    return counted(Problem(Status(ErrorCode::kUnsupportedMediaType,
                                  "admin requests must be sent as application/json")));
  }
  try {
    (*found)->handler(request, counted);
  } catch (const std::exception& e) {
    // A bug: never let it reach the client as anything but a 500 problem.
    counted(Problem(Status(ErrorCode::kInternal, e.what())));
  }
}

std::optional<IdempotencyKey> Api::KeyOf(const Request& request) const {
  if (!request.idempotency_key) return std::nullopt;
  // The decoded path, so that two spellings of one path are one request (and the
  // fingerprints stored before paths were split before decoding stay the same).
  std::string material = request.method + " ";
  for (const std::string& segment : request.segments) material += "/" + segment;
  material += "\n" + request.body;
  XXH128_hash_t hash = XXH3_128bits(material.data(), material.size());
  char hex[40];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(hash.high64),
                static_cast<unsigned long long>(hash.low64));
  return IdempotencyKey{*request.idempotency_key, hex};
}

}  // namespace ecomm::server
