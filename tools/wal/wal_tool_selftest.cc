// Checks the ecomm-wal binary (argv[1]) end to end: builds a small data directory with
// ecomm::Database, runs dump, verify and stats on it, then damages the log twice, a
// torn tail (which the tool must report as clean and leave in place) and a flipped
// byte mid-log (which it must report with its file and offset, exit status 1).
#include <sys/wait.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "ecomm/bytes.h"
#include "ecomm/database.h"
#include "ecomm/wal/data_dir.h"
#include "ecomm/wal/file.h"
#include "ecomm/wal/log_format.h"
#include "replay.h"

namespace {

namespace wal = ecomm::wal;
using ecomm::AsBytes;

int failures = 0;

struct Run {
  int exit = -1;
  std::string out;  // stdout and stderr
};

Run RunTool(const std::string& tool, const std::string& args) {
  Run run;
  std::string command = "'" + tool + "' " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, n);
  int status = pclose(pipe);
  run.exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

void Expect(bool ok, const std::string& what, const Run& run) {
  if (ok) return;
  ++failures;
  std::fprintf(stderr, "FAIL: %s (exit %d), output:\n%s\n", what.c_str(), run.exit,
               run.out.c_str());
}

bool Contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

template <class T>
const T& Must(const ecomm::Result<T>& result, const char* what) {
  if (!result.ok()) {
    std::fprintf(stderr, "setup failed: %s: %s\n", what, result.status().message().c_str());
    std::exit(1);
  }
  return *result;
}

// One record of every type, each made durable before the next is appended, so that
// every later frame carries a synced LSN covering the earlier ones and a damaged
// frame in the middle is provably corruption, not a torn write. Returns the digest.
uint64_t BuildDataDir(const std::string& dir) {
  ecomm::ManualClock clock(1'795'608'030'000);
  ecomm::DatabaseOptions options;
  options.data_dir = dir;
  options.snapshot_every = 0;
  options.clock = &clock;
  options.log = [](std::string_view) {};
  auto opened = ecomm::Database::Open(options);
  ecomm::Database& db = *Must(opened, "open");
  ecomm::Engine& engine = db.engine();
  auto durable = [&](const auto& committed, const char* what) {
    auto value = Must(committed, what);
    if (!engine.WaitDurable(value.ticket).ok()) {
      std::fprintf(stderr, "setup failed: %s not durable\n", what);
      std::exit(1);
    }
    return value;
  };
  durable(engine.CreateUser({"alice", "Alice", "alice@example.com"}), "create user");
  durable(engine.CreateProduct({"p-1", "Widget", 250, 10}), "create product");
  durable(engine.Restock("p-1", 5), "restock");
  durable(engine.Charge("alice", 1000), "charge");
  durable(engine.AddToCart("alice", "p-1", 1), "cart add");
  durable(engine.RemoveFromCart("alice", "p-1"), "cart remove");
  ecomm::OrderRequest order{"alice", std::vector<ecomm::OrderLine>{{"p-1", 2}}, false};
  auto placed = durable(engine.PlaceOrder(order), "place order").value;
  durable(engine.CancelOrder(placed.order_id.ToString()), "cancel order");
  durable(engine.AdvanceClock(60), "advance clock");
  uint64_t digest = ecomm::StateDigest(engine);
  if (ecomm::Status s = db.Close(); !s.ok()) {
    std::fprintf(stderr, "setup failed: close: %s\n", s.message().c_str());
    std::exit(1);
  }
  return digest;
}

std::string Hex(uint64_t v) {
  char text[19];
  std::snprintf(text, sizeof text, "0x%016" PRIx64, v);
  return text;
}

// Calls `visit(offset, lsn)` for each frame of a segment; returns where its frames end
// (where its zero tail begins).
size_t ForEachFrame(const std::string& segment,
                    const std::function<void(size_t, wal::Lsn)>& visit) {
  auto data = AsBytes(segment);
  size_t offset = wal::kSegmentHeaderSize;
  wal::Frame frame;
  while (wal::ParseFrame(data.subspan(offset), &frame) == wal::FrameError::kNone) {
    visit(offset, frame.lsn);
    offset += frame.size;
  }
  return offset;
}

// The offset of the frame holding `lsn` in a segment, or 0 when it has none.
size_t FrameOffset(const std::string& segment, wal::Lsn lsn) {
  size_t found = 0;
  ForEachFrame(segment, [&](size_t offset, wal::Lsn at) {
    if (at == lsn) found = offset;
  });
  return found;
}

size_t FramesEnd(const std::string& segment) {
  return ForEachFrame(segment, [](size_t, wal::Lsn) {});
}

void CheckCleanLog(const std::string& tool, const std::string& args, uint64_t digest) {
  Run dump = RunTool(tool, "dump " + args);
  Expect(dump.exit == 0, "dump exits 0", dump);
  const char* names[] = {"CREATE_USER", "CREATE_PRODUCT", "RESTOCK",
                         "CHARGE",      "CART_ADD",       "CART_REMOVE",
                         "PLACE_ORDER", "CANCEL_ORDER",   "ADVANCE_CLOCK"};
  std::istringstream lines(dump.out);
  std::string line;
  size_t count = 0;
  for (; std::getline(lines, line); ++count) {
    std::string prefix =
        count < std::size(names) ? std::to_string(count + 1) + " " + names[count] + " " : "";
    Expect(count < std::size(names) && line.starts_with(prefix), "dump line " + prefix, dump);
  }
  Expect(count == std::size(names), "dump prints one line per record", dump);
  Expect(Contains(dump.out, "user=alice"), "dump describes fields", dump);

  Run verify = RunTool(tool, "verify " + args);
  Expect(verify.exit == 0, "verify exits 0", verify);
  Expect(Contains(verify.out, "digest " + Hex(digest) + " at LSN 9"),
         "verify's digest is the engine's", verify);
  Expect(Contains(verify.out, "snapshot") && Contains(verify.out, "ok, LSN 9"),
         "verify checks the snapshot", verify);
  Expect(Contains(verify.out, "result: clean"), "verify says clean", verify);

  Run stats = RunTool(tool, "stats " + args);
  Expect(stats.exit == 0, "stats exits 0", stats);
  for (const char* name : names) {
    Expect(Contains(stats.out, std::string("records ") + name + " 1\n"),
           "stats counts " + std::string(name), stats);
  }
  Expect(Contains(stats.out, "records_total 9\n"), "stats total", stats);
  Expect(Contains(stats.out, "segment " + wal::SegmentFileName(1) + " bytes="),
         "stats lists the segment", stats);
  Expect(Contains(stats.out, "first_lsn=1 last_lsn=9 records=9"), "stats LSN range", stats);
  Expect(Contains(stats.out, "snapshot 00000000000000000009.snap bytes="), "stats snapshot", stats);
  Expect(Contains(stats.out, "cursors 0\n"), "stats cursors", stats);
}

void CheckUsage(const std::string& tool) {
  Run help = RunTool(tool, "--help");
  Expect(help.exit == 0 && Contains(help.out, "ecomm-wal") && Contains(help.out, "--data-dir"),
         "--help", help);
  Run none = RunTool(tool, "");
  Expect(none.exit == 2, "no command is a usage error", none);
  Run unknown = RunTool(tool, "frobnicate");
  Expect(unknown.exit == 2, "unknown command is a usage error", unknown);
  Run flag = RunTool(tool, "verify --frobnicate");
  Expect(flag.exit == 2, "unknown option is a usage error", flag);
  Run missing = RunTool(tool, "verify --data-dir /nonexistent/ecomm-wal-selftest");
  Expect(missing.exit == 2, "a missing data dir is a usage error", missing);
}

void CheckTornTail(const std::string& tool, const std::string& args, const std::string& segment) {
  std::string original = ReadAll(segment);
  // The first bytes of a frame for the next LSN: the write a crash interrupted.
  std::string frame;
  std::string payload = "x";
  wal::AppendFrame(10, 9, 9, AsBytes(payload), &frame);
  size_t end = FramesEnd(original);
  std::string torn = original;
  torn.replace(end, 20, frame.substr(0, 20));  // over the zero tail, where the writer writes
  WriteAll(segment, torn);
  Run verify = RunTool(tool, "verify " + args);
  Expect(verify.exit == 0, "a torn tail is clean", verify);
  Expect(Contains(verify.out,
                  "torn tail: " + segment + ": torn tail at offset " + std::to_string(end)),
         "verify names the torn tail", verify);
  Expect(ReadAll(segment) == torn, "verify leaves the torn tail in place", verify);
  WriteAll(segment, original);
}

void CheckCorruption(const std::string& tool, const std::string& args, const std::string& segment) {
  std::string original = ReadAll(segment);
  size_t offset = FrameOffset(original, 3);
  std::string damaged = original;
  damaged[offset + wal::kFrameHeaderSize + 1] ^= 0x40;
  WriteAll(segment, damaged);
  std::string where = segment + ": corruption at offset " + std::to_string(offset);
  Run verify = RunTool(tool, "verify " + args);
  Expect(offset > 0 && verify.exit == 1, "a flipped byte is corruption", verify);
  Expect(Contains(verify.out, "problem: " + where + ": record checksum mismatch"),
         "verify names file and offset", verify);
  Expect(Contains(verify.out, "digest ") && Contains(verify.out, "at LSN 2"),
         "replay stops before the damage", verify);
  Run dump = RunTool(tool, "dump " + args);
  Expect(dump.exit == 1 && Contains(dump.out, where), "dump reports the corruption", dump);
  Run stats = RunTool(tool, "stats " + args);
  Expect(stats.exit == 1 && Contains(stats.out, "unreadable_from=" + std::to_string(offset)),
         "stats reports the corruption", stats);
  Expect(ReadAll(segment) == damaged, "the tool changes nothing", verify);
  WriteAll(segment, original);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: wal_tool_selftest PATH_TO_ECOMM_WAL\n");
    return 2;
  }
  std::string tool = argv[1];
  char dir_template[] = "/tmp/ecomm-wal-selftest-XXXXXX";
  if (mkdtemp(dir_template) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  std::string dir = dir_template;
  uint64_t digest = BuildDataDir(dir);
  std::string args = "--data-dir '" + dir + "'";
  std::string segment = wal::JoinPath(wal::DataDir(dir).wal, wal::SegmentFileName(1));

  CheckCleanLog(tool, args, digest);
  CheckUsage(tool);
  CheckTornTail(tool, args, segment);
  CheckCorruption(tool, args, segment);
  CheckCleanLog(tool, args, digest);  // every damage was undone, and nothing else changed

  std::filesystem::remove_all(dir);
  if (failures > 0) {
    std::fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  std::printf("ecomm-wal selftest passed\n");
  return 0;
}
