#include <random>

#include "ecomm/types.h"

namespace ecomm {

namespace {

// xoshiro256**: fast, and seeded per thread from the OS so ids do not repeat
// across threads or restarts.
class IdGenerator {
 public:
  IdGenerator() {
    std::random_device device;
    for (uint64_t& word : s_) word = (uint64_t{device()} << 32) | device();
  }
  uint64_t Next() {
    uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Uuid Uuid::Random() {
  thread_local IdGenerator generator;
  Uuid id{generator.Next(), generator.Next()};
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
