#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ecomm::server {

// A request target split up. The path is split at '/' before it is percent-decoded,
// so an id holding '/' is addressed as one segment ("/users/a%2Fb" names user "a/b")
// and can never reach another route.
struct Target {
  std::string path;                          // as sent, still percent-encoded
  std::vector<std::string> segments;         // the path's segments, each decoded
  std::map<std::string, std::string> query;  // decoded ('+' is a space); first name wins
};

// False for a target that is not origin-form, holds a malformed escape, or decodes to
// something that is not valid UTF-8 (which no answer could then echo).
bool ParseTarget(std::string_view target, Target* out);

}  // namespace ecomm::server
