// Router (server/router.h) on targets split by the server's own ParseTarget: routes are
// tried in the order added, so a literal route added first beats a parameter route;
// {id} matches exactly one non-empty segment, decoded, into request.path_params; an
// unknown path is kNotFound and a known path with another method kMethodNotAllowed; a
// trailing slash or an empty segment is a segment of its own, matched by nothing but
// the same literal.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ecomm/result.h"
#include "router.h"
#include "url.h"

namespace ecomm::server {
namespace {

// The table of the tests, in this order (route.index is the position).
Router MakeRouter() {
  Router router;
  auto nothing = [](Request&, Reply) {};
  router.Add("GET", "/products/top", Access::kPublic, nothing);                  // 0
  router.Add("GET", "/products", Access::kPublic, nothing);                      // 1
  router.Add("POST", "/products", Access::kAdmin, nothing);                      // 2
  router.Add("GET", "/products/{productId}", Access::kPublic, nothing);          // 3
  router.Add("POST", "/products/{productId}/restock", Access::kAdmin, nothing);  // 4
  router.Add("GET", "/docs", Access::kPublic, nothing);                          // 5
  router.Add("GET", "/docs/{file}", Access::kPublic, nothing);                   // 6
  router.Add("GET", "/", Access::kPublic, nothing);                              // 7
  return router;
}

Request MakeRequest(std::string method, std::string_view target) {
  Request request;
  request.method = std::move(method);
  Target parsed;
  REQUIRE(ParseTarget(target, &parsed));
  request.path = parsed.path;
  request.segments = parsed.segments;
  request.query = parsed.query;
  return request;
}

// The index of the route found, or -1 with the error code in `*code`.
int RouteIndex(const Router& router, Request& request, ErrorCode* code = nullptr) {
  auto found = router.Find(request);
  if (code != nullptr) *code = found.code();
  return found.ok() ? static_cast<int>((*found)->index) : -1;
}

// Catches a router that prefers parameter routes, or sorts routes instead of trying
// them in the order added.
TEST_CASE("a literal route added before a parameter route wins") {
  Router router = MakeRouter();
  Request top = MakeRequest("GET", "/products/top");
  CHECK(RouteIndex(router, top) == 0);
  CHECK(top.path_params.empty());
  Request product = MakeRequest("GET", "/products/p1");
  CHECK(RouteIndex(router, product) == 3);
  CHECK(product.path_params == std::vector<std::string>{"p1"});
  // Added after the parameter route, the literal one never wins.
  Router reversed;
  reversed.Add("GET", "/products/{productId}", Access::kPublic, [](Request&, Reply) {});
  reversed.Add("GET", "/products/top", Access::kPublic, [](Request&, Reply) {});
  Request again = MakeRequest("GET", "/products/top");
  CHECK(RouteIndex(reversed, again) == 0);
  CHECK(again.path_params == std::vector<std::string>{"top"});
}

// Catches a parameter that spans segments, matches an empty one, or is left encoded,
// and params left over from an earlier match of the same request.
TEST_CASE("{id} matches exactly one non-empty segment, decoded, into path_params") {
  Router router = MakeRouter();
  Request restock = MakeRequest("POST", "/products/p%2F1/restock");
  CHECK(RouteIndex(router, restock) == 4);
  CHECK(restock.path_params == std::vector<std::string>{"p/1"});
  const Route& route = router.routes()[4];
  CHECK(route.method == "POST");
  CHECK(route.access == Access::kAdmin);
  ErrorCode code;
  Request two = MakeRequest("GET", "/products/a/b");
  CHECK(RouteIndex(router, two, &code) == -1);
  CHECK(code == ErrorCode::kNotFound);
  Request empty = MakeRequest("GET", "/docs/");
  CHECK(RouteIndex(router, empty, &code) == -1);
  CHECK(code == ErrorCode::kNotFound);
  // A request found twice keeps only its latest params.
  Request reused = MakeRequest("GET", "/products/p2");
  reused.path_params = {"stale", "values"};
  CHECK(RouteIndex(router, reused) == 3);
  CHECK(reused.path_params == std::vector<std::string>{"p2"});
}

// Catches an unknown path answered as 405 (or matched to some route), and a message
// without the path.
TEST_CASE("an unknown path is kNotFound") {
  Router router = MakeRouter();
  Request request = MakeRequest("GET", "/nothing/here");
  auto found = router.Find(request);
  REQUIRE_FALSE(found.ok());
  CHECK(found.code() == ErrorCode::kNotFound);
  CHECK(found.status().message() == "no route for /nothing/here");
}

// Catches a known path with another method answered as 404, or routed to the route of
// the other method.
TEST_CASE("a known path with another method is kMethodNotAllowed") {
  Router router = MakeRouter();
  Request del = MakeRequest("DELETE", "/products");
  auto found = router.Find(del);
  REQUIRE_FALSE(found.ok());
  CHECK(found.code() == ErrorCode::kMethodNotAllowed);
  CHECK(found.status().message() == "DELETE is not allowed on /products");
  ErrorCode code;
  Request put = MakeRequest("PUT", "/products/p1");
  CHECK(RouteIndex(router, put, &code) == -1);
  CHECK(code == ErrorCode::kMethodNotAllowed);
  // /products/top is a GET route and a GET parameter route: still only GET.
  Request post_top = MakeRequest("POST", "/products/top");
  CHECK(RouteIndex(router, post_top, &code) == -1);
  CHECK(code == ErrorCode::kMethodNotAllowed);
  // HEAD is a method of its own here: not served by the GET route.
  Request head = MakeRequest("HEAD", "/products");
  CHECK(RouteIndex(router, head, &code) == -1);
  CHECK(code == ErrorCode::kMethodNotAllowed);
}

// Catches a 405 whose Allow header misses a method of the path, lists one twice (two
// GET routes match /products/top) or lists a method of another path.
TEST_CASE("AllowedMethods lists each method of the path's routes once, as added") {
  Router router = MakeRouter();
  CHECK(router.AllowedMethods(MakeRequest("DELETE", "/products").segments) == "GET, POST");
  CHECK(router.AllowedMethods(MakeRequest("POST", "/products/top").segments) == "GET");
  CHECK(router.AllowedMethods(MakeRequest("GET", "/products/p1/restock").segments) == "POST");
  CHECK(router.AllowedMethods(MakeRequest("GET", "/nothing/here").segments).empty());
}

// Catches a router that trims a trailing slash or skips empty segments (two spellings
// of one resource, and "/products/" reaching the {productId} route with an empty id).
TEST_CASE("a trailing slash or an empty segment is a segment that no route here matches") {
  Router router = MakeRouter();
  ErrorCode code;
  for (const char* target : {"/products/", "//products", "/products//", "/products/p1/",
                             "/products//restock", "/docs//"}) {
    INFO(target);
    Request request = MakeRequest("GET", target);
    CHECK(RouteIndex(router, request, &code) == -1);
    CHECK(code == ErrorCode::kNotFound);
  }
  // "/" is one empty segment, matched by the pattern "/" alone.
  Request root = MakeRequest("GET", "/");
  CHECK(root.segments == std::vector<std::string>{""});
  CHECK(RouteIndex(router, root) == 7);
  // The query is not part of the path.
  Request query = MakeRequest("GET", "/products?limit=5&cursor=x");
  CHECK(RouteIndex(router, query) == 1);
}

}  // namespace
}  // namespace ecomm::server
