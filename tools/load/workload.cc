#include "workload.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cassert>
#include <cmath>

#include "json_fields.h"

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

// The answer's body as a JSON object, or false.
bool ParseObject(const ShopReply& reply, rapidjson::Document* out) {
  out->Parse(reply.body.data(), reply.body.size());
  return !out->HasParseError() && out->IsObject();
}

}  // namespace

bool IsKeyedMutation(Op op) {
  return op == Op::kCharge || op == Op::kOrder || op == Op::kOrderCart || op == Op::kCancel ||
         op == Op::kCouponIssue;
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
  if (options.mix[static_cast<size_t>(Op::kCouponIssue)] > 0) {
    campaign_ = Campaign{prefix_ + "c0", options.coupon_discount, options.coupons};
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
      stocks_(static_cast<size_t>(population.products())),
      coupons_(static_cast<size_t>(population.users())) {}

void Ledger::OutcomeUnknown(Op op) {
  std::lock_guard lock(mu_);
  ++unknown_outcomes_[static_cast<size_t>(op)];
}

uint64_t Ledger::unknown_outcomes() const {
  std::lock_guard lock(mu_);
  uint64_t n = 0;
  for (uint64_t count : unknown_outcomes_) n += count;
  return n;
}

uint64_t Ledger::unknown_outcomes(Op op) const {
  std::lock_guard lock(mu_);
  return unknown_outcomes_[static_cast<size_t>(op)];
}

void Ledger::Charged(int user, int64_t amount) {
  std::lock_guard lock(mu_);
  accounts_[static_cast<size_t>(user)].charged += amount;
}

void Ledger::Restocked(int product, int64_t quantity) {
  std::lock_guard lock(mu_);
  stocks_[static_cast<size_t>(product)].restocked += quantity;
}

void Ledger::Placed(Order order) {
  std::lock_guard lock(mu_);
  if (order.status == Status::kSuccess) {
    accounts_[static_cast<size_t>(order.user)].paid += order.total;
    for (const Line& line : order.lines) {
      stocks_[static_cast<size_t>(line.product)].sold += line.quantity;
    }
    if (!order.user_coupon_id.empty()) SetAvailable(order, false);
    cancellable_.push_back(static_cast<int64_t>(orders_.size()));
  }
  orders_.push_back(std::move(order));
}

// Only the coupon the ledger knows the user holds: another id is the server's to explain,
// and the audit compares.
void Ledger::SetAvailable(const Order& order, bool available) {
  Holding& held = coupons_[static_cast<size_t>(order.user)];
  if (held.id == order.user_coupon_id) held.available = available;
}

bool Ledger::Issued(int user, std::string id) {
  std::lock_guard lock(mu_);
  ++issued_;
  Holding& held = coupons_[static_cast<size_t>(user)];
  if (!held.id.empty()) return held.id == id;
  held.id = std::move(id);
  return true;
}

std::string Ledger::AvailableCoupon(int user) const {
  std::lock_guard lock(mu_);
  const Holding& held = coupons_[static_cast<size_t>(user)];
  return held.available ? held.id : std::string();
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
  // SPEC: a cancel gives the coupon back.
  if (!order.user_coupon_id.empty()) SetAvailable(order, true);
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

std::vector<std::string> Ledger::user_coupons() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> ids;
  for (const Holding& held : coupons_) ids.push_back(held.id);
  return ids;
}

uint64_t Ledger::issued() const {
  std::lock_guard lock(mu_);
  return issued_;
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
    case Op::kCouponIssue:
      // Any user, as for orders: a user drawn twice is a repeat click.
      r.user = population_.PickUser(random_);
      break;
  }
  if (op == Op::kOrder || op == Op::kOrderCart) r.user_coupon_id = PickCoupon(r.user);
  if (IsKeyedMutation(op)) r.idempotency_key = key_prefix_ + std::to_string(++keys_);
  return r;
}

std::string VirtualUser::PickCoupon(int user) {
  if (!population_.campaign() || options_.coupon_use == 0) return {};
  if (std::uniform_real_distribution<double>(0, 1)(random_) >= options_.coupon_use) return {};
  return ledger_->AvailableCoupon(user);
}

bool VirtualUser::Settle(const ShopRequest& r, const ShopReply& reply) {
  bool in_doubt = reply.status == 0 || reply.status >= 500 ||
                  reply.body.find("IDEMPOTENCY_KEY_IN_USE") != std::string::npos;
  if (in_doubt && (IsKeyedMutation(r.op) || r.op == Op::kRestock)) ledger_->OutcomeUnknown(r.op);
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
    case Op::kOrderCart:
      return SettleOrder(r, reply);
    case Op::kCouponIssue:
      return SettleIssue(r, reply);
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

bool VirtualUser::SettleOrder(const ShopRequest& r, const ShopReply& reply) {
  rapidjson::Document answer;
  if ((reply.status != 200 && reply.status != 409) || !ParseObject(reply, &answer)) return false;
  std::string id(TextMember(answer, "orderId"));
  if (id.empty()) {
    // Refused with no order recorded: the coupon this client thought AVAILABLE was used
    // by a concurrent order, or by one whose answer it never got.
    return reply.status == 409 && !r.user_coupon_id.empty() &&
           TextMember(answer, "code") == "COUPON_NOT_USABLE";
  }
  Ledger::Order order{std::move(id), r.user, r.lines, 0, Ledger::Status::kFailed, r.user_coupon_id};
  if (reply.status == 409) {  // INSUFFICIENT_BALANCE or OUT_OF_STOCK: recorded FAILED
    ledger_->Placed(std::move(order));
    return true;
  }
  std::optional<int64_t> total = IntMember(answer, "totalPrice");
  if (!total) return false;
  // A server without coupons leaves the fields out: no discount then.
  int64_t discount = IntMember(answer, "discount").value_or(0);
  std::string_view coupon = TextMember(answer, "userCouponId");
  order.total = *total;
  order.status = Ledger::Status::kSuccess;
  // Recorded as the server said, so that the audit compares like with like.
  ledger_->Placed(std::move(order));
  if (r.op == Op::kOrderCart) carts_[r.user].clear();
  // Prices never change during a run and the campaign is the run's own: a total that is
  // not their sum less the rule's discount is wrong even if the balance agrees with it.
  int64_t gross = 0;
  for (const Line& line : r.lines) gross += population_.price(line.product) * line.quantity;
  int64_t want = r.user_coupon_id.empty() ? 0 : population_.campaign()->discount.Of(gross);
  return coupon == r.user_coupon_id && discount == want && *total == gross - want;
}

bool VirtualUser::SettleIssue(const ShopRequest& r, const ShopReply& reply) {
  rapidjson::Document answer;
  if ((reply.status != 200 && reply.status != 409) || !ParseObject(reply, &answer)) return false;
  if (reply.status == 409) {
    // The flash crowd's refusals: none left, or a user clicking again.
    std::string_view code = TextMember(answer, "code");
    return code == "COUPON_SOLD_OUT" || code == "COUPON_ALREADY_ISSUED";
  }
  std::string_view id = TextMember(answer, "userCouponId");
  if (id.empty()) return false;
  bool held_one = ledger_->Issued(r.user, std::string(id));
  return held_one && TextMember(answer, "couponId") == population_.campaign()->id &&
         TextMember(answer, "userId") == population_.user_id(r.user);
}

}  // namespace ecomm::load
