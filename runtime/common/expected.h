// A value or the error that says why it could not be made: how every fallible call of rft's
// libraries reports failure (a bad tokenizer.json, a missing file, a request the server refuses,
// a module LLVM cannot link) without exceptions crossing a public API. User errors in specs are
// not values of this type but located diagnostics (compiler/diag/).
//
//   Expected<Tokenizer> load(const std::string& path) {
//     if (!exists(path)) return failure(path + ": no such file");
//     return Tokenizer(...);
//   }
//   Expected<Tokenizer> t = load(path);
//   if (!t) return failure(t.error());
//
// The error type is a message by default; serve uses its OpenAI-shaped ApiError. Modelled on
// C++23's std::expected (which GCC 12's C++20 mode lacks), reduced to what rft uses.
#pragma once

#include <concepts>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace rft {

// An error on its way into an Expected: `return failure("why")`.
template <typename E>
struct Unexpected {
  E error;
};

template <typename E>
Unexpected<std::decay_t<E>> failure(E&& error) {
  return {std::forward<E>(error)};
}

template <typename T, typename E = std::string>
class [[nodiscard]] Expected {
  template <typename U>
  static constexpr bool kIsWrapper = std::is_same_v<std::remove_cvref_t<U>, Expected>;

 public:
  using value_type = T;
  using error_type = E;

  // Implicit, so that `return value;` works, for anything T can be made from.
  template <typename U = T>
    requires(std::constructible_from<T, U &&> && !kIsWrapper<U>)
  Expected(U&& value) : v_(std::in_place_index<0>, std::forward<U>(value)) {}  // NOLINT

  template <typename G>
    requires std::constructible_from<E, G &&>
  Expected(Unexpected<G> u) : v_(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // Precondition: !ok().
  E& error() & { return std::get<1>(v_); }
  const E& error() const& { return std::get<1>(v_); }
  E&& error() && { return std::get<1>(std::move(v_)); }

  // Precondition for all accessors: ok().
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, E> v_;
};

// A call that yields nothing but can fail.
template <typename E>
class [[nodiscard]] Expected<void, E> {
 public:
  using value_type = void;
  using error_type = E;

  Expected() = default;
  template <typename G>
    requires std::constructible_from<E, G &&>
  Expected(Unexpected<G> u) : failed_(true), error_(std::move(u.error)) {}  // NOLINT

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  // Precondition: !ok().
  E& error() & { return error_; }
  const E& error() const& { return error_; }
  E&& error() && { return std::move(error_); }

 private:
  bool failed_ = false;
  E error_{};
};

}  // namespace rft
