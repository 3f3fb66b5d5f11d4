// A real full disk: the server's data directory on a tmpfs of a few MiB that the test
// mounts (as root) and fills. Writes answer 503 UNAVAILABLE; no read ever shows a
// refused charge or order; once space is freed, writes resume by themselves; after a
// restart every acknowledged write is there. Skipped, with a message, where mounting
// is not permitted.
#include <doctest/doctest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "e2e/support/http_helpers.h"
#include "e2e/support/server_process.h"

namespace ecomm::testing {
namespace {

using namespace std::chrono_literals;

// A tmpfs of `size` mounted for the test's lifetime; mounted() false when refused.
class SmallTmpfs {
 public:
  explicit SmallTmpfs(const char* size)
      : path_(std::filesystem::temp_directory_path() /
              ("ecomm-tmpfs-" + std::to_string(getpid()))) {
    std::filesystem::create_directories(path_);
    std::string options = std::string("size=") + size;
    if (mount("tmpfs", path_.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      why_ = std::strerror(errno);
    } else {
      mounted_ = true;
    }
  }
  ~SmallTmpfs() {
    if (mounted_) umount2(path_.c_str(), MNT_DETACH);
    std::filesystem::remove_all(path_);
  }
  bool mounted() const { return mounted_; }
  const std::string& why() const { return why_; }
  std::string Path(const char* name) const { return (path_ / name).string(); }

  // Writes `path` until the file system has no room left.
  void Fill(const std::string& path) const {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f != nullptr);
    std::string chunk(4096, 'x');
    while (std::fwrite(chunk.data(), 1, chunk.size(), f) == chunk.size() && std::fflush(f) == 0) {
    }
    std::fclose(f);
  }

 private:
  std::filesystem::path path_;
  bool mounted_ = false;
  std::string why_;
};

std::string HealthStatus(httplib::Client& c) {
  HttpReply health = Get(c, "/healthz");
  return health.status == 0 ? "" : Str(health.Json(), "status");
}

bool ReachesStatus(httplib::Client& c, const std::string& status) {
  for (int i = 0; i < 2000; ++i) {
    if (HealthStatus(c) == status) return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

TEST_CASE("e2e: a full disk answers 503, shows no refused write, and resumes once freed") {
  SmallTmpfs disk("4m");
  if (!disk.mounted()) {
    MESSAGE("skipped: cannot mount a tmpfs here (", disk.why(), "); run the tests as root");
    return;
  }
  std::filesystem::create_directories(disk.Path("server"));
  ServerProcess server(
      {"--data-dir", disk.Path("server/data"), "--demo-data", "--snapshot-every", "0"});
  server.Start();
  auto client = server.Client();
  httplib::Client& c = *client;
  const int64_t start = BalanceOf(c, "alice");
  const rapidjson::SizeType orders = AllPages(c, "/orders?userId=alice").Size();
  int64_t acknowledged = 0;  // charged and answered 200
  // Every read that answers shows exactly the acknowledged charges.
  auto check_balance = [&] {
    HttpReply r = Get(c, "/balance?userId=alice");
    if (r.status == 503) {
      CheckProblem(r, 503, "UNAVAILABLE");  // reloading the durable state
    } else {
      CHECK(Int(CheckJson(r), "currentBalance") == start + acknowledged);
    }
  };
  auto charge = [&](int64_t amount) {
    HttpReply r = Charge(c, "alice", amount);
    if (r.status == 200) {
      acknowledged += amount;
    } else {
      CheckProblem(r, 503, "UNAVAILABLE");
    }
    return r.status;
  };

  REQUIRE(charge(100) == 200);
  disk.Fill(disk.Path("filler"));
  // The open segment's zeros, written ahead of its frames (up to 1 MiB), still take
  // records: some 14,000 charges of 73 bytes.
  int refused = 0;
  for (int i = 0; i < 50'000 && refused == 0; ++i) {
    if (charge(1) == 503) ++refused;
    check_balance();
  }
  REQUIRE(refused == 1);
  HttpReply order = PlaceOrder(c, "alice", {{"p-cable", 1}});
  CHECK(order.status == 503);
  REQUIRE(ReachesStatus(c, "read-only"));
  check_balance();
  CHECK(AllPages(c, "/orders?userId=alice").Size() == orders);
  CheckProblem(Charge(c, "alice", 1), 503, "UNAVAILABLE");
  CHECK(MetricValue(c, "ecomm_log_state{state=\"read-only\"}") == 1);
  CHECK(MetricValue(c, "ecomm_wal_failures_total") >= 1);

  std::filesystem::remove(disk.Path("filler"));
  REQUIRE(ReachesStatus(c, "ok"));
  REQUIRE(charge(5) == 200);
  check_balance();
  CHECK(MetricValue(c, "ecomm_log_resumes_total") >= 1);

  REQUIRE(server.Stop() == 0);
  server.Start();
  auto after = server.Client();
  CHECK(BalanceOf(*after, "alice") == start + acknowledged);
}

}  // namespace
}  // namespace ecomm::testing
