#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ecomm/json_writer.h"

namespace ecomm::load {

// A JSON object whose members `fields(JsonWriter&)` writes: the bodies ecomm-load
// sends, and the answers --embedded gives as the server would.
template <class Fields>
std::string JsonBody(const Fields& fields) {
  JsonWriter w;
  w.StartObject();
  fields(w);
  w.EndObject();
  return w.Take();
}

// `key`: the value, or null when there is none.
template <class T>
void FieldOrNull(JsonWriter& w, std::string_view key, const std::optional<T>& value) {
  if (value) {
    w.Field(key, *value);
  } else {
    w.Key(key);
    w.Null();
  }
}

}  // namespace ecomm::load
