#pragma once

#include <memory>
#include <string>
#include <vector>

#include "load_options.h"
#include "workload.h"

namespace ecomm::load {

// The Authorization headers of a run against a server with --auth jwt: one token per
// simulated user (sub = its userId), minted up front with --jwt-key or
// --jwt-hs256-secret-file so that no request pays for signing, and an ecomm:admin
// token for the population, restocks and the audit when no --admin-token is given.
class UserTokens {
 public:
  // Nothing (and no error) when the options name no JWT key.
  static std::unique_ptr<UserTokens> Mint(const LoadOptions& options, const Population& population,
                                          std::string* error);

  // "Bearer <token>" acting for `user`.
  const std::string& ForUser(int user) const { return users_[static_cast<size_t>(user)]; }
  const std::string& admin() const { return admin_; }

 private:
  std::vector<std::string> users_;
  std::string admin_;
};

// The Authorization header of admin calls: the admin token, else the minted admin
// token, else none (a server whose admin routes answer loopback).
std::string AdminAuthorization(const LoadOptions& options, const UserTokens* tokens);

}  // namespace ecomm::load
