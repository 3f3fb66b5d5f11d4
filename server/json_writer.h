#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace ecomm::server {

// RapidJSON's writer with one-call fields; every response body is built with it, so
// strings are always escaped correctly.
class JsonWriter {
 public:
  JsonWriter() : writer_(buffer_) {}

  void StartObject() { writer_.StartObject(); }
  void EndObject() { writer_.EndObject(); }
  void StartArray() { writer_.StartArray(); }
  void EndArray() { writer_.EndArray(); }
  void Key(std::string_view key) { writer_.Key(key.data(), static_cast<unsigned>(key.size())); }
  void String(std::string_view s) { writer_.String(s.data(), static_cast<unsigned>(s.size())); }
  void Int(int64_t v) { writer_.Int64(v); }
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
  void Field(std::string_view key, int64_t value) {
    Key(key);
    Int(value);
  }
  void Field(std::string_view key, int value) { Field(key, static_cast<int64_t>(value)); }
  void Field(std::string_view key, bool value) {
    Key(key);
    Bool(value);
  }

  std::string Take() { return std::string(buffer_.GetString(), buffer_.GetSize()); }

 private:
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

}  // namespace ecomm::server
