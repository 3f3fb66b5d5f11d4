#include "router.h"

#include <algorithm>
#include <string_view>

namespace ecomm::server {

namespace {

std::vector<std::string_view> Segments(std::string_view pattern) {
  std::vector<std::string_view> out;
  size_t start = 1;  // patterns start with '/'
  while (start <= pattern.size()) {
    size_t end = pattern.find('/', start);
    if (end == std::string_view::npos) end = pattern.size();
    out.push_back(pattern.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool Matches(std::string_view pattern, const std::vector<std::string>& got,
             std::vector<std::string>* params) {
  auto want = Segments(pattern);
  if (want.size() != got.size()) return false;
  params->clear();
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].starts_with('{')) {
      if (got[i].empty()) return false;
      params->emplace_back(got[i]);
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Access access, Handler handler) {
  routes_.push_back(
      Route{std::move(method), std::move(pattern), access, std::move(handler), routes_.size()});
}

Result<const Route*> Router::Find(Request& request) const {
  bool path_known = false;
  std::vector<std::string> params;
  for (const Route& route : routes_) {
    if (!Matches(route.pattern, request.segments, &params)) continue;
    if (route.method == request.method) {
      request.path_params = std::move(params);
      return &route;
    }
    path_known = true;
  }
  if (path_known) {
    return Status(ErrorCode::kMethodNotAllowed,
                  request.method + " is not allowed on " + request.path);
  }
  return Status(ErrorCode::kNotFound, "no route for " + request.path);
}

std::string Router::AllowedMethods(const std::vector<std::string>& segments) const {
  std::vector<std::string_view> methods;
  std::vector<std::string> params;
  for (const Route& route : routes_) {
    if (Matches(route.pattern, segments, &params) &&
        std::find(methods.begin(), methods.end(), route.method) == methods.end()) {
      methods.push_back(route.method);
    }
  }
  std::string allowed;
  for (std::string_view method : methods) {
    allowed += allowed.empty() ? "" : ", ";
    allowed += method;
  }
  return allowed;
}

}  // namespace ecomm::server
