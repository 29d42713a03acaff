// Levenshtein distance (unit-cost insertions, deletions and substitutions), for the similarity
// builtins (over code points or tokens) and for "did you mean" in job files (over bytes).
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace rft::grader {

// In one row of min(|a|, |b|) + 1 cells.
template <typename T>
size_t levenshtein_distance(std::span<const T> a, std::span<const T> b) {
  if (a.size() < b.size()) std::swap(a, b);
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({up + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

inline size_t levenshtein_distance(std::string_view a, std::string_view b) {
  return levenshtein_distance(std::span<const char>(a), std::span<const char>(b));
}

}  // namespace rft::grader
