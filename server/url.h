#pragma once

#include <map>
#include <string>
#include <string_view>

namespace ecomm::server {

// Splits a request target into its percent-decoded path and query parameters ('+'
// is a space in the query). False for a target that is not origin-form or holds a
// malformed escape.
bool ParseTarget(std::string_view target, std::string* path,
                 std::map<std::string, std::string>* query);

}  // namespace ecomm::server
