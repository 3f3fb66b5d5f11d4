#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ecomm/result.h"
#include "http_types.h"

namespace ecomm::server {

using Handler = std::function<void(Request&, Reply)>;

struct Route {
  std::string method;
  std::string pattern;  // "/products/{id}/restock": {…} matches one non-empty segment
  bool admin = false;   // needs the admin token (or loopback when none is configured)
  Handler handler;
  size_t index = 0;  // position in the table, for per-route metrics
};

// Maps method + path to a route. Routes are tried in the order added, so a literal
// route ("/products/top") added before a parameter route ("/products/{id}") wins.
class Router {
 public:
  void Add(std::string method, std::string pattern, Handler handler, bool admin = false);

  // The route for the request, filling request.path_params; or kNotFound (no route
  // has this path) or kMethodNotAllowed (a route has the path, not the method).
  Result<const Route*> Find(Request& request) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace ecomm::server
