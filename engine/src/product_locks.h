#pragma once

#include <algorithm>
#include <cassert>
#include <span>
#include <vector>

#include "catalog.h"

namespace ecomm {

// Holds the mutexes of a set of distinct products, taken in the global order
// (productId ascending) so that transactions with crossed products never deadlock.
class ProductLocks {
 public:
  explicit ProductLocks(std::span<Product* const> products)
      : sorted_(products.begin(), products.end()) {
    std::sort(sorted_.begin(), sorted_.end(),
              [](const Product* a, const Product* b) { return a->product_id < b->product_id; });
    // Invariant: each product appears once; locking one twice would self-deadlock.
    assert(std::adjacent_find(sorted_.begin(), sorted_.end()) == sorted_.end());
    for (Product* p : sorted_) p->mu.lock();
  }
  ~ProductLocks() {
    for (auto it = sorted_.rbegin(); it != sorted_.rend(); ++it) (*it)->mu.unlock();
  }
  ProductLocks(const ProductLocks&) = delete;
  ProductLocks& operator=(const ProductLocks&) = delete;

 private:
  std::vector<Product*> sorted_;
};

}  // namespace ecomm
