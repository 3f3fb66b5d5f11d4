// Writes the seed corpora of the fuzz targets into DIR/<target>/: valid encodings of
// every record type, segments built from them (whole, torn, damaged, empty) and
// snapshot and cursor files. Random bytes almost never pass a checksum; seeds that
// already do let the fuzzer spend its time behind the checksums.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ecomm/wal/log_format.h"
#include "ecomm/wal/snapshot_file.h"
#include "fuzz_support.h"
#include "support/fault_file_system.h"

namespace {

namespace fs = std::filesystem;
namespace wal = ecomm::wal;
using ecomm::AsBytes;
using ecomm::fuzz::Check;

void Write(const fs::path& dir, const std::string& name, const std::string& bytes) {
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out << bytes;
  Check(out.good(), "writing a seed");
}

std::vector<ecomm::Record> AllRecords() {
  std::vector<ecomm::Record> records = ecomm::fuzz::SetupRecords();
  for (ecomm::Record& r : ecomm::fuzz::SampleRecords()) records.push_back(r);
  return records;
}

std::string Encode(const ecomm::Record& record) {
  std::string payload;
  ecomm::EncodeRecord(record, &payload);
  return payload;
}

// A segment holding `records` from `first_lsn` on, each synced before the next, as a
// writer that waits for every record writes it.
std::string Segment(wal::Lsn first_lsn, const std::vector<ecomm::Record>& records) {
  std::string segment;
  wal::AppendSegmentHeader(first_lsn, &segment);
  wal::Lsn lsn = first_lsn;
  for (const ecomm::Record& record : records) {
    wal::AppendFrame(lsn, lsn - 1, static_cast<uint8_t>(ecomm::TypeOf(record)),
                     AsBytes(Encode(record)), &segment);
    ++lsn;
  }
  return segment;
}

void RecordSeeds(const fs::path& dir) {
  int i = 0;
  for (const ecomm::Record& record : AllRecords()) {
    std::string seed(1, static_cast<char>(ecomm::TypeOf(record)));
    seed += Encode(record);
    Write(dir, std::to_string(i++) + "-" + std::string(ecomm::Name(ecomm::TypeOf(record))), seed);
  }
}

void SegmentSeeds(const fs::path& dir) {
  std::string whole = Segment(1, AllRecords());
  Write(dir, "whole", whole);
  Write(dir, "after-snapshot", Segment(8, ecomm::fuzz::SampleRecords()));
  Write(dir, "header-only", Segment(1, {}));
  Write(dir, "torn", whole.substr(0, whole.size() - 5));
  std::string damaged = whole;
  damaged[wal::kSegmentHeaderSize + wal::kFrameHeaderSize + 3] ^= 1;
  Write(dir, "damaged-first-frame", damaged);
}

void SnapshotSeeds(const fs::path& dir) {
  ecomm::testing::FaultFileSystem memory(0);
  auto snapshot = [&](wal::Lsn lsn, const std::vector<ecomm::Record>& records) {
    std::unique_ptr<wal::SnapshotWriter> writer;
    Check(wal::SnapshotWriter::Create(&memory, "/snapshots", lsn, &writer).ok(), "create");
    for (const ecomm::Record& record : records) {
      Check(writer->Add(static_cast<uint8_t>(ecomm::TypeOf(record)), AsBytes(Encode(record))).ok(),
            "add");
    }
    Check(writer->Commit().ok(), "commit");
    std::string path = wal::JoinPath("/snapshots", wal::SnapshotFileName(lsn));
    Check(memory.Exists(path), "read");
    return memory.Contents(path);
  };
  Write(dir, "records", snapshot(7, ecomm::fuzz::SetupRecords()));
  Write(dir, "empty", snapshot(0, {}));
  Check(wal::WriteCursor(&memory, "/cursors", "reader", 42).ok(), "cursor");
  Check(memory.Exists("/cursors/reader"), "read cursor");
  Write(dir, "cursor", memory.Contents("/cursors/reader"));
}

// request_fuzz inputs: route byte, key byte, then a body that the route accepts.
void RequestSeeds(const fs::path& dir) {
  const std::pair<uint8_t, std::string> seeds[] = {
      {0, R"({"userId":"u1","amount":500})"},
      {8, R"({"userId":"u1","items":[{"productId":"p1","quantity":2}]})"},
      {8, R"({"userId":"u1","fromCart":true})"},
      {12, R"({"userId":"u1","productId":"p1","quantity":3})"},
      {15, R"({"userId":"u9","name":"N","email":"e@x"})"},
      {4, R"({"productId":"p9","name":"N","price":5,"stock":9})"},
      {17, R"({"advanceSeconds":60})"},
      {21, R"({"couponId":"c1","name":"C","discountType":"PERCENT","discountValue":10,)"
           R"("totalQuantity":5,"maxDiscount":100,"validFrom":"2000-01-01T00:00:00Z"})"},
      {23, R"({"userId":"u1"})"},
      {1, "userId=u1"},
      {2, "userId=u1&limit=2"},
      // CVE-2024-38517 (RapidJSON 1.1.0 exponent overflow) and its neighbours: the
      // screen in base/src/untrusted_json.cc must refuse each before RapidJSON parses a number.
      {0, R"({"userId":"u1","amount":0.0000000000e-2147483639})"},
      {0, R"({"userId":"u1","amount":1e-2147483648})"},
      {0, R"({"userId":"u1","amount":9e2147483647})"},
      {0, R"({"userId":"u1","amount":5,"x":-0.0e-99999999999})"},
      {8, R"({"userId":"u1","items":[{"productId":"p1","quantity":1.0e-2147483639}]})"},
      {12, R"({"userId":"u1","productId":"p1","quantity":123456789012345678901234567890})"},
      {17, R"({"advanceSeconds":6e1})"},
      // Invalid UTF-8 in the path id and query, which answers must not echo raw.
      {6, "\xff\xfe%FF%C0%AF"},
      {1, "userId=%ED%A0%80"},
  };
  int i = 0;
  for (const auto& [route, body] : seeds) {
    Write(dir, std::to_string(i++), std::string(1, static_cast<char>(route)) + '\x01' + body);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_corpus DIR\n");
    return 2;
  }
  fs::path root = argv[1];
  RecordSeeds(root / "record_fuzz");
  SegmentSeeds(root / "wal_segment_fuzz");
  SnapshotSeeds(root / "snapshot_fuzz");
  RequestSeeds(root / "request_fuzz");
  return 0;
}
