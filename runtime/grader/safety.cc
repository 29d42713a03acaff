// Safety builtins: repetition, banned phrases and PII detectors (the native part of std.safety).
// Regex-shaped detectors (emails, IP addresses) live in stdlib/std/safety.reward; the ones here
// need counting or arithmetic that a regex cannot do (digit counts, the Luhn checksum).
#include <string.h>  // memmem (GNU)

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "runtime/grader/builtin_fns.h"
#include "runtime/grader/builtins.h"
#include "runtime/grader/context.h"
#include "runtime/grader/tokens.h"
#include "runtime/grader/unicode.h"
#include "runtime/grader/utf8.h"
#include "runtime/grader/value_ops.h"

namespace rft::grader {

namespace {

// find_phrases costs one linear scan of the text per phrase.
constexpr size_t kMaxPhrases = 1000;
constexpr std::string_view kFlagCapped = "safety_capped";

bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_ascii_alnum(char c) {
  return is_ascii_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// s lower-cased, without leading and trailing white space and with each inner run of white space
// as one space, so that a phrase matches however the text breaks its lines.
std::string normalized_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (const CodePoint& c : code_points(trim_white_space(s))) {
    if (is_white_space(c.cp)) {
      space = true;
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    encode_utf8(simple_lower(c.cp), out);
  }
  return out;
}

// A code point that can be part of a word: anything but white space, ASCII punctuation and
// symbols, Latin-1 punctuation (¡ « » ¿ ...), General Punctuation and CJK punctuation.
bool is_word_char(char32_t cp) {
  if (cp < 0x80) return is_ascii_alnum(static_cast<char>(cp));
  if (is_white_space(cp)) return false;
  if (cp >= 0xA1 && cp <= 0xBF) return false;
  if (cp >= 0x2000 && cp <= 0x206F) return false;
  if (cp >= 0x3000 && cp <= 0x303F) return false;
  return true;
}

// The code point that ends just before byte `pos` of valid UTF-8 `s` (pos > 0).
char32_t code_point_before(std::string_view s, size_t pos) {
  size_t start = pos - 1;
  while (start > 0 && pos - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) {
    --start;
  }
  return decode_utf8(s, start).cp;
}

// Whether `phrase` occurs in `text` (both lower-cased), and with `whole_words` whether some
// occurrence has no word character right before or after it.
bool occurs(std::string_view text, std::string_view phrase, bool whole_words) {
  for (size_t from = 0; from + phrase.size() <= text.size();) {
    const void* hit = memmem(text.data() + from, text.size() - from, phrase.data(), phrase.size());
    if (hit == nullptr) return false;
    const size_t pos = static_cast<size_t>(static_cast<const char*>(hit) - text.data());
    const size_t end = pos + phrase.size();
    if (!whole_words) return true;
    const bool left_ok = pos == 0 || !is_word_char(code_point_before(text, pos));
    const bool right_ok = end == text.size() || !is_word_char(decode_utf8(text, end).cp);
    if (left_ok && right_ok) return true;
    from = pos + 1;
  }
  return false;
}

// A run of digits with single separators between groups, as a phone number or a card number is
// written: "+1 (555) 123-4567", "4111-1111-1111-1111".
struct DigitRun {
  std::string_view text;
  std::string digits;
  std::vector<size_t> groups;  // digits per group
  std::string separators;      // the separators between groups, in order (')' counts as one)
  bool plus = false;           // starts with '+'
  bool parens = false;         // has a parenthesized group
};

// The digit runs of s, left to right. A run starts at a digit, '+' or '(' followed by a digit,
// not right after an ASCII letter or digit, and ends before anything that cannot continue it.
// `separators` are the characters allowed between groups (besides a parenthesized group).
std::vector<DigitRun> digit_runs(std::string_view s, std::string_view separators,
                                 bool allow_parens) {
  std::vector<DigitRun> runs;
  size_t i = 0;
  while (i < s.size()) {
    const bool after_word = i > 0 && (is_ascii_alnum(s[i - 1]) || s[i - 1] == '.');
    size_t j = i;
    DigitRun run;
    if (!after_word && s[j] == '+' && j + 1 < s.size() && is_ascii_digit(s[j + 1])) {
      run.plus = true;
      ++j;
    }
    const bool starts =
        j < s.size() && (is_ascii_digit(s[j]) || (allow_parens && s[j] == '(' && j + 1 < s.size() &&
                                                  is_ascii_digit(s[j + 1])));
    if (after_word || !starts) {
      ++i;
      continue;
    }
    while (j < s.size()) {
      size_t k = j;
      bool paren = false;
      if (allow_parens && s[k] == '(') {
        paren = true;
        ++k;
      }
      const size_t group_start = k;
      while (k < s.size() && is_ascii_digit(s[k])) ++k;
      const size_t len = k - group_start;
      if (len == 0 || (paren && (k >= s.size() || s[k] != ')'))) break;
      if (paren) {
        ++k;
        run.parens = true;
      }
      run.digits.append(s.substr(group_start, len));
      run.groups.push_back(len);
      j = k;
      // A separator continues the run only when a group follows it; a closing parenthesis may be
      // followed by one separator or directly by the next group.
      size_t next = j;
      if (next < s.size() && separators.find(s[next]) != std::string_view::npos) ++next;
      const bool more =
          next < s.size() &&
          (is_ascii_digit(s[next]) ||
           (allow_parens && s[next] == '(' && next + 1 < s.size() && is_ascii_digit(s[next + 1])));
      if (!more || (next == j && !paren)) break;
      run.separators.push_back(next == j ? ')' : s[j]);
      j = next;
    }
    if (!run.groups.empty()) {
      // A run glued to a following letter or digit is part of a longer token, not a number.
      if (j >= s.size() || !is_ascii_alnum(s[j])) {
        run.text = s.substr(i, j - i);
        runs.push_back(std::move(run));
      }
    }
    i = std::max(j, i + 1);
  }
  return runs;
}

bool luhn_valid(std::string_view digits) {
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

bool is_card(const DigitRun& r) {
  return !r.plus && !r.parens && r.digits.size() >= 13 && r.digits.size() <= 19 &&
         luhn_valid(r.digits);
}

// Phone numbers of 10 to 15 digits (E.164 allows at most 15) that are written like one: with a
// leading '+', a parenthesized area code, or two or more separators between groups of at most
// 4 digits. Digit groupings of large numbers ("1 000 000 000") and IPv4 addresses are not.
bool is_phone(const DigitRun& r) {
  if (r.digits.size() < 10 || r.digits.size() > 15 || is_card(r)) return false;
  if (r.plus || r.parens) return true;
  if (r.separators.size() < 2) return false;
  if (std::any_of(r.groups.begin(), r.groups.end(), [](size_t g) { return g > 4; })) return false;
  const bool thousands =
      std::all_of(r.groups.begin() + 1, r.groups.end(), [](size_t g) { return g == 3; });
  const bool ipv4 = r.groups.size() == 4 && r.separators == "..." &&
                    std::all_of(r.groups.begin(), r.groups.end(), [](size_t g) { return g <= 3; });
  return !thousands && !ipv4;
}

}  // namespace

RFT_BUILTIN(repetition) {
  const Tokens t = tokenize(view_str(args[0]), Punctuation::kSplit);
  const size_t n = static_cast<size_t>(ngram_order(args[1].as.num, 3));
  if (t.items.size() < n) {
    *out = rft_num(0);
    return;
  }
  const size_t total = t.items.size() - n + 1;
  std::unordered_set<std::string_view> seen;
  seen.reserve(total);
  size_t repeats = 0;
  for (size_t i = 0; i < total; ++i) {
    // Tokens hold no white space and are joined by single spaces in t.text, so the view from
    // an n-gram's first token to its last identifies the n-gram.
    const std::string_view first = t.items[i], last = t.items[i + n - 1];
    const std::string_view gram(first.data(),
                                static_cast<size_t>(last.data() + last.size() - first.data()));
    if (!seen.insert(gram).second) ++repeats;
  }
  *out = rft_num(static_cast<double>(repeats) / static_cast<double>(total));
}

RFT_BUILTIN(find_phrases) {
  const std::string text = normalized_text(view_str(args[0]));
  auto phrases = items_of(args[1]);
  if (phrases.size() > kMaxPhrases) {
    Context::from(ctx).flag(kFlagCapped);
    phrases = phrases.first(kMaxPhrases);
  }
  const bool whole_words = args[2].as.boolean != 0;
  std::vector<std::string_view> found;
  for (const rft_value& p : phrases) {
    const std::string_view phrase = view_str(p);
    if (std::find(found.begin(), found.end(), phrase) != found.end()) continue;
    const std::string wanted = normalized_text(phrase);
    if (!wanted.empty() && occurs(text, wanted, whole_words)) found.push_back(phrase);
  }
  *out = make_str_list(Context::from(ctx), found);
}

RFT_BUILTIN(credit_cards) {
  std::vector<std::string_view> found;
  for (const DigitRun& r : digit_runs(view_str(args[0]), " -", false)) {
    if (is_card(r)) found.push_back(r.text);
  }
  *out = make_str_list(Context::from(ctx), found);
}

RFT_BUILTIN(phone_numbers) {
  std::vector<std::string_view> found;
  for (const DigitRun& r : digit_runs(view_str(args[0]), " -.", true)) {
    if (is_phone(r)) found.push_back(r.text);
  }
  *out = make_str_list(Context::from(ctx), found);
}

namespace {

constexpr Builtin kSafety[] = {
    RFT_ENTRY(repetition, "repetition(s: str, n: num = 3) -> num",
              "The share of the word n-grams of s that repeat an earlier n-gram (0 if none)."),
    RFT_ENTRY(
        find_phrases,
        "find_phrases(s: str, phrases: list<str>, whole_words: bool = true) -> list<str>",
        "The phrases that occur in s ignoring case and spacing, optionally only as whole words."),
    RFT_ENTRY(
        credit_cards, "credit_cards(s: str) -> list<str>",
        "The runs of 13 to 19 digits in s (spaces or hyphens between) that pass the Luhn check."),
    RFT_ENTRY(phone_numbers, "phone_numbers(s: str) -> list<str>",
              "The phone numbers in s: 10 to 15 digits written with +, parentheses or separators."),
};

}  // namespace

std::span<const Builtin> safety_builtins() {
  return kSafety;
}

}  // namespace rft::grader
