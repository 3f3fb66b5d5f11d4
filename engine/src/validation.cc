#include "validation.h"

#include <string>

namespace ecomm {

Status Invalid(std::string message) {
  return Status(ErrorCode::kInvalidRequest, std::move(message));
}

Status CheckText(std::string_view field, std::string_view text) {
  if (text.empty()) return Invalid(std::string(field) + " must not be empty");
  if (text.size() > limits::kMaxStringBytes) {
    return Invalid(std::string(field) + " must be at most 256 bytes");
  }
  return Status::Ok();
}

Status CheckId(std::string_view field, std::string_view id) {
  if (Status s = CheckText(field, id); !s.ok()) return s;
  for (char c : id) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Invalid(std::string(field) + " must not contain control characters");
    }
  }
  return Status::Ok();
}

Status CheckRange(std::string_view field, int64_t value, int64_t min, int64_t max) {
  if (value < min || value > max) {
    return Invalid(std::string(field) + " must be an integer from " + std::to_string(min) + " to " +
                   std::to_string(max));
  }
  return Status::Ok();
}

Status CheckPageLimit(size_t limit) {
  if (limit < 1 || limit > limits::kMaxPageLimit) return Invalid("limit must be from 1 to 100");
  return Status::Ok();
}

Status CheckIdempotencyKey(const IdempotencyKey* key) {
  if (key == nullptr) return Status::Ok();
  if (key->key.empty() || key->key.size() > limits::kMaxIdempotencyKeyBytes) {
    return Invalid("Idempotency-Key must be 1 to 128 characters");
  }
  for (char c : key->key) {
    if (c < 0x20 || c > 0x7e) return Invalid("Idempotency-Key must be printable ASCII");
  }
  if (!key->owner.empty()) {
    if (Status s = CheckId("idempotency key owner", key->owner); !s.ok()) return s;
  }
  return CheckText("idempotency fingerprint", key->fingerprint);
}

}  // namespace ecomm
