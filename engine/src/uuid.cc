#include <cstdint>
#include <span>

#include "ecomm/types.h"
#include "secure_random.h"

namespace ecomm {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

// Order, payment and transaction ids must not be guessable from ids a client has
// seen, so they come from the kernel's CSPRNG.
Uuid Uuid::Random() {
  uint64_t words[2];
  SecureRandom(std::span(reinterpret_cast<uint8_t*>(words), sizeof words));
  Uuid id{words[0], words[1]};
  id.hi = (id.hi & ~uint64_t{0xF000}) | 0x4000;                    // version 4
  id.lo = (id.lo & ~(uint64_t{0xC} << 60)) | (uint64_t{8} << 60);  // RFC 4122 variant
  return id;
}

std::string Uuid::ToString() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  size_t pos = 0;
  for (int i = 0; i < 32; ++i) {
    if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
    uint64_t word = i < 16 ? hi : lo;
    out[pos++] = kHex[(word >> (60 - 4 * (i % 16))) & 0xF];
  }
  return out;
}

std::optional<Uuid> Uuid::Parse(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  Uuid id;
  int digits = 0;
  for (size_t pos = 0; pos < text.size(); ++pos) {
    if (pos == 8 || pos == 13 || pos == 18 || pos == 23) {
      if (text[pos] != '-') return std::nullopt;
      continue;
    }
    int v = HexValue(text[pos]);
    if (v < 0) return std::nullopt;
    uint64_t& word = digits < 16 ? id.hi : id.lo;
    word = (word << 4) | static_cast<uint64_t>(v);
    ++digits;
  }
  return id;
}

}  // namespace ecomm
