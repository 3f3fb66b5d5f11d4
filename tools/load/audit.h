#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "digest_audit.h"
#include "load_options.h"
#include "shop_client.h"
#include "workload.h"

namespace ecomm::load {

// Creates the run's users (each charged the opening balance) and products, as the
// admin API does. False with `*error` on the first refusal.
bool CreatePopulation(const ShopClientFactory& clients, const Population& population,
                      Ledger* ledger, std::string* error);

struct AuditResult {
  bool ok = true;
  uint64_t violation_count = 0;
  std::vector<std::string> violations;           // the first 100, each naming what and where
  uint64_t users = 0, products = 0, orders = 0;  // checked
  uint64_t unknown_outcomes = 0;                 // writes the client never learned the outcome of
  std::optional<ReplicaAudit> replicas;          // several --url replicas: which, and their digests
};

// Records a violation: the audit fails, and the first 100 are kept.
void AddViolation(AuditResult* result, std::string what);

// Compares the server's state with what the client saw acknowledged: per user, balance
// = charges - payments + refunds; per product, stock = opening + restocks - units in
// SUCCESS orders not cancelled; every order readable with the status it was
// acknowledged with.
AuditResult Audit(const ShopClientFactory& clients, const Population& population,
                  const Ledger& ledger);

}  // namespace ecomm::load
