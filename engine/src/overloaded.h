#pragma once

namespace ecomm {

// A visitor built from lambdas, one per alternative of a std::variant.
template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
// Spelled out for clang 14, which does not deduce aggregate template arguments.
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace ecomm
