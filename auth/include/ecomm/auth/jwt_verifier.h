#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ecomm/auth/jwt_key.h"
#include "ecomm/result.h"

// Verification of the JSON Web Tokens (RFC 7519) the shop's identity provider issues,
// with libjwt (signature, base64url, JSON); keys are read by ecomm/auth. SPEC "End-user
// authentication".
namespace ecomm::auth {

// What the server reads from a verified token.
struct TokenClaims {
  std::string subject;                // `sub`: the userId the bearer acts as
  bool admin = false;                 // `scope` holds "ecomm:admin"
  std::optional<int64_t> expires_at;  // `exp`, seconds since the epoch
};

struct JwtConfig {
  std::string key_file;                 // a PEM key: RS256 (RSA) or ES256 (P-256); or
  std::string hs256_secret_file;        // a shared HS256 secret of at least 32 bytes
  std::optional<std::string> issuer;    // `iss` must equal it when set
  std::optional<std::string> audience;  // `aud` must be or contain it when set
};

class JwtVerifier {
 public:
  // Clock skew tolerated on `exp` and `nbf`.
  static constexpr int64_t kLeewaySeconds = 60;
  // Longer tokens are refused unread (libjwt copies each part onto the stack).
  static constexpr size_t kMaxTokenBytes = 8 << 10;
  // The longest `sub`: a userId (the server asserts it is the engine's string limit).
  static constexpr size_t kMaxSubjectBytes = 256;

  // Reads and checks the configured key. A public key, a private key (its public half
  // is used) or an HS256 secret; errors name the file and what is wrong with it.
  static Result<std::unique_ptr<JwtVerifier>> Load(const JwtConfig& config);

  // The claims of `token` at `now` (seconds since the epoch), or kUnauthorized saying
  // why not: malformed, signature, an algorithm other than the key's, expired, not yet
  // valid, issuer, audience, subject. Thread-safe.
  Result<TokenClaims> Verify(std::string_view token, int64_t now) const;

  // "RS256", "ES256" or "HS256": the one algorithm accepted.
  std::string_view algorithm() const;

 private:
  JwtVerifier(JwtKey key, JwtConfig config);

  JwtKey key_;  // the public key as PEM, or the HS256 secret
  JwtConfig config_;
};

}  // namespace ecomm::auth
