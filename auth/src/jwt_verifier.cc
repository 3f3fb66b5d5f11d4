#include "ecomm/auth/jwt_verifier.h"

#include <jwt.h>

#include <cmath>
#include <cstdlib>

#include "ecomm/untrusted_json.h"

namespace ecomm::auth {

namespace {

constexpr std::string_view kAdminScope = "ecomm:admin";

Status Unauthorized(std::string why) { return Status(ErrorCode::kUnauthorized, std::move(why)); }

// RFC 7515 compact serialization: three base64url parts, none empty.
bool IsCompactJws(std::string_view token) {
  if (token.empty() || token.size() > JwtVerifier::kMaxTokenBytes) return false;
  int dots = 0;
  char previous = '.';
  for (char c : token) {
    if (c == '.') {
      if (previous == '.') return false;
      ++dots;
    } else if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      return false;
    }
    previous = c;
  }
  return dots == 2 && previous != '.';
}

// A NumericDate claim: absent, or a number (seconds since the epoch).
Result<std::optional<double>> DateClaim(const rapidjson::Value& claims, const char* name) {
  auto it = claims.FindMember(name);
  if (it == claims.MemberEnd()) return std::optional<double>();
  if (!it->value.IsNumber()) return Unauthorized(std::string(name) + " must be a number");
  return std::optional<double>(it->value.GetDouble());
}

bool HasAudience(const rapidjson::Value& claims, std::string_view audience) {
  auto it = claims.FindMember("aud");
  if (it == claims.MemberEnd()) return false;
  if (it->value.IsString()) return it->value.GetString() == audience;
  if (!it->value.IsArray()) return false;
  for (const rapidjson::Value& one : it->value.GetArray()) {
    if (one.IsString() && one.GetString() == audience) return true;
  }
  return false;
}

// `scope` as RFC 8693 writes it (space-separated) or as an array of strings.
bool HasAdminScope(const rapidjson::Value& claims) {
  auto it = claims.FindMember("scope");
  if (it == claims.MemberEnd()) return false;
  if (it->value.IsArray()) {
    for (const rapidjson::Value& one : it->value.GetArray()) {
      if (one.IsString() && one.GetString() == kAdminScope) return true;
    }
    return false;
  }
  if (!it->value.IsString()) return false;
  std::string_view scopes(it->value.GetString(), it->value.GetStringLength());
  while (!scopes.empty()) {
    size_t end = scopes.find(' ');
    if (scopes.substr(0, end) == kAdminScope) return true;
    if (end == std::string_view::npos) break;
    scopes.remove_prefix(end + 1);
  }
  return false;
}

// `sub` names a user: 1..256 bytes, no control characters.
Result<std::string> Subject(const rapidjson::Value& claims) {
  auto it = claims.FindMember("sub");
  if (it == claims.MemberEnd() || !it->value.IsString()) {
    return Unauthorized("the token has no sub (subject) string");
  }
  std::string_view sub(it->value.GetString(), it->value.GetStringLength());
  if (sub.empty() || sub.size() > JwtVerifier::kMaxSubjectBytes) {
    return Unauthorized("the token's sub must be 1 to 256 bytes");
  }
  for (char c : sub) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Unauthorized("the token's sub must not contain control characters");
    }
  }
  return std::string(sub);
}

}  // namespace

Result<std::unique_ptr<JwtVerifier>> JwtVerifier::Load(const JwtConfig& config) {
  if (config.key_file.empty() == config.hs256_secret_file.empty()) {
    return Status(ErrorCode::kInvalidRequest,
                  "give exactly one of a JWT public key and an HS256 secret file");
  }
  auto key = config.key_file.empty() ? LoadHs256Secret(config.hs256_secret_file)
                                     : LoadPublicKey(config.key_file);
  if (!key.ok()) return key.status();
  return std::unique_ptr<JwtVerifier>(new JwtVerifier(std::move(key).value(), config));
}

JwtVerifier::JwtVerifier(JwtKey key, JwtConfig config)
    : key_(std::move(key)), config_(std::move(config)) {}

std::string_view JwtVerifier::algorithm() const { return AlgorithmName(key_.algorithm); }

Result<TokenClaims> JwtVerifier::Verify(std::string_view token, int64_t now) const {
  if (!IsCompactJws(token)) return Unauthorized("the token is not a signed JWT");
  std::string text(token);
  jwt_t* decoded = nullptr;
  int rc = jwt_decode(&decoded, text.c_str(),
                      reinterpret_cast<const unsigned char*>(key_.material.data()),
                      static_cast<int>(key_.material.size()));
  std::unique_ptr<jwt_t, decltype(&jwt_free)> jwt(decoded, jwt_free);
  if (rc != 0 || !jwt) return Unauthorized("the token's signature does not verify");
  // libjwt verifies with whatever algorithm the token names, so an HS256 token "signed"
  // with the bytes of our public key passes it: only the configured one is accepted.
  if (jwt_get_alg(jwt.get()) != static_cast<jwt_alg_t>(LibjwtAlgorithm(key_.algorithm))) {
    return Unauthorized("the token is signed with " +
                        std::string(jwt_alg_str(jwt_get_alg(jwt.get()))) +
                        "; this server accepts " + std::string(algorithm()));
  }
  std::unique_ptr<char, void (*)(void*)> json(jwt_get_grants_json(jwt.get(), nullptr), std::free);
  if (!json) return Unauthorized("the token has no claims");
  auto claims = ParseUntrustedJson(json.get());
  if (!claims.ok() || !claims->IsObject()) {
    return Unauthorized("the token's claims are not a JSON object");
  }

  auto exp = DateClaim(*claims, "exp");
  if (!exp.ok()) return exp.status();
  if (*exp && static_cast<double>(now) > **exp + kLeewaySeconds) {
    return Unauthorized("the token has expired");
  }
  auto nbf = DateClaim(*claims, "nbf");
  if (!nbf.ok()) return nbf.status();
  if (*nbf && static_cast<double>(now) + kLeewaySeconds < **nbf) {
    return Unauthorized("the token is not valid yet");
  }
  if (config_.issuer) {
    const rapidjson::Value& all = *claims;
    auto iss = all.FindMember("iss");
    if (iss == all.MemberEnd() || !iss->value.IsString() ||
        iss->value.GetString() != *config_.issuer) {
      return Unauthorized("the token's issuer is not " + *config_.issuer);
    }
  }
  if (config_.audience && !HasAudience(*claims, *config_.audience)) {
    return Unauthorized("the token is not meant for audience " + *config_.audience);
  }
  auto subject = Subject(*claims);
  if (!subject.ok()) return subject.status();

  TokenClaims out{std::move(subject).value(), HasAdminScope(*claims), std::nullopt};
  // Dates past year 10^9 say "never"; the cast below stays defined.
  if (*exp && **exp < 1e15) out.expires_at = static_cast<int64_t>(std::floor(**exp));
  return out;
}

}  // namespace ecomm::auth
