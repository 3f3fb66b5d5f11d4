#include "support/rich_account.h"

#include <doctest/doctest.h>

#include <string>

#include "ecomm/bytes.h"
#include "ecomm/wal/snapshot_file.h"
#include "snapshot_loader.h"
#include "support/fault_file_system.h"

namespace ecomm::testing {

namespace {

// The snapshot field encoding of wal/FORMAT.md, written out by hand so that the test
// depends on the documented bytes rather than on the engine's encoder.
void PutI64(std::string& out, int64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(static_cast<uint64_t>(v) >> (8 * i)));
}
void PutStr(std::string& out, std::string_view s) {
  out.push_back(static_cast<char>(s.size() & 0xff));
  out.push_back(static_cast<char>(s.size() >> 8));
  out.append(s);
}
}  // namespace

std::unique_ptr<Engine> EngineWithBalance(const std::string& user_id, Money balance) {
  FaultFileSystem fs(1);
  REQUIRE(fs.CreateDir("/db").ok());
  REQUIRE(fs.CreateDir("/db/snapshots").ok());
  std::unique_ptr<wal::SnapshotWriter> writer;
  REQUIRE(wal::SnapshotWriter::Create(&fs, "/db/snapshots", 1, &writer).ok());
  std::string meta(1, '\x02');  // the payload version
  PutI64(meta, 0);              // the test clock's offset
  REQUIRE(writer->Add(1, AsBytes(meta)).ok());
  std::string account(1, '\x02');
  PutStr(account, user_id);
  PutStr(account, "Rich");
  PutStr(account, "rich@example.com");
  PutI64(account, 1'700'000'000'000);  // createdAt
  PutI64(account, balance);
  PutI64(account, 1'700'000'000'000);  // balanceUpdatedAt
  account.append(4, '\0');             // no balance entries
  account.append(1, '\0');             // no cart lines
  account.append(4, '\0');             // no orders
  account.append(4, '\0');             // no coupons
  REQUIRE(writer->Add(3, AsBytes(account)).ok());
  REQUIRE(writer->Commit().ok());
  auto loaded =
      LoadNewestSnapshot(&fs, "/db/snapshots", EngineOptions{}, [](const std::string&) {});
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().message());
  REQUIRE(loaded->snapshot_lsn == 1);
  return std::move(loaded->engine);
}

}  // namespace ecomm::testing
