#pragma once

#include <string_view>

namespace ecomm::server {

// server/openapi.json, compiled in (the build generates its definition).
std::string_view OpenApiDocument();

}  // namespace ecomm::server
