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
  kCouponNotFound,        // 404 COUPON_NOT_FOUND
  kNotFound,              // 404 NOT_FOUND
  kMethodNotAllowed,      // 405 METHOD_NOT_ALLOWED
  kInsufficientBalance,   // 409 INSUFFICIENT_BALANCE
  kOutOfStock,            // 409 OUT_OF_STOCK
  kInvalidOrderState,     // 409 INVALID_ORDER_STATE
  kIdempotencyKeyInUse,   // 409 IDEMPOTENCY_KEY_IN_USE
  kAlreadyExists,         // 409 ALREADY_EXISTS
  kCouponSoldOut,         // 409 COUPON_SOLD_OUT
  kCouponAlreadyIssued,   // 409 COUPON_ALREADY_ISSUED
  kCouponNotActive,       // 409 COUPON_NOT_ACTIVE
  kCouponNotUsable,       // 409 COUPON_NOT_USABLE
  kPayloadTooLarge,       // 413 PAYLOAD_TOO_LARGE
  kIdempotencyKeyReused,  // 422 IDEMPOTENCY_KEY_REUSED
  kNotPrimary,            // 421 NOT_PRIMARY: a write sent to a follower
  kNotPromoted,           // 409 NOT_PROMOTED: a promotion another one beat
  kReplicaBehind,         // 503 REPLICA_BEHIND: Ecomm-Min-Lsn not reached in time
  kUnavailable,           // 503 UNAVAILABLE
  kInternal,              // 500 INTERNAL
  // Failures of files and the log, below the domain. Each answers as the SPEC code
  // beside it if it ever reaches a client.
  kIOError,          // 503 UNAVAILABLE: the disk failed or is full
  kCorruption,       // 500 INTERNAL: bytes on disk that do not check out
  kFileNotFound,     // 500 INTERNAL: a file or directory that is not there
  kInvalidArgument,  // 500 INTERNAL: a file operation asked something impossible
};

// SPEC's spelling of `code`, e.g. "OUT_OF_STOCK".
std::string_view CodeName(ErrorCode code);
// The HTTP status SPEC's error table gives `code` (200 for kOk), for the server and for
// programs that report the engine's answers as the server would.
int HttpStatus(ErrorCode code);

// The outcome of an operation that returns nothing: OK, or a code with a message. One
// type for every layer, from a file's read to an HTTP answer. Expected failures
// (unknown user, insufficient balance, a torn log) are Status values, never exceptions.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status IOError(std::string msg) { return Status(ErrorCode::kIOError, std::move(msg)); }
  static Status Corruption(std::string msg) {
    return Status(ErrorCode::kCorruption, std::move(msg));
  }
  static Status FileNotFound(std::string msg) {
    return Status(ErrorCode::kFileNotFound, std::move(msg));
  }
  static Status InvalidArgument(std::string msg) {
    return Status(ErrorCode::kInvalidArgument, std::move(msg));
  }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "I/O error: <message>", "corruption: <message>", ...: for logs and tools.
  std::string ToString() const;

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
