#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace ecomm {

// The one way JSON is written, by the server's answers and the tools' reports alike:
// RapidJSON's writer, so strings are always escaped, integers written exactly and
// doubles in the shortest form that reads back the same; plus one-call fields.
class JsonWriter {
 public:
  JsonWriter() : writer_(buffer_) {}

  void StartObject() { writer_.StartObject(); }
  void EndObject() { writer_.EndObject(); }
  void StartArray() { writer_.StartArray(); }
  void EndArray() { writer_.EndArray(); }
  void Key(std::string_view key) { writer_.Key(key.data(), Size(key)); }
  void String(std::string_view s) { writer_.String(s.data(), Size(s)); }
  void Int(int64_t v) { writer_.Int64(v); }
  void Uint(uint64_t v) { writer_.Uint64(v); }
  void Double(double v) { writer_.Double(v); }
  void Bool(bool v) { writer_.Bool(v); }
  void Null() { writer_.Null(); }

  void Field(std::string_view key, std::string_view value) {
    Key(key);
    String(value);
  }
  void Field(std::string_view key, const char* value) { Field(key, std::string_view(value)); }
  void Field(std::string_view key, const std::string& value) {
    Field(key, std::string_view(value));
  }
  void Field(std::string_view key, bool value) {
    Key(key);
    Bool(value);
  }
  template <std::integral T>
  void Field(std::string_view key, T value) {
    Key(key);
    if constexpr (std::is_signed_v<T>) {
      Int(value);
    } else {
      Uint(value);
    }
  }
  void Field(std::string_view key, double value) {
    Key(key);
    Double(value);
  }

  std::string Take() { return std::string(buffer_.GetString(), buffer_.GetSize()); }

 private:
  static rapidjson::SizeType Size(std::string_view s) {
    return static_cast<rapidjson::SizeType>(s.size());
  }

  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

}  // namespace ecomm
