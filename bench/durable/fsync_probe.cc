// What an fdatasync costs on this disk when the file grows (every log append today),
// when it writes into blocks fallocate() reserved (unwritten extents, which ext4 must
// convert: a metadata change again), and when it overwrites blocks already written
// (a pre-zeroed segment): only then has ext4 no inode or extent to write.
//
// Usage: fsync_probe [DIR] [SYNCS] [BYTES], or --dir, --syncs, --bytes (defaults: ., 5000
// syncs of 2048 bytes, about one group-commit batch of one-line orders). Two rounds, each
// mode in turn.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "cli_flags.h"

namespace {

using Clock = std::chrono::steady_clock;

bool WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

enum class Prepared { kNone, kFallocated, kZeroed };

const char* Describe(Prepared prepared) {
  switch (prepared) {
    case Prepared::kNone:
      return "append (file grows)";
    case Prepared::kFallocated:
      return "fallocated";
    case Prepared::kZeroed:
      return "overwrite pre-zeroed";
  }
  return "";
}

// One run: `syncs` times append `bytes` then fdatasync, into a file prepared so.
bool Run(const std::string& path, Prepared prepared, int syncs, size_t bytes) {
  unlink(path.c_str());
  int fd = open(path.c_str(), O_CREAT | O_RDWR | O_TRUNC, 0644);
  if (fd < 0) return std::perror(path.c_str()), false;
  if (prepared == Prepared::kFallocated &&
      fallocate(fd, 0, 0, static_cast<off_t>(syncs * bytes)) != 0) {
    return std::perror("fallocate"), false;
  }
  if (prepared == Prepared::kFallocated && fsync(fd) != 0) return std::perror("fsync"), false;
  if (prepared == Prepared::kZeroed) {
    std::vector<char> zeros(1 << 20, 0);
    for (size_t done = 0; done < syncs * bytes; done += zeros.size()) {
      if (!WriteAll(fd, zeros.data(), zeros.size())) return std::perror("write"), false;
    }
    if (fsync(fd) != 0 || lseek(fd, 0, SEEK_SET) != 0) return std::perror("fsync"), false;
  }
  std::vector<char> record(bytes, 'r');
  std::vector<double> micros;
  auto start = Clock::now();
  for (int i = 0; i < syncs; ++i) {
    auto before = Clock::now();
    if (!WriteAll(fd, record.data(), record.size()) || fdatasync(fd) != 0) {
      return std::perror("append"), false;
    }
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - before).count());
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  close(fd);
  unlink(path.c_str());
  std::sort(micros.begin(), micros.end());
  std::printf("%-22s %7.0f syncs/s  p50 %5.0f us  p99 %5.0f us\n", Describe(prepared),
              syncs / seconds, micros[micros.size() / 2], micros[micros.size() * 99 / 100]);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = ".";
  int syncs = 5000;
  size_t bytes = 2048;
  CLI::App app(
      "What an fdatasync costs on this disk after an append that grows the file, into\n"
      "fallocated blocks, and over pre-zeroed ones.",
      "fsync_probe");
  app.add_option("--dir,dir", dir, "where the probe file goes")->capture_default_str();
  app.add_option("--syncs,syncs", syncs, "appends, each followed by an fdatasync")
      ->check(CLI::Range(1, 10'000'000))
      ->capture_default_str();
  app.add_option("--bytes,bytes", bytes, "bytes per append")
      ->check(CLI::Range(1, 1 << 30))
      ->capture_default_str();
  if (std::optional<int> status = ecomm::tools::ParseFlags(app, argc, argv)) return *status;
  std::string path = dir + "/fsync_probe.dat";
  for (int round = 0; round < 2; ++round) {
    for (Prepared prepared : {Prepared::kNone, Prepared::kFallocated, Prepared::kZeroed}) {
      if (!Run(path, prepared, syncs, bytes)) return 1;
    }
  }
  return 0;
}
