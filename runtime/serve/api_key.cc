#include "runtime/serve/api_key.h"

#include <cstddef>

namespace rft::serve {

bool constant_time_equal(std::string_view given, std::string_view expected) {
  // Every byte of `given` is compared (against the key repeated), with no early exit; volatile
  // keeps the compiler from turning the loop back into one that stops at the first difference.
  volatile unsigned char diff = given.size() == expected.size() ? 0 : 1;
  if (expected.empty()) return false;
  for (size_t i = 0; i < given.size(); ++i) {
    diff = static_cast<unsigned char>(diff |
                                      (static_cast<unsigned char>(given[i]) ^
                                       static_cast<unsigned char>(expected[i % expected.size()])));
  }
  return diff == 0;
}

std::string_view bearer_token(std::string_view authorization) {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() < kBearer.size()) return {};
  for (size_t i = 0; i < kBearer.size(); ++i) {
    // The scheme is case-insensitive (RFC 9110).
    char c = authorization[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    char k = kBearer[i];
    if (k >= 'A' && k <= 'Z') k = static_cast<char>(k - 'A' + 'a');
    if (c != k) return {};
  }
  std::string_view token = authorization.substr(kBearer.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\r')) token.remove_suffix(1);
  return token;
}

}  // namespace rft::serve
