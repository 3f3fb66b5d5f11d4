#pragma once

#include <cstdint>
#include <string>

#include "ecomm/auth/jwt_key.h"
#include "ecomm/auth/token_minter.h"

// Key material for the authentication tests, made fresh in a temporary directory (and
// removed with it): an ES256 pair, a second ES256 pair (a stranger's), an RS256 pair
// and an HS256 secret file, plus the ways of making tokens a client might send.
namespace ecomm::testing {

class TestKeys {
 public:
  TestKeys();
  ~TestKeys();
  TestKeys(const TestKeys&) = delete;
  TestKeys& operator=(const TestKeys&) = delete;

  std::string es256_public() const { return dir_ + "/es/jwt-public.pem"; }
  std::string es256_private() const { return dir_ + "/es/jwt-private.pem"; }
  std::string rs256_public() const { return dir_ + "/rs-public.pem"; }
  std::string rs256_private() const { return dir_ + "/rs-private.pem"; }
  std::string hs256_secret() const { return dir_ + "/hs256.secret"; }
  const std::string& dir() const { return dir_; }

  // Signing keys, loaded as ecomm-token loads them.
  const auth::JwtKey& es256() const { return es256_; }
  const auth::JwtKey& stranger() const { return stranger_; }  // ES256, not the server's
  const auth::JwtKey& rs256() const { return rs256_; }
  const auth::JwtKey& hs256() const { return hs256_; }

 private:
  std::string dir_;
  auth::JwtKey es256_, stranger_, rs256_, hs256_;
};

// A token minted with `key` at `now` (REQUIREs success).
std::string Mint(const auth::JwtKey& key, const auth::TokenSpec& spec,
                 int64_t now = auth::WallClockSeconds());
// A token of `subject` with the `none` algorithm: "header.payload." as libjwt writes it.
std::string UnsignedToken(const std::string& subject);
// The HS256 token an attacker makes by using the bytes of the server's RS256 or ES256
// public key (a file anyone may read) as the HMAC secret: algorithm confusion.
std::string ConfusedToken(const std::string& public_key_file, const std::string& subject);
// `token` with the payload of `other`: valid parts, a signature that does not match.
std::string SplicedToken(const std::string& token, const std::string& other);

}  // namespace ecomm::testing
