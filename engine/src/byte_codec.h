#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "ecomm/little_endian.h"
#include "ecomm/record.h"
#include "ecomm/types.h"

// The field encoding shared by log records and snapshot chunks: little-endian fixed
// width integers, u16-length strings of at most 256 bytes, 16-byte UUIDs.
namespace ecomm {

class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}

  void U8(uint8_t v) { out_->push_back(static_cast<char>(v)); }
  void U32(uint32_t v) { PutU32(out_, v); }
  void I64(int64_t v) { PutU64(out_, static_cast<uint64_t>(v)); }
  void Str(std::string_view s) {
    PutU16(out_, static_cast<uint16_t>(s.size()));
    out_->append(s);
  }
  void Id(const Uuid& id) {
    I64(static_cast<int64_t>(id.hi));
    I64(static_cast<int64_t>(id.lo));
  }
  void Tag(const std::optional<IdempotencyTag>& tag) {
    U8(tag.has_value());
    if (tag) {
      Str(tag->key);
      Str(tag->fingerprint);
    }
  }

 private:
  std::string* out_;
};

// Reads fields until one is out of bounds; from then on `ok()` is false and every
// read returns a zero value, so decoders check once at the end.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> data) : data_(data) {}

  bool ok() const { return ok_; }
  bool AtEnd() const { return ok_ && pos_ == data_.size(); }
  void Fail() { ok_ = false; }

  uint8_t U8() { return Take(1) ? data_[pos_ - 1] : 0; }
  uint32_t U32() { return Take(4) ? GetU32(data_.data() + pos_ - 4) : 0; }
  int64_t I64() { return Take(8) ? static_cast<int64_t>(GetU64(data_.data() + pos_ - 8)) : 0; }
  std::string_view Str() {
    if (!Take(2)) return {};
    size_t n = data_[pos_ - 2] | (size_t{data_[pos_ - 1]} << 8);
    if (n > limits::kMaxStringBytes || !Take(n)) return Fail(), std::string_view{};
    return std::string_view(reinterpret_cast<const char*>(data_.data() + pos_ - n), n);
  }
  Uuid Id() {
    Uuid id;
    id.hi = static_cast<uint64_t>(I64());
    id.lo = static_cast<uint64_t>(I64());
    return id;
  }
  bool Bool() {
    uint8_t v = U8();
    if (v > 1) Fail();
    return v == 1;
  }
  template <class E>
  E Enum(E max) {
    uint8_t v = U8();
    if (v > static_cast<uint8_t>(max)) Fail();
    return static_cast<E>(v);
  }
  std::optional<IdempotencyTag> Tag() {
    if (!Bool()) return std::nullopt;
    IdempotencyTag tag;
    tag.key = Str();
    tag.fingerprint = Str();
    return tag;
  }

 private:
  bool Take(size_t n) {
    if (!ok_ || data_.size() - pos_ < n) return ok_ = false;
    pos_ += n;
    return true;
  }

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace ecomm
