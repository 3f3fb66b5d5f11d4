#pragma once

#include <string>

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

}  // namespace ecomm::load
