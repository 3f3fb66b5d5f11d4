// ecomm-token: mints a JWT as the shop's identity provider would, for demos, tests
// and load runs; or writes a new ES256 key pair. Prints the token on stdout.
#include <charconv>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "ecomm/auth/jwt_key.h"
#include "ecomm/auth/token_minter.h"

namespace {

constexpr const char* kUsage =
    R"(usage: ecomm-token --sub USER [--scope S] [--ttl 1h] (--key PRIVATE.pem | --hs256-secret-file F)
       ecomm-token --generate-keys DIR
  --sub USER               the userId the token acts as
  --scope S                space-separated scopes; "ecomm:admin" may act for anyone
  --ttl T                  lifetime: a number with unit s, m, h or d (default 1h)
  --key FILE               PEM private key: ES256 (P-256) or RS256 (RSA >= 2048 bits)
  --hs256-secret-file F    or an HS256 secret (32 bytes or more)
  --issuer ISS             iss claim
  --audience AUD           aud claim
  --generate-keys DIR      write DIR/jwt-private.pem (0600) and DIR/jwt-public.pem
                           (ES256; give the public one to ecomm-server --jwt-key)
  --help                   this text
)";

// "90s", "15m", "1h", "7d": 1 s .. 10 years.
std::optional<int64_t> ParseTtl(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int64_t unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    default:
      return std::nullopt;
  }
  text.remove_suffix(1);
  int64_t count = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (ec != std::errc() || end != text.data() + text.size() || count < 1 ||
      count > 10 * 366 * 86400 / unit) {
    return std::nullopt;
  }
  return count * unit;
}

int Usage(const std::string& why) {
  std::fprintf(stderr, "ecomm-token: %s\n%s", why.c_str(), kUsage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ecomm;
  auth::TokenSpec spec;
  std::string key_file, secret_file, keys_dir;
  for (int i = 1; i < argc; ++i) {
    std::string_view name = argv[i];
    if (name == "--help" || name == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (i + 1 >= argc) return Usage(std::string(name) + " needs a value (or is unknown)");
    std::string value = argv[++i];
    if (name == "--sub") {
      spec.subject = value;
    } else if (name == "--scope") {
      spec.scope = value;
    } else if (name == "--ttl") {
      auto ttl = ParseTtl(value);
      if (!ttl) return Usage("--ttl takes a duration such as 90s, 15m, 1h or 7d");
      spec.ttl_seconds = *ttl;
    } else if (name == "--key") {
      key_file = value;
    } else if (name == "--hs256-secret-file") {
      secret_file = value;
    } else if (name == "--issuer") {
      spec.issuer = value;
    } else if (name == "--audience") {
      spec.audience = value;
    } else if (name == "--generate-keys") {
      keys_dir = value;
    } else {
      return Usage("unknown flag " + std::string(name));
    }
  }
  if (!keys_dir.empty()) {
    if (Status s = auth::GenerateEs256KeyPair(keys_dir); !s.ok()) {
      std::fprintf(stderr, "ecomm-token: %s\n", s.message().c_str());
      return 1;
    }
    std::fprintf(stderr, "ecomm-token: wrote %s/jwt-private.pem and %s/jwt-public.pem\n",
                 keys_dir.c_str(), keys_dir.c_str());
    return 0;
  }
  if (spec.subject.empty()) return Usage("--sub is required");
  if (key_file.empty() == secret_file.empty()) {
    return Usage("give exactly one of --key and --hs256-secret-file");
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
