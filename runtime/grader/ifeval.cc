// Google's IFEval checks (see ifeval.h), and the builtins behind std.ifeval.
#include "runtime/grader/ifeval.h"

#include <cld2/public/compact_lang_det.h>
#include <re2/re2.h>
#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "runtime/grader/builtin_fns.h"
#include "runtime/grader/builtins.h"
#include "runtime/grader/context.h"
#include "runtime/grader/json.h"
#include "runtime/grader/utf8.h"
#include "runtime/grader/value_ops.h"

namespace rft::grader::ifeval {

namespace {

using nlohmann::json;
using U32 = std::u32string;
using U32View = std::u32string_view;

// ---- Python's str semantics ----

U32 to_u32(std::string_view s) {
  U32 out;
  out.reserve(s.size());
  for (const CodePoint& c : code_points(s)) out.push_back(c.valid ? c.cp : 0xFFFD);
  return out;
}

std::string to_utf8(U32View s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) encode_utf8(c, out);
  return out;
}

// str.isspace() and the \s of a str pattern.
bool py_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

bool is_letter(char32_t c) {
  switch (u_charType(static_cast<UChar32>(c))) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
      return true;
    default:
      return false;
  }
}

// \w of a str pattern: letters, numbers (any N category) and '_'; not combining marks.
bool py_word(char32_t c) {
  if (c < 0x80) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }
  const int8_t type = u_charType(static_cast<UChar32>(c));
  return is_letter(c) || type == U_DECIMAL_DIGIT_NUMBER || type == U_LETTER_NUMBER ||
         type == U_OTHER_NUMBER;
}

re2::StringPiece piece(std::string_view s) {
  return {s.data(), s.size()};
}

bool py_decimal(char32_t c) {
  return u_charType(static_cast<UChar32>(c)) == U_DECIMAL_DIGIT_NUMBER;
}

bool char_upper(char32_t c) {
  return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_UPPERCASE) != 0;
}
bool char_lower(char32_t c) {
  return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_LOWERCASE) != 0;
}
bool char_title(char32_t c) {
  return u_charType(static_cast<UChar32>(c)) == U_TITLECASE_LETTER;
}

// str.isupper() (upper) or str.islower(): some letter of that case, and none of the other case
// nor of title case.
bool py_iscase(U32View s, bool upper) {
  bool cased = false;
  for (char32_t c : s) {
    if ((upper ? char_lower(c) : char_upper(c)) || char_title(c)) return false;
    if (upper ? char_upper(c) : char_lower(c)) cased = true;
  }
  return cased;
}
bool py_isupper(U32View s) {
  return py_iscase(s, true);
}
bool py_islower(U32View s) {
  return py_iscase(s, false);
}

// str.lower(): the full lower-case mapping (İ → i̇, final sigma), as ICU's root locale gives it.
U32 py_lower(U32View s) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF32(reinterpret_cast<const UChar32*>(s.data()),
                                                       static_cast<int32_t>(s.size()));
  u.toLower(icu::Locale::getRoot());
  U32 out(static_cast<size_t>(u.countChar32()), U'\0');
  UErrorCode status = U_ZERO_ERROR;
  const int32_t n =
      u.toUTF32(reinterpret_cast<UChar32*>(out.data()), static_cast<int32_t>(out.size()), status);
  out.resize(U_SUCCESS(status) ? static_cast<size_t>(n) : 0);
  return out;
}

std::string py_lower_utf8(std::string_view s) {
  return to_utf8(py_lower(to_u32(s)));
}

U32View py_strip(U32View s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && py_space(s[b])) ++b;
  while (e > b && py_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

U32View strip_chars(U32View s, char32_t c, bool left = true, bool right = true) {
  size_t b = 0;
  size_t e = s.size();
  while (left && b < e && s[b] == c) ++b;
  while (right && e > b && s[e - 1] == c) --e;
  return s.substr(b, e - b);
}

bool starts_with(U32View s, U32View p) {
  return s.substr(0, p.size()) == p;
}
bool ends_with(U32View s, U32View p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// str.split(sep) for a non-empty sep.
std::vector<U32View> split_on(U32View s, U32View sep) {
  std::vector<U32View> out;
  size_t start = 0;
  for (size_t at = s.find(sep); at != U32View::npos; at = s.find(sep, start)) {
    out.push_back(s.substr(start, at - start));
    start = at + sep.size();
  }
  out.push_back(s.substr(start));
  return out;
}

// str.split() with no separator: runs of non-space.
std::vector<U32View> split_ws(U32View s) {
  std::vector<U32View> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && py_space(s[i])) ++i;
    const size_t b = i;
    while (i < s.size() && !py_space(s[i])) ++i;
    if (i > b) out.push_back(s.substr(b, i - b));
  }
  return out;
}

// Python's \s and \b spelled for RE2, whose own are ASCII-only.
constexpr const char* kPyWs =
    "[\\t\\n\\x{0b}\\f\\r\\x{1c}-\\x{20}\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}"
    "\\x{2029}\\x{202f}\\x{205f}\\x{3000}]";
constexpr const char* kPyNonWord = "[^\\p{L}\\p{N}_]";

// The code point that ends just before byte `at` and the one that starts there.
bool word_before(std::string_view s, size_t at) {
  if (at == 0) return false;
  size_t i = at - 1;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  const CodePoint c = decode_utf8(s, i);
  return c.valid && py_word(c.cp);
}
bool word_at(std::string_view s, size_t at) {
  if (at >= s.size()) return false;
  const CodePoint c = decode_utf8(s, at);
  return c.valid && py_word(c.cp);
}
bool py_boundary(std::string_view s, size_t at) {
  return word_before(s, at) != word_at(s, at);
}

// Python's re.IGNORECASE compares simple lower-case mappings (İ matches i), where RE2 folds by
// Unicode case-folding orbits (İ matches nothing). Both the text and a pattern without escapes
// are therefore mapped to simple lower case first (one code point for one, so matches and word
// boundaries stay where they were), and RE2 then folds the rest.
std::string simple_lower_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const CodePoint& c : code_points(s)) {
    encode_utf8(c.valid ? static_cast<char32_t>(u_tolower(static_cast<UChar32>(c.cp))) : 0xFFFD,
                out);
  }
  return out;
}

// A pattern from the kwargs, compiled as Python's re would read it, case-insensitively, to run
// on simple_lower_utf8 of the text.
std::unique_ptr<re2::RE2> compile_ignore_case(std::string_view pattern, std::string* error) {
  re2::RE2::Options options;
  options.set_log_errors(false);
  options.set_case_sensitive(false);
  const std::string lowered = pattern.find('\\') == std::string_view::npos
                                  ? simple_lower_utf8(pattern)
                                  : std::string(pattern);
  auto re = std::make_unique<re2::RE2>(lowered, options);
  if (!re->ok()) {
    *error = "the pattern " + std::string(pattern) + " does not compile: " + re->error();
    return nullptr;
  }
  return re;
}

// re.findall(pattern, s, re.IGNORECASE): the number of non-overlapping matches.
size_t count_matches(const re2::RE2& re, std::string_view s) {
  size_t n = 0;
  size_t pos = 0;
  re2::StringPiece m;
  while (pos <= s.size() && re.Match(re2::StringPiece(s.data(), s.size()), pos, s.size(),
                                     re2::RE2::UNANCHORED, &m, 1)) {
    ++n;
    const size_t start = static_cast<size_t>(m.data() - s.data());
    size_t end = start + m.size();
    if (m.empty()) end = start + (start < s.size() ? decode_utf8(s, start).len : 1);
    pos = end;
  }
  return n;
}

// ---- Punkt (nltk.tokenize.punkt, English parameters) ----

#include "runtime/grader/ifeval_punkt_english.inc"

struct PairHash {
  size_t operator()(const std::pair<U32, U32>& p) const {
    return std::hash<U32>()(p.first) * 31 + std::hash<U32>()(p.second);
  }
};

struct PunktParams {
  std::unordered_set<U32> abbrev_types;
  std::unordered_set<U32> sent_starters;
  std::unordered_set<std::pair<U32, U32>, PairHash> collocations;
  std::unordered_map<U32, int> ortho_context;
};

const PunktParams& punkt() {
  static const PunktParams params = [] {
    PunktParams p;
    for (const char* t : kPunktAbbrevTypes) p.abbrev_types.insert(to_u32(t));
    for (const char* t : kPunktSentStarters) p.sent_starters.insert(to_u32(t));
    for (const auto& [a, b] : kPunktCollocations) p.collocations.insert({to_u32(a), to_u32(b)});
    for (const auto& [t, f] : kPunktOrthoContext) p.ortho_context.emplace(to_u32(t), f);
    return p;
  }();
  return params;
}

constexpr int kOrthoBegUc = 1 << 1;
constexpr int kOrthoMidUc = 1 << 2;
constexpr int kOrthoUnkUc = 1 << 3;
constexpr int kOrthoBegLc = 1 << 4;
constexpr int kOrthoMidLc = 1 << 5;
constexpr int kOrthoUnkLc = 1 << 6;
constexpr int kOrthoUc = kOrthoBegUc | kOrthoMidUc | kOrthoUnkUc;
constexpr int kOrthoLc = kOrthoBegLc | kOrthoMidLc | kOrthoUnkLc;

bool sent_end_char(char32_t c) {
  return c == '.' || c == '?' || c == '!';
}

// PunktLanguageVars._re_non_word_chars: characters that cannot appear within words.
bool non_word_char(char32_t c) {
  return c == ')' || c == '"' || c == ';' || c == '}' || c == ']' || c == '*' || c == ':' ||
         c == '@' || c == '\'' || c == '(' || c == '{' || c == '[' || c == '?' || c == '!';
}

// Characters that cannot start a word token (the complement of _re_word_start).
bool not_word_start(char32_t c) {
  return c == '(' || c == '"' || c == '`' || c == '{' || c == '[' || c == ':' || c == ';' ||
         c == '&' || c == '#' || c == '*' || c == '@' || c == ')' || c == '}' || c == ']' ||
         c == '-' || c == ',';
}

// _re_multi_char_punct at i: "--+", "..+" or ". . ." (two or more ". " and a final "."); the
// length matched, or 0.
size_t multi_char_punct(U32View s, size_t i) {
  const size_t n = s.size();
  if (i + 1 < n && s[i] == '-' && s[i + 1] == '-') {
    size_t j = i;
    while (j < n && s[j] == '-') ++j;
    return j - i;
  }
  if (i + 1 < n && s[i] == '.' && s[i + 1] == '.') {
    size_t j = i;
    while (j < n && s[j] == '.') ++j;
    return j - i;
  }
  size_t pairs = 0;
  size_t j = i;
  while (j + 1 < n && s[j] == '.' && py_space(s[j + 1])) {
    ++pairs;
    j += 2;
  }
  if (pairs >= 2 && j < n && s[j] == '.') return j + 1 - i;
  if (pairs >= 3) return j - 1 - i;  // backtrack one ". " pair: its '.' ends the match
  return 0;
}

// PunktLanguageVars.word_tokenize on one line.
std::vector<U32View> punkt_words(U32View s) {
  std::vector<U32View> out;
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    if (py_space(s[i])) {
      ++i;
      continue;
    }
    if (const size_t m = multi_char_punct(s, i); m > 0) {
      out.push_back(s.substr(i, m));
      i += m;
      continue;
    }
    if (!not_word_start(s[i])) {
      size_t j = i + 1;
      for (;; ++j) {
        if (j == n || py_space(s[j]) || non_word_char(s[j]) || multi_char_punct(s, j) > 0) break;
        if (s[j] == ',' && (j + 1 == n || py_space(s[j + 1]) || non_word_char(s[j + 1]) ||
                            multi_char_punct(s, j + 1) > 0)) {
          break;
        }
      }
      out.push_back(s.substr(i, j - i));
      i = j;
      continue;
    }
    out.push_back(s.substr(i, 1));
    ++i;
  }
  return out;
}

struct PunktToken {
  U32 tok;
  U32 type;
  bool period_final = false;
  bool parastart = false;
  bool linestart = false;
  bool sentbreak = false;
  bool abbr = false;
  bool ellipsis = false;

  U32View type_no_period() const {
    if (type.size() > 1 && type.back() == '.') return U32View(type).substr(0, type.size() - 1);
    return type;
  }
  U32View type_no_sentperiod() const { return sentbreak ? type_no_period() : U32View(type); }
  bool first_upper() const { return !tok.empty() && char_upper(tok[0]); }
  bool first_lower() const { return !tok.empty() && char_lower(tok[0]); }
  bool is_ellipsis() const {
    return tok.size() >= 2 &&
           std::all_of(tok.begin(), tok.end(), [](char32_t c) { return c == '.'; });
  }
  bool is_initial() const {
    return tok.size() == 2 && tok[1] == '.' && py_word(tok[0]) && !py_decimal(tok[0]);
  }
};

// PunktToken._RE_NUMERIC: ^-?[\.,]?\d[\d,\.-]*\.?$
bool numeric_token(U32View t) {
  size_t i = 0;
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && (t[i] == '.' || t[i] == ',')) ++i;
  if (i >= t.size() || !py_decimal(t[i])) return false;
  for (++i; i < t.size(); ++i) {
    if (!(py_decimal(t[i]) || t[i] == ',' || t[i] == '.' || t[i] == '-')) return false;
  }
  return true;
}

PunktToken make_token(U32View tok) {
  PunktToken t;
  t.tok = U32(tok);
  U32 lower = py_lower(tok);
  t.type = numeric_token(lower) ? U32(U"##number##") : std::move(lower);
  t.period_final = !tok.empty() && tok.back() == '.';
  return t;
}

std::vector<PunktToken> tokenize_words(U32View text) {
  std::vector<PunktToken> out;
  bool parastart = false;
  for (U32View line : split_on(text, U"\n")) {
    if (py_strip(line).empty()) {
      parastart = true;
      continue;
    }
    bool first = true;
    for (U32View w : punkt_words(line)) {
      PunktToken t = make_token(w);
      if (first) {
        t.linestart = true;
        t.parastart = parastart;
        parastart = false;
        first = false;
      }
      out.push_back(std::move(t));
    }
  }
  return out;
}

void first_pass(PunktToken& t) {
  const PunktParams& p = punkt();
  const U32& tok = t.tok;
  if (tok == U"." || tok == U"?" || tok == U"!") {
    t.sentbreak = true;
  } else if (t.is_ellipsis()) {
    t.ellipsis = true;
  } else if (t.period_final && !ends_with(tok, U"..")) {
    const U32 stem = py_lower(U32View(tok).substr(0, tok.size() - 1));
    const size_t dash = stem.rfind(U'-');
    const U32 last = dash == U32::npos ? stem : stem.substr(dash + 1);
    if (p.abbrev_types.count(stem) != 0 || p.abbrev_types.count(last) != 0) {
      t.abbr = true;
    } else {
      t.sentbreak = true;
    }
  }
}

int ortho_of(U32View type) {
  const auto& m = punkt().ortho_context;
  auto it = m.find(U32(type));
  return it == m.end() ? 0 : it->second;
}

// _ortho_heuristic: 1 (a sentence starter), 0 (not) or -1 (unknown).
int ortho_heuristic(const PunktToken& t) {
  static const std::u32string_view kPunct = U";:,.!?";
  if (t.tok.size() == 1 && kPunct.find(t.tok[0]) != U32View::npos) return 0;
  const int ctx = ortho_of(t.type_no_sentperiod());
  if (t.first_upper() && (ctx & kOrthoLc) && !(ctx & kOrthoMidUc)) return 1;
  if (t.first_lower() && ((ctx & kOrthoUc) || !(ctx & kOrthoBegLc))) return 0;
  return -1;
}

void second_pass(PunktToken& t1, const PunktToken& t2) {
  const PunktParams& p = punkt();
  if (!t1.period_final) return;
  const U32 typ(t1.type_no_period());
  const U32 next_typ(t2.type_no_sentperiod());
  const bool initial = t1.is_initial();
  if (p.collocations.count({typ, next_typ}) != 0) {
    t1.sentbreak = false;
    t1.abbr = true;
    return;
  }
  if ((t1.abbr || t1.ellipsis) && !initial) {
    const int starter = ortho_heuristic(t2);
    if (starter == 1) {
      t1.sentbreak = true;
      return;
    }
    if (t2.first_upper() && p.sent_starters.count(next_typ) != 0) {
      t1.sentbreak = true;
      return;
    }
  }
  if (initial || typ == U"##number##") {
    const int starter = ortho_heuristic(t2);
    if (starter == 0) {
      t1.sentbreak = false;
      t1.abbr = true;
      return;
    }
    if (starter == -1 && initial && t2.first_upper() && !(ortho_of(next_typ) & kOrthoLc)) {
      t1.sentbreak = false;
      t1.abbr = true;
    }
  }
}

bool text_contains_sentbreak(U32View text) {
  std::vector<PunktToken> toks = tokenize_words(text);
  for (PunktToken& t : toks) first_pass(t);
  for (size_t i = 0; i + 1 < toks.size(); ++i) second_pass(toks[i], toks[i + 1]);
  for (size_t i = 0; i + 1 < toks.size(); ++i) {
    if (toks[i].sentbreak) return true;
  }
  return false;
}

bool ascii_whitespace(char32_t c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D);
}

struct EndContext {
  size_t match_end;       // after the sentence-ending character
  size_t next_tok_start;  // where the following token starts, or npos
  U32 context;
};

// _match_potential_end_contexts (NLTK 3.8).
std::vector<EndContext> potential_end_contexts(U32View text) {
  struct Match {
    size_t start;
    size_t after_end;
    size_t next_tok;
  };
  std::vector<Match> matches;
  const size_t n = text.size();
  for (size_t i = 0; i < n; ++i) {
    if (!sent_end_char(text[i])) continue;
    if (i + 1 < n && non_word_char(text[i + 1])) {
      matches.push_back({i, i + 2, U32View::npos});
    } else if (i + 1 < n && py_space(text[i + 1])) {
      size_t j = i + 1;
      while (j < n && py_space(text[j])) ++j;
      if (j == n) continue;
      size_t k = j;
      while (k < n && !py_space(text[k])) ++k;
      matches.push_back({i, k, j});
    }
  }
  std::vector<EndContext> out;
  size_t prev_start = 0;
  size_t prev_stop = 0;
  const Match* previous = nullptr;
  auto emit = [&](const Match& m) {
    EndContext c;
    c.match_end = m.start + 1;
    c.next_tok_start = m.next_tok;
    // The words of emitted contexts do not overlap, so all of them together are linear in text.
    c.context = U32(text.substr(prev_start, prev_stop - prev_start));
    c.context += text.substr(m.start, m.after_end - m.start);
    out.push_back(std::move(c));
  };
  for (const Match& m : matches) {
    const U32View before = text.substr(prev_stop, m.start - prev_stop);
    size_t last_space = 0;
    for (size_t i = before.size(); i-- > 0;) {
      if (ascii_whitespace(before[i])) {
        last_space = i;
        break;
      }
    }
    const size_t word_start = last_space != 0 ? last_space + prev_stop + 1 : prev_start;
    if (previous != nullptr && prev_stop <= word_start) emit(*previous);
    previous = &m;
    prev_start = word_start;
    prev_stop = m.start;
  }
  if (previous != nullptr) emit(*previous);
  return out;
}

// The realignment pattern ["')\]}]+?(?:\s+|(?=--)|$) at the start of s: the length of the
// closing punctuation and of the whole match, or nothing.
std::optional<std::pair<size_t, size_t>> boundary_realignment(U32View s) {
  auto closer = [](char32_t c) {
    return c == '"' || c == '\'' || c == ')' || c == ']' || c == '}';
  };
  for (size_t k = 1; k <= s.size() && closer(s[k - 1]); ++k) {
    if (k < s.size() && py_space(s[k])) {
      size_t j = k;
      while (j < s.size() && py_space(s[j])) ++j;
      return std::make_pair(k, j);
    }
    if (k + 1 < s.size() && s[k] == '-' && s[k + 1] == '-') return std::make_pair(k, k);
    if (k == s.size() || s[k] == '\n') return std::make_pair(k, k);
  }
  return std::nullopt;
}

// PunktSentenceTokenizer.span_tokenize with realign_boundaries.
std::vector<std::pair<size_t, size_t>> sentence_spans(U32View text) {
  std::vector<std::pair<size_t, size_t>> slices;
  size_t last_break = 0;
  for (const EndContext& c : potential_end_contexts(text)) {
    if (text_contains_sentbreak(c.context)) {
      slices.emplace_back(last_break, c.match_end);
      last_break = c.next_tok_start != U32View::npos ? c.next_tok_start : c.match_end;
    }
  }
  size_t rstripped = text.size();
  while (rstripped > 0 && py_space(text[rstripped - 1])) --rstripped;
  slices.emplace_back(last_break, rstripped);

  std::vector<std::pair<size_t, size_t>> out;
  size_t realign = 0;
  for (size_t i = 0; i < slices.size(); ++i) {
    const size_t start = slices[i].first + realign;
    const size_t stop = slices[i].second;
    if (i + 1 == slices.size()) {
      if (start < stop) out.emplace_back(start, stop);
      continue;
    }
    const auto [s2_start, s2_stop] = slices[i + 1];
    const U32View s2 = s2_start < s2_stop ? text.substr(s2_start, s2_stop - s2_start) : U32View();
    if (auto m = boundary_realignment(s2)) {
      out.emplace_back(start, s2_start + m->first);
      realign = m->second;
    } else {
      realign = 0;
      if (start < stop) out.emplace_back(start, stop);
    }
  }
  return out;
}

// ---- NLTK's word_tokenize (NLTKWordTokenizer after sent_tokenize) ----

struct Sub {
  std::unique_ptr<re2::RE2> re;
  std::string rewrite;
  bool to_fixpoint;  // the pattern consumes a boundary character that the next match needs
};

Sub make_sub(const std::string& pattern, std::string rewrite, bool to_fixpoint = false) {
  re2::RE2::Options options;
  options.set_log_errors(false);
  return Sub{std::make_unique<re2::RE2>(pattern, options), std::move(rewrite), to_fixpoint};
}

void apply(const Sub& sub, std::string& text) {
  for (int round = 0; round < 64; ++round) {
    if (re2::RE2::GlobalReplace(&text, *sub.re, sub.rewrite) == 0 || !sub.to_fixpoint) return;
  }
}

// (?i)(\')(?!re|ve|ll|m|t|s|d|n)(\w)\b → "\1 \2": an apostrophe before a one-letter word.
std::string split_quote_letter(const std::string& text) {
  const U32 s = to_u32(text);
  U32 out;
  for (size_t i = 0; i < s.size(); ++i) {
    out.push_back(s[i]);
    if (s[i] != '\'' || i + 1 >= s.size() || !py_word(s[i + 1])) continue;
    if (i + 2 < s.size() && py_word(s[i + 2])) continue;
    const char32_t c = s[i + 1];
    const char32_t lc = c < 0x80 ? static_cast<char32_t>(std::tolower(static_cast<int>(c))) : c;
    if (lc == 'm' || lc == 't' || lc == 's' || lc == 'd' || lc == 'n') continue;
    out.push_back(' ');
    out.push_back(c);
    ++i;
  }
  return to_utf8(out);
}

struct TreebankRules {
  std::vector<Sub> starting;
  std::vector<Sub> punctuation;
  std::vector<Sub> ending;
  std::vector<Sub> contractions;
};

const TreebankRules& treebank() {
  static const TreebankRules rules = [] {
    const std::string ws = kPyWs;
    const std::string nw = kPyNonWord;
    TreebankRules r;
    r.starting.push_back(make_sub("([«“‘„]|[`]+)", " \\1 "));
    r.starting.push_back(make_sub("^\"", "``"));
    r.starting.push_back(make_sub("(``)", " \\1 "));
    r.starting.push_back(make_sub("([ \\(\\[{<])(\"|'{2})", "\\1 `` "));
    r.punctuation.push_back(
        make_sub("([^\\.])(\\.)([\\]\\)}>\"'»”’ ]*)" + ws + "*$", "\\1 \\2 \\3 "));
    r.punctuation.push_back(make_sub("([:,])([^\\p{Nd}])", " \\1 \\2"));
    r.punctuation.push_back(make_sub("([:,])(\\n?)$", " \\1 \\2"));
    r.punctuation.push_back(make_sub("\\.{2,}", " \\0 "));
    r.punctuation.push_back(make_sub("[;@#$%&]", " \\0 "));
    r.punctuation.push_back(make_sub("([^\\.])(\\.)([\\]\\)}>\"']*)" + ws + "*$", "\\1 \\2\\3 "));
    r.punctuation.push_back(make_sub("[?!]", " \\0 "));
    r.punctuation.push_back(make_sub("([^'])' ", "\\1 ' "));
    r.punctuation.push_back(make_sub("[*]", " \\0 "));
    r.punctuation.push_back(make_sub("[\\]\\[\\(\\)\\{\\}\\<\\>]", " \\0 "));
    r.punctuation.push_back(make_sub("--", " -- "));
    r.ending.push_back(make_sub("([»”’])", " \\1 "));
    r.ending.push_back(make_sub("''", " '' "));
    r.ending.push_back(make_sub("\"", " '' "));
    r.ending.push_back(make_sub("([^' ])('[sS]|'[mM]|'[dD]|') ", "\\1 \\2 "));
    r.ending.push_back(make_sub("([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ", "\\1 \\2 "));
    // MacIntyre contractions; \b is Python's (Unicode), so the boundary character is matched
    // and put back, and the rule is applied until nothing changes.
    for (const char* pair : {"(can)(not)", "(d)('ye)", "(gim)(me)", "(gon)(na)", "(got)(ta)",
                             "(lem)(me)", "(more)('n)"}) {
      r.contractions.push_back(
          make_sub("(?i)(^|" + nw + ")" + pair + "($|" + nw + ")", "\\1 \\2 \\3 \\4", true));
    }
    r.contractions.push_back(
        make_sub("(?i)(^|" + nw + ")(wan)(na)(" + ws + ")", "\\1 \\2 \\3 \\4", true));
    r.contractions.push_back(make_sub("(?i) ('t)(is)($|" + nw + ")", " \\1 \\2 \\3", true));
    r.contractions.push_back(make_sub("(?i) ('t)(was)($|" + nw + ")", " \\1 \\2 \\3", true));
    return r;
  }();
  return rules;
}

std::vector<std::string> treebank_tokenize(std::string text) {
  const TreebankRules& r = treebank();
  for (const Sub& s : r.starting) apply(s, text);
  text = split_quote_letter(text);
  for (const Sub& s : r.punctuation) apply(s, text);
  text = " " + text + " ";
  for (const Sub& s : r.ending) apply(s, text);
  for (const Sub& s : r.contractions) apply(s, text);
  std::vector<std::string> out;
  const U32 u = to_u32(text);
  for (U32View w : split_ws(u)) out.push_back(to_utf8(w));
  return out;
}

// ---- CLD2, spoken as langdetect codes ----

std::string langdetect_code(std::string code) {
  if (code == "iw") return "he";
  if (code == "zh") return "zh-cn";
  if (code == "zh-Hant") return "zh-tw";
  if (code == "nb") return "no";
  if (code == "jw") return "jv";
  return code;
}

// langdetect raises "No features in text" when, after dropping URLs and e-mail addresses,
// nothing is left that is a letter.
bool has_language_features(std::string_view text) {
  static const re2::RE2 kUrl("https?://[-_.?&~;+=/#0-9A-Za-z]+");
  static const re2::RE2 kMail("[-_.0-9A-Za-z]{1,64}@[-_0-9A-Za-z]{1,255}[-_.0-9A-Za-z]{1,255}");
  std::string cleaned(text);
  re2::RE2::GlobalReplace(&cleaned, kUrl, " ");
  re2::RE2::GlobalReplace(&cleaned, kMail, " ");
  for (const CodePoint& c : code_points(cleaned)) {
    if (c.valid && is_letter(c.cp)) return true;
  }
  return false;
}

// ---- the checks ----

constexpr std::string_view kIds[] = {
    "keywords:existence",
    "keywords:frequency",
    "keywords:forbidden_words",
    "keywords:letter_frequency",
    "language:response_language",
    "length_constraints:number_sentences",
    "length_constraints:number_paragraphs",
    "length_constraints:number_words",
    "length_constraints:nth_paragraph_first_word",
    "detectable_content:number_placeholders",
    "detectable_content:postscript",
    "detectable_format:number_bullet_lists",
    "detectable_format:constrained_response",
    "detectable_format:number_highlighted_sections",
    "detectable_format:multiple_sections",
    "detectable_format:json_format",
    "detectable_format:title",
    "combination:two_responses",
    "combination:repeat_prompt",
    "startend:end_checker",
    "change_case:capital_word_frequency",
    "change_case:english_capital",
    "change_case:english_lowercase",
    "punctuation:no_comma",
    "startend:quotation",
};

struct BadArgs {
  std::string what;
};

class Args {
 public:
  explicit Args(const json& kwargs) : kwargs_(kwargs) {}

  const json* find(const char* name) const {
    if (!kwargs_.is_object()) return nullptr;
    auto it = kwargs_.find(name);
    if (it == kwargs_.end() || it->is_null()) return nullptr;
    return &*it;
  }
  double number(const char* name) const {
    const json* v = find(name);
    if (v == nullptr || !v->is_number()) throw BadArgs{std::string(name) + " must be a number"};
    return v->get<double>();
  }
  std::string str(const char* name) const {
    const json* v = find(name);
    if (v == nullptr || !v->is_string()) throw BadArgs{std::string(name) + " must be a string"};
    return v->get<std::string>();
  }
  std::vector<std::string> strings(const char* name) const {
    const json* v = find(name);
    if (v == nullptr || !v->is_array())
      throw BadArgs{std::string(name) + " must be a list of strings"};
    std::vector<std::string> out;
    for (const json& e : *v) {
      if (!e.is_string()) throw BadArgs{std::string(name) + " must be a list of strings"};
      out.push_back(e.get<std::string>());
    }
    return out;
  }
  // "less than" → true, "at least" → false.
  bool less_than(const char* name) const {
    const std::string r = str(name);
    if (r == "less than") return true;
    if (r == "at least") return false;
    throw BadArgs{std::string(name) + " must be \"less than\" or \"at least\""};
  }

 private:
  const json& kwargs_;
};

bool compare(double actual, double threshold, bool less_than) {
  return less_than ? actual < threshold : actual >= threshold;
}

// re.findall(r"^\s*\*[^\*].*$", v, re.M) and re.findall(r"^\s*-.*$", v, re.M).
size_t bullet_lines(U32View v, bool star) {
  size_t n = 0;
  size_t p = 0;
  while (p <= v.size()) {
    if (p == 0 || v[p - 1] == '\n') {
      size_t w = p;
      while (w < v.size() && py_space(v[w])) ++w;
      size_t after = U32View::npos;
      if (star) {
        if (w + 1 < v.size() && v[w] == '*' && v[w + 1] != '*') after = w + 2;
      } else if (w < v.size() && v[w] == '-') {
        after = w + 1;
      }
      if (after != U32View::npos) {
        ++n;
        size_t e = after;
        while (e < v.size() && v[e] != '\n') ++e;
        p = e == p ? p + 1 : e;
        continue;
      }
      // Every line start before w runs into the same w and fails the same way: skip them
      // (linear, where the regex is quadratic on many blank lines).
      if (w > p) {
        p = w;
        continue;
      }
    }
    ++p;
  }
  return n;
}

size_t highlights(U32View v) {
  size_t n = 0;
  // \*[^\n\*]*\*
  for (size_t i = 0; i < v.size();) {
    if (v[i] == '*') {
      size_t j = i + 1;
      while (j < v.size() && v[j] != '\n' && v[j] != '*') ++j;
      if (j < v.size() && v[j] == '*') {
        if (!py_strip(strip_chars(v.substr(i, j + 1 - i), '*')).empty()) ++n;
        i = j + 1;
        continue;
      }
    }
    ++i;
  }
  // \*\*[^\n\*]*\*\*
  for (size_t i = 0; i + 1 < v.size();) {
    if (v[i] == '*' && v[i + 1] == '*') {
      size_t j = i + 2;
      while (j < v.size() && v[j] != '\n' && v[j] != '*') ++j;
      if (j + 1 < v.size() && v[j] == '*' && v[j + 1] == '*') {
        if (!py_strip(v.substr(i + 2, j - i - 2)).empty()) ++n;
        i = j + 2;
        continue;
      }
    }
    ++i;
  }
  return n;
}

// re.split(r"\s?\*\*\*\s?", v), then the paragraph rule.
bool paragraphs_ok(U32View v, double wanted) {
  std::vector<U32View> pieces;
  size_t start = 0;
  size_t i = 0;
  while (i < v.size()) {
    size_t m = U32View::npos;
    if (py_space(v[i]) && v.substr(i + 1, 3) == U"***") {
      m = i + 4;
    } else if (v.substr(i, 3) == U"***") {
      m = i + 3;
    }
    if (m == U32View::npos) {
      ++i;
      continue;
    }
    if (m < v.size() && py_space(v[m])) ++m;
    pieces.push_back(v.substr(start, i - start));
    start = i = m;
  }
  pieces.push_back(v.substr(start));
  double n = static_cast<double>(pieces.size());
  for (size_t k = 0; k < pieces.size(); ++k) {
    if (py_strip(pieces[k]).empty()) {
      if (k == 0 || k + 1 == pieces.size()) {
        n -= 1;
      } else {
        return false;
      }
    }
  }
  return n == wanted;
}

// re.findall(r"<<[^\n]+>>"): on each line, the match runs from the first "<<" to the last ">>"
// at least one character on, and later "<<" of the line can only start inside it.
bool title_present(U32View v) {
  for (U32View line : split_on(v, U"\n")) {
    const size_t open = line.find(U"<<");
    const size_t close = line.rfind(U">>");
    if (open == U32View::npos || close == U32View::npos || close < open + 3) continue;
    const U32View title = line.substr(open, close + 2 - open);
    if (!py_strip(strip_chars(strip_chars(title, '<', true, false), '>', false, true)).empty()) {
      return true;
    }
  }
  return false;
}

// json.loads with Python's grammar: NaN, Infinity and -Infinity are values; JSON white space
// is " \t\n\r"; control characters are refused inside strings; lone surrogate escapes pass.
class PyJson {
 public:
  explicit PyJson(U32View s) : s_(s) {}
  bool valid() {
    ws();
    if (!value(0)) return false;
    ws();
    return i_ == s_.size();
  }

 private:
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  bool lit(U32View w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  static bool digit(char32_t c) { return c >= '0' && c <= '9'; }
  bool value(int depth) {
    if (depth > 900 || i_ >= s_.size()) return false;
    const char32_t c = s_[i_];
    if (c == '{') return members(depth, '}', true);
    if (c == '[') return members(depth, ']', false);
    if (c == '"') return string();
    if (c == 'n') return lit(U"null");
    if (c == 't') return lit(U"true");
    if (c == 'f') return lit(U"false");
    if (c == 'N') return lit(U"NaN");
    if (c == 'I') return lit(U"Infinity");
    if (c == '-' && s_.substr(i_, 9) == U"-Infinity") return lit(U"-Infinity");
    return number();
  }
  bool number() {
    const size_t b = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    if (i_ >= s_.size() || !digit(s_[i_])) {
      i_ = b;
      return false;
    }
    if (s_[i_] == '0') {
      ++i_;
    } else {
      while (i_ < s_.size() && digit(s_[i_])) ++i_;
    }
    if (i_ + 1 < s_.size() && s_[i_] == '.' && digit(s_[i_ + 1])) {
      i_ += 2;
      while (i_ < s_.size() && digit(s_[i_])) ++i_;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      size_t j = i_ + 1;
      if (j < s_.size() && (s_[j] == '+' || s_[j] == '-')) ++j;
      if (j < s_.size() && digit(s_[j])) {
        while (j < s_.size() && digit(s_[j])) ++j;
        i_ = j;
      }
    }
    return true;
  }
  bool string() {
    ++i_;
    while (i_ < s_.size()) {
      const char32_t c = s_[i_++];
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c == '\\') {
        if (i_ >= s_.size()) return false;
        const char32_t e = s_[i_++];
        if (e == 'u') {
          for (int k = 0; k < 4; ++k, ++i_) {
            if (i_ >= s_.size() || !std::isxdigit(static_cast<int>(s_[i_] < 0x80 ? s_[i_] : 0)))
              return false;
          }
        } else if (U32View(U"\"\\/bfnrt").find(e) == U32View::npos) {
          return false;
        }
      }
    }
    return false;
  }
  bool eat(char32_t c) {
    if (i_ >= s_.size() || s_[i_] != c) return false;
    ++i_;
    return true;
  }
  // An object (keyed: "name": value members) or an array, up to its closing bracket.
  bool members(int depth, char32_t close, bool keyed) {
    ++i_;
    ws();
    if (eat(close)) return true;
    for (;;) {
      ws();
      if (keyed) {
        if (i_ >= s_.size() || s_[i_] != '"' || !string()) return false;
        ws();
        if (!eat(':')) return false;
        ws();
      }
      if (!value(depth + 1)) return false;
      ws();
      if (eat(',')) continue;
      return eat(close);
    }
  }

  U32View s_;
  size_t i_ = 0;
};

bool json_format(U32View v) {
  v = py_strip(v);
  for (U32View prefix :
       {U32View(U"```json"), U32View(U"```Json"), U32View(U"```JSON"), U32View(U"```")}) {
    if (starts_with(v, prefix)) v.remove_prefix(prefix.size());
  }
  if (ends_with(v, U"```")) v.remove_suffix(3);
  return PyJson(py_strip(v)).valid();
}

bool language_is(std::string_view s, std::string_view language) {
  const std::string found = detect_language(s);
  if (found.empty()) return true;  // langdetect raises; Google's checker passes the response
  return found == language;
}

bool run_check(std::string_view id, std::string_view s, const Args& a) {
  const U32 v = to_u32(s);
  // The text the keyword regexes run on (see compile_ignore_case).
  const std::string folded = id.substr(0, 9) == "keywords:" ? simple_lower_utf8(s) : std::string();
  if (id == "keywords:existence") {
    std::string error;
    for (const std::string& k : a.strings("keywords")) {
      auto re = compile_ignore_case(k, &error);
      if (re == nullptr) throw BadArgs{error};
      if (!re2::RE2::PartialMatch(folded, *re)) return false;
    }
    return true;
  }
  if (id == "keywords:frequency") {
    std::string error;
    const std::string keyword = to_utf8(py_strip(to_u32(a.str("keyword"))));
    auto re = compile_ignore_case(keyword, &error);
    if (re == nullptr) throw BadArgs{error};
    return compare(static_cast<double>(count_matches(*re, folded)), a.number("frequency"),
                   a.less_than("relation"));
  }
  if (id == "keywords:forbidden_words") {
    std::string error;
    for (const std::string& w : a.strings("forbidden_words")) {
      auto re = compile_ignore_case(w, &error);
      if (re == nullptr) throw BadArgs{error};
      // re.search(r"\b" + w + r"\b"): a match with a (Unicode) word boundary at both ends.
      const std::string_view t = folded;
      size_t pos = 0;
      re2::StringPiece m;
      while (pos <= t.size() && re->Match(piece(t), pos, t.size(), re2::RE2::UNANCHORED, &m, 1)) {
        const size_t start = static_cast<size_t>(m.data() - t.data());
        if (py_boundary(t, start) && py_boundary(t, start + m.size())) return false;
        pos = start + (start < t.size() ? decode_utf8(t, start).len : 1);
      }
    }
    return true;
  }
  if (id == "keywords:letter_frequency") {
    const U32 letter = to_u32(a.str("letter"));
    const U32 ll = py_lower(letter);
    if (letter.size() != 1 || ll.size() != 1 || ll[0] < 'a' || ll[0] > 'z') {
      throw BadArgs{"letter must be one ASCII letter"};
    }
    const double freq = a.number("let_frequency");
    if (freq < 0) throw BadArgs{"let_frequency must not be negative"};
    const U32 lower = py_lower(v);
    const double n = static_cast<double>(std::count(lower.begin(), lower.end(), ll[0]));
    return compare(n, freq, a.less_than("let_relation"));
  }
  if (id == "language:response_language") return language_is(s, a.str("language"));
  if (id == "length_constraints:number_sentences") {
    return compare(static_cast<double>(count_sentences(s)), a.number("num_sentences"),
                   a.less_than("relation"));
  }
  if (id == "length_constraints:number_paragraphs")
    return paragraphs_ok(v, a.number("num_paragraphs"));
  if (id == "length_constraints:number_words") {
    return compare(static_cast<double>(count_words(s)), a.number("num_words"),
                   a.less_than("relation"));
  }
  if (id == "length_constraints:nth_paragraph_first_word") {
    const double num = a.number("num_paragraphs");
    const double nth = a.number("nth_paragraph");
    const U32 first_word = py_lower(to_u32(a.str("first_word")));
    if (nth <= 0 || nth > num || nth != static_cast<double>(static_cast<long long>(nth))) {
      throw BadArgs{"nth_paragraph must be a whole number from 1 to num_paragraphs"};
    }
    const std::vector<U32View> paragraphs = split_on(v, U"\n\n");
    double count = static_cast<double>(paragraphs.size());
    for (U32View p : paragraphs) {
      if (py_strip(p).empty()) count -= 1;
    }
    if (nth > count) return false;
    const U32View paragraph = py_strip(paragraphs[static_cast<size_t>(nth) - 1]);
    if (paragraph.empty()) return false;
    U32View word = py_strip(split_ws(paragraph)[0]);
    word = strip_chars(word, '\'', true, false);
    word = strip_chars(word, '"', true, false);
    U32 first;
    for (char32_t c : word) {
      if (c == '.' || c == ',' || c == '?' || c == '!' || c == '\'' || c == '"') break;
      first += py_lower(U32View(&c, 1));
    }
    return count == num && first == first_word;
  }
  if (id == "detectable_content:number_placeholders") {
    // re.findall(r"\[.*?\]")
    size_t n = 0;
    for (size_t i = 0; i < v.size(); ++i) {
      if (v[i] != '[') continue;
      size_t j = i + 1;
      while (j < v.size() && v[j] != ']' && v[j] != '\n') ++j;
      if (j < v.size() && v[j] == ']') ++n;
      // On a miss no later '[' before j can match either (linear, where re.findall is not).
      i = j < v.size() && v[j] == ']' ? j : j - 1;
    }
    return static_cast<double>(n) >= a.number("num_placeholders");
  }
  if (id == "detectable_content:postscript") {
    const std::string marker = to_utf8(py_strip(to_u32(a.str("postscript_marker"))));
    const std::string lower = py_lower_utf8(s);
    std::string pattern;
    const std::string ws = kPyWs;
    if (marker == "P.P.S") {
      pattern = "p\\." + ws + "?p\\." + ws + "?s";
    } else if (marker == "P.S.") {
      pattern = "p\\." + ws + "?s\\.";
    } else {
      pattern = py_lower_utf8(marker);
    }
    re2::RE2::Options options;
    options.set_log_errors(false);
    options.set_posix_syntax(false);
    re2::RE2 re("(?m)" + pattern, options);
    if (!re.ok()) throw BadArgs{"the postscript_marker does not compile: " + re.error()};
    return re2::RE2::PartialMatch(lower, re);
  }
  if (id == "detectable_format:number_bullet_lists") {
    return static_cast<double>(bullet_lines(v, true) + bullet_lines(v, false)) ==
           a.number("num_bullets");
  }
  if (id == "detectable_format:constrained_response") {
    const U32View t = py_strip(v);
    for (U32View option : {U32View(U"My answer is yes."), U32View(U"My answer is no."),
                           U32View(U"My answer is maybe.")}) {
      if (t.find(option) != U32View::npos) return true;
    }
    return false;
  }
  if (id == "detectable_format:number_highlighted_sections") {
    return static_cast<double>(highlights(v)) >= a.number("num_highlights");
  }
  if (id == "detectable_format:multiple_sections") {
    const std::string spliter = to_utf8(py_strip(to_u32(a.str("section_spliter"))));
    const std::string ws = kPyWs;
    re2::RE2::Options options;
    options.set_log_errors(false);
    re2::RE2 re(ws + "?" + spliter + ws + "?\\p{Nd}+" + ws + "?", options);
    if (!re.ok()) throw BadArgs{"the section_spliter does not compile: " + re.error()};
    return static_cast<double>(count_matches(re, s)) >= a.number("num_sections");
  }
  if (id == "detectable_format:json_format") return json_format(v);
  if (id == "detectable_format:title") return title_present(v);
  if (id == "combination:two_responses") {
    std::vector<U32View> valid;
    const std::vector<U32View> parts = split_on(v, U"******");
    for (size_t k = 0; k < parts.size(); ++k) {
      if (py_strip(parts[k]).empty()) {
        if (k != 0 && k + 1 != parts.size()) return false;
      } else {
        valid.push_back(parts[k]);
      }
    }
    return valid.size() == 2 && py_strip(valid[0]) != py_strip(valid[1]);
  }
  if (id == "combination:repeat_prompt") {
    const std::string prompt = a.str("prompt_to_repeat");
    if (prompt.empty()) throw BadArgs{"prompt_to_repeat must be set"};
    return starts_with(py_lower(py_strip(v)), py_lower(py_strip(to_u32(prompt))));
  }
  if (id == "startend:end_checker") {
    const U32 phrase = py_lower(py_strip(to_u32(a.str("end_phrase"))));
    return ends_with(py_lower(strip_chars(py_strip(v), '"')), phrase);
  }
  if (id == "change_case:capital_word_frequency") {
    const double freq = a.number("capital_frequency");
    const bool less = a.less_than("capital_relation");
    size_t n = 0;
    for (const std::string& w : word_tokenize(s)) {
      if (py_isupper(to_u32(w))) ++n;
    }
    return compare(static_cast<double>(n), freq, less);
  }
  if (id == "change_case:english_capital") return py_isupper(v) && language_is(s, "en");
  if (id == "change_case:english_lowercase") return py_islower(v) && language_is(s, "en");
  if (id == "punctuation:no_comma") return v.find(',') == U32::npos;
  if (id == "startend:quotation") {
    const U32View t = py_strip(v);
    return t.size() > 1 && t.front() == '"' && t.back() == '"';
  }
  throw BadArgs{"unknown instruction id " + std::string(id)};
}

U32 join_lines(const std::vector<U32View>& lines, size_t from, size_t to) {
  U32 out;
  for (size_t i = from; i < to; ++i) {
    if (i > from) out += U'\n';
    out += lines[i];
  }
  return out;
}

U32 without_stars(U32View s) {
  U32 out;
  for (char32_t c : s) {
    if (c != '*') out += c;
  }
  return out;
}

}  // namespace

std::span<const std::string_view> instruction_ids() {
  return kIds;
}

size_t count_words(std::string_view text) {
  const U32 v = to_u32(text);
  size_t n = 0;
  for (size_t i = 0; i < v.size();) {
    if (!py_word(v[i])) {
      ++i;
      continue;
    }
    ++n;
    while (i < v.size() && py_word(v[i])) ++i;
  }
  return n;
}

size_t count_sentences(std::string_view text) {
  return sentence_spans(to_u32(text)).size();
}

std::vector<std::string> sent_tokenize(std::string_view text) {
  const U32 v = to_u32(text);
  std::vector<std::string> out;
  for (const auto& [b, e] : sentence_spans(v)) out.push_back(to_utf8(U32View(v).substr(b, e - b)));
  return out;
}

std::vector<std::string> word_tokenize(std::string_view text) {
  std::vector<std::string> out;
  for (const std::string& sentence : sent_tokenize(text)) {
    for (std::string& t : treebank_tokenize(sentence)) out.push_back(std::move(t));
  }
  return out;
}

std::string detect_language(std::string_view text) {
  if (!has_language_features(text)) return "";
  bool reliable = false;
  const CLD2::Language lang = CLD2::DetectLanguage(text.data(), static_cast<int>(text.size()),
                                                   /*is_plain_text=*/true, &reliable);
  // Where CLD2 cannot tell it answers ENGLISH, unreliably: that is no answer.
  if (lang == CLD2::UNKNOWN_LANGUAGE || !reliable) return "un";
  return langdetect_code(CLD2::LanguageCode(lang));
}

std::optional<bool> check(std::string_view id, std::string_view response, const json& kwargs,
                          std::string* error) {
  try {
    return run_check(id, response, Args(kwargs));
  } catch (const BadArgs& bad) {
    if (error != nullptr) *error = std::string(id) + ": " + bad.what;
    return std::nullopt;
  }
}

std::optional<bool> follows(std::string_view id, std::string_view response, const json& kwargs,
                            bool loose, std::string* error) {
  const U32 r = to_u32(response);
  std::vector<U32> candidates{r};
  if (loose) {
    const std::vector<U32View> lines = split_on(r, U"\n");
    const size_t n = lines.size();
    const U32 first = U32(py_strip(join_lines(lines, std::min<size_t>(1, n), n)));
    const U32 last = U32(py_strip(join_lines(lines, 0, n == 0 ? 0 : n - 1)));
    const U32 both = n >= 2 ? U32(py_strip(join_lines(lines, 1, n - 1))) : U32();
    candidates = {r,
                  without_stars(r),
                  first,
                  last,
                  both,
                  without_stars(first),
                  without_stars(last),
                  without_stars(both)};
  }
  for (const U32& c : candidates) {
    if (py_strip(c).empty()) continue;
    std::optional<bool> v = check(id, to_utf8(c), kwargs, error);
    if (!v) return std::nullopt;
    if (*v) return true;
  }
  // A bad parameter is reported even when every candidate is blank.
  if (std::optional<bool> v = check(id, "x", kwargs, error); !v) return std::nullopt;
  return false;
}

}  // namespace rft::grader::ifeval

namespace rft::grader {

namespace {

// ifeval_follows(response, ids, kwargs, loose): one verdict per instruction, or none and a flag.
std::optional<std::vector<bool>> follow_all(Context& c, std::string_view response,
                                            std::span<const rft_value> ids,
                                            const nlohmann::json& kwargs, bool loose) {
  std::vector<bool> out;
  for (size_t i = 0; i < ids.size(); ++i) {
    const nlohmann::json* args = &kwargs;
    static const nlohmann::json kEmpty = nlohmann::json::object();
    if (kwargs.is_array()) args = i < kwargs.size() ? &kwargs[i] : &kEmpty;
    std::string error;
    std::optional<bool> v = ifeval::follows(view_str(ids[i]), response, *args, loose, &error);
    if (!v) {
      c.flag("ifeval_bad_instruction");
      return std::nullopt;
    }
    out.push_back(*v);
  }
  return out;
}

}  // namespace

RFT_BUILTIN(ifeval_check) {
  Context& c = Context::from(ctx);
  std::string error;
  std::optional<bool> v =
      ifeval::check(view_str(args[1]), view_str(args[0]), json_of(args[2]), &error);
  if (!v) {
    c.flag("ifeval_bad_instruction");
    *out = rft_none();
    return;
  }
  *out = rft_bool(*v ? 1 : 0);
}

RFT_BUILTIN(ifeval_follows) {
  Context& c = Context::from(ctx);
  const std::span<const rft_value> ids = items_of(args[1]);
  nlohmann::json kwargs = nlohmann::json::array();
  for (const rft_value& k : items_of(args[2])) kwargs.push_back(json_of(k));
  std::optional<std::vector<bool>> v =
      follow_all(c, view_str(args[0]), ids, kwargs, args[3].as.boolean != 0);
  if (!v) {
    *out = rft_none();
    return;
  }
  std::vector<rft_value> items;
  for (bool b : *v) items.push_back(rft_bool(b ? 1 : 0));
  *out = make_list(c, items);
}

RFT_BUILTIN(ifeval_words) {
  *out = rft_num(static_cast<double>(ifeval::count_words(view_str(args[0]))));
}

RFT_BUILTIN(ifeval_sentences) {
  *out = rft_num(static_cast<double>(ifeval::count_sentences(view_str(args[0]))));
}

RFT_BUILTIN(ifeval_language) {
  Context& c = Context::from(ctx);
  const std::string lang = ifeval::detect_language(view_str(args[0]));
  if (lang.empty()) {
    *out = rft_none();
    return;
  }
  *out = rft_string(c.copy(lang));
}

namespace {

constexpr Builtin kIfeval[] = {
    RFT_ENTRY(
        ifeval_check, "ifeval_check(response: str, instruction_id: str, kwargs: json) -> bool?",
        "Google IFEval's check_following verdict, or none and a flag for a bad id or kwargs."),
    RFT_ENTRY(
        ifeval_follows,
        "ifeval_follows(response: str, instruction_ids: list<str>, kwargs: list<json>, loose: "
        "bool = false) -> list<bool>?",
        "IFEval's strict (or loose) verdict per instruction of a row, or none and a flag."),
    RFT_ENTRY(ifeval_words, "ifeval_words(s: str) -> num",
              "The number of words as IFEval counts them: runs of Unicode \\w characters."),
    RFT_ENTRY(
        ifeval_sentences, "ifeval_sentences(s: str) -> num",
        "The number of sentences NLTK's English Punkt tokenizer finds, as IFEval counts them."),
    RFT_ENTRY(ifeval_language, "ifeval_language(s: str) -> str?",
              "The language of s as a langdetect code (CLD2: \"en\", \"zh-cn\", \"un\"), or none "
              "without letters."),
};

}  // namespace

std::span<const Builtin> ifeval_builtins() {
  return kIfeval;
}

}  // namespace rft::grader
