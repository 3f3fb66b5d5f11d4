#pragma once

#include <cassert>
#include <cstddef>
#include <vector>

namespace ecomm {

// An append-only sequence with indexed access whose growth never copies more than one
// chunk. A std::vector doubling under a lock stalls everyone who waits for that lock
// while it copies, and it touches a fresh buffer of twice the size: for the balance
// history of one account charged 33,000 times a second that was a pause of tens of ms
// every doubling, with a transient three times the history's memory. Here the chunks
// are vectors of at most kChunk elements (only the last may be short) held by an
// outer vector that moves chunk headers, not elements, when it grows. Empty, it is
// one empty vector, as small as the std::vector it replaces.
template <typename T, size_t kChunk = 256>
class ChunkedVector {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  void push_back(const T& value) {
    if (chunks_.empty() || chunks_.back().size() == kChunk) {
      // The first chunk grows as a vector does, so that a short sequence stays small;
      // once one is full, the sequence is long and the next is allocated whole.
      chunks_.emplace_back();
      if (chunks_.size() > 1) chunks_.back().reserve(kChunk);
    }
    chunks_.back().push_back(value);
    ++size_;
    // Invariant: every chunk but the last is full, so element i is in chunk i / kChunk.
    assert(chunks_.size() == (size_ + kChunk - 1) / kChunk);
  }

  const T& operator[](size_t i) const {
    assert(i < size_);
    return chunks_[i / kChunk][i % kChunk];
  }
  const T& back() const { return (*this)[size_ - 1]; }

 private:
  std::vector<std::vector<T>> chunks_;
  size_t size_ = 0;
};

}  // namespace ecomm
