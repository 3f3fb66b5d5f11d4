#pragma once

namespace ecomm {

// A visitor built from lambdas, one per alternative of a std::variant.
template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};

}  // namespace ecomm
