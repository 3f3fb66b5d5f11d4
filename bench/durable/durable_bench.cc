// Durability benchmarks: what the write-ahead log costs and what it buys, on a real disk.
//
// Usage:
//   durable_bench commit --committers N --seconds S --dir D [--op charge|order]
//                        [--fsync always|interval:MS|off] [--memory] [--async T] [--runs R]
//   durable_bench recovery --gigabytes G --dir D [--runs R] [--build-fsync POLICY] [--warm]
//   durable_bench snapshot --users N --dir D [--snapshots K] [--committers C]
//                          [--orders O] [--baseline-ms MS] [--on-main-thread]
//   (every subcommand also takes --keep: leave the data directory behind; flags are
//   also --name=value, and `durable_bench SUBCOMMAND --help` lists them)
//
// Each subcommand works in a fresh directory made under D and removed at the end. D
// must be on the disk being judged: on a tmpfs fdatasync costs nothing and every
// durable number below would be a fiction, so the file system under D is printed first.
//
// commit: each of N committers runs a closed loop (a mutation, then wait until it is
// durable). By default each committer is a thread blocking in WaitDurable; --async T
// multiplexes the N committers on T threads that learn of durability via OnDurable,
// as an event-loop server would. --memory runs the same loop on an Engine without a
// journal (nothing to wait for): the in-memory ceiling to compare with.
//
// Output: informational lines start with "#"; every measured run is one line of
// name=value fields, and with --runs > 1 a "median" line follows (the median of each
// field on its own, so the median line need not be any single run).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <latch>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "cli_flags.h"
#include "ecomm/database.h"
#include "ecomm/engine.h"
#include "ecomm/histogram.h"
#include "ecomm/wal/wal_writer.h"
#include "replay.h"  // StateDigest: the engine library's own check that recovery is exact

namespace ecomm {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr size_t kUsers = 10'000;
constexpr size_t kProducts = 1'000;
constexpr Money kPrice = 1;
// One maximal charge pays for 10^9 one-unit orders and a product stocked to the 10^12
// limit outlasts any run, so no order of a run can fail for want of money or stock.
constexpr Money kOpeningCharge = limits::kMaxChargeAmount;
constexpr Quantity kOpeningStock = limits::kMaxStock;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "durable_bench: %s\n", message.c_str());
  std::exit(1);
}

// A benchmark of failing operations measures nothing, so any failure ends the program.
void Must(const Status& status, std::string_view what) {
  if (!status.ok()) Die(std::string(what) + ": " + status.message());
}
template <class T>
T Must(Result<T> result, std::string_view what) {
  Must(result.status(), what);
  return std::move(result).value();
}

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

uint64_t NanosBetween(SteadyClock::time_point from, SteadyClock::time_point to) {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count());
}

// ---------------------------------------------------------------------------------
// Command line

// --name POLICY into `out`, read as ecomm-server reads --fsync.
CLI::Option* AddSync(CLI::App& command, const std::string& name, wal::SyncPolicy* out,
                     const std::string& help) {
  return tools::AddParsed(
             command, name,
             [out](const std::string& text) {
               std::optional<wal::SyncPolicy> policy = wal::SyncPolicy::Parse(text);
               if (policy) *out = *policy;
               return policy.has_value();
             },
             "always, interval:MS or off", help)
      ->type_name("POLICY")
      ->default_str(out->ToString());
}

// --dir D and --keep, which every subcommand takes; returns --dir.
CLI::Option* AddScratchDir(CLI::App& command, std::string* dir, bool* keep) {
  command.add_flag("--keep", *keep, "leave the data directory behind");
  return tools::AddText(command, "--dir", dir,
                        "where to make the data directory: on the disk being judged")
      ->type_name("DIR");
}

// ---------------------------------------------------------------------------------
// Result lines

// One measured run: named values, printed as name=value so that runs can be compared
// and pasted side by side.
using Row = std::vector<std::pair<std::string, double>>;

void PrintRow(std::string_view label, const Row& row) {
  std::printf("%s", std::string(label).c_str());
  for (const auto& [name, value] : row) {
    if (value == static_cast<double>(static_cast<int64_t>(value)) && value < 1e15) {
      std::printf(" %s=%lld", name.c_str(), static_cast<long long>(value));
    } else {
      std::printf(std::abs(value) >= 100 ? " %s=%.1f" : " %s=%.3g", name.c_str(), value);
    }
  }
  std::printf("\n");
  std::fflush(stdout);
}

// The median of every field on its own (rows share their field names and order).
Row Median(const std::vector<Row>& rows) {
  Row median = rows.front();
  for (size_t field = 0; field < median.size(); ++field) {
    std::vector<double> values;
    for (const Row& row : rows) values.push_back(row[field].second);
    std::sort(values.begin(), values.end());
    size_t mid = values.size() / 2;
    median[field].second =
        values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
  }
  return median;
}

// Runs `once(run)` `runs` times, printing each row and then the medians.
template <class Once>
void Repeat(size_t runs, Once&& once) {
  std::vector<Row> rows;
  for (size_t run = 1; run <= runs; ++run) {
    rows.push_back(once(run));
    PrintRow("run " + std::to_string(run), rows.back());
  }
  if (runs > 1) PrintRow("median", Median(rows));
}

// ---------------------------------------------------------------------------------
// Machine and disk facts

// The mount holding `path` (the longest mount point that is a prefix of it), as
// "device type on mountpoint", plus its free space: what the numbers were measured on.
std::string DescribeFilesystem(const std::string& path) {
  std::error_code error;
  std::string real = std::filesystem::canonical(path, error).string();
  if (error) real = path;
  std::ifstream mounts("/proc/self/mounts");
  std::string line;
  std::string best_mount;
  std::string described = "unknown";
  while (std::getline(mounts, line)) {
    std::istringstream fields(line);
    std::string device, mount, type;
    fields >> device >> mount >> type;
    bool holds = mount == "/" || real == mount || real.starts_with(mount + "/");
    if (holds && mount.size() >= best_mount.size()) {
      best_mount = mount;
      described = device + " " + type + " on " + mount;
    }
  }
  struct statvfs fs;
  if (statvfs(path.c_str(), &fs) == 0) {
    double free_gib = static_cast<double>(fs.f_bavail) * static_cast<double>(fs.f_frsize) /
                      static_cast<double>(uint64_t{1} << 30);
    char text[64];
    std::snprintf(text, sizeof text, ", %.1f GiB free", free_gib);
    described += text;
  }
  return described;
}

uint64_t FreeBytes(const std::string& path) {
  struct statvfs fs;
  if (statvfs(path.c_str(), &fs) != 0) Die("statvfs " + path);
  return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
}

std::string LoadAverage() {
  std::ifstream file("/proc/loadavg");
  std::string one, five, fifteen;
  file >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

// A fresh directory under `parent`, removed with everything in it at the end unless
// the run asked to keep it.
class ScratchDir {
 public:
  ScratchDir(const std::string& parent, bool keep) : keep_(keep) {
    std::filesystem::create_directories(parent);
    std::string pattern = (std::filesystem::path(parent) / "durable-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) Die("mkdtemp " + pattern + " failed");
    path_ = pattern;
    std::string filesystem = DescribeFilesystem(path_);
    std::printf("# data directory %s (%s)\n", path_.c_str(), filesystem.c_str());
    if (filesystem.find(" tmpfs ") != std::string::npos) {
      std::printf("# WARNING: tmpfs: fdatasync is free here, durable numbers mean nothing\n");
    }
  }
  ~ScratchDir() {
    if (keep_) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool keep_;
};

// CPU time of this process and of the whole machine, to tell CPU-bound runs from
// disk-bound ones, and to see how much of the two shared cores other tenants took.
struct Usage {
  double cpu_seconds = 0;           // this process, user + system
  double machine_busy_seconds = 0;  // all processes, summed over CPUs (/proc/stat)
  int64_t voluntary_switches = 0;   // this process: mostly blocking on futexes
};

Usage ProcessUsage() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  // "cpu user nice system idle iowait irq softirq steal ...", in clock ticks.
  std::ifstream stat("/proc/stat");
  std::string cpu;
  uint64_t ticks[8] = {};
  stat >> cpu;
  for (uint64_t& t : ticks) stat >> t;
  uint64_t busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7];
  return {seconds(usage.ru_utime) + seconds(usage.ru_stime),
          static_cast<double>(busy) / static_cast<double>(sysconf(_SC_CLK_TCK)), usage.ru_nvcsw};
}

// Percent of one CPU used over `seconds`: by this process, and by everything else.
std::pair<double, double> CpuPercent(const Usage& before, const Usage& after, double seconds) {
  double ours = after.cpu_seconds - before.cpu_seconds;
  double machine = after.machine_busy_seconds - before.machine_busy_seconds;
  return {std::round(ours / seconds * 100),
          std::round(std::max(0.0, machine - ours) / seconds * 100)};
}

// A stretch of wall time, and how much CPU other processes took during it: on a shared
// machine every figure needs that next to it.
class Stopwatch {
 public:
  Stopwatch() : start_(SteadyClock::now()), usage_(ProcessUsage()) {}

  double Seconds() const { return SecondsSince(start_); }
  double OthersCpuPercent() const { return CpuPercent(usage_, ProcessUsage(), Seconds()).second; }

 private:
  SteadyClock::time_point start_;
  Usage usage_;
};

// ---------------------------------------------------------------------------------
// The data set

std::string UserId(size_t i) { return "u" + std::to_string(i); }
std::string ProductId(size_t i) { return "p" + std::to_string(i); }

// Creates users u0.. (each charged kOpeningCharge) and products p0.. (price 1,
// stock 10^12). Returns the last ticket: the seed is durable once that one is, so a
// caller waits once instead of paying an fdatasync per seeded object.
CommitTicket Seed(Engine& engine, size_t users, size_t products) {
  CommitTicket last;
  for (size_t i = 0; i < users; ++i) {
    Must(engine.CreateUser(NewUser{UserId(i), "bench user", "bench@example.com"}), "seed user");
    last = Must(engine.Charge(UserId(i), kOpeningCharge), "seed charge").ticket;
  }
  for (size_t i = 0; i < products; ++i) {
    last =
        Must(engine.CreateProduct(NewProduct{ProductId(i), "bench product", kPrice, kOpeningStock}),
             "seed product")
            .ticket;
  }
  return last;
}

enum class Op { kCharge, kOrder };

const char* OpName(Op op) { return op == Op::kCharge ? "charge" : "order"; }

// The indexes below `count` that thread `t` of `n` owns (i mod n == t), so that
// committers do not contend on one account or product; with more threads than
// objects, threads share them round-robin.
std::vector<std::string> Slice(size_t count, size_t t, size_t n, std::string (*id)(size_t)) {
  std::vector<std::string> ids;
  for (size_t i = t; i < count; i += n) ids.push_back(id(i));
  if (ids.empty()) ids.push_back(id(t % count));
  return ids;
}

// Issues the operations of one thread: charges of 1, or one-line orders of one unit,
// cycling through the thread's own users and products. The order request is built
// once and only its ids are swapped, as a decoded HTTP request would carry them.
class Mutator {
 public:
  Mutator(Engine& engine, size_t users, size_t products, size_t t, size_t n)
      : engine_(engine),
        users_(Slice(users, t, n, UserId)),
        products_(Slice(products, t, n, ProductId)),
        request_{.user_id = {}, .items = std::vector<OrderLine>{OrderLine{{}, 1}}} {}

  CommitTicket Next(Op op) {
    const std::string& user = users_[next_user_];
    next_user_ = (next_user_ + 1) % users_.size();
    if (op == Op::kCharge) return Must(engine_.Charge(user, 1), "charge").ticket;
    request_.user_id = user;
    (*request_.items)[0].product_id = products_[next_product_];
    next_product_ = (next_product_ + 1) % products_.size();
    Committed<OrderView> placed = Must(engine_.PlaceOrder(request_), "order");
    if (placed.value.failure() != ErrorCode::kOk) {
      Die("order FAILED: " + std::string(CodeName(placed.value.failure())));
    }
    return placed.ticket;
  }

 private:
  Engine& engine_;
  std::vector<std::string> users_;
  std::vector<std::string> products_;
  size_t next_user_ = 0;
  size_t next_product_ = 0;
  OrderRequest request_;
};

DatabaseOptions BenchOptions(const std::string& dir, wal::SyncPolicy sync) {
  DatabaseOptions options;
  options.data_dir = dir;
  options.sync = sync;
  // Snapshots are measured on their own (the snapshot subcommand); here they would
  // only add noise to the commit and recovery numbers.
  options.snapshot_every = 0;
  // Seeding, FillLog and the snapshot committers append without waiting for
  // durability and can outrun the writer: they are to be slowed down, not refused
  // (Must would end the run on the first UNAVAILABLE).
  options.wait_for_log_room = true;
  options.log = [](std::string_view line) { std::printf("# db: %s\n", std::string(line).c_str()); };
  return options;
}

// ---------------------------------------------------------------------------------
// commit: closed-loop durable commits

struct CommitConfig {
  size_t committers = 1;
  double seconds = 5;
  Op op = Op::kCharge;
  wal::SyncPolicy sync;    // always
  bool memory = false;     // a plain Engine, no journal: the in-memory ceiling
  size_t event_loops = 0;  // 0: a thread per committer; else committers multiplexed on these
  std::string parent;      // empty with --memory
  bool keep = false;
  size_t runs = 1;
};

CLI::App* AddCommitCommand(CLI::App& app, CommitConfig* c) {
  CLI::App* command = app.add_subcommand("commit", "closed-loop durable commits");
  tools::AddNumber(*command, "--committers", &c->committers, size_t{1}, size_t{100'000},
                   "committers, each a closed loop");
  tools::AddNumber(*command, "--seconds", &c->seconds, 0.1, 86'400.0, "the timed window");
  tools::AddParsed(
      *command, "--op",
      [c](const std::string& text) {
        if (text != "charge" && text != "order") return false;
        c->op = text == "charge" ? Op::kCharge : Op::kOrder;
        return true;
      },
      "charge or order", "the mutation committed")
      ->type_name("OP")
      ->default_str(OpName(c->op));
  AddSync(*command, "--fsync", &c->sync, "when a commit is durable");
  command->add_flag("--memory", c->memory, "an Engine without a journal: the in-memory ceiling");
  tools::AddNumber(*command, "--async", &c->event_loops, size_t{1}, size_t{1024},
                   "multiplex the committers on T threads that learn of durability via "
                   "OnDurable (without it: a thread each, blocking in WaitDurable)");
  tools::AddNumber(*command, "--runs", &c->runs, size_t{1}, size_t{1000},
                   "runs, each on a fresh database");
  AddScratchDir(*command, &c->parent, &c->keep);
  return command;
}

// A thread issuing commits until told to stop; it counts only the commits that
// complete inside the timed window.
class Driver {
 public:
  virtual ~Driver() = default;
  virtual void Run(Op op, const std::atomic<bool>& stop) = 0;

  uint64_t commits() const { return commits_; }
  const Histogram& latency_ns() const { return latency_ns_; }

 protected:
  void Count(SteadyClock::time_point begin, SteadyClock::time_point end) {
    latency_ns_.Record(NanosBetween(begin, end));
    ++commits_;
  }

 private:
  uint64_t commits_ = 0;
  Histogram latency_ns_{Histogram::kCoarse};
};

// One committer per thread, as a thread-per-request server runs: mutation, then block
// in WaitDurable, again and again.
class BlockingCommitter final : public Driver {
 public:
  BlockingCommitter(Engine& engine, size_t t, size_t n)
      : engine_(engine), mutator_(engine, kUsers, kProducts, t, n) {}

  void Run(Op op, const std::atomic<bool>& stop) override {
    while (true) {
      auto begin = SteadyClock::now();
      Must(engine_.WaitDurable(mutator_.Next(op)), "WaitDurable");
      auto end = SteadyClock::now();
      // A commit that ends after the window closed belongs to no measurement.
      if (stop.load(std::memory_order_relaxed)) break;
      Count(begin, end);
    }
  }

 private:
  Engine& engine_;
  Mutator mutator_;
};

// Many committers on one thread, as an event-loop (Asio) server thread runs them: each
// committer has one commit in flight, and its next one is issued when OnDurable
// reports the previous one durable. One wake-up of the thread then completes a whole
// batch of commits, instead of one blocked thread being woken per commit.
class EventLoopCommitter final : public Driver {
 public:
  EventLoopCommitter(Engine& engine, size_t committers, size_t t, size_t n)
      : engine_(engine), mutator_(engine, kUsers, kProducts, t, n), issued_(committers) {}

  void Run(Op op, const std::atomic<bool>& stop) override {
    std::vector<size_t> ready(issued_.size());
    std::iota(ready.begin(), ready.end(), 0);
    size_t in_flight = 0;
    while (true) {
      bool stopping = stop.load(std::memory_order_relaxed);
      for (size_t committer : ready) {
        if (stopping) break;
        issued_[committer] = SteadyClock::now();
        ++in_flight;
        engine_.OnDurable(mutator_.Next(op), [this, committer](Status status) {
          Must(status, "OnDurable");
          Deliver(committer);
        });
      }
      // Callbacks still pending point at this object: drain them before returning.
      if (stopping && in_flight == 0) break;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !durable_.empty(); });
        ready.clear();
        ready.swap(durable_);
      }
      auto now = SteadyClock::now();
      in_flight -= ready.size();
      if (stop.load(std::memory_order_relaxed)) continue;
      for (size_t committer : ready) Count(issued_[committer], now);
    }
  }

 private:
  // Runs on the WAL writer's thread (or inline when there is no journal).
  void Deliver(size_t committer) {
    std::lock_guard lock(mu_);
    durable_.push_back(committer);
    // Notified under the lock: once Run has seen the last delivery it may return and
    // this object be destroyed, so nothing may touch it after the unlock.
    cv_.notify_one();
  }

  Engine& engine_;
  Mutator mutator_;
  std::vector<SteadyClock::time_point> issued_;  // per committer: when its commit began
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<size_t> durable_;  // guarded by mu_: committers whose commit is durable
};

std::vector<std::unique_ptr<Driver>> MakeDrivers(Engine& engine, const CommitConfig& config) {
  std::vector<std::unique_ptr<Driver>> drivers;
  if (config.event_loops == 0) {
    for (size_t t = 0; t < config.committers; ++t) {
      drivers.push_back(std::make_unique<BlockingCommitter>(engine, t, config.committers));
    }
    return drivers;
  }
  size_t loops = std::min(config.event_loops, config.committers);
  for (size_t t = 0; t < loops; ++t) {
    size_t share = config.committers / loops + (t < config.committers % loops ? 1 : 0);
    drivers.push_back(std::make_unique<EventLoopCommitter>(engine, share, t, loops));
  }
  return drivers;
}

// What changes over the timed window, read at its start and its end.
struct Reading {
  SteadyClock::time_point at;
  wal::WalStats wal;
  Histogram syncs_us{Histogram::kCoarse};
  Usage usage;
};

Reading Read(const Database* db) {
  Reading reading;
  if (db != nullptr) {
    reading.wal = db->LogStats();
    reading.syncs_us.Merge(db->LogSyncLatencyMicros());
  }
  reading.usage = ProcessUsage();
  reading.at = SteadyClock::now();
  return reading;
}

Row RunCommitOnce(const CommitConfig& config) {
  std::unique_ptr<ScratchDir> dir;
  std::unique_ptr<Database> db;
  std::unique_ptr<Engine> memory_engine;
  if (config.memory) {
    memory_engine = std::make_unique<Engine>();
  } else {
    dir = std::make_unique<ScratchDir>(config.parent, config.keep);
    db = Must(Database::Open(BenchOptions(dir->path(), config.sync)), "open");
  }
  Engine& engine = config.memory ? *memory_engine : db->engine();
  Must(engine.WaitDurable(Seed(engine, kUsers, kProducts)), "seed WaitDurable");

  std::vector<std::unique_ptr<Driver>> committers = MakeDrivers(engine, config);
  std::atomic<bool> stop{false};
  std::latch start(1);
  std::vector<std::thread> threads;
  for (auto& committer : committers) {
    threads.emplace_back([&, c = committer.get()] {
      start.wait();
      c->Run(config.op, stop);
    });
  }
  std::string load = LoadAverage();
  Reading before = Read(db.get());
  start.count_down();
  std::this_thread::sleep_for(std::chrono::duration<double>(config.seconds));
  stop.store(true);
  Reading after = Read(db.get());
  for (std::thread& thread : threads) thread.join();
  if (db != nullptr) Must(db->Close(), "close");

  double elapsed = std::chrono::duration<double>(after.at - before.at).count();
  uint64_t commits = 0;
  Histogram latency(Histogram::kCoarse);
  for (const auto& committer : committers) {
    commits += committer->commits();
    latency.Merge(committer->latency_ns());
  }
  uint64_t records = after.wal.records - before.wal.records;
  uint64_t syncs = after.wal.syncs - before.wal.syncs;
  Histogram syncs_us = after.syncs_us;
  syncs_us.Subtract(before.syncs_us);
  std::printf("# load average before the run: %s\n", load.c_str());
  auto cpu = CpuPercent(before.usage, after.usage, elapsed);
  double commits_d = static_cast<double>(commits);
  return Row{
      {"commits_per_s", std::round(commits_d / elapsed)},
      {"records_per_sync",
       syncs == 0 ? 0.0 : static_cast<double>(records) / static_cast<double>(syncs)},
      {"syncs_per_s", std::round(static_cast<double>(syncs) / elapsed)},
      {"sync_p50_us", static_cast<double>(syncs_us.Percentile(0.5))},
      {"sync_p99_us", static_cast<double>(syncs_us.Percentile(0.99))},
      {"commit_p50_us", static_cast<double>(latency.Percentile(0.5)) / 1e3},
      {"commit_p99_us", static_cast<double>(latency.Percentile(0.99)) / 1e3},
      {"commit_max_us", std::round(static_cast<double>(latency.Max()) / 1e3)},
      {"cpu_percent", cpu.first},
      {"others_cpu_percent", cpu.second},
      {"vcsw_per_commit",
       static_cast<double>(after.usage.voluntary_switches - before.usage.voluntary_switches) /
           std::max(commits_d, 1.0)},
  };
}

void RunCommit(const CommitConfig& config) {
  std::string journal =
      config.memory ? "in-memory (no journal)" : "fsync=" + config.sync.ToString();
  std::string threads = config.event_loops == 0 ? "one thread each, blocking in WaitDurable"
                                                : "on " + std::to_string(config.event_loops) +
                                                      " event-loop threads, OnDurable";
  std::printf("# commit: op=%s committers=%zu (%s) seconds=%g %s; %zu users, %zu products\n",
              OpName(config.op), config.committers, threads.c_str(), config.seconds,
              journal.c_str(), kUsers, kProducts);
  Repeat(config.runs, [&](size_t) { return RunCommitOnce(config); });
}

// ---------------------------------------------------------------------------------
// recovery: replaying a large log

// Deletes every snapshot, so that the next Open must replay the log from LSN 1. (Close
// always writes one, and the benchmark wants the whole log replayed.)
size_t RemoveSnapshots(const std::string& data_dir) {
  size_t removed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir + "/snapshots")) {
    std::filesystem::remove(entry.path());
    ++removed;
  }
  return removed;
}

// Drops the files of `dir` from the page cache (written back first, since only clean
// pages can be dropped), so that recovery reads the disk as after a reboot. Returns
// the fraction of their pages still resident afterwards, checked with mincore.
double EvictFromPageCache(const std::string& dir) {
  uint64_t pages = 0;
  uint64_t resident = 0;
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    int fd = ::open(entry.path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) Die("open " + entry.path().string());
    if (::fdatasync(fd) != 0 || ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0) {
      Die("evicting " + entry.path().string());
    }
    struct stat st;
    size_t size = ::fstat(fd, &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
    if (size > 0) {
      void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
      if (map == MAP_FAILED) Die("mmap " + entry.path().string());
      std::vector<unsigned char> in_core((size + page - 1) / page);
      if (::mincore(map, size, in_core.data()) == 0) {
        pages += in_core.size();
        for (unsigned char c : in_core) resident += c & 1;
      }
      ::munmap(map, size);
    }
    ::close(fd);
  }
  return pages == 0 ? 0 : static_cast<double>(resident) / static_cast<double>(pages);
}

// Fills the log with a mix of three charges to one one-line order (the WAL of a shop
// that mostly tops up and sometimes buys) from two threads until it holds `target`
// bytes.
void FillLog(Database& db, uint64_t target) {
  Engine& engine = db.engine();
  Seed(engine, kUsers, kProducts);
  constexpr size_t kThreads = 2;
  constexpr uint64_t kCheckEvery = 4096;  // Stats() takes the writer's mutex
  std::atomic<bool> full{false};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Mutator mutator(engine, kUsers, kProducts, t, kThreads);
      for (uint64_t i = 1; !full.load(std::memory_order_relaxed); ++i) {
        (void)mutator.Next(i % 4 == 0 ? Op::kOrder : Op::kCharge);
        if (i % kCheckEvery == 0 && db.LogStats().bytes >= target) full.store(true);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
}

struct RecoveryConfig {
  double gigabytes = 1;
  std::string parent;
  size_t runs = 1;
  wal::SyncPolicy build_sync{wal::SyncPolicy::Mode::kInterval, 100};
  bool warm = false;  // replay with the log in the page cache
  bool keep = false;
};

CLI::App* AddRecoveryCommand(CLI::App& app, RecoveryConfig* c) {
  CLI::App* command = app.add_subcommand("recovery", "replaying a large log");
  tools::AddNumber(*command, "--gigabytes", &c->gigabytes, 0.001, 1024.0,
                   "the size of the log to build and replay");
  tools::AddNumber(*command, "--runs", &c->runs, size_t{1}, size_t{1000},
                   "replays of the one log built");
  AddSync(*command, "--build-fsync", &c->build_sync, "the policy the log is built with");
  command->add_flag("--warm", c->warm, "leave the log in the page cache before each replay");
  AddScratchDir(*command, &c->parent, &c->keep)->required();
  return command;
}

void RunRecovery(const RecoveryConfig& config) {
  const uint64_t target =
      static_cast<uint64_t>(config.gigabytes * static_cast<double>(uint64_t{1} << 30));
  const std::string& parent = config.parent;
  std::filesystem::create_directories(parent);
  // The log, then a final snapshot of the same state at every Close, plus headroom.
  if (FreeBytes(parent) < 3 * target) Die("less than 3x --gigabytes free under " + parent);
  ScratchDir dir(parent, config.keep);

  DatabaseOptions build = BenchOptions(dir.path(), config.build_sync);
  std::printf("# building a %.2f GiB log with fsync=%s\n", config.gigabytes,
              build.sync.ToString().c_str());
  auto start = SteadyClock::now();
  std::unique_ptr<Database> db = Must(Database::Open(build), "open");
  FillLog(*db, target);
  wal::WalStats built = db->LogStats();
  // The recovered state must be this one, or the speed below is of a wrong replay.
  uint64_t digest = StateDigest(db->engine());
  EngineCounts counts = db->engine().Counts();
  std::printf("# built %llu records, %.1f MB in %.1f s; %llu users, %llu products, %llu orders\n",
              static_cast<unsigned long long>(built.records),
              static_cast<double>(built.bytes) / 1e6, SecondsSince(start),
              static_cast<unsigned long long>(counts.users),
              static_cast<unsigned long long>(counts.products),
              static_cast<unsigned long long>(counts.orders));
  Must(db->Close(), "close after build");
  db.reset();

  // Replays always use the production policy; it does not matter to reading the log.
  DatabaseOptions reopen = BenchOptions(dir.path(), wal::SyncPolicy{});
  Repeat(config.runs, [&](size_t) {
    size_t removed = RemoveSnapshots(dir.path());
    double resident = config.warm ? 1.0 : EvictFromPageCache(dir.path() + "/wal");
    std::printf("# removed %zu snapshot(s); %.1f%% of the log in the page cache before Open\n",
                removed, resident * 100);
    Stopwatch open;
    std::unique_ptr<Database> recovered = Must(Database::Open(reopen), "reopen");
    double open_ms = open.Seconds() * 1e3;
    double others = open.OthersCpuPercent();
    const RecoveryStats& stats = recovered->recovery();
    if (stats.snapshot_lsn != 0) Die("a snapshot was loaded: the log was not replayed in full");
    if (StateDigest(recovered->engine()) != digest) {
      Die("recovered state differs from the built one");
    }
    Row row{
        {"wal_mb", static_cast<double>(stats.wal_bytes) / 1e6},
        {"records", static_cast<double>(stats.records_replayed)},
        {"recovery_ms", std::round(stats.millis)},
        {"open_ms", std::round(open_ms)},
        {"mb_per_s", static_cast<double>(stats.wal_bytes) / 1e3 / stats.millis},
        {"records_per_s",
         std::round(static_cast<double>(stats.records_replayed) * 1e3 / stats.millis)},
        {"others_cpu_percent", others},
    };
    Must(recovered->Close(), "close after recovery");  // writes a snapshot, removed next run
    return row;
  });
}

// ---------------------------------------------------------------------------------
// snapshot: the pause a snapshot imposes on committers

struct SnapshotConfig {
  size_t users = 1'000'000;
  std::string parent;
  size_t snapshots = 3;
  size_t committers = 2;
  size_t orders = 100'000;
  size_t baseline_ms = 1000;
  bool on_main_thread = false;
  bool keep = false;
};

CLI::App* AddSnapshotCommand(CLI::App& app, SnapshotConfig* c) {
  CLI::App* command = app.add_subcommand("snapshot", "the pause a snapshot imposes on committers");
  tools::AddNumber(*command, "--users", &c->users, size_t{1}, size_t{100'000'000},
                   "users seeded, one charge each");
  tools::AddNumber(*command, "--snapshots", &c->snapshots, size_t{1}, size_t{1000},
                   "snapshots taken, each after a quiet window");
  tools::AddNumber(*command, "--committers", &c->committers, size_t{1}, size_t{1000},
                   "threads charging random users meanwhile");
  tools::AddNumber(*command, "--orders", &c->orders, size_t{1}, size_t{100'000'000},
                   "orders placed while seeding");
  tools::AddNumber(*command, "--baseline-ms", &c->baseline_ms, size_t{1}, size_t{3'600'000},
                   "the quiet window before each snapshot");
  command->add_flag("--on-main-thread", c->on_main_thread,
                    "snapshot on the thread that seeded the state");
  AddScratchDir(*command, &c->parent, &c->keep)->required();
  return command;
}

void RunSnapshot(const SnapshotConfig& config) {
  const size_t users = config.users;
  const size_t snapshots = config.snapshots;
  const size_t committers = config.committers;
  const auto baseline = std::chrono::milliseconds(config.baseline_ms);
  ScratchDir dir(config.parent, config.keep);

  // fsync off: the committers should press on the engine as hard as they can, so
  // that the gate has in-flight mutations to wait for.
  std::unique_ptr<Database> db = Must(
      Database::Open(BenchOptions(dir.path(), wal::SyncPolicy{wal::SyncPolicy::Mode::kOff, 0})),
      "open");
  Engine& engine = db->engine();
  auto start = SteadyClock::now();
  Seed(engine, users, kProducts);
  Mutator seller(engine, users, kProducts, 0, 1);
  for (size_t i = 0; i < config.orders; ++i) (void)seller.Next(Op::kOrder);
  EngineCounts counts = engine.Counts();
  std::printf("# seeded %llu users (one charge each), %llu products, %llu orders in %.1f s\n",
              static_cast<unsigned long long>(counts.users),
              static_cast<unsigned long long>(counts.products),
              static_cast<unsigned long long>(counts.orders), SecondsSince(start));

  // Phase 2k is the quiet window before snapshot k, phase 2k+1 snapshot k itself; a
  // call belongs to the phase in force when it starts (a call stalled by the gate
  // starts after the snapshot began, so it is counted there).
  const size_t phases = 2 * snapshots;
  std::atomic<int> phase{-1};
  std::atomic<bool> stop{false};
  // Latencies of single Charge calls, per committer thread and phase of the run.
  std::vector<std::vector<std::unique_ptr<Histogram>>> per_thread(committers);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < committers; ++t) {
    for (size_t p = 0; p < phases; ++p) {
      per_thread[t].push_back(std::make_unique<Histogram>(Histogram::kCoarse));
    }
    threads.emplace_back([&, t] {
      // Random users over the whole population, so the snapshot's copy-on-write has
      // pre-images to preserve as it would under real traffic.
      std::mt19937_64 random(t + 1);
      std::uniform_int_distribution<size_t> pick(0, users - 1);
      std::string user;
      while (!stop.load(std::memory_order_relaxed)) {
        user = UserId(pick(random));
        int current = phase.load(std::memory_order_relaxed);
        auto begin = SteadyClock::now();
        Must(engine.Charge(user, 1), "charge");
        uint64_t ns = NanosBetween(begin, SteadyClock::now());
        if (current < 0) continue;
        per_thread[t][static_cast<size_t>(current)]->Record(ns);
      }
    });
  }

  std::vector<double> phase_seconds(phases);
  std::vector<double> phase_others(phases);  // CPU % other processes took
  std::vector<SnapshotStats> taken;
  auto run_phase = [&](size_t p, auto&& body) {
    phase.store(static_cast<int>(p));
    Stopwatch watch;
    body();
    phase_seconds[p] = watch.Seconds();
    phase_others[p] = watch.OthersCpuPercent();
  };
  auto take_snapshots = [&] {
    for (size_t k = 0; k < snapshots; ++k) {
      run_phase(2 * k, [&] { std::this_thread::sleep_for(baseline); });
      run_phase(2 * k + 1, [&] { Must(db->Snapshot(), "snapshot"); });
      taken.push_back(db->LastSnapshot());
    }
  };
  // A server snapshots on the Database's own thread, not on the thread that loaded the
  // state (here the seeding main thread, there recovery). Which thread it is matters
  // to glibc malloc: the loading thread owns the arena of every seeded object.
  if (config.on_main_thread) {
    take_snapshots();
  } else {
    std::thread(take_snapshots).join();
  }
  stop.store(true);
  for (std::thread& thread : threads) thread.join();

  // Every committer's calls in phase p, summed.
  auto merged = [&](size_t p) {
    Histogram all(Histogram::kCoarse);
    for (const auto& phase_latencies : per_thread) all.Merge(*phase_latencies[p]);
    return all;
  };
  std::printf(
      "# %zu committers charging random users, fsync=off; quiet window %lld ms; snapshots taken "
      "on %s\n",
      committers, static_cast<long long>(baseline.count()),
      config.on_main_thread ? "the seeding (main) thread" : "a thread of their own");
  std::vector<Row> rows;
  for (size_t k = 0; k < snapshots; ++k) {
    Histogram quiet = merged(2 * k);
    Histogram during = merged(2 * k + 1);
    rows.push_back(Row{
        {"users", static_cast<double>(counts.users)},
        {"snapshot_mb", static_cast<double>(taken[k].bytes) / 1e6},
        {"write_ms", std::round(taken[k].write_millis)},
        {"pause_us", std::round(taken[k].pause_micros)},
        {"stall_max_ms", static_cast<double>(during.Max()) / 1e6},
        {"charge_p99_us", static_cast<double>(during.Percentile(0.99)) / 1e3},
        {"charges_per_s",
         std::round(static_cast<double>(during.Count()) / phase_seconds[2 * k + 1])},
        {"quiet_stall_max_ms", static_cast<double>(quiet.Max()) / 1e6},
        {"quiet_p99_us", static_cast<double>(quiet.Percentile(0.99)) / 1e3},
        {"quiet_charges_per_s",
         std::round(static_cast<double>(quiet.Count()) / phase_seconds[2 * k])},
        {"others_cpu_percent", phase_others[2 * k + 1]},
        {"quiet_others_cpu_percent", phase_others[2 * k]},
    });
    PrintRow("snapshot " + std::to_string(k + 1), rows.back());
  }
  if (rows.size() > 1) PrintRow("median", Median(rows));
  Must(db->Close(), "close");
}

}  // namespace
}  // namespace ecomm

int main(int argc, char** argv) {
  using namespace ecomm;
  CLI::App app("What the write-ahead log costs and what it buys, on the disk under --dir.",
               "durable_bench");
  app.require_subcommand(1);
  CommitConfig commit;
  RecoveryConfig recovery;
  SnapshotConfig snapshot;
  CLI::App* commit_command = AddCommitCommand(app, &commit);
  CLI::App* recovery_command = AddRecoveryCommand(app, &recovery);
  AddSnapshotCommand(app, &snapshot);
  if (std::optional<int> exit = tools::ParseFlags(app, argc, argv)) return *exit;
  if (commit_command->parsed() && !commit.memory && commit.parent.empty()) {
    return tools::UsageError(app, "commit needs --dir unless --memory");
  }
  std::printf("# durable_bench %s; %u CPUs; load average %s\n",
              app.get_subcommands().front()->get_name().c_str(),
              std::thread::hardware_concurrency(), LoadAverage().c_str());
  if (commit_command->parsed()) {
    RunCommit(commit);
  } else if (recovery_command->parsed()) {
    RunRecovery(recovery);
  } else {
    RunSnapshot(snapshot);
  }
  return 0;
}
