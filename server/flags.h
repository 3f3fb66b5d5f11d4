#pragma once

#include <optional>
#include <string>

#include "ecomm/database.h"
#include "ecomm/replication/replicator.h"
#include "http_server.h"

namespace ecomm::server {

struct ServerFlags {
  HttpOptions http;
  DatabaseOptions database;
  ApiOptions api;                      // api.auth.jwt stays empty: main loads it from `jwt`
  std::optional<auth::JwtConfig> jwt;  // --auth jwt
  bool demo_data = false;
  // --replication kafka: this server is a replica of the log topic (starts a follower).
  std::optional<replication::ReplicatorOptions> replication;
  std::string bootstrap_from;  // --bootstrap-from: the peer a replica without state asks
  std::string tls_ca;          // --tls-ca: whom to trust when fetching from a peer
};

// Parses argv (and ECOMM_ADMIN_TOKEN) with the tools library. On --help or an error,
// returns nothing and sets `*message` (the usage for stdout, or what is wrong and "see
// --help" for stderr) and `*exit_code` (0 or 2).
std::optional<ServerFlags> ParseFlags(int argc, const char* const* argv, std::string* message,
                                      int* exit_code);

}  // namespace ecomm::server
