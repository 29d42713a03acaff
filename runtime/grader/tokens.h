// Word tokens for the similarity metrics (similarity.cc: BLEU, ROUGE, token F1) and the
// repetition penalty (safety.cc), so that every metric splits text the same way. Defined in
// similarity.cc; the rules are written up in docs/stdlib.md (std.text).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rft::grader {

// What tokenize does with ASCII punctuation: make it tokens of its own, or drop it.
enum class Punctuation { kSplit, kDelete };

struct Tokens {
  std::string text;                     // the lower-cased tokens, joined by single spaces
  std::vector<std::string_view> items;  // views of `text`
};

// Lower-cases s and splits it at white space and ASCII punctuation.
Tokens tokenize(std::string_view s, Punctuation punctuation);

// An n-gram order argument made usable: `fallback` for NaN, clamped to 1..10 otherwise.
int ngram_order(double n, int fallback);

}  // namespace rft::grader
