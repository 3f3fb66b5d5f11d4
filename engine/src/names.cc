#include "ecomm/result.h"
#include "ecomm/types.h"
#include "ecomm/views.h"

namespace ecomm {

std::string_view Name(OrderStatus status) {
  switch (status) {
    case OrderStatus::kPending:
      return "PENDING";
    case OrderStatus::kSuccess:
      return "SUCCESS";
    case OrderStatus::kFailed:
      return "FAILED";
    case OrderStatus::kCancelled:
      return "CANCELLED";
  }
  return "UNKNOWN";
}

std::string_view Name(TransactionType type) {
  switch (type) {
    case TransactionType::kCharge:
      return "CHARGE";
    case TransactionType::kPayment:
      return "PAYMENT";
    case TransactionType::kRefund:
      return "REFUND";
  }
  return "UNKNOWN";
}

std::string_view Name(ChangedBy who) {
  switch (who) {
    case ChangedBy::kSystem:
      return "SYSTEM";
    case ChangedBy::kAdmin:
      return "ADMIN";
    case ChangedBy::kUser:
      return "USER";
  }
  return "UNKNOWN";
}

std::string_view Describe(StatusReason reason) {
  switch (reason) {
    case StatusReason::kNone:
      return "";
    case StatusReason::kInsufficientBalance:
      return "insufficient balance";
    case StatusReason::kOutOfStock:
      return "out of stock";
    case StatusReason::kCancelledByUser:
      return "cancelled by user";
  }
  return "";
}

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
      return 409;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kIdempotencyKeyReused:
      return 422;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
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
    case ErrorCode::kPayloadTooLarge:
      return "PAYLOAD_TOO_LARGE";
    case ErrorCode::kIdempotencyKeyReused:
      return "IDEMPOTENCY_KEY_REUSED";
    case ErrorCode::kUnavailable:
      return "UNAVAILABLE";
    case ErrorCode::kInternal:
      return "INTERNAL";
  }
  return "INTERNAL";
}

ErrorCode OrderView::failure() const {
  if (status != OrderStatus::kFailed || history.empty()) return ErrorCode::kOk;
  return history.back().reason == StatusReason::kInsufficientBalance
             ? ErrorCode::kInsufficientBalance
             : ErrorCode::kOutOfStock;
}

}  // namespace ecomm
