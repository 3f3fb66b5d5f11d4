// ecomm-wal: inspects the write-ahead log, snapshots and cursors of a data directory
// without changing a byte of it (every file operation goes through a read-only file
// system), so that it can examine the evidence of a crash before recovery cuts it.
// It may run beside a live server, but then the batch being written can look like a
// torn tail, and files retention removes mid-run are reported as unreadable.
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli_flags.h"
#include "ecomm/record.h"
#include "ecomm/replica.h"
#include "ecomm/wal/data_dir.h"
#include "ecomm/wal/snapshot_file.h"
#include "log_scan.h"

namespace {

using ecomm::ErrorCode;
using ecomm::Lsn;
using ecomm::RecordType;
using ecomm::Status;
using ecomm::waltool::BadSpot;
using ecomm::waltool::ScannedRecord;
using ecomm::waltool::ScannedSegment;
namespace wal = ecomm::wal;

enum Exit : int { kClean = 0, kCorrupt = 1, kUsage = 2 };

struct Context {
  wal::FileSystem* fs;
  wal::DataDir dirs;
};

void Print(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
}

void Warn(const std::string& line) { std::fprintf(stderr, "ecomm-wal: %s\n", line.c_str()); }

int IoFailure(const Status& s) {
  Warn(s.ToString());
  return kCorrupt;
}

std::string Hex(uint64_t v) {
  char text[19];
  std::snprintf(text, sizeof text, "0x%016" PRIx64, v);
  return text;
}

// The record type's name, or UNKNOWN_<n> for a byte no version of the engine wrote.
std::string TypeName(uint8_t type) {
  std::string_view name = ecomm::Name(static_cast<RecordType>(type));
  return name == "UNKNOWN" ? "UNKNOWN_" + std::to_string(type) : std::string(name);
}

ecomm::Result<ecomm::Record> Decode(const ScannedRecord& r) {
  return ecomm::DecodeRecord(static_cast<RecordType>(r.type), r.payload);
}

std::string Where(const ScannedSegment& segment, const ScannedRecord& r) {
  return "record " + std::to_string(r.lsn) + " in " + segment.path + " at offset " +
         std::to_string(r.offset);
}

// --- dump ---

int Dump(const Context& ctx) {
  int exit = kClean;
  Status s = ecomm::waltool::ScanLog(ctx.fs, ctx.dirs.wal, [&](const ScannedSegment& seg) {
    for (const ScannedRecord& r : seg.records) {
      auto record = Decode(r);
      if (record.ok()) {
        Print(std::to_string(r.lsn) + " " + ecomm::DescribeRecord(*record));
      } else {
        Print(std::to_string(r.lsn) + " " + TypeName(r.type) + " UNDECODABLE " +
              record.status().message());
        exit = kCorrupt;
      }
    }
    // Stdout stays one record per line; what cut a segment short goes to stderr.
    if (seg.bad) {
      Warn(ecomm::waltool::Describe(seg, *seg.bad));
      if (seg.bad->kind != BadSpot::Kind::kTornTail) exit = kCorrupt;
    }
  });
  return s.ok() ? exit : IoFailure(s);
}

// --- verify ---

class Verifier {
 public:
  explicit Verifier(const Context& ctx) : ctx_(ctx) {}

  int Run() {
    if (Status s = ecomm::waltool::ScanLog(ctx_.fs, ctx_.dirs.wal,
                                           [&](const ScannedSegment& seg) { Segment(seg); });
        !s.ok()) {
      return IoFailure(s);
    }
    Summary();
    if (Status s = Snapshots(); !s.ok()) return IoFailure(s);
    Coverage();
    if (Status s = Cursors(); !s.ok()) return IoFailure(s);
    Replay();
    if (problems_ > 0) {
      Print("result: corrupt, " + std::to_string(problems_) + " problem(s)");
      return kCorrupt;
    }
    Print(torn_ ? "result: clean (recovery will cut the torn tail)" : "result: clean");
    return kClean;
  }

 private:
  void Problem(const std::string& line) {
    Print("problem: " + line);
    ++problems_;
  }

  void Segment(const ScannedSegment& seg) {
    ++segments_;
    if (!first_lsn_) first_lsn_ = seg.records.empty() ? seg.name_lsn : seg.records.front().lsn;
    std::string line =
        "segment " + seg.path + ": " + std::to_string(seg.records.size()) + " records";
    if (!seg.records.empty()) {
      last_lsn_ = seg.records.back().lsn;
      line += ", LSN " + std::to_string(seg.records.front().lsn) + "-" + std::to_string(last_lsn_);
    }
    Print(line);
    for (const ScannedRecord& r : seg.records) Record(seg, r);
    if (!seg.bad) return;
    if (seg.bad->kind == BadSpot::Kind::kTornTail) {
      // Only the last segment has one, so nothing follows it: replay ends there too.
      torn_ = true;
      Print("torn tail: " + ecomm::waltool::Describe(seg, *seg.bad) + "; recovery cuts " +
            std::to_string(seg.bytes.size() - seg.bad->offset) + " bytes");
    } else {
      Problem(ecomm::waltool::Describe(seg, *seg.bad));
      // Records after a bad spot would land on a state that misses what it hid.
      log_damaged_ = true;
    }
  }

  // Replays the record into the engine while the log is whole from LSN 1; once that
  // is impossible, only checks that it decodes.
  void Record(const ScannedSegment& seg, const ScannedRecord& r) {
    ++records_;
    if (!replaying_ && !log_damaged_ && records_ == 1 && r.lsn == 1) replaying_ = true;
    auto record = Decode(r);
    if (!record.ok()) {
      Problem(Where(seg, r) + " does not decode: " + record.status().message());
      log_damaged_ = true;
      return;
    }
    if (!replaying_ || log_damaged_) return;
    if (ecomm::Status s = replica_.Apply(*record, r.lsn); !s.ok()) {
      Problem(Where(seg, r) + " does not replay: " + s.message());
      log_damaged_ = true;
      return;
    }
    replayed_lsn_ = r.lsn;
  }

  void Summary() {
    if (records_ == 0) {
      Print("wal: no records, " + std::to_string(segments_) + " segment(s)");
    } else {
      Print("wal: " + std::to_string(records_) + " records, " + std::to_string(segments_) +
            " segment(s), LSN " + std::to_string(*first_lsn_) + "-" + std::to_string(last_lsn_));
    }
  }

  // Verifies every snapshot; recovery starts from the newest one that verifies.
  Status Snapshots() {
    std::vector<wal::SnapshotInfo> snapshots;
    if (Status s = wal::ListSnapshots(ctx_.fs, ctx_.dirs.snapshots, &snapshots); !s.ok()) {
      return s;
    }
    for (auto it = snapshots.rbegin(); it != snapshots.rend(); ++it) {
      std::string path = wal::JoinPath(ctx_.dirs.snapshots, it->name);
      wal::SnapshotImage image;
      Status read = wal::ReadSnapshot(ctx_.fs, path, &image);
      if (read.code() == ErrorCode::kIOError) return read;
      if (!read.ok()) {
        Problem("snapshot " + read.message());
      } else if (image.lsn != it->lsn) {
        Problem("snapshot " + path + " holds LSN " + std::to_string(image.lsn) +
                " but its name says " + std::to_string(it->lsn));
      } else {
        Print("snapshot " + path + ": ok, LSN " + std::to_string(image.lsn) + ", " +
              std::to_string(image.chunks.size()) + " chunks");
        if (!snapshot_lsn_) snapshot_lsn_ = image.lsn;
      }
    }
    if (snapshot_lsn_) {
      Print("recovery: newest valid snapshot at LSN " + std::to_string(*snapshot_lsn_) +
            " (its chunks' contents are checked only when the engine loads it)");
    } else {
      Print("recovery: no valid snapshot, the log must start at LSN 1");
    }
    return Status::Ok();
  }

  // Recovery needs every record after its snapshot.
  void Coverage() {
    Lsn from = snapshot_lsn_.value_or(0);
    if (records_ > 0 && *first_lsn_ > from + 1) {
      Problem("the log starts at LSN " + std::to_string(*first_lsn_) + " but recovery needs LSN " +
              std::to_string(from + 1) + " onwards: records " + std::to_string(from + 1) + "-" +
              std::to_string(*first_lsn_ - 1) + " are missing");
    }
    // Only a whole log can be said to end early; a damaged one ends at its damage.
    if (records_ > 0 && last_lsn_ < from && !log_damaged_) {
      Print("note: the log ends at LSN " + std::to_string(last_lsn_) +
            ", before the snapshot; recovery resumes at LSN " + std::to_string(from + 1));
    }
  }

  Status Cursors() {
    std::vector<std::string> names;
    Status s = ctx_.fs->ListDir(ctx_.dirs.cursors, &names);
    if (s.code() == ErrorCode::kFileNotFound) return Status::Ok();
    if (!s.ok()) return s;
    for (const std::string& name : names) {
      if (name.ends_with(".tmp")) continue;  // an unfinished write, ignored like MinCursor does
      std::string path = wal::JoinPath(ctx_.dirs.cursors, name);
      Lsn lsn = 0;
      Status read = wal::ReadCursor(ctx_.fs, path, &lsn);
      if (read.code() == ErrorCode::kIOError) return read;
      if (read.ok()) {
        Print("cursor " + path + ": LSN " + std::to_string(lsn));
      } else {
        Problem("cursor " + read.message());
      }
    }
    return Status::Ok();
  }

  void Replay() {
    if (replaying_) {
      Print(replayed_lsn_ == 0 ? std::string("replay: no record applied")
                               : "replay: applied LSN 1-" + std::to_string(replayed_lsn_) +
                                     (log_damaged_ ? ", stopped by a problem above" : ""));
      Print("digest " + Hex(replica_.Digest()) + " at LSN " + std::to_string(replayed_lsn_));
    } else if (records_ == 0 && snapshot_lsn_.value_or(0) == 0) {
      Print("replay: no records");
      Print("digest " + Hex(replica_.Digest()) + " at LSN 0");
    } else if (records_ == 0) {
      Print(
          "replay: no records; the state is in the snapshot, which only the engine's "
          "recovery can load");
    } else {
      Print("replay: not possible from the public API, the state before LSN " +
            std::to_string(*first_lsn_) +
            " is only in a snapshot; every record was decoded "
            "instead");
    }
  }

  const Context& ctx_;
  ecomm::Replica replica_;
  uint64_t problems_ = 0;
  bool torn_ = false;
  uint64_t segments_ = 0;
  uint64_t records_ = 0;
  std::optional<Lsn> first_lsn_;
  Lsn last_lsn_ = 0;
  std::optional<Lsn> snapshot_lsn_;
  bool replaying_ = false;
  bool log_damaged_ = false;  // records after a problem in the log are not replayed
  Lsn replayed_lsn_ = 0;
};

// --- stats ---

int Stats(const Context& ctx) {
  int exit = kClean;
  uint64_t segments = 0;
  uint64_t bytes = 0;
  uint64_t records = 0;
  std::map<uint8_t, uint64_t> by_type;
  Status s = ecomm::waltool::ScanLog(ctx.fs, ctx.dirs.wal, [&](const ScannedSegment& seg) {
    ++segments;
    bytes += seg.bytes.size();
    records += seg.records.size();
    std::string line =
        "segment " + seg.name + " bytes=" + std::to_string(seg.bytes.size()) + " first_lsn=";
    line += seg.records.empty() ? "-" : std::to_string(seg.records.front().lsn);
    line += " last_lsn=";
    line += seg.records.empty() ? "-" : std::to_string(seg.records.back().lsn);
    line += " records=" + std::to_string(seg.records.size());
    if (seg.bad) {
      line += std::string(" unreadable_from=") + std::to_string(seg.bad->offset) + " (" +
              ecomm::waltool::Describe(seg.bad->kind) + ")";
      if (seg.bad->kind != BadSpot::Kind::kTornTail) exit = kCorrupt;
    }
    Print(line);
    for (const ScannedRecord& r : seg.records) ++by_type[r.type];
  });
  if (!s.ok()) return IoFailure(s);
  Print("segments " + std::to_string(segments));
  Print("wal_bytes " + std::to_string(bytes));
  Print("records_total " + std::to_string(records));
  // Every known type, zeros included, so the output has the same lines for any log.
  for (uint8_t t = 1; t <= static_cast<uint8_t>(RecordType::kAdvanceClock); ++t) by_type[t];
  for (const auto& [type, count] : by_type) {
    Print("records " + TypeName(type) + " " + std::to_string(count));
  }

  std::vector<wal::SnapshotInfo> snapshots;
  if (Status l = wal::ListSnapshots(ctx.fs, ctx.dirs.snapshots, &snapshots); !l.ok()) {
    return IoFailure(l);
  }
  for (const wal::SnapshotInfo& info : snapshots) {
    wal::SnapshotImage image;
    Status read = wal::ReadSnapshot(ctx.fs, wal::JoinPath(ctx.dirs.snapshots, info.name), &image);
    if (read.code() == ErrorCode::kIOError) return IoFailure(read);
    std::string line = "snapshot " + info.name + " bytes=" + std::to_string(image.bytes.size()) +
                       " lsn=" + std::to_string(info.lsn);
    if (read.ok()) {
      line += " chunks=" + std::to_string(image.chunks.size());
    } else {
      line += " invalid";
      exit = kCorrupt;
    }
    Print(line);
  }
  Print("snapshots " + std::to_string(snapshots.size()));

  std::vector<std::string> names;
  Status listed = ctx.fs->ListDir(ctx.dirs.cursors, &names);
  if (!listed.ok() && listed.code() != ErrorCode::kFileNotFound) return IoFailure(listed);
  uint64_t cursors = 0;
  for (const std::string& name : names) {
    if (name.ends_with(".tmp")) continue;
    ++cursors;
    Lsn lsn = 0;
    Status read = wal::ReadCursor(ctx.fs, wal::JoinPath(ctx.dirs.cursors, name), &lsn);
    if (read.code() == ErrorCode::kIOError) return IoFailure(read);
    if (read.ok()) {
      Print("cursor " + name + " lsn=" + std::to_string(lsn));
    } else {
      Print("cursor " + name + " invalid");
      exit = kCorrupt;
    }
  }
  Print("cursors " + std::to_string(cursors));
  return exit;
}

// --- command line ---

struct Options {
  std::string command;
  std::string data_dir = "./data";
};

// The exit status to stop with (0 after --help, 2 on a bad command line), or nothing
// when the program should go on with *options.
std::optional<int> ParseArgs(int argc, char** argv, Options* options) {
  CLI::App app("Inspects the data directory DIR without modifying it.", "ecomm-wal");
  app.add_option("command", options->command, "dump | verify | stats")
      ->required()
      ->check(CLI::IsMember({"dump", "verify", "stats"}));
  app.add_option("--data-dir", options->data_dir, "the data directory")
      ->capture_default_str()
      ->check([](const std::string& dir) { return dir.empty() ? "empty --data-dir" : ""; });
  app.footer(
      "commands:\n"
      "  dump    one line per record: LSN TYPE fields\n"
      "  verify  checks segment headers, record checksums and LSN continuity, tells a torn\n"
      "          tail from corruption, verifies snapshots and cursors, and replays the log\n"
      "          into a fresh engine to print its state digest\n"
      "  stats   segments (name, bytes, LSN range, records), record counts by type,\n"
      "          snapshots and cursors\n"
      "\n"
      "exit status: 0 clean (a torn tail is clean: recovery cuts it), 1 corruption found\n"
      "or a file unreadable, 2 usage error");
  return ecomm::tools::ParseFlags(app, argc, argv);
}

}  // namespace

int main(int argc, char** argv) {
  Options parsed;
  if (std::optional<int> exit = ParseArgs(argc, argv, &parsed)) return *exit;
  const Options* options = &parsed;
  ecomm::waltool::ReadOnlyFileSystem fs(wal::FileSystem::Posix());
  // A mistyped path must not read as an empty, hence clean, log.
  std::vector<std::string> entries;
  if (Status s = fs.ListDir(options->data_dir, &entries); !s.ok()) {
    Warn("cannot read data directory: " + s.ToString());
    return kUsage;
  }
  Context ctx{&fs, wal::DataDir(options->data_dir)};
  if (options->command == "dump") return Dump(ctx);
  if (options->command == "verify") return Verifier(ctx).Run();
  return Stats(ctx);
}
