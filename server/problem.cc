#include "problem.h"

#include "ecomm/json_writer.h"
#include "utf8.h"

namespace ecomm::server {

namespace {

std::string_view Title(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidRequest:
      return "Invalid request";
    case ErrorCode::kUnauthorized:
      return "Unauthorized";
    case ErrorCode::kForbidden:
      return "Forbidden";
    case ErrorCode::kUserNotFound:
      return "User not found";
    case ErrorCode::kProductNotFound:
      return "Product not found";
    case ErrorCode::kOrderNotFound:
      return "Order not found";
    case ErrorCode::kCartItemNotFound:
      return "Cart item not found";
    case ErrorCode::kCouponNotFound:
      return "Coupon not found";
    case ErrorCode::kNotFound:
      return "Not found";
    case ErrorCode::kMethodNotAllowed:
      return "Method not allowed";
    case ErrorCode::kRequestTimeout:
      return "Request timeout";
    case ErrorCode::kUnsupportedMediaType:
      return "Unsupported media type";
    case ErrorCode::kInsufficientBalance:
      return "Insufficient balance";
    case ErrorCode::kOutOfStock:
      return "Out of stock";
    case ErrorCode::kInvalidOrderState:
      return "Invalid order state";
    case ErrorCode::kIdempotencyKeyInUse:
      return "Idempotency key in use";
    case ErrorCode::kAlreadyExists:
      return "Already exists";
    case ErrorCode::kCouponSoldOut:
      return "Coupon sold out";
    case ErrorCode::kCouponAlreadyIssued:
      return "Coupon already issued";
    case ErrorCode::kCouponNotActive:
      return "Coupon not active";
    case ErrorCode::kCouponNotUsable:
      return "Coupon not usable";
    case ErrorCode::kPayloadTooLarge:
      return "Payload too large";
    case ErrorCode::kIdempotencyKeyReused:
      return "Idempotency key reused";
    case ErrorCode::kNotPrimary:
      return "Not the primary";
    case ErrorCode::kNotPromoted:
      return "Not promoted";
    case ErrorCode::kReplicaBehind:
      return "Replica behind";
    case ErrorCode::kUnavailable:
    case ErrorCode::kIOError:
      return "Service unavailable";
    case ErrorCode::kOk:
    case ErrorCode::kInternal:
    case ErrorCode::kCorruption:
    case ErrorCode::kFileNotFound:
    case ErrorCode::kInvalidArgument:
      break;
  }
  return "Internal error";
}

Response ProblemWith(const Status& status, const OrderView* order) {
  ErrorCode code = status.ok() ? ErrorCode::kInternal : status.code();
  int http = HttpStatus(code);
  JsonWriter w;
  w.StartObject();
  std::string type = "https://ecomm.example/problems/";
  for (char c : CodeName(code)) type += c == '_' ? '-' : static_cast<char>(std::tolower(c));
  w.Field("type", type);
  w.Field("title", Title(code));
  w.Field("status", http);
  // A detail may echo what a client sent; the answer stays valid UTF-8 regardless.
  w.Field("detail",
          status.message().empty() ? std::string(Title(code)) : ToValidUtf8(status.message()));
  w.Field("code", CodeName(code));
  if (order != nullptr) {
    w.Field("orderId", order->order_id.ToString());
    w.Field("orderStatus", Name(order->status));
  }
  w.EndObject();
  return Response{http, "application/problem+json", w.Take()};
}

}  // namespace

Response Problem(const Status& status) { return ProblemWith(status, nullptr); }

Response FailedOrderProblem(const OrderView& order) {
  ErrorCode code = order.failure();
  std::string detail = code == ErrorCode::kInsufficientBalance
                           ? "the balance does not cover the order total"
                           : "the stock does not cover the order";
  return ProblemWith(Status(code, detail), &order);
}

}  // namespace ecomm::server
