// "Did you mean ...?" for an unknown name, the same everywhere: the checker (names, settings,
// fields, modules), dataset rows, job files and the command line. One distance, one threshold.
// Header-only, so that every library that reports an unknown name shares it without a link
// dependency.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rft {

// Optimal string alignment distance over bytes: Levenshtein (insertions, deletions,
// substitutions) plus transpositions of two adjacent bytes, each costing 1, so that `modle` is
// one edit from `model`.
inline size_t suggestion_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// The candidate closest to `name`, if it is close enough to be a likely typo: at most
// max(1, |name| / 3) edits away, or `name` is a prefix of it (`complet` for `completion`) of
// at least 3 bytes. Ties go to the candidate that sorts first; empty when none is close. Names
// over 64 bytes are never compared, so that a hostile name costs little.
inline std::string closest_name(std::string_view name, const std::vector<std::string>& candidates) {
  if (name.size() > 64) return {};
  std::string best;
  size_t best_distance = std::max<size_t>(1, name.size() / 3) + 1;
  for (const auto& c : candidates) {
    if (c == name || c.size() > 64) continue;
    size_t dist = suggestion_distance(name, c);
    if (c.size() > name.size() && name.size() >= 3 && c.compare(0, name.size(), name) == 0) {
      dist = std::min(dist, size_t{1});
    }
    if (dist < best_distance || (dist == best_distance && !best.empty() && c < best)) {
      best_distance = dist;
      best = c;
    }
  }
  return best;
}

// "did you mean `x`?" or empty.
inline std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
  std::string best = closest_name(name, candidates);
  return best.empty() ? std::string() : "did you mean `" + best + "`?";
}

}  // namespace rft
