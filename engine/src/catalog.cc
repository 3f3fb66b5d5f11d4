#include "catalog.h"

#include "ecomm/invariant.h"

namespace ecomm {

void Product::MoveStock(Quantity delta, TimeMs at) {
  Quantity after = stock.load(std::memory_order_relaxed) + delta;
  // Invariant: stock stays within 0..kMaxStock; callers check before applying.
  ECOMM_INVARIANT(after >= 0 && after <= limits::kMaxStock, "stock within 0..10^12");
  stock.store(after, std::memory_order_release);
  updated_at.store(at, std::memory_order_release);
}

Product* Catalog::Insert(Stripe& stripe, std::unique_ptr<Product> product) {
  Product* raw = product.get();
  bool inserted = stripe.emplace(raw->product_id, std::move(product)).second;
  ECOMM_INVARIANT(inserted, "the caller checked the id is free, under the stripe lock");
  std::unique_lock lock(index_mu_);
  ordered_.emplace(raw->product_id, raw);
  return raw;
}

std::vector<Product*> Catalog::Range(std::optional<std::string_view> after,
                                     std::optional<size_t> limit) const {
  std::shared_lock lock(index_mu_);
  auto it = after ? ordered_.upper_bound(*after) : ordered_.begin();
  std::vector<Product*> out;
  for (; it != ordered_.end() && (!limit || out.size() < *limit); ++it) out.push_back(it->second);
  return out;
}

size_t Catalog::Size() const {
  std::shared_lock lock(index_mu_);
  return ordered_.size();
}

}  // namespace ecomm
