// follower_lag_bench: how far a follower replica trails the primary, from an order's 200
// on the primary to the moment the follower has applied that order's record. Orders go
// out at a steady rate, each client thread on its own schedule of intended send times: a
// slow answer makes that thread's next sends late (reported), never fewer. On each 200 the
// thread reads the order from the follower with Ecomm-Min-Lsn set to the answer's
// Ecomm-Lsn; the follower holds that read until it has counted the LSN (at most its
// --max-read-wait, else 503 REPLICA_BEHIND). The lag is the follower's answer time minus
// the primary's, both on this process's steady clock: an upper bound, as it includes one
// loopback round trip to the follower. One order in kBaselineEvery is read once more, its
// LSN counted by then: that round trip is the part of the lag that is not waiting. The
// first --warmup seconds of orders are sent but not counted. Assumes the users bench0..
// and products bench-p0.. of bench/shop.sh's seed_bench_shop, created on the primary.
// Percentiles are the histogram's: at most 3.1 % above the exact ones.
#include <httplib.h>

#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cli_flags.h"
#include "ecomm/histogram.h"
#include "steady_orders.h"

namespace {

using ecomm::Histogram;
using namespace ecomm::bench;

// One order in this many is read a second time for the baseline: enough samples, without
// adding much load on the follower beside the lag reads.
constexpr int kBaselineEvery = 10;

struct Options {
  std::string primary_host;
  uint16_t primary_port = 0;
  std::string follower_host;
  uint16_t follower_port = 0;
  OrderSchedule schedule{64};
};

// What one client thread saw; added into the total as the thread ends.
struct Counts {
  uint64_t sent = 0;     // orders sent after the warm-up
  uint64_t acked = 0;    // of those, answered 200 with an Ecomm-Lsn
  uint64_t applied = 0;  // of those, read back from the follower
  // Failed requests by Outcome, the warm-up's included, so that none goes unseen.
  std::map<std::string, uint64_t> primary_failed;
  std::map<std::string, uint64_t> follower_failed;

  void Add(const Counts& other) {
    sent += other.sent;
    acked += other.acked;
    applied += other.applied;
    for (const auto& [what, n] : other.primary_failed) primary_failed[what] += n;
    for (const auto& [what, n] : other.follower_failed) follower_failed[what] += n;
  }
};

// What a failed request came to: its status and problem code ("503 REPLICA_BEHIND"), or
// why it has no answer.
std::string Outcome(const httplib::Result& answer) {
  if (!answer) return "no answer (" + httplib::to_string(answer.error()) + ")";
  std::string code = JsonString(answer->body, "code");
  return std::to_string(answer->status) + (code.empty() ? std::string() : " " + code);
}

// "503 REPLICA_BEHIND x2, no answer (Read) x1", or "none".
std::string Listed(const std::map<std::string, uint64_t>& failures) {
  if (failures.empty()) return "none";
  std::string text;
  for (const auto& [what, n] : failures) {
    text += (text.empty() ? "" : ", ") + what + " x" + std::to_string(n);
  }
  return text;
}

// The command line into `o`: the exit status to stop with, or nothing to go on.
std::optional<int> Parse(int argc, char** argv, Options* o) {
  using ecomm::tools::AddHostPort;
  CLI::App app("Follower lag: order answered 200 on the primary -> applied on a follower.",
               "follower_lag_bench");
  AddHostPort(app, "--primary", &o->primary_host, &o->primary_port, "the primary's address")
      ->required();
  AddHostPort(app, "--follower", &o->follower_host, &o->follower_port, "a follower's address")
      ->required();
  o->schedule.AddFlags(app);
  return ecomm::tools::ParseFlags(app, argc, argv);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (std::optional<int> exit = Parse(argc, argv, &options)) return *exit;

  Histogram late_us(Histogram::kFine);      // from the intended send time to the send
  Histogram ack_us(Histogram::kFine);       // from the intended send time to the primary's 200
  Histogram lag_us(Histogram::kFine);       // from the primary's 200 to the follower's
  Histogram baseline_us(Histogram::kFine);  // a follower read whose LSN has counted
  std::mutex mu;
  Counts total;
  const OrderSchedule& schedule = options.schedule;
  options.schedule.Begin();
  std::vector<std::thread> threads;
  for (int t = 0; t < schedule.threads(); ++t) {
    threads.emplace_back([&, t] {
      httplib::Client primary(options.primary_host, options.primary_port);
      httplib::Client follower(options.follower_host, options.follower_port);
      for (httplib::Client* client : {&primary, &follower}) {
        client->set_keep_alive(true);
        client->set_tcp_nodelay(true);  // else headers and body wait on delayed ACKs: 40 ms
      }
      Counts mine;
      for (int k = 0; k < schedule.PerThread(); ++k) {
        auto intended = schedule.Intended(t, k);
        std::this_thread::sleep_until(intended);
        const bool counted = schedule.Counted(intended);
        auto sent = Clock::now();
        auto answer = primary.Post("/order", schedule.Body(t, k), "application/json");
        auto acked = Clock::now();
        if (counted) {
          ++mine.sent;
          late_us.Record(Micros(sent - intended));
        }
        if (!answer || answer->status != 200) {
          ++mine.primary_failed[Outcome(answer)];
          continue;
        }
        std::string lsn = answer->get_header_value("Ecomm-Lsn");
        if (lsn.empty()) {
          ++mine.primary_failed["200 without Ecomm-Lsn"];
          continue;
        }
        if (counted) {
          ++mine.acked;
          ack_us.Record(Micros(acked - intended));
        }
        // The order itself, not a cheaper read: a 404 here would show an LSN counted
        // before its record was applied.
        const std::string path = "/orders/" + JsonString(answer->body, "orderId");
        const httplib::Headers min_lsn = {{"Ecomm-Min-Lsn", lsn}};
        auto read = follower.Get(path, min_lsn);
        auto applied = Clock::now();
        if (!read || read->status != 200) {
          ++mine.follower_failed[Outcome(read)];
          continue;
        }
        if (!counted) continue;
        ++mine.applied;
        lag_us.Record(Micros(applied - acked));
        if (k % kBaselineEvery != 0) continue;
        auto again_sent = Clock::now();
        auto again = follower.Get(path, min_lsn);
        if (again && again->status == 200) {
          baseline_us.Record(Micros(Clock::now() - again_sent));
        } else {
          ++mine.follower_failed["baseline read: " + Outcome(again)];
        }
      }
      std::lock_guard lock(mu);
      total.Add(mine);
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double elapsed = Millis(Clock::now() - schedule.start()) / 1000;

  std::printf("orders: sent %" PRIu64
              " in %.1f s = %.0f/s (asked %.0f/s), 200 on the primary %" PRIu64
              ", read back from the follower %" PRIu64 "\n",
              total.sent, elapsed, static_cast<double>(total.sent) / elapsed, schedule.rate(),
              total.acked, total.applied);
  std::printf("send late behind schedule (ms): p50 %.2f p99 %.2f max %.2f\n",
              PercentileMs(late_us, 0.5), PercentileMs(late_us, 0.99), PercentileMs(late_us, 1.0));
  std::printf("ack from intended send (ms): p50 %.2f p90 %.2f p99 %.2f max %.2f\n",
              PercentileMs(ack_us, 0.5), PercentileMs(ack_us, 0.9), PercentileMs(ack_us, 0.99),
              PercentileMs(ack_us, 1.0));
  std::printf("lag primary 200 -> follower applied (ms): p50 %.2f p90 %.2f p99 %.2f max %.2f\n",
              PercentileMs(lag_us, 0.5), PercentileMs(lag_us, 0.9), PercentileMs(lag_us, 0.99),
              PercentileMs(lag_us, 1.0));
  std::printf("follower round trip, LSN counted (ms): p50 %.2f p99 %.2f max %.2f (%" PRIu64
              " reads)\n",
              PercentileMs(baseline_us, 0.5), PercentileMs(baseline_us, 0.99),
              PercentileMs(baseline_us, 1.0), baseline_us.Count());
  std::printf("primary failures (warm-up included): %s\n", Listed(total.primary_failed).c_str());
  std::printf("follower failures (warm-up included): %s\n", Listed(total.follower_failed).c_str());
  const bool clean = total.primary_failed.empty() && total.follower_failed.empty();
  return clean && total.applied > 0 ? 0 : 1;
}
