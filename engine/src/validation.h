#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ecomm/engine.h"
#include "ecomm/result.h"

// Checks of SPEC.md's limits on request values; each failure is kInvalidRequest
// with a message naming the field.
namespace ecomm {

// kInvalidRequest with `message`.
Status Invalid(std::string message);
// An identifier: 1..256 bytes, no control characters.
Status CheckId(std::string_view field, std::string_view id);
// A text field: 1..256 bytes.
Status CheckText(std::string_view field, std::string_view text);
Status CheckRange(std::string_view field, int64_t value, int64_t min, int64_t max);
// Page size 1..100.
Status CheckPageLimit(size_t limit);
// Null (no key) or a key of 1..128 printable ASCII bytes and a fingerprint of 1..256.
Status CheckIdempotencyKey(const IdempotencyKey* key);

}  // namespace ecomm
