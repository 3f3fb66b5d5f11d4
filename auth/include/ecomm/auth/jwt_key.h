#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ecomm/result.h"

// Key material for JSON Web Tokens, read the one way the server (verifying) and the
// tools (minting) agree on. Keys are parsed by OpenSSL; nothing here is cryptography.
namespace ecomm::auth {

enum class JwtAlgorithm : uint8_t { kHs256, kRs256, kEs256 };

// "HS256", "RS256", "ES256".
std::string_view AlgorithmName(JwtAlgorithm algorithm);
// libjwt's jwt_alg_t for it (an int here, so that this header needs no jwt.h).
int LibjwtAlgorithm(JwtAlgorithm algorithm);

struct JwtKey {
  JwtAlgorithm algorithm = JwtAlgorithm::kEs256;
  std::string material;  // a PEM key (public to verify, private to sign) or the secret
};

// The public key to verify with, from a PEM public key, private key (its public half)
// or certificate: RS256 for RSA of 2048 bits or more, ES256 for P-256. `material` is
// the public key as PEM. Errors (kInvalidRequest) name the file and the fault.
Result<JwtKey> LoadPublicKey(const std::string& path);
// The private key to sign with (PEM, unencrypted), with its algorithm as above.
Result<JwtKey> LoadPrivateKey(const std::string& path);
// An HS256 secret: the file's bytes, less a text file's final line break; at least
// 32 bytes (RFC 7518 3.2).
Result<JwtKey> LoadHs256Secret(const std::string& path);

// Writes a new P-256 key pair as DIR/jwt-private.pem (mode 0600) and
// DIR/jwt-public.pem, creating DIR; refuses to overwrite either file.
Status GenerateEs256KeyPair(const std::string& dir);

}  // namespace ecomm::auth
