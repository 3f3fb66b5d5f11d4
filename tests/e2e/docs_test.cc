// GET /docs: a readable reference of the API, served whole by the server itself (no
// CDN): the page, and every file it loads, from this server. The browser rendering is
// checked by tests/api/docs_browser.sh.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "e2e/support/http_helpers.h"
#include "e2e/support/test_server.h"

namespace ecomm::testing {
namespace {

TEST_CASE("e2e: GET /docs serves the reference page and every file it loads, from this server") {
  TestServer server;
  httplib::Client& c = server.client();
  HttpReply page = Get(c, "/docs");
  REQUIRE(page.status == 200);
  CHECK(page.content_type == "text/html; charset=utf-8");
  CHECK(page.body.find("<title>ecomm API reference</title>") != std::string::npos);

  // Every script and stylesheet the page names is a path on this server, and served.
  std::vector<std::string> loaded;
  for (std::string_view attribute : {" src=\"", " href=\""}) {
    for (size_t at = page.body.find(attribute); at != std::string::npos;
         at = page.body.find(attribute, at + 1)) {
      size_t begin = at + attribute.size();
      loaded.push_back(page.body.substr(begin, page.body.find('"', begin) - begin));
    }
  }
  REQUIRE(loaded.size() == 3);
  for (const std::string& path : loaded) {
    INFO(path);
    REQUIRE(path.starts_with("/docs/"));
    HttpReply file = Get(c, path);
    CHECK(file.status == 200);
    CHECK(file.content_type == (path.ends_with(".css") ? "text/css" : "text/javascript"));
    CHECK(file.body.size() > 100);
  }
  // The page starts Swagger UI on this server's own document.
  HttpReply start = Get(c, "/docs/start.js");
  CHECK(start.body.find("url: \"/openapi.json\"") != std::string::npos);
  HttpReply bundle = Get(c, "/docs/swagger-ui-bundle.js");
  CHECK(bundle.body.size() > 1'000'000);
  CHECK(bundle.body.find("SwaggerUIBundle") != std::string::npos);
  // Nothing on the page is fetched from elsewhere.
  CHECK(page.body.find("http://") == std::string::npos);
  CHECK(page.body.find("https://") == std::string::npos);
}

TEST_CASE("e2e: GET /docs/{file} of an unknown file is 404 NOT_FOUND") {
  TestServer server;
  httplib::Client& c = server.client();
  CheckProblem(Get(c, "/docs/index.js"), 404, "NOT_FOUND");
  CheckProblem(Get(c, "/docs/..%2Fopenapi.json"), 404, "NOT_FOUND");
  CheckProblem(Get(c, "/docs/swagger-ui.css.map"), 404, "NOT_FOUND");
}

}  // namespace
}  // namespace ecomm::testing
