#pragma once

#include <functional>

#include "ecomm/database.h"
#include "ecomm/engine.h"
#include "ecomm/wal/file.h"

namespace ecomm::testing {

// A Database at /db on `fs` that snapshots only on Close and logs nothing (as
// SnapshotOnCloseOptions, on the system clock): tests set what they vary on top.
DatabaseOptions QuietDatabaseOptions(wal::FileSystem& fs);

// Opens a Database with `options`, seeds the shop (ShopShape{}) durably, and runs
// `session` on it; the Database is closed (destroyed) when `session` returns, so that
// the caller can look at the files or open them again.
void WithSeededDatabase(const DatabaseOptions& options,
                        const std::function<void(Database& db, Engine& engine)>& session);

}  // namespace ecomm::testing
