// A canonical digest of all state: two engines that applied the same records have
// the same digest, whatever the thread interleaving or hash-table layout.
#include <xxhash.h>

#include <algorithm>
#include <string_view>
#include <vector>

#include "ecomm/engine.h"
#include "engine_state.h"

namespace ecomm {

namespace {

class Digest {
 public:
  Digest() : state_(XXH3_createState()) { XXH3_64bits_reset(state_); }
  ~Digest() { XXH3_freeState(state_); }
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  void Int(int64_t v) { XXH3_64bits_update(state_, &v, sizeof v); }
  void Id(const Uuid& id) {
    Int(static_cast<int64_t>(id.hi));
    Int(static_cast<int64_t>(id.lo));
  }
  void Str(std::string_view s) {
    Int(static_cast<int64_t>(s.size()));
    XXH3_64bits_update(state_, s.data(), s.size());
  }
  uint64_t Value() const { return XXH3_64bits_digest(state_); }

 private:
  XXH3_state_t* state_;
};

template <class T, class Key>
std::vector<const T*> Sorted(std::vector<const T*> items, Key key) {
  std::sort(items.begin(), items.end(), [&](const T* a, const T* b) { return key(a) < key(b); });
  return items;
}

void HashAccount(Digest& d, const Account& a) {
  d.Str(a.user_id);
  d.Str(a.name);
  d.Str(a.email);
  d.Int(a.created_at);
  d.Int(a.balance);
  d.Int(a.balance_updated_at);
  d.Int(static_cast<int64_t>(a.history.size()));
  for (const BalanceEntry& e : a.history) {
    d.Id(e.transaction_id);
    d.Id(e.order_id);
    d.Int(e.amount);
    d.Int(e.balance_before);
    d.Int(e.balance_after);
    d.Int(e.created_at);
    d.Int(static_cast<int64_t>(e.type));
  }
  d.Int(static_cast<int64_t>(a.cart.size()));
  for (const CartLine& line : a.cart) {
    d.Str(line.product->product_id);
    d.Int(line.quantity);
  }
  d.Int(static_cast<int64_t>(a.orders.size()));
  for (const Order* o : a.orders) d.Id(o->order_id);
}

void HashOrder(Digest& d, const Order& o) {
  d.Id(o.order_id);
  d.Str(o.user->user_id);
  d.Int(o.total_price);
  d.Int(o.order_date);
  d.Int(o.updated_at);
  d.Int(static_cast<int64_t>(o.status));
  for (const OrderItem& item : o.items) {
    d.Str(item.product->product_id);
    d.Int(item.quantity);
    d.Int(item.price);
  }
  for (const OrderHistoryEntry& h : o.history) {
    d.Int(static_cast<int64_t>(h.status));
    d.Int(static_cast<int64_t>(h.reason));
    d.Int(static_cast<int64_t>(h.changed_by));
    d.Int(h.changed_at);
  }
}

}  // namespace

uint64_t Engine::StateDigest() const {
  const EngineState& s = *state_;
  Digest d;
  d.Int(s.clock_offset_ms.load());

  std::vector<const Account*> accounts;
  s.accounts.ForEach([&](const Account& a) { accounts.push_back(&a); });
  for (const Account* a :
       Sorted(accounts, [](const Account* a) { return std::string_view(a->user_id); })) {
    std::lock_guard lock(a->mu);
    HashAccount(d, *a);
  }

  s.catalog.ForEach([&](const Product& p) {  // already in productId order
    d.Str(p.product_id);
    d.Str(p.name);
    d.Int(p.price);
    d.Int(p.stock.load());
    d.Int(p.created_at);
    d.Int(p.updated_at.load());
  });

  std::vector<const Order*> orders;
  s.orders.ForEach([&](const Order& o) { orders.push_back(&o); });
  for (const Order* o : Sorted(orders, [](const Order* o) { return o->order_id; })) {
    std::lock_guard lock(o->user->mu);
    HashOrder(d, *o);
  }

  struct Keyed {
    std::string key;
    uint64_t hash;
  };
  std::vector<Keyed> keys;
  s.idempotency.ForEachCompleted(
      [&](std::string_view key, std::string_view fingerprint, const IdempotentOutcome& out) {
        Digest e;
        e.Str(fingerprint);
        e.Int(static_cast<int64_t>(out.kind));
        e.Int(static_cast<int64_t>(out.lsn));
        e.Int(out.at);
        e.Str(out.user_id);
        e.Int(out.balance_after);
        e.Id(out.order_id);
        e.Int(out.history_size);
        keys.push_back(Keyed{std::string(key), e.Value()});
      });
  std::sort(keys.begin(), keys.end(), [](const Keyed& a, const Keyed& b) { return a.key < b.key; });
  for (const Keyed& k : keys) {
    d.Str(k.key);
    d.Int(static_cast<int64_t>(k.hash));
  }
  return d.Value();
}

}  // namespace ecomm
