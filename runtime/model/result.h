// A value or the message that says why it could not be made: how runtime/model reports user
// errors (a bad tokenizer.json, a missing file) without exceptions crossing its public API.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace rft::model {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit, so `return value;` works

  static Result failure(std::string message) {
    Result r;
    r.error_ = std::move(message);
    return r;
  }

  bool ok() const { return value_.has_value(); }
  // The message when !ok(); empty otherwise.
  const std::string& error() const { return error_; }

  // Precondition for all accessors: ok().
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Result() = default;
  std::optional<T> value_;
  std::string error_;
};

}  // namespace rft::model
