#include "ecomm/result.h"

namespace ecomm {

int HttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return 200;
    case ErrorCode::kInvalidRequest:
      return 400;
    case ErrorCode::kUnauthorized:
      return 401;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kUserNotFound:
    case ErrorCode::kProductNotFound:
    case ErrorCode::kOrderNotFound:
    case ErrorCode::kCartItemNotFound:
    case ErrorCode::kCouponNotFound:
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kMethodNotAllowed:
      return 405;
    case ErrorCode::kRequestTimeout:
      return 408;
    case ErrorCode::kUnsupportedMediaType:
      return 415;
    case ErrorCode::kInsufficientBalance:
    case ErrorCode::kOutOfStock:
    case ErrorCode::kInvalidOrderState:
    case ErrorCode::kIdempotencyKeyInUse:
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kCouponSoldOut:
    case ErrorCode::kCouponAlreadyIssued:
    case ErrorCode::kCouponNotActive:
    case ErrorCode::kCouponNotUsable:
    case ErrorCode::kNotPromoted:
      return 409;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kIdempotencyKeyReused:
      return 422;
    case ErrorCode::kNotPrimary:
      return 421;
    case ErrorCode::kReplicaBehind:
    case ErrorCode::kUnavailable:
    case ErrorCode::kIOError:
      return 503;
    case ErrorCode::kInternal:
    case ErrorCode::kCorruption:
    case ErrorCode::kFileNotFound:
    case ErrorCode::kInvalidArgument:
      return 500;
  }
  return 500;
}

std::string_view CodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return "OK";
    case ErrorCode::kInvalidRequest:
      return "INVALID_REQUEST";
    case ErrorCode::kUnauthorized:
      return "UNAUTHORIZED";
    case ErrorCode::kForbidden:
      return "FORBIDDEN";
    case ErrorCode::kUserNotFound:
      return "USER_NOT_FOUND";
    case ErrorCode::kProductNotFound:
      return "PRODUCT_NOT_FOUND";
    case ErrorCode::kOrderNotFound:
      return "ORDER_NOT_FOUND";
    case ErrorCode::kCartItemNotFound:
      return "CART_ITEM_NOT_FOUND";
    case ErrorCode::kCouponNotFound:
      return "COUPON_NOT_FOUND";
    case ErrorCode::kNotFound:
      return "NOT_FOUND";
    case ErrorCode::kMethodNotAllowed:
      return "METHOD_NOT_ALLOWED";
    case ErrorCode::kRequestTimeout:
      return "REQUEST_TIMEOUT";
    case ErrorCode::kUnsupportedMediaType:
      return "UNSUPPORTED_MEDIA_TYPE";
    case ErrorCode::kInsufficientBalance:
      return "INSUFFICIENT_BALANCE";
    case ErrorCode::kOutOfStock:
      return "OUT_OF_STOCK";
    case ErrorCode::kInvalidOrderState:
      return "INVALID_ORDER_STATE";
    case ErrorCode::kIdempotencyKeyInUse:
      return "IDEMPOTENCY_KEY_IN_USE";
    case ErrorCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case ErrorCode::kCouponSoldOut:
      return "COUPON_SOLD_OUT";
    case ErrorCode::kCouponAlreadyIssued:
      return "COUPON_ALREADY_ISSUED";
    case ErrorCode::kCouponNotActive:
      return "COUPON_NOT_ACTIVE";
    case ErrorCode::kCouponNotUsable:
      return "COUPON_NOT_USABLE";
    case ErrorCode::kPayloadTooLarge:
      return "PAYLOAD_TOO_LARGE";
    case ErrorCode::kIdempotencyKeyReused:
      return "IDEMPOTENCY_KEY_REUSED";
    case ErrorCode::kNotPrimary:
      return "NOT_PRIMARY";
    case ErrorCode::kNotPromoted:
      return "NOT_PROMOTED";
    case ErrorCode::kReplicaBehind:
      return "REPLICA_BEHIND";
    case ErrorCode::kUnavailable:
    case ErrorCode::kIOError:
      return "UNAVAILABLE";
    case ErrorCode::kInternal:
    case ErrorCode::kCorruption:
    case ErrorCode::kFileNotFound:
    case ErrorCode::kInvalidArgument:
      return "INTERNAL";
  }
  return "INTERNAL";
}

std::string Status::ToString() const {
  switch (code_) {
    case ErrorCode::kOk:
      return "OK";
    case ErrorCode::kIOError:
      return "I/O error: " + message_;
    case ErrorCode::kCorruption:
      return "corruption: " + message_;
    case ErrorCode::kFileNotFound:
      return "not found: " + message_;
    case ErrorCode::kInvalidArgument:
      return "invalid argument: " + message_;
    default:
      return std::string(CodeName(code_)) + ": " + message_;
  }
}

}  // namespace ecomm
