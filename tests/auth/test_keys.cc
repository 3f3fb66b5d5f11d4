#include "auth/test_keys.h"

#include <doctest/doctest.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace ecomm::testing {

namespace {

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  REQUIRE(out.good());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// An RSA-2048 pair as PEM files, by OpenSSL (the auth library makes only ES256 pairs).
void WriteRsaPair(const std::string& private_path, const std::string& public_path) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048), EVP_PKEY_free);
  REQUIRE(key != nullptr);
  FILE* priv = std::fopen(private_path.c_str(), "w");
  FILE* pub = std::fopen(public_path.c_str(), "w");
  REQUIRE((priv && pub));
  CHECK(PEM_write_PrivateKey(priv, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
  CHECK(PEM_write_PUBKEY(pub, key.get()) == 1);
  std::fclose(priv);
  std::fclose(pub);
}

auth::JwtKey Loaded(Result<auth::JwtKey> key) {
  REQUIRE_MESSAGE(key.ok(), key.status().message());
  return std::move(key).value();
}

std::string Part(const std::string& token, int index) {
  size_t start = 0;
  for (int i = 0; i < index; ++i) start = token.find('.', start) + 1;
  return token.substr(start, token.find('.', start) - start);
}

}  // namespace

TestKeys::TestKeys() {
  std::string pattern = (std::filesystem::temp_directory_path() / "ecomm-keys-XXXXXX").string();
  REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  dir_ = pattern;
  REQUIRE(auth::GenerateEs256KeyPair(dir_ + "/es").ok());
  REQUIRE(auth::GenerateEs256KeyPair(dir_ + "/stranger").ok());
  WriteRsaPair(rs256_private(), rs256_public());
  WriteFile(hs256_secret(), "correct-horse-battery-staple-and-more-words\n");
  es256_ = Loaded(auth::LoadPrivateKey(es256_private()));
  stranger_ = Loaded(auth::LoadPrivateKey(dir_ + "/stranger/jwt-private.pem"));
  rs256_ = Loaded(auth::LoadPrivateKey(rs256_private()));
  hs256_ = Loaded(auth::LoadHs256Secret(hs256_secret()));
}

TestKeys::~TestKeys() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string Mint(const auth::JwtKey& key, const auth::TokenSpec& spec, int64_t now) {
  auto token = auth::MintToken(key, spec, now);
  REQUIRE_MESSAGE(token.ok(), token.status().message());
  return *token;
}

std::string UnsignedToken(const std::string& subject) {
  jwt_t* jwt = nullptr;
  REQUIRE(jwt_new(&jwt) == 0);
  REQUIRE(jwt_set_alg(jwt, JWT_ALG_NONE, nullptr, 0) == 0);
  REQUIRE(jwt_add_grant(jwt, "sub", subject.c_str()) == 0);
  REQUIRE(jwt_add_grant_int(jwt, "exp", auth::WallClockSeconds() + 3600) == 0);
  char* text = jwt_encode_str(jwt);
  REQUIRE(text != nullptr);
  std::string token = text;
  std::free(text);
  jwt_free(jwt);
  return token;
}

std::string ConfusedToken(const std::string& public_key_file, const std::string& subject) {
  auth::JwtKey confused{auth::JwtAlgorithm::kHs256, ReadFile(public_key_file)};
  return Mint(confused, auth::TokenSpec{subject, "", 3600, std::nullopt, std::nullopt});
}

std::string SplicedToken(const std::string& token, const std::string& other) {
  return Part(token, 0) + "." + Part(other, 1) + "." + Part(token, 2);
}

}  // namespace ecomm::testing
