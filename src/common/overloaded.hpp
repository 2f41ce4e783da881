// Overloaded: combines lambdas into one visitor for std::visit, one lambda
// per alternative of a variant.
#pragma once

namespace mqwarden {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace mqwarden
