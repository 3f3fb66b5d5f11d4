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

ErrorCode OrderView::failure() const {
  if (status != OrderStatus::kFailed || history.empty()) return ErrorCode::kOk;
  return history.back().reason == StatusReason::kInsufficientBalance
             ? ErrorCode::kInsufficientBalance
             : ErrorCode::kOutOfStock;
}

std::string_view Name(DiscountType type) {
  switch (type) {
    case DiscountType::kFixed:
      return "FIXED";
    case DiscountType::kPercent:
      return "PERCENT";
  }
  return "?";
}

std::string_view Name(UserCouponStatus status) {
  switch (status) {
    case UserCouponStatus::kAvailable:
      return "AVAILABLE";
    case UserCouponStatus::kUsed:
      return "USED";
    case UserCouponStatus::kExpired:
      return "EXPIRED";
  }
  return "?";
}

}  // namespace ecomm
