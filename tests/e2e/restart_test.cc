// Durability seen from outside: what the server answers before SIGTERM or kill -9
// it answers identically after starting again on the same data directory, and under
// a kill -9 in the middle of a load every acknowledged mutation survives while no
// unacknowledged one is half-applied.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "e2e/support/http_helpers.h"
#include "e2e/support/test_server.h"

namespace ecomm::testing {

namespace {

// Touches every kind of state (balances, history, orders of every status, carts,
// stock, created users and products, top sellers) and returns the GET paths that
// show it all.
std::vector<std::string> Populate(httplib::Client& c) {
  std::vector<std::string> paths = {"/products", "/products/top",
                                    "/products?limit=2&after=p-cable"};
  std::string dave = CreateUser(c, 50'000);
  std::string gadget = CreateProduct(c, 1'500, 20);
  CheckJson(Post(c, "/products/" + gadget + "/restock", R"({"quantity":5})"));
  CheckJson(Charge(c, "alice", 4'321));
  std::vector<std::string> orders = {
      PlaceOrderOk(c, "alice", {{"p-cable", 2}, {gadget, 1}}),
      PlaceOrderOk(c, dave, {{"p-monitor", 1}}),
      PlaceOrderOk(c, "bob", {{"p-stand", 1}, {"p-mouse", 2}}),
  };
  CheckJson(Cancel(c, orders.back()));
  orders.push_back(Str(PlaceOrder(c, "carol", {{"p-cable", 1}}).Json(), "orderId"));  // FAILED
  CheckJson(Post(c, "/cart/add", CartAddBody("bob", "p-keyboard", 2)));
  CheckJson(Post(c, "/cart/add", CartAddBody("bob", gadget, 1)));
  CheckJson(Post(c, "/cart/add", CartAddBody(dave, "p-mouse", 1)));
  CheckJson(Delete(c, "/cart/remove?userId=" + dave + "&productId=p-mouse"));
  // A cart bought (emptied with its order) and one whose order FAILED (kept).
  CheckJson(Post(c, "/cart/add", CartAddBody(dave, "p-cable", 2)));
  orders.push_back(Str(CheckJson(Post(c, "/order", CartOrderBody(dave))), "orderId"));
  CheckJson(Post(c, "/cart/add", CartAddBody("carol", "p-mouse", 1)));
  orders.push_back(Str(Post(c, "/order", CartOrderBody("carol")).Json(), "orderId"));
  for (const std::string& id : orders) paths.push_back("/orders/" + id);
  paths.push_back("/products/" + gadget);
  for (const std::string& user :
       {std::string("alice"), std::string("bob"), std::string("carol"), dave}) {
    for (std::string& path : AccountPaths(user)) paths.push_back(std::move(path));
  }
  return paths;
}

// Calls work(client, i) over and over on `workers` threads, each with its own client,
// until it returns false (no answer) or `interrupt`, run on one more thread after
// `delay`, has returned: a signal in the middle of a load.
void LoadThenInterrupt(const TestServer& server, int workers, std::chrono::milliseconds delay,
                       const std::function<void()>& interrupt,
                       const std::function<bool(httplib::Client&, int)>& work) {
  std::atomic<bool> interrupted{false};
  server.RunWithClients(workers + 1, [&](httplib::Client& client, int i) {
    if (i == workers) {
      std::this_thread::sleep_for(delay);
      interrupt();
      interrupted = true;
      return;
    }
    while (!interrupted && work(client, i)) {
    }
  });
}

}  // namespace

TEST_CASE("e2e: a graceful restart keeps every answer identical") {
  // With the default snapshot interval recovery replays the log; with a snapshot every
  // three records it starts from a snapshot and replays the tail; with fsync off only
  // the shutdown's flush makes the log whole.
  for (std::vector<std::string> flags :
       {std::vector<std::string>{"--demo-data"},
        std::vector<std::string>{"--demo-data", "--snapshot-every", "3"},
        std::vector<std::string>{"--demo-data", "--fsync", "off"}}) {
    CAPTURE(flags.back());
    TestServer server(flags);
    std::vector<std::string> paths = Populate(server.client());
    std::vector<std::string> before = Observe(server.client(), paths);

    server.Restart();  // REQUIREs exit status 0
    CHECK(Observe(server.client(), paths) == before);
    // A second restart starts from what the first one wrote at shutdown.
    server.Restart();
    CHECK(Observe(server.client(), paths) == before);

    // And the server carries on from there.
    int64_t alice = BalanceOf(server.client(), "alice");
    CHECK(Int(CheckJson(Charge(server.client(), "alice", 1)), "currentBalance") == alice + 1);
    PlaceOrderOk(server.client(), "alice", {{"p-cable", 1}});
  }
}

TEST_CASE("e2e: kill -9 keeps every acknowledged answer") {
  TestServer server;
  std::vector<std::string> paths = Populate(server.client());
  std::vector<std::string> before = Observe(server.client(), paths);
  server.CrashAndRestart();
  CHECK(Observe(server.client(), paths) == before);
  server.CrashAndRestart();
  CHECK(Observe(server.client(), paths) == before);
}

TEST_CASE("e2e: the test clock's offset survives a restart") {
  TestServer server({"--test-clock"});
  // Ten days ahead: were the offset lost, "now" would fall back by ten days.
  std::string ahead =
      Str(CheckJson(Post(server.client(), "/admin/clock", R"({"advanceSeconds":864000})")), "now");
  server.Restart();
  std::string later =
      Str(CheckJson(Post(server.client(), "/admin/clock", R"({"advanceSeconds":1})")), "now");
  CHECK(later > ahead);
  server.CrashAndRestart();
  CHECK(Str(CheckJson(Post(server.client(), "/admin/clock", R"({"advanceSeconds":1})")), "now") >
        later);
}

TEST_CASE("e2e: SIGTERM under load answers every request it applied, then exits 0") {
  TestServer server;
  std::string payee = CreateUser(server.client());
  constexpr int kThreads = 8;
  // The window between "applied" and "answered" is short: three rounds to hit it.
  for (int round = 0; round < 3; ++round) {
    CAPTURE(round);
    int64_t start = BalanceOf(server.client(), payee);
    std::vector<int> acked(kThreads, 0);
    std::vector<std::string> unexpected(kThreads);
    int exit_status = -1;
    LoadThenInterrupt(
        server, kThreads, std::chrono::milliseconds(200),
        [&] { exit_status = server.process().Stop(); },  // the operator's SIGTERM
        [&](httplib::Client& client, int i) {
          HttpReply r = Charge(client, payee, 1);
          if (r.status == 200) {
            ++acked[i];
          } else if (r.status != 0) {
            unexpected[i] += std::to_string(r.status) + " " + r.body + "\n";
          }
          return r.status != 0;  // no answer: the server has stopped
        });
    CHECK(exit_status == 0);
    server.StartAgain();
    int64_t acked_sum = 0;
    for (int i = 0; i < kThreads; ++i) {
      CHECK(unexpected[i].empty());
      acked_sum += acked[i];
    }
    // "Finish in-flight requests": a charge the server applied was also answered, so
    // the balance grew by exactly the acknowledged ones.
    CHECK(BalanceOf(server.client(), payee) == start + acked_sum);
  }
}

namespace {

// Charges to one user and orders of one product from several threads, a kill -9
// 400 ms in, a restart, and the accounts of what was acknowledged.
void CheckKillUnderLoad(const std::vector<std::string>& flags) {
  TestServer server(flags);
  std::string payee = CreateUser(server.client());
  constexpr int64_t kStock = 1'000'000;
  std::string product = CreateProduct(server.client(), 1, kStock);
  constexpr int kChargers = 3, kBuyers = 3;
  std::vector<std::string> buyers;
  for (int i = 0; i < kBuyers; ++i) buyers.push_back(CreateUser(server.client(), 1'000'000));

  // What each worker sent and what the server acknowledged (a 200 it received).
  struct Worker {
    int attempted = 0;
    std::vector<int64_t> acked_balances;  // chargers: currentBalance of each 200
    int64_t acked_amount = 0;
    std::vector<std::string> acked_orders;  // buyers: orderId of each 200
    std::vector<std::string> unexpected;    // answers other than 200 or no answer
  };
  std::vector<Worker> workers(kChargers + kBuyers);
  LoadThenInterrupt(
      server, kChargers + kBuyers, std::chrono::milliseconds(400), [&] { server.Kill(); },
      [&](httplib::Client& client, int i) {
        Worker& w = workers[i];
        ++w.attempted;
        int64_t amount = i * 100'000 + w.attempted;
        HttpReply r = i < kChargers ? Charge(client, payee, amount)
                                    : PlaceOrder(client, buyers[i - kChargers], {{product, 1}});
        if (r.status == 0) return false;  // the server is gone: this one may or may not land
        // Only the test thread may assert: pick the answer apart without REQUIRE.
        rapidjson::Document doc;
        doc.Parse(r.body.c_str());
        if (r.status != 200 || doc.HasParseError() || !doc.IsObject()) {
          w.unexpected.push_back(std::to_string(r.status) + " " + r.body);
        } else if (i < kChargers && doc.HasMember("currentBalance")) {
          w.acked_balances.push_back(doc["currentBalance"].GetInt64());
          w.acked_amount += amount;
        } else if (i >= kChargers && doc.HasMember("orderId")) {
          w.acked_orders.emplace_back(doc["orderId"].GetString());
        } else {
          w.unexpected.push_back(r.body);
        }
        return true;
      });
  server.StartAgain();
  httplib::Client& c = server.client();

  int acked_charges = 0, attempted_charges = 0;
  int64_t acked_sum = 0;
  std::set<int64_t> acked_balances;
  for (int i = 0; i < kChargers; ++i) {
    CHECK(workers[i].unexpected.empty());
    acked_charges += static_cast<int>(workers[i].acked_balances.size());
    attempted_charges += workers[i].attempted;
    acked_sum += workers[i].acked_amount;
    acked_balances.insert(workers[i].acked_balances.begin(), workers[i].acked_balances.end());
  }
  INFO(acked_charges, " of ", attempted_charges, " charges acknowledged before the kill");
  CHECK(acked_charges > 0);

  // Charges: the history adds up to the balance, every acknowledged charge's balance is
  // one of the history's steps, and nothing appears that was never sent.
  rapidjson::Document history = AllPages(c, "/balance/history?userId=" + payee);
  int64_t balance = BalanceOf(c, payee);
  int64_t sum = 0;
  std::set<int64_t> steps;
  for (rapidjson::SizeType i = 0; i < history.Size(); ++i) {
    CHECK(Str(history[i], "transactionType") == "CHARGE");
    sum += Int(history[i], "amount");
    steps.insert(Int(history[i], "balanceAfter"));
    if (i + 1 < history.Size()) {
      CHECK(Int(history[i], "balanceBefore") == Int(history[i + 1], "balanceAfter"));
    }
  }
  CHECK(sum == balance);
  CHECK(balance >= acked_sum);
  CHECK(static_cast<int>(history.Size()) >= acked_charges);
  CHECK(static_cast<int>(history.Size()) <= attempted_charges);
  for (int64_t acked : acked_balances) {
    CHECK_MESSAGE(steps.contains(acked), "acknowledged balance ", acked, " is not in the history");
  }

  // Orders: every acknowledged one is SUCCESS; every recorded one is whole (paid and
  // taken from stock), so stock and balances add up.
  int64_t sold = 0;
  for (int b = 0; b < kBuyers; ++b) {
    const Worker& w = workers[kChargers + b];
    CHECK(w.unexpected.empty());
    for (const std::string& id : w.acked_orders) {
      CHECK(Str(CheckJson(Get(c, "/orders/" + id)), "orderStatus") == "SUCCESS");
    }
    rapidjson::Document orders = AllPages(c, "/orders?userId=" + buyers[b]);
    CHECK(orders.Size() >= w.acked_orders.size());
    CHECK(static_cast<int>(orders.Size()) <= w.attempted);
    for (const rapidjson::Value& order : orders.GetArray()) {
      CHECK(Str(order, "orderStatus") == "SUCCESS");
    }
    CHECK(BalanceOf(c, buyers[b]) == 1'000'000 - static_cast<int64_t>(orders.Size()));
    sold += orders.Size();
  }
  CHECK(StockOf(c, product) == kStock - sold);

  // The restarted server takes new work.
  CHECK(Int(CheckJson(Charge(c, payee, 1)), "currentBalance") == balance + 1);
}

}  // namespace

TEST_CASE("e2e: kill -9 under load loses no acknowledged charge or order") {
  // Also with snapshots taken while the load runs.
  for (std::vector<std::string> flags :
       {std::vector<std::string>{}, std::vector<std::string>{"--snapshot-every", "64"}}) {
    CAPTURE(flags.size());
    CheckKillUnderLoad(flags);
  }
}

}  // namespace ecomm::testing
