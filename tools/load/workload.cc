#include "workload.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cassert>
#include <cmath>

namespace ecomm::load {

namespace {

constexpr size_t kMaxCartLines = 100;  // SPEC: at most 100 lines per cart

std::vector<double> ZipfCdf(int n, double exponent) {
  std::vector<double> cdf(static_cast<size_t>(n));
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    sum += 1.0 / std::pow(i + 1, exponent);
    cdf[static_cast<size_t>(i)] = sum;
  }
  for (double& c : cdf) c /= sum;
  return cdf;
}

}  // namespace

bool IsKeyedMutation(Op op) {
  return op == Op::kCharge || op == Op::kOrder || op == Op::kOrderCart || op == Op::kCancel;
}

Population::Population(const LoadOptions& options, std::string prefix)
    : prefix_(std::move(prefix)),
      hot_(options.hot),
      hot_user_(options.hot_user),
      stock_(options.stock),
      balance_(options.balance) {
  for (int i = 0; i < options.users; ++i) user_ids_.push_back(prefix_ + "u" + std::to_string(i));
  for (int i = 0; i < options.products; ++i) {
    product_ids_.push_back(prefix_ + "p" + std::to_string(i));
    product_index_.emplace(product_ids_.back(), i);
  }
  if (options.zipf > 0) {
    user_cdf_ = ZipfCdf(options.users, options.zipf);
    product_cdf_ = ZipfCdf(options.products, options.zipf);
  }
}

int Population::ProductIndex(std::string_view id) const {
  auto it = product_index_.find(std::string(id));
  return it == product_index_.end() ? -1 : it->second;
}

int Population::PickZipf(const std::vector<double>& cdf, std::mt19937_64& random) {
  double u = std::uniform_real_distribution<double>(0, 1)(random);
  auto it = std::lower_bound(cdf.begin(), cdf.end(), u);
  return static_cast<int>(std::min<ptrdiff_t>(it - cdf.begin(), std::ssize(cdf) - 1));
}

int Population::PickUser(std::mt19937_64& random) const {
  if (hot_user_ > 0 && std::uniform_real_distribution<double>(0, 1)(random) < hot_user_) return 0;
  if (!user_cdf_.empty()) return PickZipf(user_cdf_, random);
  return static_cast<int>(random() % user_ids_.size());
}

int Population::PickProduct(std::mt19937_64& random, bool for_order) const {
  if (for_order && hot_ > 0 && std::uniform_real_distribution<double>(0, 1)(random) < hot_) {
    return 0;
  }
  if (!product_cdf_.empty()) return PickZipf(product_cdf_, random);
  return static_cast<int>(random() % product_ids_.size());
}

Ledger::Ledger(const Population& population)
    : accounts_(static_cast<size_t>(population.users())),
      stocks_(static_cast<size_t>(population.products())) {}

void Ledger::OutcomeUnknown() {
  std::lock_guard lock(mu_);
  ++unknown_outcomes_;
}

uint64_t Ledger::unknown_outcomes() const {
  std::lock_guard lock(mu_);
  return unknown_outcomes_;
}

void Ledger::Charged(int user, int64_t amount) {
  std::lock_guard lock(mu_);
  accounts_[static_cast<size_t>(user)].charged += amount;
}

void Ledger::Restocked(int product, int64_t quantity) {
  std::lock_guard lock(mu_);
  stocks_[static_cast<size_t>(product)].restocked += quantity;
}

void Ledger::Placed(std::string id, int user, std::vector<Line> lines, int64_t total,
                    bool success) {
  std::lock_guard lock(mu_);
  if (success) {
    accounts_[static_cast<size_t>(user)].paid += total;
    for (const Line& line : lines) stocks_[static_cast<size_t>(line.product)].sold += line.quantity;
    cancellable_.push_back(static_cast<int64_t>(orders_.size()));
  }
  orders_.push_back(Order{std::move(id), user, std::move(lines), success ? total : 0,
                          success ? Status::kSuccess : Status::kFailed});
}

int64_t Ledger::TakeCancellable(std::mt19937_64& random, std::string* id, int* user) {
  std::lock_guard lock(mu_);
  if (cancellable_.empty()) return -1;
  size_t at = random() % cancellable_.size();
  int64_t order = cancellable_[at];
  cancellable_[at] = cancellable_.back();
  cancellable_.pop_back();
  *id = orders_[static_cast<size_t>(order)].id;
  *user = orders_[static_cast<size_t>(order)].user;
  return order;
}

void Ledger::ReturnCancellable(int64_t order) {
  std::lock_guard lock(mu_);
  cancellable_.push_back(order);
}

void Ledger::Cancelled(int64_t index) {
  std::lock_guard lock(mu_);
  Order& order = orders_[static_cast<size_t>(index)];
  assert(order.status == Status::kSuccess);  // only SUCCESS orders are in the pool
  order.status = Status::kCancelled;
  accounts_[static_cast<size_t>(order.user)].refunded += order.total;
  for (const Line& line : order.lines)
    stocks_[static_cast<size_t>(line.product)].sold -= line.quantity;
}

std::vector<Ledger::Account> Ledger::accounts() const {
  std::lock_guard lock(mu_);
  return accounts_;
}

std::vector<Ledger::Stock> Ledger::stocks() const {
  std::lock_guard lock(mu_);
  return stocks_;
}

std::vector<Ledger::Order> Ledger::orders() const {
  std::lock_guard lock(mu_);
  return orders_;
}

size_t Ledger::order_count() const {
  std::lock_guard lock(mu_);
  return orders_.size();
}

const char* StatusName(Ledger::Status status) {
  switch (status) {
    case Ledger::Status::kSuccess:
      return "SUCCESS";
    case Ledger::Status::kFailed:
      return "FAILED";
    case Ledger::Status::kCancelled:
      return "CANCELLED";
  }
  return "?";
}

VirtualUser::VirtualUser(const LoadOptions& options, const Population& population, Ledger* ledger,
                         int index, uint64_t seed)
    : options_(options),
      population_(population),
      ledger_(ledger),
      random_(seed),
      mix_(options.mix.begin(), options.mix.end()),
      key_prefix_(population.prefix() + "k" + std::to_string(index) + "-") {
  for (int u = index; u < population.users(); u += options.connections) owned_.push_back(u);
}

int VirtualUser::PickOwnedUser() { return owned_.empty() ? -1 : owned_[random_() % owned_.size()]; }

ShopRequest VirtualUser::Next() { return Build(static_cast<Op>(mix_(random_))); }

ShopRequest VirtualUser::Build(Op op) {
  ShopRequest r;
  r.op = op;
  switch (op) {
    case Op::kBrowse:
      r.variant = random_() % 2 == 0;
      r.product = population_.PickProduct(random_, false);
      break;
    case Op::kTop:
      break;
    case Op::kHistory:
      r.variant = random_() % 2 == 0;
      r.user = population_.PickUser(random_);
      break;
    case Op::kCartAdd:
      r.user = PickOwnedUser();
      if (r.user < 0) return Build(Op::kBrowse);  // more connections than users
      if (carts_[r.user].size() >= kMaxCartLines) return Build(Op::kCartRemove);
      r.product = population_.PickProduct(random_, true);
      r.amount = 1 + static_cast<int64_t>(random_() % 3);
      break;
    case Op::kCartRemove:
    case Op::kOrderCart: {
      r.user = PickOwnedUser();
      if (r.user < 0) return Build(Op::kBrowse);
      const std::vector<Line>& cart = carts_[r.user];
      if (cart.empty()) return Build(Op::kCartAdd);
      if (op == Op::kCartRemove) {
        r.product = cart[random_() % cart.size()].product;
      } else {
        r.lines = cart;
      }
      break;
    }
    case Op::kCharge:
      r.user = population_.PickUser(random_);
      r.amount = 1 + static_cast<int64_t>(random_() % 10'000);
      break;
    case Op::kOrder:
      r.user = population_.PickUser(random_);
      for (auto n = 1 + random_() % static_cast<uint64_t>(options_.order_lines); n > 0; --n) {
        auto quantity = 1 + random_() % static_cast<uint64_t>(options_.max_quantity);
        r.lines.push_back(
            Line{population_.PickProduct(random_, true), static_cast<int64_t>(quantity)});
      }
      break;
    case Op::kCancel:
      r.order = ledger_->TakeCancellable(random_, &r.order_id, &r.user);
      if (r.order < 0) return Build(Op::kOrder);
      break;
    case Op::kRestock:
      r.product = population_.PickProduct(random_, false);
      r.amount = 1 + static_cast<int64_t>(random_() % 1'000);
      break;
  }
  if (IsKeyedMutation(op)) r.idempotency_key = key_prefix_ + std::to_string(++keys_);
  return r;
}

bool VirtualUser::Settle(const ShopRequest& r, const ShopReply& reply) {
  bool in_doubt = reply.status == 0 || reply.status >= 500 ||
                  reply.body.find("IDEMPOTENCY_KEY_IN_USE") != std::string::npos;
  if (in_doubt && (IsKeyedMutation(r.op) || r.op == Op::kRestock)) ledger_->OutcomeUnknown();
  switch (r.op) {
    case Op::kBrowse:
    case Op::kTop:
    case Op::kHistory:
      return reply.status == 200;
    case Op::kCartAdd:
      if (reply.status != 200) return false;
      {
        std::vector<Line>& cart = carts_[r.user];
        auto it = std::find_if(cart.begin(), cart.end(),
                               [&](const Line& l) { return l.product == r.product; });
        if (it == cart.end()) {
          cart.push_back(Line{r.product, r.amount});
        } else {
          it->quantity += r.amount;
        }
      }
      return true;
    case Op::kCartRemove:
      if (reply.status != 200) return false;
      std::erase_if(carts_[r.user], [&](const Line& l) { return l.product == r.product; });
      return true;
    case Op::kCharge:
      if (reply.status != 200) return false;
      ledger_->Charged(r.user, r.amount);
      return true;
    case Op::kRestock:
      if (reply.status != 200) return false;
      ledger_->Restocked(r.product, r.amount);
      return true;
    case Op::kOrder:
    case Op::kOrderCart: {
      if (reply.status != 200 && reply.status != 409) return false;
      rapidjson::Document answer;
      answer.Parse(reply.body.data(), reply.body.size());
      if (answer.HasParseError() || !answer.IsObject() || !answer.HasMember("orderId") ||
          !answer["orderId"].IsString()) {
        return false;
      }
      std::string id = answer["orderId"].GetString();
      if (reply.status == 409) {  // INSUFFICIENT_BALANCE or OUT_OF_STOCK: recorded FAILED
        ledger_->Placed(std::move(id), r.user, r.lines, 0, false);
        return true;
      }
      if (!answer.HasMember("totalPrice") || !answer["totalPrice"].IsInt64()) return false;
      int64_t total = answer["totalPrice"].GetInt64();
      ledger_->Placed(std::move(id), r.user, r.lines, total, true);
      if (r.op == Op::kOrderCart) carts_[r.user].clear();
      // Prices never change during a run: a total that is not their sum is wrong even
      // if the balance agrees with it.
      int64_t expected = 0;
      for (const Line& line : r.lines) expected += population_.price(line.product) * line.quantity;
      return total == expected;
    }
    case Op::kCancel:
      if (reply.status == 200) {
        ledger_->Cancelled(r.order);
        return true;
      }
      if (reply.status >= 400 && reply.status < 500 && !in_doubt) {
        ledger_->ReturnCancellable(r.order);
      }
      return false;
  }
  return false;
}

}  // namespace ecomm::load
