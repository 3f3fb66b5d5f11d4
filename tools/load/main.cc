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
#include "digest_audit.h"
#include "embedded_load.h"
#include "embedded_shop.h"
#include "http_load.h"
#include "load_options.h"
#include "replica_set.h"
#include "report.h"
#include "user_tokens.h"

using ecomm::load::LoadOptions;
using ecomm::load::ReplicaSet;

namespace {

std::string RandomPrefix(uint64_t seed) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::mt19937_64 random(seed);
  std::string prefix = "ld";
  for (int i = 0; i < 6; ++i) prefix += kDigits[random() % 16];
  return prefix + "-";
}

// Several replicas: the data audit reads from the one that is primary now, and every
// replica that can be reached must hold the same state (digest_audit.h).
ecomm::load::AuditResult AuditReplicas(const LoadOptions& options, const ReplicaSet& replicas,
                                       const std::string& admin,
                                       const ecomm::load::Population& population,
                                       const ecomm::load::Ledger& ledger) {
  ecomm::load::ReplicaAudit found = ecomm::load::FindPrimary(replicas, admin);
  ecomm::load::AuditResult result;
  if (found.primary) {
    ReplicaSet primary({replicas.at(*found.primary)});
    result = ecomm::load::Audit(
        ecomm::load::HttpShopClients(&primary, options.failover_wait, admin), population, ledger);
  }
  ecomm::load::CompareDigests(replicas, admin, options.failover_wait, &found);
  for (std::string& v : found.violations) ecomm::load::AddViolation(&result, std::move(v));
  found.violations.clear();  // now the audit's
  for (const std::string& url : found.unreachable()) {
    std::fprintf(stderr, "ecomm-load: replica %s cannot be reached at the end: not audited\n",
                 url.c_str());
  }
  result.replicas = std::move(found);
  return result;
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
  ReplicaSet replicas(options.urls);
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
    clients = ecomm::load::HttpShopClients(&replicas, options.failover_wait, admin);
    for (const ecomm::load::ReplicaUrl& url : replicas.urls()) {
      target += (target.empty() ? "" : ",") + url.text();
    }
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
    ecomm::load::HttpLoad load(options, population, &ledger, &replicas,
                               [&admin, users](const ecomm::load::ShopRequest& r) {
                                 if (r.op == ecomm::load::Op::kRestock) return admin;
                                 return users && r.user >= 0 ? users->ForUser(r.user)
                                                             : std::string();
                               });
    stats = load.Run();
  }
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;

  std::optional<ecomm::load::AuditResult> audit;
  if (options.audit && !options.embedded && replicas.failover()) {
    audit = AuditReplicas(options, replicas, admin, population, ledger);
  } else if (options.audit) {
    audit = ecomm::load::Audit(clients, population, ledger);
  }
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
