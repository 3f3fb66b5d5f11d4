#include "ecomm/auth/token_minter.h"

#include <jwt.h>

#include <chrono>
#include <cstdlib>
#include <memory>

namespace ecomm::auth {

int64_t WallClockSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::string> MintToken(const JwtKey& key, const TokenSpec& spec, int64_t now) {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return Status(ErrorCode::kInternal, "libjwt: out of memory");
  std::unique_ptr<jwt_t, decltype(&jwt_free)> jwt(raw, jwt_free);
  const auto* material = reinterpret_cast<const unsigned char*>(key.material.data());
  bool ok = jwt_set_alg(jwt.get(), static_cast<jwt_alg_t>(LibjwtAlgorithm(key.algorithm)), material,
                        static_cast<int>(key.material.size())) == 0;
  ok = ok && jwt_add_grant(jwt.get(), "sub", spec.subject.c_str()) == 0;
  ok = ok && jwt_add_grant_int(jwt.get(), "iat", now) == 0;
  ok = ok && jwt_add_grant_int(jwt.get(), "nbf", now) == 0;
  ok = ok && jwt_add_grant_int(jwt.get(), "exp", now + spec.ttl_seconds) == 0;
  if (!spec.scope.empty()) ok = ok && jwt_add_grant(jwt.get(), "scope", spec.scope.c_str()) == 0;
  if (spec.issuer) ok = ok && jwt_add_grant(jwt.get(), "iss", spec.issuer->c_str()) == 0;
  if (spec.audience) ok = ok && jwt_add_grant(jwt.get(), "aud", spec.audience->c_str()) == 0;
  if (!ok) return Status(ErrorCode::kInvalidRequest, "libjwt refused the key or a claim");
  std::unique_ptr<char, void (*)(void*)> token(jwt_encode_str(jwt.get()), std::free);
  if (!token) return Status(ErrorCode::kInvalidRequest, "libjwt could not sign with this key");
  return std::string(token.get());
}

}  // namespace ecomm::auth
