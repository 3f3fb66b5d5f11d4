// Real processes, real disk: a child commits from 4 threads and is killed with
// SIGKILL at a random moment, 20 times over one data directory. After each kill the
// directory recovers with every acknowledged mutation (by LSN, and each acknowledged
// order by id) and with money and stock conserved.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "ecomm/database.h"

namespace ecomm::testing {
namespace {

struct ChildRun {
  Lsn max_acked = 0;
  std::vector<std::string> orders;
};

// Starts the child, lets it run for `run_ms` after it is ready, kills it with SIGKILL
// and returns what it acknowledged.
ChildRun RunAndKill(const std::string& dir, int run_ms) {
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    execl(ECOMM_CRASH_CHILD, ECOMM_CRASH_CHILD, dir.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(pipe_fds[1]);
  FILE* in = fdopen(pipe_fds[0], "r");
  REQUIRE(in != nullptr);
  char line[256];
  REQUIRE(fgets(line, sizeof line, in) != nullptr);
  REQUIRE(std::string(line) == "ready\n");
  std::thread killer([pid, run_ms] {
    std::this_thread::sleep_for(std::chrono::milliseconds(run_ms));
    kill(pid, SIGKILL);
  });
  ChildRun run;
  // Lines written before the kill stay readable in the pipe; a torn last line is
  // ignored (its ack may not have been fully reported).
  while (fgets(line, sizeof line, in) != nullptr) {
    std::string text(line);
    if (text.empty() || text.back() != '\n') break;
    std::istringstream words(text);
    std::string kind, value;
    words >> kind >> value;
    if (kind == "ack") run.max_acked = std::max<Lsn>(run.max_acked, std::stoull(value));
    if (kind == "order") run.orders.push_back(value);
  }
  killer.join();
  fclose(in);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  return run;
}

TEST_CASE(
    "kill -9 during load, 20 times: acknowledged mutations survive, money and stock conserved") {
  std::string dir =
      (std::filesystem::temp_directory_path() / ("ecomm-kill9-" + std::to_string(getpid())))
          .string();
  std::filesystem::remove_all(dir);
  std::mt19937 rng(static_cast<unsigned>(getpid()));
  std::vector<std::string> acked_orders;
  for (int round = 0; round < 20; ++round) {
    int run_ms = 50 + static_cast<int>(rng() % 300);
    INFO("round ", round, ", killed after ", run_ms, " ms");
    ChildRun run = RunAndKill(dir, run_ms);
    acked_orders.insert(acked_orders.end(), run.orders.begin(), run.orders.end());

    DatabaseOptions options;
    options.data_dir = dir;
    options.log = [](std::string_view) {};
    auto db = Database::Open(options);
    REQUIRE_MESSAGE(db.ok(), db.status().message());
    Engine& engine = (*db)->engine();
    CHECK((*db)->recovery().last_lsn >= run.max_acked);
    for (const std::string& id : acked_orders) {
      auto order = engine.GetOrder(id);
      REQUIRE_MESSAGE(order.ok(), "acknowledged order ", id, " is missing");
      CHECK(order->status != OrderStatus::kFailed);
    }
    // Money: every balance is its history, and the histories chain serially.
    // Stock: what left the shelf is exactly what SUCCESS orders hold.
    std::map<std::string, Quantity> sold;
    for (int u = 0; u < 6; ++u) {
      std::string user = "u" + std::to_string(u);
      Money balance = engine.GetBalance(user)->current_balance;
      std::optional<uint64_t> position;
      Money after = balance;
      do {
        auto page = engine.ListBalanceHistory(user, 100, position);
        REQUIRE(page.ok());
        for (const BalanceEntryView& e : page->items) {
          CHECK(e.balance_after == after);
          after = e.balance_before;
        }
        position = page->next;
      } while (position);
      CHECK(after == 0);
      position.reset();
      do {
        auto page = engine.ListOrders(user, 100, position);
        REQUIRE(page.ok());
        for (const OrderView& o : page->items) {
          if (o.status != OrderStatus::kSuccess) continue;
          for (const OrderItemView& item : o.items) sold[item.product_id] += item.quantity;
        }
        position = page->next;
      } while (position);
    }
    for (int p = 0; p < 5; ++p) {
      std::string id = "p" + std::to_string(p);
      CHECK(100'000 - engine.GetProduct(id)->stock == sold[id]);
    }
    CHECK((*db)->Close().ok());
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ecomm::testing
