// Generated ids (orders, payments, transactions): version 4 with the RFC 4122
// variant, distinct across threads, every random bit unbiased, and a forked child does
// not repeat its parent's ids.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "ecomm/types.h"
#include "support/threads.h"

namespace ecomm::testing {
namespace {

TEST_CASE("ids drawn on many threads are distinct version 4 UUIDs with unbiased bits") {
  constexpr int kThreads = 8;
  constexpr size_t kPerThread = 20'000;  // each thread refills its pool many times
  std::vector<std::vector<Uuid>> drawn(kThreads);
  RunConcurrently(kThreads, [&](int t) {
    drawn[t].reserve(kPerThread);
    for (size_t i = 0; i < kPerThread; ++i) drawn[t].push_back(Uuid::Random());
  });
  std::vector<Uuid> all;
  for (const auto& ids : drawn) all.insert(all.end(), ids.begin(), ids.end());
  // How often each of the 128 bits is set: 4 fixed, the other 122 near half the time.
  std::array<size_t, 128> ones{};
  size_t malformed = 0;
  for (const Uuid& id : all) {
    // Version 4, RFC 4122 variant.
    if (((id.hi >> 12) & 0xF) != 4 || (id.lo >> 62) != 0b10) ++malformed;
    for (int b = 0; b < 64; ++b) {
      ones[b] += (id.hi >> b) & 1;
      ones[64 + b] += (id.lo >> b) & 1;
    }
  }
  CHECK(malformed == 0);
  size_t fixed = 0;
  for (int b = 0; b < 128; ++b) {
    if (ones[b] == 0 || ones[b] == all.size()) {
      ++fixed;
      continue;
    }
    // 160 000 draws: a fair bit lands within 0.4 % of half; 5 % is 40 standard deviations.
    INFO("bit ", b);
    CHECK(ones[b] > all.size() * 45 / 100);
    CHECK(ones[b] < all.size() * 55 / 100);
  }
  CHECK(fixed == 6);  // the 4 version bits and the 2 variant bits
  std::sort(all.begin(), all.end());
  CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());
}

TEST_CASE("a forked child does not hand out the ids its parent hands out next") {
  (void)Uuid::Random();  // the parent's pool now holds unused bytes the child inherits
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    Uuid id = Uuid::Random();
    bool sent = write(fds[1], &id, sizeof id) == static_cast<ssize_t>(sizeof id);
    _exit(sent ? 0 : 1);
  }
  close(fds[1]);
  Uuid child;
  ssize_t n = read(fds[0], &child, sizeof child);
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(n == static_cast<ssize_t>(sizeof child));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(Uuid::Random() != child);
}

}  // namespace
}  // namespace ecomm::testing
