#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ecomm/types.h"
#include "striped_map.h"

namespace ecomm {

struct Product {
  Product(std::string_view id, std::string_view product_name, Money unit_price, Quantity units,
          TimeMs at)
      : product_id(id),
        name(product_name),
        price(unit_price),
        created_at(at),
        stock(units),
        updated_at(at) {}

  mutable std::mutex mu;
  const std::string product_id;
  const std::string name;
  const Money price;  // products are never repriced, so an order reads it unlocked
  const TimeMs created_at;

  // Written only under mu; atomic so that a single-product read needs no lock.
  std::atomic<Quantity> stock;
  std::atomic<TimeMs> updated_at;
  uint64_t snapshot_epoch = 0;  // guarded by mu; see SnapshotCapture

  // Moves the stock by `delta` (signed) at `at`. The caller holds mu and has checked
  // that the result stays within 0..kMaxStock.
  void MoveStock(Quantity delta, TimeMs at);
};

// Products by id (striped hash) plus an ordered index for listing by productId.
class Catalog {
 public:
  Product* Find(std::string_view product_id) const { return by_id_.Find(product_id); }

  using Stripe = StripedMap<std::string, Product, StringHash>::Map;

  using LockedStripe = StripedMap<std::string, Product, StringHash>::LockedStripe;
  // The stripe of `product_id`, locked: check, log, Insert.
  LockedStripe LockStripe(std::string_view product_id) { return by_id_.LockStripe(product_id); }
  // Adds a product whose id is absent from `stripe`, which the caller has locked.
  Product* Insert(Stripe& stripe, std::unique_ptr<Product> product);

  // Up to `limit` products with id > `after`, ascending; all when limit is absent.
  std::vector<Product*> Range(std::optional<std::string_view> after,
                              std::optional<size_t> limit) const;

  size_t Size() const;

  template <class Fn>
  void ForEach(Fn&& fn) const {
    std::shared_lock lock(index_mu_);
    for (const auto& [id, product] : ordered_) fn(*product);
  }

 private:
  StripedMap<std::string, Product, StringHash> by_id_;
  mutable std::shared_mutex index_mu_;
  std::map<std::string_view, Product*, std::less<>> ordered_;  // guarded by index_mu_
};

}  // namespace ecomm
