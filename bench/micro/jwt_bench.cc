// The cost of authenticating one request with --auth jwt: a cold verification (no
// cache: base64url, JSON, the signature) per algorithm, and the cached path a
// keep-alive client takes (SHA-256 of the token, a shard lookup).
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "authenticator.h"
#include "ecomm/auth/jwt_key.h"
#include "ecomm/auth/jwt_verifier.h"
#include "ecomm/auth/token_minter.h"

namespace {

using namespace ecomm;

// Key files for the three algorithms, made once in a temporary directory.
struct Keys {
  std::string dir;
  Keys() {
    std::string pattern = (std::filesystem::temp_directory_path() / "jwt-bench-XXXXXX").string();
    dir = ::mkdtemp(pattern.data());
    if (!auth::GenerateEs256KeyPair(dir + "/es").ok()) std::abort();
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> rsa(EVP_RSA_gen(2048), EVP_PKEY_free);
    FILE* priv = std::fopen((dir + "/rs.pem").c_str(), "w");
    PEM_write_PrivateKey(priv, rsa.get(), nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(priv);
    std::ofstream(dir + "/hs.secret") << std::string(48, 's');
  }
  ~Keys() { std::filesystem::remove_all(dir); }
};

const Keys& TheKeys() {
  static Keys keys;
  return keys;
}

struct Case {
  std::unique_ptr<auth::JwtVerifier> verifier;
  std::string token;
};

// A verifier configured with `file` (a private key stands for its public half) and a
// token it accepts.
Case Make(const std::string& file, bool secret) {
  auto key = secret ? auth::LoadHs256Secret(file) : auth::LoadPrivateKey(file);
  auth::JwtConfig config;
  (secret ? config.hs256_secret_file : config.key_file) = file;
  Case c{std::move(auth::JwtVerifier::Load(config)).value(), ""};
  c.token = *auth::MintToken(*key, auth::TokenSpec{"bench42", "", 3600, {}, {}},
                             auth::WallClockSeconds());
  return c;
}

void Verify(benchmark::State& state, const Case& c) {
  int64_t now = auth::WallClockSeconds();
  for (auto _ : state) {
    auto claims = c.verifier->Verify(c.token, now);
    if (!claims.ok()) state.SkipWithError(claims.status().message().c_str());
    benchmark::DoNotOptimize(claims);
  }
}

void BM_VerifyColdEs256(benchmark::State& state) {
  static Case c = Make(TheKeys().dir + "/es/jwt-private.pem", false);
  Verify(state, c);
}
void BM_VerifyColdRs256(benchmark::State& state) {
  static Case c = Make(TheKeys().dir + "/rs.pem", false);
  Verify(state, c);
}
void BM_VerifyColdHs256(benchmark::State& state) {
  static Case c = Make(TheKeys().dir + "/hs.secret", true);
  Verify(state, c);
}

// What a request on a keep-alive connection pays: Authenticate with the token cached.
void BM_AuthenticateCachedEs256(benchmark::State& state) {
  static Case c = Make(TheKeys().dir + "/es/jwt-private.pem", false);
  server::AuthOptions options;
  options.jwt = Make(TheKeys().dir + "/es/jwt-private.pem", false).verifier;
  server::Authenticator authenticator(options);
  server::Request request;
  request.authorization = "Bearer " + c.token;
  int64_t now = auth::WallClockSeconds();
  for (auto _ : state) {
    auto caller = authenticator.Authenticate(request, server::Access::kUser, now);
    if (!caller.ok()) state.SkipWithError(caller.status().message().c_str());
    benchmark::DoNotOptimize(caller);
  }
}

BENCHMARK(BM_VerifyColdEs256);
BENCHMARK(BM_VerifyColdRs256);
BENCHMARK(BM_VerifyColdHs256);
BENCHMARK(BM_AuthenticateCachedEs256)->Threads(1)->Threads(2);

}  // namespace
