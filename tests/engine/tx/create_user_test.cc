// Users (admin): creation with a given or a generated id, the 1..256-byte limit on
// every string, duplicates, and lookups of unknown ids.
#include <optional>
#include <string>
#include <vector>

#include "replay.h"
#include "support/engine_fixture.h"

namespace ecomm::testing {
namespace {

TEST_CASE("a user created with a given id keeps it and starts with nothing") {
  EngineFixture f;
  f.clock.Advance(1'234);
  auto created = f.engine.CreateUser(NewUser{"alice", "Alice", "alice@example.com"});
  REQUIRE(created.ok());
  const UserView& user = created->value;
  CHECK(user.user_id == "alice");
  CHECK(user.name == "Alice");
  CHECK(user.email == "alice@example.com");
  CHECK(user.created_at == kStartMs + 1'234);
  CHECK(user.updated_at == kStartMs + 1'234);
  CHECK(created->ticket.lsn == 1);
  CHECK_FALSE(created->reanswered);
  CHECK(f.journal.Entries().size() == 1);

  auto read = f.engine.GetUser("alice");
  REQUIRE(read.ok());
  CHECK(read->user_id == "alice");
  CHECK(read->name == "Alice");
  CHECK(read->email == "alice@example.com");
  CHECK(read->created_at == kStartMs + 1'234);

  // A new user owns a zero balance, an empty history, an empty cart and no orders.
  CHECK(f.Balance("alice") == 0);
  CHECK(f.engine.GetBalance("alice")->updated_at == kStartMs + 1'234);
  auto history = f.engine.ListBalanceHistory("alice", limits::kDefaultPageLimit, std::nullopt);
  REQUIRE(history.ok());
  CHECK(history->items.empty());
  CHECK_FALSE(history->next.has_value());
  auto orders = f.engine.ListOrders("alice", limits::kDefaultPageLimit, std::nullopt);
  REQUIRE(orders.ok());
  CHECK(orders->items.empty());
  auto cart = f.engine.GetCart("alice");
  REQUIRE(cart.ok());
  CHECK(cart->user_id == "alice");
  CHECK(cart->items.empty());
  CHECK(cart->total_price == 0);
  CHECK(f.engine.Counts().users == 1);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("a user created without an id gets a fresh canonical version 4 UUID") {
  EngineFixture f;
  auto first = f.engine.CreateUser(NewUser{std::nullopt, "Ann", "ann@example.com"});
  auto second = f.engine.CreateUser(NewUser{std::nullopt, "Ann", "ann@example.com"});
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  for (const std::string& id : {first->value.user_id, second->value.user_id}) {
    std::optional<Uuid> parsed = Uuid::Parse(id);
    REQUIRE(parsed.has_value());
    CHECK(parsed->ToString() == id);  // lowercase 8-4-4-4-12, as the engine prints UUIDs
    CHECK(id[14] == '4');
    CHECK(f.engine.GetUser(id).ok());
  }
  // Two creations with the same name and email are two users.
  CHECK(first->value.user_id != second->value.user_id);
  CHECK(f.engine.Counts().users == 2);
  CHECK(f.ReplayedDigest() == StateDigest(f.engine));
}

TEST_CASE("creating a user whose id exists is ALREADY_EXISTS and keeps the first") {
  EngineFixture f;
  f.AddUser("u", 700);
  ExpectRejected(f, ErrorCode::kAlreadyExists, [&] {
    return f.engine.CreateUser(NewUser{"u", "Other", "other@example.com"});
  });
  auto user = f.engine.GetUser("u");
  REQUIRE(user.ok());
  CHECK(user->name == "User u");
  CHECK(f.Balance("u") == 700);
  CHECK(f.engine.Counts().users == 1);
}

TEST_CASE("user id, name and email are 1..256 bytes") {
  EngineFixture f;
  const std::string longest(limits::kMaxStringBytes, 'x');
  const std::string too_long(limits::kMaxStringBytes + 1, 'x');
  auto created = f.engine.CreateUser(NewUser{longest, longest, longest});
  REQUIRE(created.ok());
  CHECK(created->value.user_id == longest);
  CHECK(created->value.name == longest);

  const std::vector<NewUser> invalid = {
      {"", "n", "e@x"},          {too_long, "n", "e@x"}, {"v", "", "e@x"},
      {"v", too_long, "e@x"},    {"v", "n", ""},         {"v", "n", too_long},
      {"line\nbreak", "n", "e"},  // ids carry no control characters
      {"del\x7f", "n", "e"},
  };
  for (size_t i = 0; i < invalid.size(); ++i) {
    INFO("invalid user #", i);
    ExpectRejected(f, ErrorCode::kInvalidRequest, [&] { return f.engine.CreateUser(invalid[i]); });
  }
  CHECK(f.engine.Counts().users == 1);
}

TEST_CASE("looking up an unknown user is USER_NOT_FOUND, an empty id INVALID_REQUEST") {
  EngineFixture f;
  f.AddUser("u");
  ExpectRejected(f, ErrorCode::kUserNotFound, [&] { return f.engine.GetUser("ghost"); });
  // Ids are exact: no case folding.
  ExpectRejected(f, ErrorCode::kUserNotFound, [&] { return f.engine.GetUser("U"); });
  ExpectRejected(f, ErrorCode::kInvalidRequest, [&] { return f.engine.GetUser(""); });
}

}  // namespace
}  // namespace ecomm::testing
