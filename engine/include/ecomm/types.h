#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ecomm/time_format.h"

namespace ecomm {

using Money = int64_t;     // whole currency units
using Quantity = int64_t;  // units of a product
using Lsn = uint64_t;      // log sequence number; 0 means "nothing logged"

// A 128-bit identifier, generated as an RFC 4122 version 4 UUID from the kernel's
// CSPRNG, so that no id can be guessed from others.
struct Uuid {
  uint64_t hi = 0;
  uint64_t lo = 0;

  static Uuid Random();
  // Canonical lowercase 8-4-4-4-12 text; Parse also accepts uppercase hex.
  std::string ToString() const;
  static std::optional<Uuid> Parse(std::string_view text);

  bool IsNil() const { return hi == 0 && lo == 0; }
  friend auto operator<=>(const Uuid&, const Uuid&) = default;
};

// The limits of SPEC.md. Each is enforced by the engine; the server only decodes.
namespace limits {
inline constexpr int64_t kMaxJsonInteger = (int64_t{1} << 53) - 1;
inline constexpr Money kMaxChargeAmount = 1'000'000'000;
inline constexpr Money kMaxBalance = kMaxJsonInteger;
inline constexpr Money kMaxOrderTotal = kMaxJsonInteger;
inline constexpr Money kMaxPrice = 1'000'000'000;
inline constexpr Quantity kMaxLineQuantity = 1'000'000;
inline constexpr Quantity kMaxStock = 1'000'000'000'000;
inline constexpr Quantity kMaxRestock = 1'000'000'000;
inline constexpr size_t kMaxLines = 100;
inline constexpr size_t kMaxStringBytes = 256;
inline constexpr size_t kMaxIdempotencyKeyBytes = 128;
inline constexpr int64_t kMaxClockAdvanceSeconds = 1'000'000'000;
// Times an engine accepts: 1970-01-01 to 9999-12-31T23:59:59.999Z.
inline constexpr TimeMs kMaxTimeMs = 253'402'300'799'999;
inline constexpr int64_t kTopSellersWindowMinutes = 72 * 60;
inline constexpr size_t kTopSellersCount = 5;
inline constexpr size_t kDefaultPageLimit = 20;
inline constexpr TimeMs kDefaultIdempotencyTtlMs = 24 * 3600 * 1000;
inline constexpr size_t kMaxPageLimit = 100;
inline constexpr Quantity kMaxCouponQuantity = 1'000'000'000;  // a campaign's totalQuantity
inline constexpr Money kMaxFixedDiscount = 1'000'000'000;      // FIXED discountValue, maxDiscount
inline constexpr int64_t kMaxDiscountPercent = 100;            // PERCENT discountValue
inline constexpr Money kMaxMinOrderAmount = kMaxJsonInteger;
inline constexpr TimeMs kDefaultCouponValidityMs = TimeMs{30} * 24 * 3600 * 1000;
}  // namespace limits

enum class OrderStatus : uint8_t { kPending, kSuccess, kFailed, kCancelled };
enum class TransactionType : uint8_t { kCharge, kPayment, kRefund };
enum class ChangedBy : uint8_t { kSystem, kAdmin, kUser };
// Why an order reached its status; kNone for PENDING and SUCCESS.
enum class StatusReason : uint8_t { kNone, kInsufficientBalance, kOutOfStock, kCancelledByUser };
enum class DiscountType : uint8_t { kFixed, kPercent };
// What a read shows of a user coupon: kExpired is never stored (SPEC: an unused coupon
// reads EXPIRED once its expiresAt is past).
enum class UserCouponStatus : uint8_t { kAvailable, kUsed, kExpired };

std::string_view Name(OrderStatus status);       // "SUCCESS"
std::string_view Name(TransactionType type);     // "PAYMENT"
std::string_view Name(ChangedBy who);            // "SYSTEM"
std::string_view Describe(StatusReason reason);  // "insufficient balance"; "" for kNone
std::string_view Name(DiscountType type);        // "PERCENT"
std::string_view Name(UserCouponStatus status);  // "AVAILABLE"

}  // namespace ecomm
