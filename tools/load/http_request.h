#pragma once

#include <boost/beast/http.hpp>
#include <functional>
#include <string>

#include "workload.h"

namespace ecomm::load {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

// The Authorization header value for a request (acting for its `user`, or an admin
// call), or empty for none.
using Authorizer = std::function<std::string(const ShopRequest& request)>;

// The wire form of a request, as SPEC.md's HTTP API has it.
HttpRequest RenderHttp(const Population& population, const ShopRequest& request,
                       const std::string& host, const Authorizer& authorize);

}  // namespace ecomm::load
