// Products (admin) and the catalogue: creation, the price/stock/restock ranges, the
// stock cap, unknown ids, and listing by productId with `after` and `limit`.
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "replay.h"
#include "support/shop.h"

namespace ecomm::testing {
namespace {

std::vector<std::string> Ids(const std::vector<ProductView>& products) {
  std::vector<std::string> ids;
  for (const ProductView& p : products) ids.push_back(p.product_id);
  return ids;
}

std::vector<std::string> Listed(const EngineFixture& f, std::optional<size_t> limit,
                                std::optional<std::string_view> after) {
  auto listed = f.engine.ListProducts(limit, after);
  REQUIRE_MESSAGE(listed.ok(), listed.status().message());
  return Ids(*listed);
}

void ExpectInvalidProduct(EngineFixture& f, const NewProduct& product) {
  ExpectRejected(f, ErrorCode::kInvalidRequest, [&] { return f.engine.CreateProduct(product); });
}

void ExpectInvalidRestock(EngineFixture& f, const std::string& id, Quantity quantity) {
  INFO("restock ", quantity);
  ExpectRejected(f, ErrorCode::kInvalidRequest, [&] { return f.engine.Restock(id, quantity); });
}

// Restocks and checks the resulting stock.
void ExpectRestocked(EngineFixture& f, const std::string& id, Quantity quantity, Quantity stock) {
  auto restocked = f.engine.Restock(id, quantity);
  REQUIRE_MESSAGE(restocked.ok(), restocked.status().message());
  CHECK(restocked->value.stock == stock);
  CHECK(f.Stock(id) == stock);
}

TEST_CASE("a product created with a given id keeps its fields") {
  EngineFixture f;
  f.clock.Advance(500);
  auto created = f.engine.CreateProduct(NewProduct{"pen", "Pen", 120, 7});
  REQUIRE(created.ok());
  const ProductView& p = created->value;
  CHECK(p.product_id == "pen");
  CHECK(p.name == "Pen");
  CHECK(p.price == 120);
  CHECK(p.stock == 7);
  CHECK(p.created_at == kStartMs + 500);
  CHECK(p.updated_at == kStartMs + 500);
  CHECK(created->ticket.lsn == 1);

  auto read = f.engine.GetProduct("pen");
  REQUIRE(read.ok());
  CHECK(read->name == "Pen");
  CHECK(read->price == 120);
  CHECK(read->stock == 7);
  CHECK(f.engine.Counts().products == 1);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("a product created without an id gets a fresh canonical version 4 UUID") {
  EngineFixture f;
  auto first = f.engine.CreateProduct(NewProduct{std::nullopt, "Pen", 1, 1});
  auto second = f.engine.CreateProduct(NewProduct{std::nullopt, "Pen", 1, 1});
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  for (const std::string& id : {first->value.product_id, second->value.product_id}) {
    std::optional<Uuid> parsed = Uuid::Parse(id);
    REQUIRE(parsed.has_value());
    CHECK(parsed->ToString() == id);
    CHECK(id[14] == '4');
    CHECK(f.engine.GetProduct(id).ok());
  }
  CHECK(first->value.product_id != second->value.product_id);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("creating a product whose id exists is ALREADY_EXISTS and keeps the first") {
  EngineFixture f;
  f.AddProduct("p", 10, 3);
  ExpectRejected(f, ErrorCode::kAlreadyExists, [&] {
    return f.engine.CreateProduct(NewProduct{"p", "Other", 99, 99});
  });
  CHECK(f.engine.GetProduct("p")->price == 10);
  CHECK(f.Stock("p") == 3);
}

TEST_CASE("product id and name are 1..256 bytes") {
  EngineFixture f;
  const std::string longest(limits::kMaxStringBytes, 'x');
  const std::string too_long(limits::kMaxStringBytes + 1, 'x');
  REQUIRE(f.engine.CreateProduct(NewProduct{longest, longest, 1, 1}).ok());
  ExpectInvalidProduct(f, NewProduct{"", "n", 1, 1});
  ExpectInvalidProduct(f, NewProduct{too_long, "n", 1, 1});
  ExpectInvalidProduct(f, NewProduct{"tab\tid", "n", 1, 1});
  ExpectInvalidProduct(f, NewProduct{"q", "", 1, 1});
  ExpectInvalidProduct(f, NewProduct{"q", too_long, 1, 1});
  CHECK(f.engine.Counts().products == 1);
}

TEST_CASE("price is 0..10^9 and initial stock 0..10^12") {
  EngineFixture f;
  REQUIRE(f.engine.CreateProduct(NewProduct{"free", "Free", 0, 0}).ok());
  REQUIRE(f.engine.CreateProduct(NewProduct{"dear", "Dear", limits::kMaxPrice, limits::kMaxStock})
              .ok());
  CHECK(f.engine.GetProduct("free")->price == 0);
  CHECK(f.Stock("free") == 0);
  CHECK(f.engine.GetProduct("dear")->price == 1'000'000'000);
  CHECK(f.Stock("dear") == 1'000'000'000'000);

  ExpectInvalidProduct(f, NewProduct{"q", "n", -1, 1});
  ExpectInvalidProduct(f, NewProduct{"q", "n", limits::kMaxPrice + 1, 1});
  ExpectInvalidProduct(f, NewProduct{"q", "n", 1, -1});
  ExpectInvalidProduct(f, NewProduct{"q", "n", 1, limits::kMaxStock + 1});
  CHECK(f.engine.Counts().products == 2);
}

TEST_CASE("restock adds 1..10^9 units and moves updatedAt only") {
  EngineFixture f;
  f.AddProduct("p", 10, 5);
  f.clock.Advance(60'000);
  ExpectRestocked(f, "p", 1, 6);
  ExpectRestocked(f, "p", limits::kMaxRestock, 1'000'000'006);
  auto product = f.engine.GetProduct("p");
  CHECK(product->created_at == kStartMs);
  CHECK(product->updated_at == kStartMs + 60'000);
  CHECK(product->price == 10);

  ExpectInvalidRestock(f, "p", 0);
  ExpectInvalidRestock(f, "p", -1);
  ExpectInvalidRestock(f, "p", limits::kMaxRestock + 1);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("restock never takes stock past 10^12") {
  EngineFixture f;
  f.AddProduct("p", 10, limits::kMaxStock - limits::kMaxRestock + 5);
  ExpectInvalidRestock(f, "p", limits::kMaxRestock);  // would reach 10^12 + 5
  ExpectRestocked(f, "p", limits::kMaxRestock - 10, limits::kMaxStock - 5);
  ExpectInvalidRestock(f, "p", 6);
  ExpectRestocked(f, "p", 5, limits::kMaxStock);  // exactly the cap is allowed
  ExpectInvalidRestock(f, "p", 1);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("an unknown product is PRODUCT_NOT_FOUND on reads and restocks") {
  EngineFixture f;
  f.AddProduct("p", 10, 5);
  ExpectRejected(f, ErrorCode::kProductNotFound, [&] { return f.engine.GetProduct("ghost"); });
  ExpectRejected(f, ErrorCode::kProductNotFound, [&] { return f.engine.GetProduct("P"); });
  ExpectRejected(f, ErrorCode::kProductNotFound, [&] { return f.engine.Restock("ghost", 1); });
}

TEST_CASE("products are listed by productId ascending, whatever the creation order") {
  EngineFixture f;
  for (const char* id : {"m", "b", "z", "a", "k"}) f.AddProduct(id, 10, 1);
  REQUIRE(f.engine.Restock("k", 4).ok());
  CHECK(Listed(f, std::nullopt, std::nullopt) == std::vector<std::string>{"a", "b", "k", "m", "z"});
  auto listed = f.engine.ListProducts(std::nullopt, std::nullopt);
  REQUIRE(listed.ok());
  CHECK((*listed)[2].stock == 5);  // a listing shows current stock
  CHECK((*listed)[2].name == "Product k");
  CHECK((*listed)[2].price == 10);
}

TEST_CASE("a listing starts after `after` and holds at most `limit` products") {
  EngineFixture f;
  for (const char* id : {"a", "b", "k", "m", "z"}) f.AddProduct(id, 10, 1);
  using Names = std::vector<std::string>;
  CHECK(Listed(f, 2, std::nullopt) == Names{"a", "b"});
  CHECK(Listed(f, 2, "b") == Names{"k", "m"});
  CHECK(Listed(f, 2, "m") == Names{"z"});
  CHECK(Listed(f, 2, "z").empty());
  CHECK(Listed(f, 1, "a") == Names{"b"});
  // `after` need not name a product: the listing resumes at the next id.
  CHECK(Listed(f, std::nullopt, "c") == Names{"k", "m", "z"});
  CHECK(Listed(f, std::nullopt, "") == Names{"a", "b", "k", "m", "z"});
}

TEST_CASE("a listing limit outside 1..100 is INVALID_REQUEST") {
  EngineFixture f;
  f.AddProduct("a", 10, 1);
  for (size_t limit : {size_t{0}, limits::kMaxPageLimit + 1}) {
    INFO("limit ", limit);
    ExpectRejected(f, ErrorCode::kInvalidRequest,
                   [&] { return f.engine.ListProducts(limit, std::nullopt); });
  }
  CHECK(Listed(f, limits::kMaxPageLimit, std::nullopt) == std::vector<std::string>{"a"});
}

TEST_CASE("without a limit every product is listed, past the page maximum") {
  EngineFixture f;
  constexpr int kProducts = 150;
  std::vector<std::string> expected;
  for (int i = kProducts - 1; i >= 0; --i) f.AddProduct(NumberedId("p", i), 1, 1);
  for (int i = 0; i < kProducts; ++i) expected.push_back(NumberedId("p", i));
  CHECK(Listed(f, std::nullopt, std::nullopt) == expected);

  // Paging with the last id seen walks the same list.
  std::vector<std::string> first = Listed(f, limits::kMaxPageLimit, std::nullopt);
  REQUIRE(first.size() == 100);
  std::vector<std::string> rest = Listed(f, limits::kMaxPageLimit, first.back());
  CHECK(rest.size() == 50);
  first.insert(first.end(), rest.begin(), rest.end());
  CHECK(first == expected);
}

TEST_CASE("a listing without limit walks the catalogue batch by batch, missing none") {
  EngineFixture f;
  // More than two batches of 256, and not a multiple of one, created out of order.
  constexpr int kProducts = 600;
  std::vector<std::string> expected;
  for (int i = 0; i < kProducts; ++i) f.AddProduct(NumberedId("p", (i * 7) % kProducts), 1, 1);
  for (int i = 0; i < kProducts; ++i) expected.push_back(NumberedId("p", i));
  CHECK(Listed(f, std::nullopt, std::nullopt) == expected);
  // Starting mid-catalogue, so that batches end at other products.
  CHECK(Listed(f, std::nullopt, "p099") ==
        std::vector<std::string>(expected.begin() + 100, expected.end()));
  CHECK(Listed(f, std::nullopt, "p599").empty());
}

}  // namespace
}  // namespace ecomm::testing
