// A full backlog (the writer stuck in a slow sync) makes Append refuse at once rather
// than block its caller, who may hold locks; it is not a log failure, and appends are
// accepted again as soon as the writer drains. Bulk loaders may choose to wait.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <vector>

#include "ecomm/wal/wal_reader.h"
#include "ecomm/wal/wal_writer.h"
#include "support/fault_file_system.h"

namespace ecomm::testing {
namespace {

using namespace std::chrono_literals;

const std::vector<uint8_t> kPayload(16, 0xAB);

// A writer whose backlog is full as soon as one record waits in it, with the writer
// thread stalled in the sync of the record before.
struct StalledWriter {
  explicit StalledWriter(bool wait_for_room) {
    wal::WalOptions options;
    options.max_pending_bytes = 1;
    options.wait_for_room = wait_for_room;
    REQUIRE(wal::WalWriter::Open(&fs, "/wal", 1, options, &writer).ok());
    fs.BlockSyncs();
    REQUIRE(Append().ok());  // the writer takes it and stalls in its sync
    fs.WaitForBlockedSync();
    wal::Appended queued = Append();  // into the empty backlog, which it fills
    REQUIRE(queued.ok());
    last = queued.lsn();
  }
  ~StalledWriter() { fs.UnblockSyncs(); }

  wal::Appended Append() { return writer->Append(1, kPayload); }

  // The LSNs the log holds after a clean close.
  std::vector<wal::Lsn> Logged() {
    REQUIRE(writer->Close().ok());
    std::vector<wal::Lsn> lsns;
    wal::ReplayReport report;
    Status s = wal::ReplayWal(
        &fs, "/wal", 0, wal::kMaxLsn, wal::RecoveryMode::kStrict,
        [&](const wal::WalRecord& r) {
          lsns.push_back(r.lsn);
          return Status::Ok();
        },
        &report);
    REQUIRE(s.ok());
    return lsns;
  }

  FaultFileSystem fs{5};
  std::unique_ptr<wal::WalWriter> writer;
  wal::Lsn last = 0;
};

TEST_CASE("a full backlog refuses Append at once, then accepts again once the writer drains") {
  StalledWriter w(false);
  // On another thread, so that an Append that waited would fail the test, not hang it.
  auto refused = std::async(std::launch::async, [&] { return w.Append(); });
  bool prompt = refused.wait_for(10s) == std::future_status::ready;
  if (!prompt) w.fs.UnblockSyncs();  // let a waiting Append return so the test can end
  REQUIRE(prompt);
  wal::Appended first = refused.get();
  REQUIRE_FALSE(first.ok());
  CHECK(first.refusal() == wal::Refusal::kBacklogFull);
  for (int i = 0; i < 100; ++i) {
    wal::Appended again = w.Append();
    REQUIRE_FALSE(again.ok());
    CHECK(again.refusal() == wal::Refusal::kBacklogFull);
  }
  // Not a failure: the log is not read-only, and refusals used no LSN.
  CHECK(w.writer->error().ok());
  CHECK(w.writer->Stats().appended_lsn == w.last);

  w.fs.UnblockSyncs();
  CHECK(w.writer->WaitDurable({w.last}));
  wal::Appended after = w.Append();
  REQUIRE(after.ok());
  CHECK(after.lsn() == w.last + 1);
  CHECK(w.writer->WaitDurable(after.position()));
  CHECK(w.Logged() == std::vector<wal::Lsn>{1, 2, 3});
}

TEST_CASE("with wait_for_room, Append waits for the backlog to drain instead of refusing") {
  StalledWriter w(true);
  auto waiting = std::async(std::launch::async, [&] { return w.Append(); });
  // A false pass is possible if the thread has not reached Append yet; never a false
  // failure.
  CHECK(waiting.wait_for(100ms) == std::future_status::timeout);
  w.fs.UnblockSyncs();
  wal::Appended later = waiting.get();
  REQUIRE(later.ok());
  CHECK(later.lsn() == w.last + 1);
  CHECK(w.writer->WaitDurable(later.position()));
  CHECK(w.Logged() == std::vector<wal::Lsn>{1, 2, 3});
}

TEST_CASE("a failed log refuses as failed, not as full") {
  FaultFileSystem fs(6);
  std::unique_ptr<wal::WalWriter> writer;
  REQUIRE(wal::WalWriter::Open(&fs, "/wal", 1, wal::WalOptions{}, &writer).ok());
  fs.FailSyncs(true);
  wal::Appended lost = writer->Append(1, kPayload);
  REQUIRE(lost.ok());
  CHECK_FALSE(writer->WaitDurable(lost.position()));
  wal::Appended refused = writer->Append(1, kPayload);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.refusal() == wal::Refusal::kFailed);
}

}  // namespace
}  // namespace ecomm::testing
