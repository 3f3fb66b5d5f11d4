#pragma once

#include <cassert>
#include <cstddef>
#include <memory>
#include <vector>

namespace ecomm {

// An append-only sequence with indexed access whose growth never copies more than one
// chunk of elements. A std::vector doubling under a lock stalls everyone who waits for
// that lock while it copies, and it touches a fresh buffer of twice the size: for the
// balance history of one account charged 33,000 times a second that was a pause of
// tens of ms every doubling, with a transient three times the history's memory.
//
// The first kChunk elements live in a vector of their own, so a short sequence (most
// accounts' histories) costs what a std::vector costs, plus one pointer. Past them,
// elements go into chunks of kChunk, allocated whole, held by an outer vector that
// moves chunk headers, not elements, when it grows.
template <typename T, size_t kChunk = 256>
class ChunkedVector {
 public:
  size_t size() const {
    if (!more_) return first_.size();
    // first_ and every chunk of more_ but its last are full; more_ is never empty.
    return kChunk * more_->size() + more_->back().size();
  }

  void push_back(const T& value) {
    if (first_.size() < kChunk) {
      first_.push_back(value);
      return;
    }
    if (!more_) more_ = std::make_unique<std::vector<std::vector<T>>>();
    if (more_->empty() || more_->back().size() == kChunk) {
      more_->emplace_back();
      more_->back().reserve(kChunk);
    }
    more_->back().push_back(value);
  }

  const T& operator[](size_t i) const {
    assert(i < size());
    if (i < kChunk) return first_[i];
    // Invariant: every chunk but the last is full, so element i is in chunk i / kChunk.
    return (*more_)[i / kChunk - 1][i % kChunk];
  }

 private:
  std::vector<T> first_;
  std::unique_ptr<std::vector<std::vector<T>>> more_;  // only once first_ is full
};

}  // namespace ecomm
