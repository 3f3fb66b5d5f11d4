#pragma once

#include <boost/beast/http.hpp>
#include <functional>
#include <string>

#include "workload.h"

namespace ecomm::load {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

// The Authorization header value for a request acting for `user` (-1: none), or empty.
// Admin calls get the admin token; a per-user token source can take this over later.
using Authorizer = std::function<std::string(const Request& request)>;

// The wire form of a request, as SPEC.md's HTTP API has it.
HttpRequest RenderHttp(const Population& population, const Request& request,
                       const std::string& host, const Authorizer& authorize);

}  // namespace ecomm::load
