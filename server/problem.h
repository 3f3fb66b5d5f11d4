#pragma once

#include <optional>
#include <string>

#include "ecomm/result.h"
#include "ecomm/views.h"
#include "http_types.h"

namespace ecomm::server {

// An RFC 9457 application/problem+json response for `status`.
Response Problem(const Status& status);
// The 409 of a FAILED order: the problem plus orderId and orderStatus.
Response FailedOrderProblem(const OrderView& order);

}  // namespace ecomm::server
