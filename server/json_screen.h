#pragma once

#include <string_view>

#include "ecomm/result.h"

// A lexical screen every request body passes before RapidJSON sees it. Debian 12's
// RapidJSON 1.1.0 mishandles the exponent and fraction arithmetic of
// Reader::ParseNumber (CVE-2024-38517: an overflowed exponent indexes a table out of
// bounds), so only numbers this API can use at all reach it: an optional minus sign
// and at most 16 digits (2^53-1 has 16). Anything with a fraction or an exponent is a
// 400 whatever field it is in; everything else is left to the parser.
namespace ecomm::server {

Status ScreenJsonNumbers(std::string_view json);

}  // namespace ecomm::server
