// ChunkedVector (engine/src/chunked_vector.h): size() and operator[] agree with a plain
// std::vector across the end of the first chunk and across many chunks, for the default
// chunk of 256 and for tiny chunks; and once the first chunk is full no element ever
// moves again, since later growth adds chunks and moves only chunk headers.
#include <doctest/doctest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "chunked_vector.h"

namespace ecomm::testing {
namespace {

// Pushes 0..n-1 and checks size() after each push, then every element by index.
template <size_t kChunk>
void CheckCounting(size_t n) {
  ChunkedVector<int, kChunk> v;
  CHECK(v.size() == 0);
  for (size_t i = 0; i < n; ++i) {
    v.push_back(static_cast<int>(i));
    REQUIRE(v.size() == i + 1);
  }
  size_t wrong = 0;
  for (size_t i = 0; i < n; ++i) wrong += v[i] != static_cast<int>(i);
  CHECK(wrong == 0);
}

// Catches an off-by-one where the first vector ends and the chunks begin (size() or
// the index i / kChunk - 1 of operator[]).
TEST_CASE("255, 256 and 257 elements: the end of the first chunk") {
  for (size_t n : {255, 256, 257}) {
    INFO("n = ", n);
    CheckCounting<256>(n);
  }
}

// Catches a chunk index or size() formula that only holds for the first extra chunk,
// or a last chunk counted as full.
TEST_CASE("10,000 elements span 40 chunks, the last one partly filled") {
  CheckCounting<256>(10'000);  // 39 full chunks of 256 and one of 16
}

// Catches arithmetic that assumes the default chunk of 256, with a chunk of 4 and the
// degenerate chunk of 1 (every element after the first is a chunk of its own).
TEST_CASE("small chunks: ChunkedVector<int, 4> and ChunkedVector<int, 1>") {
  for (size_t n : {0, 1, 3, 4, 5, 8, 9, 1'001}) {
    INFO("n = ", n);
    CheckCounting<4>(n);
    CheckCounting<1>(n);
  }
}

// Catches growth that copies or reallocates old elements (a chunk not reserved whole, a
// chunk vector copied rather than moved when the outer vector grows): the header's
// promise is that once the first chunk is full no element moves.
TEST_CASE("once the first chunk is full, growth never moves an element") {
  ChunkedVector<std::string, 4> v;
  auto value = [](size_t i) { return "element number " + std::to_string(i); };  // heap-held
  for (size_t i = 0; i < 4; ++i) v.push_back(value(i));
  // The first chunk is full now; then a few chunks, the last one partly filled.
  for (size_t i = 4; i < 14; ++i) v.push_back(value(i));
  std::vector<const std::string*> addresses;
  std::vector<const char*> buffers;
  for (size_t i = 0; i < v.size(); ++i) {
    addresses.push_back(&v[i]);
    buffers.push_back(v[i].data());
  }
  // 5,000 more: the outer vector of chunks reallocates many times.
  for (size_t i = 14; i < 5'014; ++i) v.push_back(value(i));
  REQUIRE(v.size() == 5'014);
  size_t moved = 0;
  for (size_t i = 0; i < addresses.size(); ++i) {
    moved += &v[i] != addresses[i] || v[i].data() != buffers[i] || v[i] != value(i);
  }
  CHECK(moved == 0);
}

}  // namespace
}  // namespace ecomm::testing
