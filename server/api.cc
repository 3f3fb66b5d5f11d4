#include "api.h"

#include <xxhash.h>

#include <chrono>
#include <cstdio>

#include "ecomm/auth/token_minter.h"
#include "problem.h"

namespace ecomm::server {

Api::Api(Database& db, ApiOptions options)
    : db_(db), engine_(db.engine()), options_(std::move(options)), auth_(options_.auth) {
  AddRoutes();
  std::vector<std::string> names;
  for (const Route& route : router_.routes()) names.push_back(route.method + " " + route.pattern);
  metrics_ = std::make_unique<RequestMetrics>(std::move(names));
}

void Api::AddRoutes() {
  auto bind = [this](void (Api::*handler)(Request&, Reply)) {
    return [this, handler](Request& r, Reply reply) { (this->*handler)(r, std::move(reply)); };
  };
  using enum Access;
  router_.Add("POST", "/balance/charge", kUser, bind(&Api::Charge));
  router_.Add("GET", "/balance", kUser, bind(&Api::GetBalance));
  router_.Add("GET", "/balance/history", kUser, bind(&Api::BalanceHistory));
  router_.Add("GET", "/products/top", kPublic, bind(&Api::TopProducts));
  router_.Add("GET", "/products", kPublic, bind(&Api::ListProducts));
  router_.Add("POST", "/products", kAdmin, bind(&Api::CreateProduct));
  router_.Add("GET", "/products/{productId}", kPublic, bind(&Api::GetProduct));
  router_.Add("POST", "/products/{productId}/restock", kAdmin, bind(&Api::Restock));
  router_.Add("POST", "/order", kUser, bind(&Api::PlaceOrder));
  router_.Add("GET", "/orders", kUser, bind(&Api::ListOrders));
  router_.Add("GET", "/orders/{orderId}", kUser, bind(&Api::GetOrder));
  router_.Add("POST", "/orders/{orderId}/cancel", kUser, bind(&Api::CancelOrder));
  router_.Add("POST", "/cart/add", kUser, bind(&Api::CartAdd));
  router_.Add("DELETE", "/cart/remove", kUser, bind(&Api::CartRemove));
  router_.Add("GET", "/cart", kUser, bind(&Api::GetCart));
  router_.Add("POST", "/users", kAdmin, bind(&Api::CreateUser));
  router_.Add("GET", "/users/{userId}", kUser, bind(&Api::GetUser));
  router_.Add("GET", "/users/{userId}/coupons", kUser, bind(&Api::ListUserCoupons));
  router_.Add("POST", "/coupons", kAdmin, bind(&Api::CreateCoupon));
  router_.Add("GET", "/coupons/{couponId}", kPublic, bind(&Api::GetCoupon));
  router_.Add("POST", "/coupons/{couponId}/issue", kUser, bind(&Api::IssueCoupon));
  if (options_.test_clock) router_.Add("POST", "/admin/clock", kAdmin, bind(&Api::AdvanceClock));
  router_.Add("GET", "/healthz", kPublic, bind(&Api::Health));
  router_.Add("GET", "/metrics", kAdmin, bind(&Api::Metrics));
  router_.Add("GET", "/openapi.json", kPublic, bind(&Api::OpenApi));
  router_.Add("GET", "/docs", kPublic, bind(&Api::Docs));
  router_.Add("GET", "/docs/{file}", kPublic, bind(&Api::Docs));
  router_.Add("GET", "/admin/replication", kAdmin, bind(&Api::Replication));
  router_.Add("GET", "/admin/digest", kAdmin, bind(&Api::Digest));
  router_.Add("GET", "/admin/snapshot", kAdmin, bind(&Api::PeerSnapshot));
  router_.Add("POST", "/admin/promote", kAdmin, bind(&Api::Promote));
}

void Api::Run(const Route& route, Request& request, const Reply& reply) {
  try {
    route.handler(request, reply);
  } catch (const std::exception& e) {
    // A bug: never let it reach the client as anything but a 500 problem.
    reply(Problem(Status(ErrorCode::kInternal, e.what())));
  }
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
  if (!found.ok()) {
    Response problem = Problem(found.status());
    if (found.code() == ErrorCode::kMethodNotAllowed) {
      problem.allow = router_.AllowedMethods(request.segments);
    }
    return counted(std::move(problem));
  }
  // Tokens carry wall-clock dates: the real clock, not the engine's test clock.
  Result<Caller> caller = auth_.Authenticate(request, (*found)->access, auth::WallClockSeconds());
  if (!caller.ok()) return counted(AuthProblem(caller.status()));
  request.caller = std::move(caller).value();
  if (options_.replica != nullptr) return HandleOnReplica(**found, std::move(request), counted);
  Run(**found, request, counted);
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
  return IdempotencyKey{*request.idempotency_key, hex, request.caller.key_owner};
}

}  // namespace ecomm::server
