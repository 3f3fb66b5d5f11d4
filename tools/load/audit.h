#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "coupon_audit.h"
#include "digest_audit.h"
#include "load_options.h"
#include "shop_client.h"
#include "workload.h"

namespace ecomm::load {

// Creates the run's users (each charged the opening balance), products and coupon
// campaign, as the admin API does. False with `*error` on the first refusal.
bool CreatePopulation(const ShopClientFactory& clients, const Population& population,
                      Ledger* ledger, std::string* error);

struct AuditResult {
  bool ok = true;
  uint64_t violation_count = 0;
  std::vector<std::string> violations;           // the first 100, each naming what and where
  uint64_t users = 0, products = 0, orders = 0;  // checked
  uint64_t unknown_outcomes = 0;                 // writes the client never learned the outcome of
  std::optional<ReplicaAudit> replicas;          // several --url replicas: which, and their digests
  std::optional<CouponAudit> coupons;            // a run with a coupon campaign
};

// Records a violation: the audit fails, and the first 100 are kept.
void AddViolation(AuditResult* result, std::string what);

// Runs fn(client, i) for i in [0, n) on a few threads, each with a client of its own.
void ForEachParallel(const ShopClientFactory& clients, size_t n,
                     const std::function<void(ShopClient&, size_t)>& fn);
// An answer in a violation's words: "no answer", or its status and the start of its body.
std::string Describe(const ShopReply& reply);

// Compares the server's state with what the client saw acknowledged: per user, balance
// = charges - payments + refunds (payments: what orders cost after their discounts);
// per product, stock = opening + restocks - units in SUCCESS orders not cancelled;
// every order readable with the status it was acknowledged with; the coupon campaign
// (coupon_audit.h).
AuditResult Audit(const ShopClientFactory& clients, const Population& population,
                  const Ledger& ledger);

}  // namespace ecomm::load
