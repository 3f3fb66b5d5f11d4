#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ecomm/auth/jwt_verifier.h"
#include "ecomm/auth/token_cache.h"
#include "ecomm/result.h"
#include "http_types.h"
#include "router.h"

namespace ecomm::server {

struct AuthOptions {
  std::optional<std::string> admin_token;        // a static Bearer token for admin routes
  std::shared_ptr<const auth::JwtVerifier> jwt;  // --auth jwt; none: --auth off (open mode)
  size_t token_cache_capacity = 65'536;
};

// Decides who a request acts as, before its handler runs (SPEC "End-user
// authentication" and the admin rule). With --auth off, end-user routes are open and
// admin routes need the admin token, or come from loopback when there is none. With
// --auth jwt, every end-user and admin route needs a Bearer credential: the admin
// token (acts for anyone) or a JWT (acts for its `sub`; with the ecomm:admin scope, for
// anyone and on admin routes too).
class Authenticator {
 public:
  explicit Authenticator(AuthOptions options);

  // The caller of `request` on a route open to `access` at `now` (seconds since the
  // epoch); or kUnauthorized (no or a bad credential), kForbidden (a valid token
  // without the admin scope on an admin route) or kUnsupportedMediaType (an admin POST
  // let in by the loopback rule that a web page could have sent).
  Result<Caller> Authenticate(const Request& request, Access access, int64_t now);

  bool jwt_enabled() const { return options_.jwt != nullptr; }
  // For /metrics: JWT checks answered from the cache, verified, and refused.
  void AppendPrometheus(std::string* out) const;

 private:
  Result<Caller> OpenMode(const Request& request, std::optional<std::string_view> credentials,
                          Access access) const;
  Result<auth::TokenClaims> Claims(std::string_view token, int64_t now);
  bool IsAdminToken(std::string_view credentials) const;

  const AuthOptions options_;
  auth::TokenCache cache_;
  std::atomic<uint64_t> cache_hits_{0};
  std::atomic<uint64_t> verified_{0};
  std::atomic<uint64_t> refused_{0};
};

// The problem answer to a failed Authenticate, with RFC 6750's challenge.
Response AuthProblem(const Status& status);

}  // namespace ecomm::server
