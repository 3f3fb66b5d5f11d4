#include "catalog.h"

#include <cassert>

namespace ecomm {

Product* Catalog::Insert(Stripe& stripe, std::unique_ptr<Product> product) {
  Product* raw = product.get();
  auto [it, inserted] = stripe.emplace(raw->product_id, std::move(product));
  assert(inserted);  // The caller checked the id is free, under the stripe lock.
  (void)it;
  (void)inserted;
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
