// ecomm-token: mints a JWT as the shop's identity provider would, for demos, tests
// and load runs; or writes a new ES256 key pair. Prints the token on stdout.
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "ecomm/auth/jwt_key.h"
#include "ecomm/auth/token_minter.h"
#include "cli_flags.h"

int main(int argc, char** argv) {
  using namespace ecomm;
  auth::TokenSpec spec;
  std::string key_file, secret_file, keys_dir;
  std::chrono::milliseconds ttl{std::chrono::hours(1)};
  CLI::App app("Mints a JWT for demos, tests and load runs, or writes an ES256 key pair.",
               "ecomm-token");
  app.add_option("--sub", spec.subject, "the userId the token acts as");
  app.add_option("--scope", spec.scope,
                 "space-separated scopes; \"ecomm:admin\" may act for anyone");
  tools::AddDuration(app, "--ttl", &ttl, std::chrono::hours(24 * 366 * 10),
                     "lifetime, 1s to 10 years: a number with unit s, m, h or d (default 1h)");
  app.add_option("--key", key_file, "PEM private key: ES256 (P-256) or RS256 (RSA >= 2048 bits)");
  app.add_option("--hs256-secret-file", secret_file, "or an HS256 secret (32 bytes or more)");
  app.add_option("--issuer", spec.issuer, "iss claim");
  app.add_option("--audience", spec.audience, "aud claim");
  app.add_option("--generate-keys", keys_dir,
                 "write DIR/jwt-private.pem (0600) and DIR/jwt-public.pem (ES256; give the "
                 "public one to ecomm-server --jwt-key)");
  if (std::optional<int> exit = tools::ParseFlags(app, argc, argv)) return *exit;
  if (ttl < std::chrono::seconds(1)) return tools::UsageError(app, "--ttl is at least 1s");
  spec.ttl_seconds = std::chrono::duration_cast<std::chrono::seconds>(ttl).count();
  if (!keys_dir.empty()) {
    if (Status s = auth::GenerateEs256KeyPair(keys_dir); !s.ok()) {
      std::fprintf(stderr, "ecomm-token: %s\n", s.message().c_str());
      return 1;
    }
    std::fprintf(stderr, "ecomm-token: wrote %s/jwt-private.pem and %s/jwt-public.pem\n",
                 keys_dir.c_str(), keys_dir.c_str());
    return 0;
  }
  if (spec.subject.empty()) return tools::UsageError(app, "--sub is required");
  if (key_file.empty() == secret_file.empty()) {
    return tools::UsageError(app, "give exactly one of --key and --hs256-secret-file");
  }
  auto key = key_file.empty() ? auth::LoadHs256Secret(secret_file) : auth::LoadPrivateKey(key_file);
  if (!key.ok()) {
    std::fprintf(stderr, "ecomm-token: %s\n", key.status().message().c_str());
    return 1;
  }
  auto token = auth::MintToken(*key, spec, auth::WallClockSeconds());
  if (!token.ok()) {
    std::fprintf(stderr, "ecomm-token: %s\n", token.status().message().c_str());
    return 1;
  }
  std::printf("%s\n", token->c_str());
  return 0;
}
