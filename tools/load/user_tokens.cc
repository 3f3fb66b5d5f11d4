#include "user_tokens.h"

#include "ecomm/auth/jwt_key.h"
#include "ecomm/auth/token_minter.h"

namespace ecomm::load {

std::unique_ptr<UserTokens> UserTokens::Mint(const LoadOptions& options,
                                             const Population& population, std::string* error) {
  if (options.jwt_key.empty() && options.jwt_hs256_secret_file.empty()) return nullptr;
  auto key = options.jwt_key.empty() ? auth::LoadHs256Secret(options.jwt_hs256_secret_file)
                                     : auth::LoadPrivateKey(options.jwt_key);
  if (!key.ok()) {
    *error = key.status().message();
    return nullptr;
  }
  // Valid for the run and its set-up and audit, with an hour to spare.
  auth::TokenSpec spec{"", "", options.duration.count() + 3600, options.jwt_issuer,
                       options.jwt_audience};
  int64_t now = auth::WallClockSeconds();
  auto bearer = [&](const std::string& subject, const std::string& scope) -> std::string {
    spec.subject = subject;
    spec.scope = scope;
    auto token = auth::MintToken(*key, spec, now);
    if (!token.ok()) {
      *error = token.status().message();
      return "";
    }
    return "Bearer " + *token;
  };
  auto tokens = std::make_unique<UserTokens>();
  tokens->admin_ = bearer("ecomm-load", "ecomm:admin");
  for (int user = 0; user < population.users() && error->empty(); ++user) {
    tokens->users_.push_back(bearer(population.user_id(user), ""));
  }
  return error->empty() ? std::move(tokens) : nullptr;
}

std::string AdminAuthorization(const LoadOptions& options, const UserTokens* tokens) {
  if (!options.admin_token.empty()) return "Bearer " + options.admin_token;
  return tokens ? tokens->admin() : std::string();
}

}  // namespace ecomm::load
