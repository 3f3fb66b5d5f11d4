// Carts: add accumulates and reserves nothing, `available` follows current stock,
// totalPrice, the per-line and per-cart limits, remove, and unknown ids.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "replay.h"
#include "support/shop.h"

namespace ecomm::testing {
namespace {

// A user "u" (no money needed: a cart costs nothing) and products p at 250 and q at
// 40, ten of each.
struct CartShop : EngineFixture {
  CartShop() {
    AddUser("u");
    AddProduct("p", 250, 10);
    AddProduct("q", 40, 10);
  }
};

CartView Add(EngineFixture& f, const std::string& product, Quantity quantity) {
  auto added = f.engine.AddToCart("u", product, quantity);
  REQUIRE_MESSAGE(added.ok(), added.status().message());
  return added->value;
}

CartView Cart(const EngineFixture& f) {
  auto cart = f.engine.GetCart("u");
  REQUIRE_MESSAGE(cart.ok(), cart.status().message());
  return cart.value();
}

void CheckLine(const CartLineView& line, const std::string& product, Quantity quantity,
               bool available) {
  CHECK(line.product_id == product);
  CHECK(line.name == "Product " + product);
  CHECK(line.quantity == quantity);
  CHECK(line.available == available);
}

std::vector<std::string> ProductIds(const CartView& cart) {
  std::vector<std::string> ids;
  for (const CartLineView& line : cart.items) ids.push_back(line.product_id);
  return ids;
}

void ExpectAddRefused(EngineFixture& f, ErrorCode code, const std::string& user,
                      const std::string& product, Quantity quantity) {
  INFO("add ", quantity, " of '", product, "' for '", user, "'");
  ExpectRejected(f, code, [&] { return f.engine.AddToCart(user, product, quantity); });
}

TEST_CASE("adding to the cart accumulates on one line per product and reserves no stock") {
  CartShop f;
  const size_t records = f.journal.Entries().size();
  CartView cart = Add(f, "p", 2);
  CHECK(cart.user_id == "u");
  REQUIRE(cart.items.size() == 1);
  CheckLine(cart.items[0], "p", 2, true);
  CHECK(cart.items[0].price == 250);
  CHECK(cart.total_price == 500);

  Add(f, "q", 1);
  cart = Add(f, "p", 3);
  REQUIRE(cart.items.size() == 2);  // insertion order, one line per product
  CheckLine(cart.items[0], "p", 5, true);
  CheckLine(cart.items[1], "q", 1, true);
  CHECK(cart.items[1].price == 40);
  CHECK(cart.total_price == 5 * 250 + 40);
  CHECK(f.journal.Entries().size() == records + 3);

  CHECK(f.Stock("p") == 10);
  CHECK(f.Stock("q") == 10);
  CHECK(f.Balance("u") == 0);
  CartView read = Cart(f);
  CHECK(ProductIds(read) == std::vector<std::string>{"p", "q"});
  CHECK(read.total_price == 1'290);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("`available` tells whether the current stock covers a cart line") {
  CartShop f;
  f.AddUser("buyer", 10'000);
  CHECK_FALSE(Add(f, "p", 11).items[0].available);  // more than the stock may be added
  REQUIRE(f.engine.Restock("p", 1).ok());
  CHECK(Cart(f).items[0].available);  // stock 11 covers 11 exactly
  // Someone else's order takes stock away; the cart line did not hold any.
  auto order = f.engine.PlaceOrder(OrderRequest{"buyer", std::vector<OrderLine>{{"p", 1}}, false});
  REQUIRE(order.ok());
  REQUIRE(order->value.status == OrderStatus::kSuccess);
  CartView cart = Cart(f);
  CheckLine(cart.items[0], "p", 11, false);
  CHECK(cart.total_price == 11 * 250);  // the total counts unavailable lines too
}

TEST_CASE("a cart line holds 1..10^6 units, accumulated") {
  CartShop f;
  for (Quantity quantity : {Quantity{0}, Quantity{-1}, limits::kMaxLineQuantity + 1}) {
    ExpectAddRefused(f, ErrorCode::kInvalidRequest, "u", "p", quantity);
  }
  Add(f, "p", 600'000);
  ExpectAddRefused(f, ErrorCode::kInvalidRequest, "u", "p", 400'001);
  CheckLine(Add(f, "p", 400'000).items[0], "p", limits::kMaxLineQuantity, false);
  ExpectAddRefused(f, ErrorCode::kInvalidRequest, "u", "p", 1);
  CheckLine(Add(f, "q", limits::kMaxLineQuantity).items[1], "q", 1'000'000, false);
}

TEST_CASE("a cart holds at most 100 lines") {
  CartShop f;
  for (int i = 0; i <= 100; ++i) f.AddProduct(NumberedId("c", i), 1, 1);
  for (int i = 0; i < 100; ++i) Add(f, NumberedId("c", i), 1);
  ExpectAddRefused(f, ErrorCode::kInvalidRequest, "u", NumberedId("c", 100), 1);
  // A full cart still accepts more units on a line it has.
  CHECK(Add(f, NumberedId("c", 7), 2).items[7].quantity == 3);
  REQUIRE(f.engine.RemoveFromCart("u", NumberedId("c", 0)).ok());
  CartView cart = Add(f, NumberedId("c", 100), 1);
  CHECK(cart.items.size() == 100);
  CHECK(cart.items.back().product_id == NumberedId("c", 100));
}

TEST_CASE("remove takes a line out and keeps the order of the others") {
  CartShop f;
  f.AddProduct("r", 5, 10);
  Add(f, "p", 1);
  Add(f, "q", 2);
  Add(f, "r", 3);
  const size_t records = f.journal.Entries().size();
  auto removed = f.engine.RemoveFromCart("u", "q");
  REQUIRE(removed.ok());
  CHECK(removed->ticket.lsn == records + 1);
  CHECK(ProductIds(removed->value) == std::vector<std::string>{"p", "r"});
  CHECK(removed->value.total_price == 250 + 15);
  CHECK(ProductIds(Cart(f)) == std::vector<std::string>{"p", "r"});
  // Adding the product again starts a new line at the end, from zero.
  CartView again = Add(f, "q", 1);
  CHECK(ProductIds(again) == std::vector<std::string>{"p", "r", "q"});
  CheckLine(again.items[2], "q", 1, true);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("removing a product the cart does not hold is CART_ITEM_NOT_FOUND") {
  CartShop f;
  Add(f, "p", 1);
  auto refuse = [&](const std::string& product) {
    INFO("remove '", product, "'");
    ExpectRejected(f, ErrorCode::kCartItemNotFound,
                   [&] { return f.engine.RemoveFromCart("u", product); });
  };
  refuse("q");
  // A product that does not exist is not in the cart either.
  refuse("ghost");
  REQUIRE(f.engine.RemoveFromCart("u", "p").ok());
  refuse("p");
}

TEST_CASE("carts of unknown users or products are a 404, empty ids INVALID_REQUEST") {
  CartShop f;
  ExpectAddRefused(f, ErrorCode::kUserNotFound, "ghost", "p", 1);
  ExpectAddRefused(f, ErrorCode::kUserNotFound, "ghost", "ghost", 1);
  ExpectAddRefused(f, ErrorCode::kProductNotFound, "u", "ghost", 1);
  ExpectAddRefused(f, ErrorCode::kInvalidRequest, "", "p", 1);
  ExpectAddRefused(f, ErrorCode::kInvalidRequest, "u", "", 1);
  ExpectRejected(f, ErrorCode::kUserNotFound,
                 [&] { return f.engine.RemoveFromCart("ghost", "p"); });
  ExpectRejected(f, ErrorCode::kUserNotFound, [&] { return f.engine.GetCart("ghost"); });
  ExpectRejected(f, ErrorCode::kInvalidRequest, [&] { return f.engine.RemoveFromCart("u", ""); });
}

TEST_CASE("carts are per user") {
  CartShop f;
  f.AddUser("v");
  Add(f, "p", 1);
  auto other = f.engine.GetCart("v");
  REQUIRE(other.ok());
  CHECK(other->user_id == "v");
  CHECK(other->items.empty());
  CHECK(other->total_price == 0);
}

// Ten lines of 10^6 units at 10^9 total 10^16: the cart may hold them (SPEC caps
// lines, not a cart's total), but an order of the whole cart is over 2^53-1.
TEST_CASE("a cart's total stays within 2^53-1: the add that would pass it is refused") {
  CartShop f;
  for (int i = 0; i < 10; ++i)
    f.AddProduct(NumberedId("c", i), limits::kMaxPrice, limits::kMaxLineQuantity);
  for (int i = 0; i < 9; ++i) Add(f, NumberedId("c", i), limits::kMaxLineQuantity);
  CHECK(Cart(f).total_price == 9'000'000'000'000'000);
  ExpectRejected(f, ErrorCode::kInvalidRequest, [&] {
    return f.engine.AddToCart("u", NumberedId("c", 9), limits::kMaxLineQuantity);
  });
  // A cart at the limit can still be ordered: it fails on the balance, not as a 400.
  auto order = f.engine.PlaceOrder(OrderRequest{"u", std::nullopt, true});
  REQUIRE(order.ok());
  CHECK(order->value.failure() == ErrorCode::kInsufficientBalance);
  CHECK(Cart(f).items.size() == 9);
}

}  // namespace
}  // namespace ecomm::testing
