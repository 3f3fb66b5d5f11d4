// A full backlog (the writer stuck in a slow sync) makes Append refuse at once rather
// than block its caller, who may hold locks; it is not a log failure, and appends are
// accepted again as soon as the writer drains. Bulk loaders may choose to wait.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "ecomm/wal/wal_reader.h"
#include "ecomm/wal/wal_writer.h"
#include "support/fault_file_system.h"

namespace ecomm::testing {
namespace {

using namespace std::chrono_literals;

const std::vector<uint8_t> kPayload(16, 0xAB);

std::vector<wal::Lsn> LoggedLsns(FaultFileSystem& fs) {
  std::vector<wal::Lsn> lsns;
  wal::ReplayReport report;
  Status s = wal::ReplayWal(
      &fs, "/wal", 0, wal::kMaxLsn, wal::RecoveryMode::kStrict,
      [&](const wal::WalRecord& r) {
        lsns.push_back(r.lsn);
        return Status::Ok();
      },
      &report);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return lsns;
}

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
    return LoggedLsns(fs);
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

std::vector<wal::Lsn> Range(wal::Lsn first, wal::Lsn last) {
  std::vector<wal::Lsn> lsns;
  for (wal::Lsn lsn = first; lsn <= last; ++lsn) lsns.push_back(lsn);
  return lsns;
}

// Reopen refuses while the writer thread has yet to see the failure and exit, or the
// failure is still being announced; the database's maintenance thread retries it the
// same way. Any other refusal is returned at once.
Status ReopenOnceExited(wal::WalWriter& writer) {
  auto transient = [](const Status& s) {
    return s.message().find("has not returned") != std::string::npos ||
           s.message().find("still being announced") != std::string::npos;
  };
  Status s = writer.Reopen();
  for (int tries = 0; transient(s) && tries < 500; ++tries) {
    std::this_thread::sleep_for(10ms);
    s = writer.Reopen();
  }
  return s;
}

TEST_CASE("CutBack takes back durable records, Reopen numbers on after the cut in a new epoch") {
  FaultFileSystem fs(7);
  std::unique_ptr<wal::WalWriter> writer;
  wal::WalOptions options;
  options.segment_bytes = 200;  // a few records a segment: the cut spans segments
  REQUIRE(wal::WalWriter::Open(&fs, "/wal", 1, options, &writer).ok());
  for (int i = 0; i < 20; ++i) REQUIRE(writer->WaitDurable(writer->Append(1, kPayload).position()));
  REQUIRE(writer->CutBack(6, Status(ErrorCode::kUnavailable, "did not count")).ok());
  CHECK(writer->Append(1, kPayload).refusal() == wal::Refusal::kFailed);
  CHECK(writer->CutBack(5, Status(ErrorCode::kUnavailable, "again")).code() ==
        ErrorCode::kUnavailable);
  CHECK_FALSE(writer->WaitDurable(wal::LogPosition{7, 0}));  // taken back
  CHECK(writer->WaitDurable(wal::LogPosition{6, 0}));
  REQUIRE(ReopenOnceExited(*writer).ok());
  wal::Appended next = writer->Append(1, kPayload);
  REQUIRE(next.ok());
  CHECK(next.lsn() == 7);
  CHECK(next.position().epoch == 1);
  REQUIRE(writer->WaitDurable(next.position()));
  CHECK_FALSE(writer->WaitDurable(wal::LogPosition{7, 0}));  // the old epoch's 7 is gone
  REQUIRE(writer->Close().ok());
  CHECK(LoggedLsns(fs) == Range(1, 7));
}

TEST_CASE("CutBack past the log's end is refused and changes nothing") {
  FaultFileSystem fs(8);
  std::unique_ptr<wal::WalWriter> writer;
  REQUIRE(wal::WalWriter::Open(&fs, "/wal", 1, wal::WalOptions{}, &writer).ok());
  REQUIRE(writer->WaitDurable(writer->Append(1, kPayload).position()));
  CHECK(writer->CutBack(2, Status(ErrorCode::kUnavailable, "x")).code() ==
        ErrorCode::kInvalidArgument);
  CHECK(writer->Append(1, kPayload).ok());
  REQUIRE(writer->Close().ok());
  CHECK(LoggedLsns(fs) == Range(1, 2));
}

TEST_CASE("CutLogAfter keeps exactly the records up to the cut, at any place in a segment") {
  for (wal::Lsn last : {wal::Lsn{0}, wal::Lsn{1}, wal::Lsn{5}, wal::Lsn{13}, wal::Lsn{20}}) {
    CAPTURE(last);
    FaultFileSystem fs(9);
    std::unique_ptr<wal::WalWriter> writer;
    wal::WalOptions options;
    options.segment_bytes = 200;
    REQUIRE(wal::WalWriter::Open(&fs, "/wal", 1, options, &writer).ok());
    for (int i = 0; i < 20; ++i) REQUIRE(writer->Append(1, kPayload).ok());
    REQUIRE(writer->Close().ok());
    std::string report;
    REQUIRE(wal::CutLogAfter(&fs, "/wal", last, &report).ok());
    CHECK(LoggedLsns(fs) == Range(1, last));
    CHECK((last == 20) == report.empty());
  }
}

TEST_CASE("CutLogAfter refuses a log that does not reach the cut") {
  FaultFileSystem fs(10);
  std::unique_ptr<wal::WalWriter> writer;
  REQUIRE(wal::WalWriter::Open(&fs, "/wal", 1, wal::WalOptions{}, &writer).ok());
  for (int i = 0; i < 3; ++i) REQUIRE(writer->Append(1, kPayload).ok());
  REQUIRE(writer->Close().ok());
  std::string report;
  Status s = wal::CutLogAfter(&fs, "/wal", 7, &report);
  CHECK(s.code() == ErrorCode::kCorruption);
  CHECK(s.message() ==
        "/wal/00000000000000000001.wal ends at LSN 3: cannot cut the log after LSN 7");
  CHECK(LoggedLsns(fs) == Range(1, 3));
}

}  // namespace
}  // namespace ecomm::testing
