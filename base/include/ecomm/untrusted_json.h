#pragma once

#include <rapidjson/document.h>

#include <string_view>

#include "ecomm/result.h"

// The one way a program reads JSON it did not write (request bodies, Kafka events):
// a lexical screen, then RapidJSON. Debian 12's RapidJSON 1.1.0 mishandles the
// exponent and fraction arithmetic of Reader::ParseNumber (CVE-2024-38517: an
// overflowed exponent indexes a table out of bounds), so only numbers this product
// uses at all reach it: an optional minus sign and at most 16 digits (2^53-1 has 16).
// Anything with a fraction or an exponent is refused whatever field it is in;
// everything else is left to the parser.
namespace ecomm {

// kInvalidRequest for a number with a fraction or an exponent, or over 16 digits.
Status ScreenJsonNumbers(std::string_view json);

// `text` screened, then parsed strictly: iteratively (deep nesting cannot overflow the
// stack), strings valid UTF-8, nothing after the value. kInvalidRequest with the
// reason and offset when it is refused.
Result<rapidjson::Document> ParseUntrustedJson(std::string_view text);

}  // namespace ecomm
