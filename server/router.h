#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ecomm/result.h"
#include "http_types.h"

namespace ecomm::server {

using Handler = std::function<void(Request&, Reply)>;

// Who may call a route (SPEC "End-user authentication").
enum class Access : uint8_t {
  kPublic,  // anyone
  kUser,    // an end user, for themself; with --auth off, anyone
  kAdmin,   // the admin token or an ecomm:admin token (loopback when neither exists)
};

struct Route {
  std::string method;
  std::string pattern;  // "/products/{id}/restock": {…} matches one non-empty segment
  Access access = Access::kUser;
  Handler handler;
  size_t index = 0;  // position in the table, for per-route metrics
};

// Maps method + path to a route. Routes are tried in the order added, so a literal
// route ("/products/top") added before a parameter route ("/products/{id}") wins.
class Router {
 public:
  void Add(std::string method, std::string pattern, Access access, Handler handler);

  // The route for the request, filling request.path_params; or kNotFound (no route
  // has this path) or kMethodNotAllowed (a route has the path, not the method).
  Result<const Route*> Find(Request& request) const;
  // The methods of the routes that have these path segments, as a 405's Allow header
  // lists them ("GET, POST"), in the order the routes were added.
  std::string AllowedMethods(const std::vector<std::string>& segments) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace ecomm::server
