#include "support/seeded_database.h"

#include <doctest/doctest.h>

#include <string_view>

#include "support/random_mutations.h"

namespace ecomm::testing {

DatabaseOptions QuietDatabaseOptions(wal::FileSystem& fs) {
  DatabaseOptions options;
  options.data_dir = "/db";
  options.fs = &fs;
  options.snapshot_every = 0;
  options.log = [](std::string_view) {};
  return options;
}

void WithSeededDatabase(const DatabaseOptions& options,
                        const std::function<void(Database& db, Engine& engine)>& session) {
  auto db = Database::Open(options);
  REQUIRE(db.ok());
  Engine& engine = (*db)->engine();
  REQUIRE(SeedShopDurably(engine));
  session(**db, engine);
}

}  // namespace ecomm::testing
