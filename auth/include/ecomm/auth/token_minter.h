#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ecomm/auth/jwt_key.h"
#include "ecomm/result.h"

// Minting of JWTs, as an identity provider would, for demos, tests and ecomm-load.
namespace ecomm::auth {

struct TokenSpec {
  std::string subject;  // sub: the userId
  std::string scope;    // scope, space-separated ("ecomm:admin"); empty: none
  int64_t ttl_seconds = 3600;
  std::optional<std::string> issuer;
  std::optional<std::string> audience;
};

// A compact JWS of `spec` signed with `key` (its private PEM or secret): iat and nbf
// `now`, exp `now + ttl_seconds`.
Result<std::string> MintToken(const JwtKey& key, const TokenSpec& spec, int64_t now);

// Seconds since the epoch, by the wall clock tokens are dated with.
int64_t WallClockSeconds();

}  // namespace ecomm::auth
