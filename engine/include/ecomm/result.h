#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace ecomm {

// One value per error code of SPEC.md, in its table's order. The engine returns the
// domain ones; the transport codes (401, 408, 415, 404 route, 405, 413) exist so that every
// layer shares one vocabulary.
enum class ErrorCode : uint8_t {
  kOk = 0,
  kInvalidRequest,        // 400 INVALID_REQUEST
  kUnauthorized,          // 401 UNAUTHORIZED
  kForbidden,             // 403 FORBIDDEN
  kRequestTimeout,        // 408 REQUEST_TIMEOUT
  kUnsupportedMediaType,  // 415 UNSUPPORTED_MEDIA_TYPE
  kUserNotFound,          // 404 USER_NOT_FOUND
  kProductNotFound,       // 404 PRODUCT_NOT_FOUND
  kOrderNotFound,         // 404 ORDER_NOT_FOUND
  kCartItemNotFound,      // 404 CART_ITEM_NOT_FOUND
  kNotFound,              // 404 NOT_FOUND
  kMethodNotAllowed,      // 405 METHOD_NOT_ALLOWED
  kInsufficientBalance,   // 409 INSUFFICIENT_BALANCE
  kOutOfStock,            // 409 OUT_OF_STOCK
  kInvalidOrderState,     // 409 INVALID_ORDER_STATE
  kIdempotencyKeyInUse,   // 409 IDEMPOTENCY_KEY_IN_USE
  kAlreadyExists,         // 409 ALREADY_EXISTS
  kPayloadTooLarge,       // 413 PAYLOAD_TOO_LARGE
  kIdempotencyKeyReused,  // 422 IDEMPOTENCY_KEY_REUSED
  kUnavailable,           // 503 UNAVAILABLE
  kInternal,              // 500 INTERNAL
};

// SPEC's spelling of `code`, e.g. "OUT_OF_STOCK".
std::string_view CodeName(ErrorCode code);
// The HTTP status SPEC's error table gives `code` (200 for kOk), for the server and for
// programs that report the engine's answers as the server would.
int HttpStatus(ErrorCode code);

// The outcome of an operation that returns nothing: OK, or a code with a message.
// Expected failures (unknown user, insufficient balance) are Status values, never
// exceptions.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// A value or the Status that explains its absence.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok());                              // A Result without a value must say why.
  }
  Result(ErrorCode code, std::string message) : Result(Status(code, std::move(message))) {}

  bool ok() const { return value_.has_value(); }
  ErrorCode code() const { return status_.code(); }
  const Status& status() const { return status_; }

  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T& value() & {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  const T& operator*() const { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace ecomm
