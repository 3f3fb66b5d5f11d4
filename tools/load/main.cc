// ecomm-load: the load harness users run themselves (SPEC.md "Programs and flags").
// Creates a population of its own through the admin API, drives a mix of operations
// closed- or open-loop, prints a table per operation, then audits the server's state
// against what it saw acknowledged.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <random>
#include <string>

#include "audit.h"
#include "embedded_load.h"
#include "embedded_shop.h"
#include "http_load.h"
#include "load_options.h"
#include "report.h"
#include "user_tokens.h"

using ecomm::load::LoadOptions;

namespace {

std::string RandomPrefix(uint64_t seed) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::mt19937_64 random(seed);
  std::string prefix = "ld";
  for (int i = 0; i < 6; ++i) prefix += kDigits[random() % 16];
  return prefix + "-";
}

}  // namespace

int main(int argc, char** argv) {
  std::string message, error;
  int exit_code = 0;
  std::optional<LoadOptions> parsed =
      ecomm::load::ParseLoadOptions(argc, argv, &message, &exit_code);
  if (!parsed) {
    std::fputs(message.c_str(), exit_code == 0 ? stdout : stderr);
    return exit_code;
  }
  LoadOptions& options = *parsed;
  if (options.seed == 0) {
    options.seed =
        static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) | 1;
  }
  if (options.prefix.empty()) options.prefix = RandomPrefix(options.seed);
  ecomm::load::Population population(options, options.prefix);
  ecomm::load::Ledger ledger(population);

  auto tokens = ecomm::load::UserTokens::Mint(options, population, &error);
  if (!error.empty()) {
    std::fprintf(stderr, "ecomm-load: minting tokens: %s\n", error.c_str());
    return 2;
  }
  std::string admin = ecomm::load::AdminAuthorization(options, tokens.get());

  std::unique_ptr<ecomm::load::EmbeddedShop> shop;
  ecomm::load::ShopClientFactory clients;
  std::string target;
  if (options.embedded) {
    shop = ecomm::load::EmbeddedShop::Open(options.data_dir, &error);
    if (shop == nullptr) {
      std::fprintf(stderr, "ecomm-load: %s\n", error.c_str());
      return 1;
    }
    clients = shop->Clients();
    target = "embedded engine on " + shop->data_dir();
  } else {
    clients = ecomm::load::HttpShopClients(options, admin);
    target = "http://" + options.host + ":" + std::to_string(options.port);
  }
  if (!ecomm::load::CreatePopulation(clients, population, &ledger, &error)) {
    std::fprintf(stderr, "ecomm-load: setting up %s: %s\n", target.c_str(), error.c_str());
    return 1;
  }
  std::string mode =
      options.rate > 0
          ? "open loop at " + std::to_string(static_cast<int64_t>(options.rate)) + " req/s"
          : "closed loop";
  std::fprintf(stderr,
               "ecomm-load: %s, %d users and %d products (ids %s...), %s over %d "
               "connections for %lld s\n",
               target.c_str(), population.users(), population.products(), options.prefix.c_str(),
               mode.c_str(), options.connections, static_cast<long long>(options.duration.count()));
  auto started = std::chrono::steady_clock::now();
  std::unique_ptr<ecomm::load::RunStats> stats;
  if (options.embedded) {
    stats = ecomm::load::RunEmbedded(options, population, &ledger, shop.get());
  } else {
    const ecomm::load::UserTokens* users = tokens.get();
    ecomm::load::HttpLoad load(
        options, population, &ledger, [&admin, users](const ecomm::load::ShopRequest& r) {
          if (r.op == ecomm::load::Op::kRestock) return admin;
          return users && r.user >= 0 ? users->ForUser(r.user) : std::string();
        });
    stats = load.Run();
  }
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;

  std::optional<ecomm::load::AuditResult> audit;
  if (options.audit) audit = ecomm::load::Audit(clients, population, ledger);
  ecomm::load::Report report{options, *stats, elapsed, audit, target};
  std::fputs(ecomm::load::RenderTable(report).c_str(), stdout);
  if (!options.json_path.empty()) {
    std::ofstream json(options.json_path);
    json << ecomm::load::RenderJson(report);
    if (!json) {
      std::fprintf(stderr, "ecomm-load: cannot write %s\n", options.json_path.c_str());
      return 1;
    }
  }
  return ecomm::load::Failed(report) ? 1 : 0;
}
