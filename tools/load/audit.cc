#include "audit.h"

#include <rapidjson/document.h>

#include <atomic>
#include <mutex>
#include <thread>

namespace ecomm::load {

namespace {

constexpr int kThreads = 8;
constexpr size_t kViolationsKept = 100;

// The integer field `name` of a JSON object answer, or false.
bool IntField(const ShopReply& reply, const char* name, int64_t* out) {
  rapidjson::Document d;
  d.Parse(reply.body.data(), reply.body.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember(name) || !d[name].IsInt64()) return false;
  *out = d[name].GetInt64();
  return true;
}

bool StringField(const ShopReply& reply, const char* name, std::string* out) {
  rapidjson::Document d;
  d.Parse(reply.body.data(), reply.body.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember(name) || !d[name].IsString()) return false;
  *out = d[name].GetString();
  return true;
}

}  // namespace

std::string Describe(const ShopReply& reply) {
  return reply.status == 0 ? "no answer"
                           : std::to_string(reply.status) + " " + reply.body.substr(0, 200);
}

void ForEachParallel(const ShopClientFactory& clients, size_t n,
                     const std::function<void(ShopClient&, size_t)>& fn) {
  std::atomic<size_t> next{0};
  std::vector<std::thread> running;
  for (int t = 0; t < kThreads && static_cast<size_t>(t) < n; ++t) {
    running.emplace_back([&] {
      std::unique_ptr<ShopClient> client = clients();
      for (size_t i = next++; i < n; i = next++) fn(*client, i);
    });
  }
  for (std::thread& t : running) t.join();
}

bool CreatePopulation(const ShopClientFactory& clients, const Population& population,
                      Ledger* ledger, std::string* error) {
  std::mutex mu;
  std::string first_error;
  auto fail = [&](const std::string& what, const ShopReply& reply) {
    std::lock_guard lock(mu);
    if (first_error.empty()) first_error = what + ": " + Describe(reply);
  };
  ForEachParallel(
      clients, static_cast<size_t>(population.products()), [&](ShopClient& c, size_t i) {
        int p = static_cast<int>(i);
        ShopReply r = c.CreateProduct(population.product_id(p), "Load product " + std::to_string(p),
                                      population.price(p), population.opening_stock());
        if (r.status != 201) fail("creating product " + population.product_id(p), r);
      });
  ForEachParallel(clients, static_cast<size_t>(population.users()), [&](ShopClient& c, size_t i) {
    int u = static_cast<int>(i);
    const std::string& id = population.user_id(u);
    ShopReply r = c.CreateUser(id, "Load user " + std::to_string(u), id + "@load.invalid");
    if (r.status != 201) return fail("creating user " + id, r);
    r = c.Charge(id, population.opening_balance(), population.prefix() + "open-" + id);
    if (r.status != 200) return fail("charging user " + id, r);
    ledger->Charged(u, population.opening_balance());
  });
  if (const std::optional<Campaign>& campaign = population.campaign(); campaign) {
    ShopReply r = clients()->CreateCoupon(*campaign);
    if (r.status != 201) fail("creating coupon campaign " + campaign->id, r);
  }
  *error = first_error;
  return first_error.empty();
}

void AddViolation(AuditResult* result, std::string what) {
  result->ok = false;
  if (result->violations.size() < kViolationsKept) result->violations.push_back(std::move(what));
  ++result->violation_count;
}

AuditResult Audit(const ShopClientFactory& clients, const Population& population,
                  const Ledger& ledger) {
  AuditResult result;
  std::mutex mu;
  auto violation = [&](std::string what) {
    std::lock_guard lock(mu);
    AddViolation(&result, std::move(what));
  };

  std::vector<Ledger::Account> accounts = ledger.accounts();
  ForEachParallel(clients, accounts.size(), [&](ShopClient& c, size_t i) {
    const std::string& id = population.user_id(static_cast<int>(i));
    const Ledger::Account& a = accounts[i];
    int64_t want = a.charged - a.paid + a.refunded, got = 0;
    ShopReply r = c.GetBalance(id);
    if (r.status != 200 || !IntField(r, "currentBalance", &got)) {
      return violation("user " + id + ": GET /balance: " + Describe(r));
    }
    if (got != want) {
      violation("user " + id + ": balance " + std::to_string(got) + ", acknowledged " +
                std::to_string(a.charged) + " charged - " + std::to_string(a.paid) + " paid + " +
                std::to_string(a.refunded) + " refunded = " + std::to_string(want));
    }
  });
  result.users = accounts.size();

  std::vector<Ledger::Stock> stocks = ledger.stocks();
  ForEachParallel(clients, stocks.size(), [&](ShopClient& c, size_t i) {
    const std::string& id = population.product_id(static_cast<int>(i));
    const Ledger::Stock& s = stocks[i];
    int64_t want = population.opening_stock() + s.restocked - s.sold, got = 0;
    ShopReply r = c.GetProduct(id);
    if (r.status != 200 || !IntField(r, "stock", &got)) {
      return violation("product " + id + ": GET /products/" + id + ": " + Describe(r));
    }
    if (got != want) {
      violation("product " + id + ": stock " + std::to_string(got) + ", acknowledged " +
                std::to_string(population.opening_stock()) + " opening + " +
                std::to_string(s.restocked) + " restocked - " + std::to_string(s.sold) +
                " sold = " + std::to_string(want));
    }
  });
  result.products = stocks.size();

  std::vector<Ledger::Order> orders = ledger.orders();
  ForEachParallel(clients, orders.size(), [&](ShopClient& c, size_t i) {
    const Ledger::Order& o = orders[i];
    std::string status;
    ShopReply r = c.GetOrder(o.id);
    if (r.status != 200 || !StringField(r, "orderStatus", &status)) {
      return violation("order " + o.id + ": GET /orders/" + o.id + ": " + Describe(r));
    }
    if (status != StatusName(o.status)) {
      violation("order " + o.id + ": " + status + ", acknowledged " + StatusName(o.status));
    }
  });
  result.orders = orders.size();
  if (population.campaign()) result.coupons = AuditCoupons(clients, population, ledger, violation);
  result.unknown_outcomes = ledger.unknown_outcomes();
  return result;
}

}  // namespace ecomm::load
