#include "ecomm/json_writer.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace ecomm {

TEST_CASE("json writer: fields of every type, as every body and report writes them") {
  JsonWriter w;
  w.StartObject();
  w.Field("text", "a\"b\\c\nd\x01");
  w.Field("string", std::string("s"));
  w.Field("view", std::string_view("v"));
  w.Field("int", -7);
  w.Field("int64", std::numeric_limits<int64_t>::min());
  w.Field("uint32", uint32_t{4'000'000'000});
  w.Field("uint64", std::numeric_limits<uint64_t>::max());
  w.Field("whole", 2.0);
  w.Field("fraction", 1234.5);
  w.Field("third", 1.0 / 3);
  w.Field("yes", true);
  w.Key("none");
  w.Null();
  w.Key("list");
  w.StartArray();
  w.Int(1);
  w.Uint(2);
  w.Double(0.25);
  w.String("é");
  w.EndArray();
  w.EndObject();
  CHECK(w.Take() ==
        R"({"text":"a\"b\\c\nd\u0001","string":"s","view":"v","int":-7,)"
        R"("int64":-9223372036854775808,"uint32":4000000000,"uint64":18446744073709551615,)"
        R"("whole":2.0,"fraction":1234.5,"third":0.3333333333333333,"yes":true,"none":null,)"
        R"("list":[1,2,0.25,"é"]})");
}

}  // namespace ecomm
