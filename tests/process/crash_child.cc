// The process the kill -9 test kills: it opens (and recovers) a data directory, seeds
// the shop when it is new, then commits random mutations from 4 threads until it is
// killed. After each acknowledged mutation it prints "ack <lsn>", and for each
// acknowledged successful order "order <id>", so the parent knows what must survive.
#include <cstdio>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cli_flags.h"
#include "ecomm/database.h"
#include "support/random_mutations.h"

int main(int argc, char** argv) {
  ecomm::DatabaseOptions options;
  CLI::App app("Commits random mutations from 4 threads until killed, saying what it acked.",
               "ecomm_crash_child");
  app.add_option("--data-dir,data-dir", options.data_dir, "the data directory")->required();
  if (std::optional<int> status = ecomm::tools::ParseFlags(app, argc, argv)) return *status;
  options.snapshot_every = 400;
  options.segment_bytes = 64 << 10;
  auto db = ecomm::Database::Open(options);
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", db.status().message().c_str());
    return 1;
  }
  ecomm::Engine& engine = (*db)->engine();
  ecomm::testing::ShopShape shape;
  shape.restocks = false;
  if (engine.Counts().users == 0) {
    ecomm::Lsn seeded = ecomm::testing::SeedShop(engine, shape);
    if (seeded == 0 || !engine.WaitDurable(ecomm::CommitTicket{seeded}).ok()) return 1;
  }
  std::mutex out;
  std::printf("ready\n");
  std::fflush(stdout);
  std::random_device entropy;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, seed = entropy()] {
      ecomm::testing::RandomMutations ops(engine, seed, shape);
      while (true) {
        size_t orders = ops.live_orders().size();
        auto ticket = ops.Step();
        if (!ticket || !engine.WaitDurable(*ticket).ok()) return;
        std::lock_guard lock(out);
        std::printf("ack %llu\n", static_cast<unsigned long long>(ticket->lsn));
        if (ops.live_orders().size() > orders) {
          std::printf("order %s\n", ops.live_orders().back().c_str());
        }
        std::fflush(stdout);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  return 1;  // only a failed log ends the loop
}
