// Text similarity builtins: edit distance, BLEU, ROUGE and token F1 (the native part of std.text).
//
// Every metric is defined in docs/stdlib.md (std.text) and cross-checked against independent
// implementations by tests/stdlib/similarity_reference.py (NLTK for BLEU, python-Levenshtein for
// edit distance). The quadratic ones (edit distance, longest common subsequence) look at the first
// kMaxQuadraticItems code points or tokens of each input and raise kFlagCapped when they cut.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/grader/builtin_fns.h"
#include "runtime/grader/builtins.h"
#include "runtime/grader/context.h"
#include "runtime/grader/edit_distance.h"
#include "runtime/grader/tokens.h"
#include "runtime/grader/unicode.h"
#include "runtime/grader/utf8.h"

namespace rft::grader {

namespace {

// Edit distance and LCS cost n * m steps: 5000 x 5000 is about 25 ms.
constexpr size_t kMaxQuadraticItems = 5000;
constexpr std::string_view kFlagCapped = "similarity_capped";
constexpr int kMaxNgramOrder = 10;

bool is_ascii_punctuation(char32_t cp) {
  return (cp >= 0x21 && cp <= 0x2F) || (cp >= 0x3A && cp <= 0x40) || (cp >= 0x5B && cp <= 0x60) ||
         (cp >= 0x7B && cp <= 0x7E);
}

// Each token as a small integer, the same integer for equal tokens of either list.
struct TokenIds {
  std::vector<uint32_t> a, b;
};
TokenIds token_ids(std::span<const std::string_view> a, std::span<const std::string_view> b) {
  std::unordered_map<std::string_view, uint32_t> ids;
  auto convert = [&](std::span<const std::string_view> tokens) {
    std::vector<uint32_t> out;
    out.reserve(tokens.size());
    for (std::string_view t : tokens) {
      out.push_back(ids.try_emplace(t, static_cast<uint32_t>(ids.size())).first->second);
    }
    return out;
  };
  TokenIds r;
  r.a = convert(a);
  r.b = convert(b);
  return r;
}

// The multiset of n-grams of a sequence, each n-gram keyed by the bytes of its ids.
using NgramCounts = std::unordered_map<std::string, uint32_t>;
NgramCounts count_ngrams(const std::vector<uint32_t>& ids, size_t n) {
  NgramCounts counts;
  if (ids.size() < n) return counts;
  for (size_t i = 0; i + n <= ids.size(); ++i) {
    ++counts[std::string(reinterpret_cast<const char*>(&ids[i]), n * sizeof(uint32_t))];
  }
  return counts;
}

// The number of n-grams of `candidate` that `reference` also has, each counted at most as often
// as the reference has it (BLEU's clipped count, ROUGE-N's overlap).
uint64_t clipped_overlap(const NgramCounts& candidate, const NgramCounts& reference) {
  uint64_t overlap = 0;
  for (const auto& [gram, count] : candidate) {
    const auto it = reference.find(gram);
    if (it != reference.end()) overlap += std::min(count, it->second);
  }
  return overlap;
}

// 2 * overlap / (|a| + |b|): the F1 of precision overlap / |a| and recall overlap / |b|.
double f1(uint64_t overlap, size_t a, size_t b) {
  if (overlap == 0) return 0;
  return 2.0 * static_cast<double>(overlap) / static_cast<double>(a + b);
}

// The first kMaxQuadraticItems items, flagging the context when that cuts.
template <typename T>
std::span<const T> capped(rft_ctx* ctx, const std::vector<T>& xs) {
  if (xs.size() <= kMaxQuadraticItems) return xs;
  Context::from(ctx).flag(kFlagCapped);
  return std::span<const T>(xs).first(kMaxQuadraticItems);
}

std::vector<char32_t> decode(std::string_view s) {
  std::vector<char32_t> out;
  // Stop decoding once past the cap: the caller only needs to know that it was exceeded.
  for (const CodePoint& c : code_points(s)) {
    out.push_back(c.cp);
    if (out.size() > kMaxQuadraticItems) break;
  }
  return out;
}

// Length of a longest common subsequence, in one row of min(|a|, |b|) + 1 cells.
template <typename T>
size_t lcs_length(std::span<const T> a, std::span<const T> b) {
  if (a.size() < b.size()) std::swap(a, b);
  std::vector<size_t> row(b.size() + 1, 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = 0;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = a[i - 1] == b[j - 1] ? diagonal + 1 : std::max(up, row[j - 1]);
      diagonal = up;
    }
  }
  return row[b.size()];
}

// Sentence BLEU with uniform weights 1 / max_n, as NLTK's sentence_bleu computes it for one
// reference; `smooth` is NLTK's SmoothingFunction().method1 (epsilon 0.1).
double bleu_score(const TokenIds& t, int max_n, bool smooth) {
  const std::vector<uint32_t>& c = t.a;
  const std::vector<uint32_t>& r = t.b;
  double log_sum = 0;
  for (int n = 1; n <= max_n; ++n) {
    const size_t k = static_cast<size_t>(n);
    const uint64_t matches = clipped_overlap(count_ngrams(c, k), count_ngrams(r, k));
    const double total = c.size() >= k ? static_cast<double>(c.size() - k + 1) : 0;
    const double denominator = std::max(1.0, total);
    if (matches == 0 && (n == 1 || !smooth)) return 0;
    const double precision = matches == 0 ? 0.1 / denominator : matches / denominator;
    log_sum += std::log(precision) / max_n;
  }
  const double brevity =
      c.size() > r.size() ? 1 : std::exp(1 - static_cast<double>(r.size()) / c.size());
  return brevity * std::exp(log_sum);
}

std::string_view arg_str(const rft_value* args, int i) {
  return view_str(args[i]);
}

}  // namespace

Tokens tokenize(std::string_view s, Punctuation punctuation) {
  Tokens t;
  t.text.reserve(s.size());
  std::vector<std::pair<size_t, size_t>> spans;  // [begin, end) in t.text
  size_t start = 0;
  bool in_token = false;
  for (const CodePoint& c : code_points(s)) {
    const bool punct = is_ascii_punctuation(c.cp);
    if (punct && punctuation == Punctuation::kDelete) continue;
    if (punct || is_white_space(c.cp)) {
      if (in_token) spans.emplace_back(start, t.text.size());
      in_token = false;
      continue;
    }
    if (!in_token) {
      if (!t.text.empty()) t.text.push_back(' ');
      start = t.text.size();
    }
    in_token = true;
    encode_utf8(simple_lower(c.cp), t.text);
  }
  if (in_token) spans.emplace_back(start, t.text.size());
  t.items.reserve(spans.size());
  for (const auto& [b, e] : spans) t.items.push_back(std::string_view(t.text).substr(b, e - b));
  return t;
}

int ngram_order(double n, int fallback) {
  if (std::isnan(n)) return fallback;
  return static_cast<int>(std::clamp(std::trunc(n), 1.0, static_cast<double>(kMaxNgramOrder)));
}

RFT_BUILTIN(levenshtein) {
  const std::vector<char32_t> a = decode(arg_str(args, 0)), b = decode(arg_str(args, 1));
  *out = rft_num(static_cast<double>(levenshtein_distance(capped(ctx, a), capped(ctx, b))));
}

RFT_BUILTIN(fuzzy_ratio) {
  const std::vector<char32_t> a = decode(arg_str(args, 0)), b = decode(arg_str(args, 1));
  const auto ca = capped(ctx, a), cb = capped(ctx, b);
  if (ca.empty() && cb.empty()) {
    *out = rft_num(1);
    return;
  }
  *out = rft_num(f1(lcs_length(ca, cb), ca.size(), cb.size()));
}

RFT_BUILTIN(bleu) {
  const Tokens c = tokenize(arg_str(args, 0), Punctuation::kSplit);
  const Tokens r = tokenize(arg_str(args, 1), Punctuation::kSplit);
  *out = rft_num(bleu_score(token_ids(c.items, r.items), ngram_order(args[2].as.num, 4),
                            args[3].as.boolean != 0));
}

RFT_BUILTIN(rouge_n) {
  const Tokens c = tokenize(arg_str(args, 0), Punctuation::kSplit);
  const Tokens r = tokenize(arg_str(args, 1), Punctuation::kSplit);
  const TokenIds t = token_ids(c.items, r.items);
  const size_t n = static_cast<size_t>(ngram_order(args[2].as.num, 1));
  const size_t grams_c = t.a.size() >= n ? t.a.size() - n + 1 : 0;
  const size_t grams_r = t.b.size() >= n ? t.b.size() - n + 1 : 0;
  *out = rft_num(f1(clipped_overlap(count_ngrams(t.a, n), count_ngrams(t.b, n)), grams_c, grams_r));
}

RFT_BUILTIN(rouge_l) {
  const Tokens c = tokenize(arg_str(args, 0), Punctuation::kSplit);
  const Tokens r = tokenize(arg_str(args, 1), Punctuation::kSplit);
  const TokenIds t = token_ids(c.items, r.items);
  const auto a = capped(ctx, t.a), b = capped(ctx, t.b);
  *out = rft_num(f1(lcs_length(a, b), a.size(), b.size()));
}

RFT_BUILTIN(token_f1) {
  static constexpr std::string_view kArticles[] = {"a", "an", "the"};
  auto normalized = [](std::string_view s) {
    Tokens t = tokenize(s, Punctuation::kDelete);
    std::erase_if(t.items, [](std::string_view w) {
      return std::find(std::begin(kArticles), std::end(kArticles), w) != std::end(kArticles);
    });
    return t;
  };
  const Tokens c = normalized(arg_str(args, 0)), r = normalized(arg_str(args, 1));
  if (c.items.empty() || r.items.empty()) {
    *out = rft_num(c.items.empty() && r.items.empty() ? 1 : 0);
    return;
  }
  const TokenIds t = token_ids(c.items, r.items);
  *out = rft_num(
      f1(clipped_overlap(count_ngrams(t.a, 1), count_ngrams(t.b, 1)), t.a.size(), t.b.size()));
}

namespace {

constexpr Builtin kSimilarity[] = {
    RFT_ENTRY(levenshtein, "levenshtein(a: str, b: str) -> num",
              "The edit distance between a and b in code points (insert, delete, substitute)."),
    RFT_ENTRY(
        fuzzy_ratio, "fuzzy_ratio(a: str, b: str) -> num",
        "Levenshtein.ratio: 2 * LCS / (len(a) + len(b)) in code points; 1 if both are empty."),
    RFT_ENTRY(bleu,
              "bleu(candidate: str, reference: str, max_n: num = 4, smooth: bool = true) -> num",
              "Sentence BLEU of candidate against reference over 1- to max_n-grams of tokens."),
    RFT_ENTRY(rouge_n, "rouge_n(candidate: str, reference: str, n: num = 1) -> num",
              "ROUGE-N F1: the n-gram overlap of candidate and reference tokens."),
    RFT_ENTRY(rouge_l, "rouge_l(candidate: str, reference: str) -> num",
              "ROUGE-L F1: the longest common token subsequence of candidate and reference."),
    RFT_ENTRY(token_f1, "token_f1(candidate: str, reference: str) -> num",
              "SQuAD token F1 of candidate and reference (punctuation and articles dropped)."),
};

}  // namespace

std::span<const Builtin> similarity_builtins() {
  return kSimilarity;
}

}  // namespace rft::grader
