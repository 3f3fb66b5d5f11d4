#include "ecomm/engine.h"

#include <algorithm>
#include <mutex>
#include <type_traits>

#include "ecomm/wal/journal.h"
#include "engine_core.h"
#include "make_views.h"
#include "paging.h"
#include "validation.h"

namespace ecomm {

namespace {

template <class T>
struct AsResult {
  using type = Result<T>;
};
template <class T>
struct AsResult<Result<T>> {
  using type = Result<T>;
};

// Every read of one user's state: with the engine's gate held (`gate`, as Enter gave
// it), the account of `user_id` found (400 malformed, 404 unknown) and locked, `read`.
template <class Read>
auto ReadAccount(Result<std::shared_lock<CommitGate>> gate, const EngineState& state,
                 std::string_view user_id, Read&& read) ->
    typename AsResult<std::invoke_result_t<Read&, const Account&>>::type {
  if (!gate.ok()) return gate.status();
  Result<Account*> found = state.FindAccount(user_id);
  if (!found.ok()) return found.status();
  std::lock_guard lock((*found)->mu);
  return read(**found);
}

}  // namespace

Engine::Engine(EngineOptions options) : core_(std::make_unique<EngineCore>(options)) {}

Engine::~Engine() = default;

Result<std::shared_lock<CommitGate>> Engine::Enter() const {
  std::shared_lock lock(core_->gate.lock);
  if (core_->gate.reloading.load(std::memory_order_acquire)) {
    return Status(ErrorCode::kUnavailable,
                  "the log failed; the engine is reloading its durable state");
  }
  return lock;
}

wal::Journal* Engine::journal() const {
  std::shared_lock lock(core_->gate.lock);
  return core_->state->journal;  // every state of one engine has the same journal
}

TimeMs Engine::Now() const {
  std::shared_lock lock(core_->gate.lock);
  return core_->state->Now();
}

Status Engine::WaitDurable(CommitTicket ticket) const {
  wal::Journal* log = ticket.journal ? ticket.journal : journal();
  if (ticket.lsn == 0 || log == nullptr) return Status::Ok();
  wal::LogPosition at{ticket.lsn, ticket.epoch};
  return log->WaitDurable(at) ? Status::Ok() : log->WhyNotDurable(at);
}

void Engine::OnDurable(CommitTicket ticket, std::function<void(Status)> done) const {
  wal::Journal* log = ticket.journal ? ticket.journal : journal();
  if (ticket.lsn == 0 || log == nullptr) return done(Status::Ok());
  wal::LogPosition at{ticket.lsn, ticket.epoch};
  log->OnDurable(at, [log, at, done = std::move(done)](bool durable) {
    done(durable ? Status::Ok() : log->WhyNotDurable(at));
  });
}

size_t Engine::SweepExpired(size_t budget) {
  auto gate = Enter();
  if (!gate.ok()) return 0;
  TimeMs now = core_->state->Now();
  core_->state->top_sellers.MoveTo(now);
  return core_->state->idempotency.SweepExpired(now, budget);
}

EngineCounts Engine::Counts() const {
  std::shared_lock lock(core_->gate.lock);
  EngineState& state = *core_->state;
  return EngineCounts{.users = state.accounts.Size(),
                      .products = state.catalog.Size(),
                      .orders = state.order_count.load(std::memory_order_relaxed),
                      .coupons = state.coupons.Size(),
                      .idempotency_keys = state.idempotency.size(),
                      .top_seller_minutes = state.top_sellers.minutes()};
}

Result<UserView> Engine::GetUser(std::string_view user_id) const {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  Result<Account*> found = core_->state->FindAccount(user_id);
  if (!found.ok()) return found.status();
  return MakeUserView(**found);  // no lock: an account's identity never changes
}

Result<BalanceView> Engine::GetBalance(std::string_view user_id) const {
  return ReadAccount(Enter(), *core_->state, user_id,
                     [](const Account& account) { return MakeBalanceView(account); });
}

Result<Page<BalanceEntryView>> Engine::ListBalanceHistory(std::string_view user_id, size_t limit,
                                                          std::optional<uint64_t> position) const {
  return ReadAccount(Enter(), *core_->state, user_id, [&](const Account& account) {
    return NewestFirstPage<BalanceEntryView>(
        account.history.size(), limit, position,
        [&](size_t i) { return MakeBalanceEntryView(account.history[i]); });
  });
}

Result<ProductView> Engine::GetProduct(std::string_view product_id) const {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  Result<Product*> product = core_->state->FindProduct(product_id);
  if (!product.ok()) return product.status();
  return MakeProductView(**product);
}

Result<std::vector<ProductView>> Engine::ListProducts(std::optional<size_t> limit,
                                                      std::optional<std::string_view> after) const {
  if (limit) {
    if (Status s = CheckPageLimit(*limit); !s.ok()) return s;
  }
  // A batch's products are locked together, in productId order as orders lock them,
  // so each batch is a consistent cut: no order is seen half-applied across its
  // products. A page (at most kMaxPageLimit) is one batch; the whole catalogue
  // (no limit) is not one cut, since locking every product at once would stall
  // every order for as long as the listing takes. For the same reason each batch
  // enters the gate on its own: a long listing must not hold off a snapshot, which
  // waits for the gate while every later call waits behind it.
  constexpr size_t kBatch = 256;
  static_assert(kBatch >= limits::kMaxPageLimit);
  std::vector<ProductView> views;
  std::optional<std::string> cursor;
  if (after) cursor.emplace(*after);
  std::optional<uint64_t> generation;
  while (!limit || views.size() < *limit) {
    auto gate = Enter();
    if (!gate.ok()) return gate.status();
    // A state replaced meanwhile (a log failure) may lack products listed already.
    if (generation && *generation != core_->gate.generation) {
      return Status(ErrorCode::kUnavailable, "the log failed during the listing; retry");
    }
    generation = core_->gate.generation;
    if (views.empty()) views.reserve(limit ? *limit : core_->state->catalog.Size());
    size_t want = limit ? std::min(kBatch, *limit - views.size()) : kBatch;
    std::vector<Product*> batch = core_->state->catalog.Range(cursor, want);
    {
      std::vector<std::unique_lock<std::mutex>> locks;
      locks.reserve(batch.size());
      for (Product* p : batch) locks.emplace_back(p->mu);
      for (const Product* p : batch) views.push_back(MakeProductView(*p));
    }
    if (batch.size() < want) break;
    cursor = batch.back()->product_id;
  }
  return views;
}

Result<OrderView> Engine::GetOrder(std::string_view order_id) const {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  std::optional<Uuid> id = Uuid::Parse(order_id);
  const Order* order = id ? core_->state->orders.Find(*id) : nullptr;
  if (order == nullptr) return Status(ErrorCode::kOrderNotFound, "no such order");
  std::lock_guard lock(order->user->mu);
  return MakeOrderView(*order);
}

Result<Page<OrderView>> Engine::ListOrders(std::string_view user_id, size_t limit,
                                           std::optional<uint64_t> position) const {
  return ReadAccount(Enter(), *core_->state, user_id, [&](const Account& account) {
    return NewestFirstPage<OrderView>(account.orders.size(), limit, position,
                                      [&](size_t i) { return MakeOrderView(*account.orders[i]); });
  });
}

Result<std::vector<TopSeller>> Engine::TopSellers() const {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  std::vector<TopSeller> views;
  for (const auto& [product, units] :
       core_->state->top_sellers.Top(core_->state->Now(), limits::kTopSellersCount)) {
    views.push_back(TopSeller{product->product_id, product->name, product->price, units});
  }
  return views;
}

Result<CouponView> Engine::GetCoupon(std::string_view coupon_id) const {
  auto gate = Enter();
  if (!gate.ok()) return gate.status();
  Result<Coupon*> coupon = core_->state->FindCoupon(coupon_id);
  if (!coupon.ok()) return coupon.status();
  return MakeCouponView(**coupon);
}

Result<std::vector<UserCouponView>> Engine::ListUserCoupons(std::string_view user_id) const {
  return ReadAccount(Enter(), *core_->state, user_id, [&](const Account& account) {
    TimeMs now = core_->state->Now();  // the gate held: the state this read sees
    std::vector<UserCouponView> views;
    if (!account.coupons) return views;
    const std::vector<UserCoupon>& held = account.coupons->all();
    views.reserve(held.size());
    for (auto it = held.rbegin(); it != held.rend(); ++it) {  // newest first
      views.push_back(MakeUserCouponView(*it, account.user_id, now));
    }
    return views;
  });
}

Result<CartView> Engine::GetCart(std::string_view user_id) const {
  return ReadAccount(Enter(), *core_->state, user_id,
                     [](const Account& account) { return MakeCartView(account); });
}

}  // namespace ecomm
