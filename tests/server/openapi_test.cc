// /openapi.json describes exactly the routes the server serves.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "api.h"
#include "openapi_document.h"
#include "support/fault_file_system.h"

namespace ecomm::testing {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

TEST_CASE("the OpenAPI document lists every route the server serves, and no other") {
  FaultFileSystem fs(1);
  DatabaseOptions options;
  options.data_dir = "/db";
  options.fs = &fs;
  options.log = [](std::string_view) {};
  auto db = Database::Open(options);
  REQUIRE(db.ok());
  server::Api api(**db, server::ApiOptions{{}, /*test_clock=*/true});

  rapidjson::Document doc;
  std::string_view text = server::OpenApiDocument();
  doc.Parse(text.data(), text.size());
  REQUIRE_FALSE(doc.HasParseError());
  REQUIRE(std::string(doc["openapi"].GetString()).starts_with("3."));
  const rapidjson::Value& paths = doc["paths"];

  std::set<std::string> served;
  for (const server::Route& route : api.router().routes()) {
    std::string method = Lower(route.method);
    served.insert(method + " " + route.pattern);
    INFO(route.method, " ", route.pattern);
    REQUIRE(paths.HasMember(route.pattern.c_str()));
    const rapidjson::Value& item = paths[route.pattern.c_str()];
    REQUIRE(item.HasMember(method.c_str()));
    CHECK(item[method.c_str()].HasMember("responses"));
  }
  for (auto path = paths.MemberBegin(); path != paths.MemberEnd(); ++path) {
    for (auto op = path->value.MemberBegin(); op != path->value.MemberEnd(); ++op) {
      std::string documented = std::string(op->name.GetString()) + " " + path->name.GetString();
      CHECK_MESSAGE(served.contains(documented), documented, " is documented but not served");
    }
  }
}

}  // namespace
}  // namespace ecomm::testing
