// Fuzzes the HTTP adapter below the socket: request decoding, routing, validation and
// the engine behind them. The first byte picks a route, the second whether an
// Idempotency-Key is sent; the rest is the body, and also the query string and the
// path id. Every answer must be a well-formed JSON document (or Prometheus text) with
// a status the contract knows, in valid UTF-8, whatever the input.
#include <rapidjson/document.h>

#include <chrono>
#include <future>
#include <string>

#include "api.h"
#include "ecomm/database.h"
#include "fuzz_support.h"
#include "support/fault_file_system.h"
#include "url.h"

namespace {

using namespace ecomm;

struct Shop {
  testing::FaultFileSystem fs{0};
  std::unique_ptr<Database> db;
  std::unique_ptr<server::Api> api;

  Shop() {
    DatabaseOptions options;
    options.data_dir = "/db";
    options.fs = &fs;
    options.sync = *wal::SyncPolicy::Parse("off");
    options.snapshot_every = 0;
    options.log = [](std::string_view) {};
    auto opened = Database::Open(options);
    fuzz::Check(opened.ok(), "open");
    db = std::move(opened).value();
    Engine& e = db->engine();
    fuzz::Check(e.CreateUser(NewUser{"u1", "U", "u@x"}).ok(), "user");
    fuzz::Check(e.CreateProduct(NewProduct{"p1", "P", 100, 1'000'000}).ok(), "product");
    fuzz::Check(e.Charge("u1", 1'000'000'000).ok(), "charge");
    api = std::make_unique<server::Api>(*db, server::ApiOptions{{}, true});
  }
};

struct RouteInput {
  const char* method;
  const char* path;  // '*' is replaced by an id taken from the input
};

constexpr RouteInput kRoutes[] = {
    {"POST", "/balance/charge"},
    {"GET", "/balance"},
    {"GET", "/balance/history"},
    {"GET", "/products"},
    {"POST", "/products"},
    {"GET", "/products/top"},
    {"GET", "/products/*"},
    {"POST", "/products/*/restock"},
    {"POST", "/order"},
    {"GET", "/orders"},
    {"GET", "/orders/*"},
    {"POST", "/orders/*/cancel"},
    {"POST", "/cart/add"},
    {"DELETE", "/cart/remove"},
    {"GET", "/cart"},
    {"POST", "/users"},
    {"GET", "/users/*"},
    {"POST", "/admin/clock"},
    {"GET", "/healthz"},
    {"PATCH", "/order"},
    {"GET", "/nowhere"},
    {"POST", "/coupons"},
    {"GET", "/coupons/*"},
    {"POST", "/coupons/*/issue"},
    {"GET", "/users/*/coupons"},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Shop shop;
  if (size < 2) return 0;
  const RouteInput& route = kRoutes[data[0] % std::size(kRoutes)];
  std::string rest(reinterpret_cast<const char*>(data + 2), size - 2);

  server::Request request;
  request.method = route.method;
  std::string target = route.path;
  if (size_t star = target.find('*'); star != std::string::npos) {
    target.replace(star, 1, rest.empty() ? "p1" : rest.substr(0, std::min<size_t>(rest.size(), 8)));
  }
  target += "?" + rest.substr(0, std::min<size_t>(rest.size(), 40));
  server::Target parsed;
  if (server::ParseTarget(target, &parsed)) {
    request.path = std::move(parsed.path);
    request.segments = std::move(parsed.segments);
    request.query = std::move(parsed.query);
  } else {
    fuzz::Check(server::ParseTarget(route.path, &parsed), "every route's own path parses");
    request.path = std::move(parsed.path);
    request.segments = std::move(parsed.segments);
    request.query = {{"userId", "u1"}};
  }
  request.body = rest;
  request.from_loopback = true;
  request.content_type = "application/json";
  if (data[1] & 1) request.idempotency_key = "key-" + std::to_string(data[1] >> 1);

  std::promise<server::Response> answered;
  auto answer = answered.get_future();
  shop.api->Handle(std::move(request),
                   [&answered](server::Response r) { answered.set_value(std::move(r)); });
  fuzz::Check(answer.wait_for(std::chrono::seconds(10)) == std::future_status::ready,
              "every request is answered");
  server::Response response = answer.get();
  fuzz::Check(response.status >= 200 && response.status < 600 && response.status != 500,
              "a known status, never a 500");
  if (response.content_type != "text/plain; version=0.0.4") {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseValidateEncodingFlag>(response.body.data(), response.body.size());
    fuzz::Check(!doc.HasParseError(), "the answer is JSON in valid UTF-8");
  }
  return 0;
}
