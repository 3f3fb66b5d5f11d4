#include "authenticator.h"

#include "ecomm/types.h"
#include "metrics.h"
#include "problem.h"
#include "request_headers.h"

namespace ecomm::server {

// A token's subject is the userId it acts as: a longer one could never name a user.
static_assert(auth::JwtVerifier::kMaxSubjectBytes == limits::kMaxStringBytes);

Authenticator::Authenticator(AuthOptions options)
    : options_(std::move(options)), cache_(options_.token_cache_capacity) {}

bool Authenticator::IsAdminToken(std::string_view credentials) const {
  return options_.admin_token && ConstantTimeEquals(credentials, *options_.admin_token);
}

Result<Caller> Authenticator::OpenMode(const Request& request,
                                       std::optional<std::string_view> credentials,
                                       Access access) const {
  if (access != Access::kAdmin) return Caller{};
  if (options_.admin_token) {
    if (!credentials || !IsAdminToken(*credentials)) {
      return Status(ErrorCode::kUnauthorized, "a valid admin Bearer token is required");
    }
    return Caller{};
  }
  if (!request.from_loopback) {
    return Status(ErrorCode::kUnauthorized, "admin endpoints answer loopback only");
  }
  // Without a token the loopback rule alone guards admin writes, and a web page the
  // operator visits can reach loopback; it cannot send application/json cross-origin
  // without a CORS preflight, which this server never grants.
  if (request.method == "POST" &&
      !(request.content_type && IsJsonMediaType(*request.content_type))) {
    return Status(ErrorCode::kUnsupportedMediaType,
                  "admin requests must be sent as application/json");
  }
  return Caller{};
}

Result<auth::TokenClaims> Authenticator::Claims(std::string_view token, int64_t now) {
  if (auto cached = cache_.Find(token, now)) {
    cache_hits_.fetch_add(1, std::memory_order_relaxed);
    return *std::move(cached);
  }
  auto claims = options_.jwt->Verify(token, now);
  if (!claims.ok()) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    return claims.status();
  }
  verified_.fetch_add(1, std::memory_order_relaxed);
  cache_.Insert(token, *claims);
  return claims;
}

Result<Caller> Authenticator::Authenticate(const Request& request, Access access, int64_t now) {
  if (access == Access::kPublic) return Caller{};
  std::optional<std::string_view> credentials =
      request.authorization ? BearerCredentials(*request.authorization) : std::nullopt;
  if (!options_.jwt) return OpenMode(request, credentials, access);
  if (!credentials) {
    return Status(ErrorCode::kUnauthorized, "an Authorization: Bearer token is required");
  }
  if (IsAdminToken(*credentials)) return Caller{};
  auto claims = Claims(*credentials, now);
  if (!claims.ok()) return claims.status();
  if (access == Access::kAdmin && !claims->admin) {
    return Status(ErrorCode::kForbidden, "this route needs a token with the ecomm:admin scope");
  }
  Caller caller;
  if (!claims->admin) caller.user = claims->subject;
  caller.key_owner = std::move(claims->subject);
  return caller;
}

void Authenticator::AppendPrometheus(std::string* out) const {
  if (!options_.jwt) return;
  AppendFamily(out, "ecomm_jwt_checks_total", "counter", "Bearer JWTs checked, by outcome.");
  auto line = [&](const char* outcome, const std::atomic<uint64_t>& n) {
    *out += "ecomm_jwt_checks_total{outcome=\"";
    *out += outcome;
    *out += "\"} " + std::to_string(n.load(std::memory_order_relaxed)) + "\n";
  };
  line("cached", cache_hits_);
  line("verified", verified_);
  line("refused", refused_);
  AppendFamily(out, "ecomm_jwt_cache_entries", "gauge", "Verified tokens held by the cache.");
  *out += "ecomm_jwt_cache_entries " + std::to_string(cache_.size()) + "\n";
}

Response AuthProblem(const Status& status) {
  Response response = Problem(status);
  if (status.code() == ErrorCode::kUnauthorized) {
    response.www_authenticate = "Bearer error=\"invalid_token\"";
  } else if (status.code() == ErrorCode::kForbidden) {
    response.www_authenticate = "Bearer error=\"insufficient_scope\"";
  }
  return response;
}

}  // namespace ecomm::server
