// Builtins behind std.format: splitting text into sentences and paragraphs, ordered tagged
// sections, capital words, and the JSON Schema builtin (validation itself is json_schema.cc). The
// instruction-following checks themselves are written in the language (stdlib/std/format.reward)
// on top of these.

#include <re2/re2.h>
#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/grader/builtin_fns.h"
#include "runtime/grader/builtins.h"
#include "runtime/grader/context.h"
#include "runtime/grader/json_schema.h"
#include "runtime/grader/unicode.h"
#include "runtime/grader/utf8.h"
#include "runtime/grader/value_ops.h"

namespace rft::grader {

namespace {

using nlohmann::json;

// ---- sentences ----

// Words after which a period does not end a sentence ("Dr. Smith", "e.g. this").
constexpr std::array<std::string_view, 24> kAbbreviations = {
    "mr",  "mrs", "ms", "dr", "prof", "sr",     "jr",   "st",  "vs", "etc", "e.g", "i.e",
    "inc", "ltd", "co", "no", "fig",  "approx", "dept", "est", "mt", "jan", "feb", "cf"};

bool is_closing(char32_t cp) {
  return cp == '"' || cp == '\'' || cp == ')' || cp == ']' || cp == 0x201D || cp == 0x2019 ||
         cp == 0xBB;
}

bool is_terminal(char32_t cp) {
  return cp == '.' || cp == '!' || cp == '?' || cp == 0x2026 /* … */ || cp == 0x3002 /* 。 */ ||
         cp == 0xFF01 /* ！ */ || cp == 0xFF1F /* ？ */;
}

// Whether the period at byte `dot` closes an abbreviation or an initial ("J. R. R. Tolkien").
bool ends_abbreviation(std::string_view s, size_t dot) {
  size_t start = dot;
  while (start > 0) {
    const char c = s[start - 1];
    if (!(std::isalpha(static_cast<unsigned char>(c)) || c == '.')) break;
    --start;
  }
  std::string word(s.substr(start, dot - start));
  if (word.size() == 1 && std::isupper(static_cast<unsigned char>(word[0]))) return true;
  std::transform(word.begin(), word.end(), word.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::find(kAbbreviations.begin(), kAbbreviations.end(), word) != kAbbreviations.end();
}

// Whether the word that ends at the period at `dot` holds another period ("p.m.", "e.g.").
bool dotted_word_before(std::string_view s, size_t dot) {
  for (size_t i = dot; i > 0;) {
    const char c = s[--i];
    if (c == '.') return true;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return false;
  }
  return false;
}

bool next_word_is_lower(std::string_view s, size_t pos) {
  while (pos < s.size()) {
    const CodePoint c = decode_utf8(s, pos);
    if (!is_white_space(c.cp)) return c.cp != simple_upper(c.cp);
    pos += c.len;
  }
  return false;
}

void push_trimmed(std::vector<std::string_view>& out, std::string_view piece) {
  piece = trim_white_space(piece);
  if (!piece.empty()) out.push_back(piece);
}

// A sentence ends after a run of terminal punctuation (and closing quotes or brackets) that is
// followed by white space or the end, unless the period closes an abbreviation; a blank line ends
// one too. CJK full stops end a sentence without a following space.
std::vector<std::string_view> split_sentences(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  size_t i = 0;
  while (i < s.size()) {
    const CodePoint d = decode_utf8(s, i);
    if (d.cp == '\n') {
      // A blank line (only white space up to the next newline) ends the sentence.
      size_t j = i + 1;
      while (j < s.size() && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r')) ++j;
      if (j < s.size() && s[j] == '\n') {
        push_trimmed(out, s.substr(start, i - start));
        start = i = j + 1;
        continue;
      }
    }
    if (!is_terminal(d.cp)) {
      i += d.len;
      continue;
    }
    const bool cjk = d.cp >= 0x3000;
    size_t end = i + d.len;
    while (end < s.size()) {
      const CodePoint n = decode_utf8(s, end);
      if (!is_terminal(n.cp) && !is_closing(n.cp)) break;
      end += n.len;
    }
    const bool at_break = end == s.size() || is_white_space(decode_utf8(s, end).cp);
    // A known abbreviation, or an ellipsis or a dotted abbreviation followed by a word in lower
    // case ("Wait... what?", "3 p.m. today"), continue the sentence; a single period after a
    // plain word ends it, so that all-lowercase prose still has sentences.
    const bool period_run = (s[end - 1] == '.' && (end - i > 1 || dotted_word_before(s, i))) ||
                            decode_utf8(s, i).cp == 0x2026;
    const bool abbreviation = (d.cp == '.' && end == i + 1 && ends_abbreviation(s, i)) ||
                              (period_run && next_word_is_lower(s, end));
    if ((at_break || cjk) && !abbreviation) {
      push_trimmed(out, s.substr(start, end - start));
      start = end;
    }
    i = end;
  }
  push_trimmed(out, s.substr(start));
  return out;
}

// ---- paragraphs ----

// Paragraphs are separated by blank lines, or, given a separator, by lines holding only it (as
// IFEval's "***" dividers); empty pieces are dropped.
std::vector<std::string_view> split_paragraphs(std::string_view s, std::string_view separator) {
  std::vector<std::string_view> out;
  size_t para_start = 0;
  size_t line_start = 0;
  while (line_start <= s.size()) {
    size_t line_end = s.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = s.size();
    const std::string_view line = trim_white_space(s.substr(line_start, line_end - line_start));
    const bool divider = separator.empty() ? line.empty() : line == separator;
    if (divider) {
      push_trimmed(out, s.substr(para_start, line_start - para_start));
      para_start = line_end + 1 > s.size() ? s.size() : line_end + 1;
    }
    if (line_end == s.size()) break;
    line_start = line_end + 1;
  }
  if (para_start < s.size()) push_trimmed(out, s.substr(para_start));
  return out;
}

}  // namespace

RFT_BUILTIN(sentences) {
  *out = make_str_list(Context::from(ctx), split_sentences(view_str(args[0])));
}

RFT_BUILTIN(paragraphs) {
  *out = make_str_list(Context::from(ctx),
                       split_paragraphs(view_str(args[0]), trim_white_space(view_str(args[1]))));
}

RFT_BUILTIN(tags_in_order) {
  const std::string_view s = view_str(args[0]);
  const bool strict = args[2].as.boolean != 0;
  size_t pos = 0;
  for (const rft_value& tag_value : items_of(args[1])) {
    // Built by appending: GCC 12 warns (-Wrestrict, a false positive) on "<" + tag + ">" in
    // optimized builds.
    const std::string_view tag = view_str(tag_value);
    std::string open(1, '<');
    open.append(tag).push_back('>');
    std::string close("</");
    close.append(tag).push_back('>');
    const size_t at = s.find(open, pos);
    if (at == std::string_view::npos) {
      *out = rft_bool(0);
      return;
    }
    // Strict: only white space before, between and after the sections.
    if (strict && !trim_white_space(s.substr(pos, at - pos)).empty()) {
      *out = rft_bool(0);
      return;
    }
    const size_t end = s.find(close, at + open.size());
    if (end == std::string_view::npos) {
      *out = rft_bool(0);
      return;
    }
    pos = end + close.size();
  }
  *out = rft_bool(!strict || trim_white_space(s.substr(pos)).empty());
}

namespace {

std::string lower_copy(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const CodePoint& c : code_points(s)) {
    if (c.valid) {
      encode_utf8(simple_lower(c.cp), out);
    } else {
      out.append(s.substr(c.offset, c.len));
    }
  }
  return out;
}

// A word character: an ASCII letter, digit or underscore, or any non-ASCII code point that is
// not white space (so "café" and "日本" are words).
bool is_word_char(std::string_view s, size_t offset) {
  const CodePoint c = decode_utf8(s, offset);
  if (c.cp < 0x80) return std::isalnum(static_cast<int>(c.cp)) != 0 || c.cp == '_';
  return !is_white_space(c.cp);
}

size_t start_of_code_point_before(std::string_view s, size_t offset) {
  size_t i = offset - 1;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  return i;
}

bool occurs(std::string_view s, std::string_view needle, bool whole_words) {
  if (needle.empty()) return true;
  for (size_t at = s.find(needle); at != std::string_view::npos; at = s.find(needle, at + 1)) {
    if (!whole_words) return true;
    const size_t end = at + needle.size();
    const bool left_ok = at == 0 || !is_word_char(s, start_of_code_point_before(s, at));
    const bool right_ok = end == s.size() || !is_word_char(s, end);
    if (left_ok && right_ok) return true;
  }
  return false;
}

}  // namespace

RFT_BUILTIN(count_present) {
  const bool ignore_case = args[2].as.boolean != 0;
  const bool whole_words = args[3].as.boolean != 0;
  const std::string haystack =
      ignore_case ? lower_copy(view_str(args[0])) : std::string(view_str(args[0]));
  double present = 0;
  for (const rft_value& item : items_of(args[1])) {
    const std::string needle =
        ignore_case ? lower_copy(view_str(item)) : std::string(view_str(item));
    if (occurs(haystack, needle, whole_words)) ++present;
  }
  *out = rft_num(present);
}

// The words of s by Unicode word boundaries (UAX #29, ICU's word break iterator), keeping those
// written wholly in capitals: some upper-case letter and no lower- or title-case one.
RFT_BUILTIN(capital_words) {
  Context& c = Context::from(ctx);
  const std::string_view s = view_str(args[0]);
  std::vector<std::string_view> found;
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> it(
      icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  UText* text = utext_openUTF8(nullptr, s.data(), static_cast<int64_t>(s.size()), &status);
  if (U_SUCCESS(status) && it != nullptr) {
    it->setText(text, status);
    int32_t start = it->first();
    for (int32_t end = it->next(); end != icu::BreakIterator::DONE; start = end, end = it->next()) {
      const std::string_view word =
          s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start));
      bool upper = false;
      bool other = false;
      for (const CodePoint& cp : code_points(word)) {
        const UChar32 ch = static_cast<UChar32>(cp.cp);
        if (u_hasBinaryProperty(ch, UCHAR_LOWERCASE) || u_charType(ch) == U_TITLECASE_LETTER)
          other = true;
        if (u_hasBinaryProperty(ch, UCHAR_UPPERCASE)) upper = true;
      }
      if (upper && !other) found.push_back(word);
    }
  }
  utext_close(text);
  *out = make_str_list(c, found);
}

namespace {

constexpr Builtin kInstructions[] = {
    RFT_ENTRY(
        sentences, "sentences(s: str) -> list<str>",
        "The sentences of s, ended by terminal punctuation (not abbreviations) or a blank line."),
    RFT_ENTRY(
        paragraphs, "paragraphs(s: str, separator: str = \"\") -> list<str>",
        "The non-empty pieces of s between blank lines, or between lines that hold separator."),
    RFT_ENTRY(
        tags_in_order, "tags_in_order(s: str, tags: list<str>, strict: bool = false) -> bool",
        "Whether <t>...</t> sections for the tags occur in order; strict: nothing else around."),
    RFT_ENTRY(count_present,
              "count_present(s: str, needles: list<str>, ignore_case: bool = false, "
              "whole_words: bool = false) -> num",
              "How many of the needles occur in s (whole_words: not inside a longer word)."),
    RFT_ENTRY(
        capital_words, "capital_words(s: str) -> list<str>",
        "The words of s (Unicode word boundaries) written wholly in capitals, such as NASA or "
        "ПРИВЕТ."),
    RFT_ENTRY(
        schema_errors, "schema_errors(j: json, schema: json) -> list<str>?",
        "Where and why j breaks a JSON Schema (empty if valid), or none if the schema is invalid."),
};

}  // namespace

std::span<const Builtin> instruction_builtins() {
  return kInstructions;
}

}  // namespace rft::grader
