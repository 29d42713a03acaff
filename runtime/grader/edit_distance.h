// Levenshtein distance (unit-cost insertions, deletions and substitutions) over code points, the
// metric the `levenshtein` builtin reports (runtime/grader/similarity.cc). It is part of the
// language's meaning, pinned against python-Levenshtein; "did you mean" for unknown names is a
// different concern with its own distance (runtime/common/suggest.h).
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
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

}  // namespace rft::grader
