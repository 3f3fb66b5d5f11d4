#pragma once

#include <optional>
#include <string>

#include "ecomm/database.h"
#include "http_server.h"

namespace ecomm::server {

struct ServerFlags {
  HttpOptions http;
  DatabaseOptions database;
  ApiOptions api;                // api.auth.jwt stays empty: main loads it from `jwt`
  std::optional<JwtConfig> jwt;  // --auth jwt
  bool demo_data = false;
};

// Parses argv (and ECOMM_ADMIN_TOKEN). On --help or an error, returns nothing and
// sets `*message` (the usage text, or what is wrong) and `*exit_code`.
std::optional<ServerFlags> ParseFlags(int argc, char** argv, std::string* message, int* exit_code);

}  // namespace ecomm::server
