#include "runtime/model/tokenizer/pretokenize.h"

#include "runtime/model/tokenizer/unicode.h"

namespace rft::model {

namespace {

constexpr std::string_view kGpt2Regex =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
constexpr std::string_view kLlama3Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|)"
    R"( ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kQwen2Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}|)"
    R"( ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// Matches the regex alternatives at one position of the text. Every method returns the end of
// its match, or `npos` when the alternative does not match there.
class Matcher {
 public:
  static constexpr size_t npos = std::string_view::npos;

  explicit Matcher(std::string_view text) : text_(text) {}

  bool at_end(size_t pos) const { return pos >= text_.size(); }
  ClassifiedChar at(size_t pos) const { return classify_char(text_, pos); }
  bool is(size_t pos, char c) const { return pos < text_.size() && text_[pos] == c; }
  bool is_newline(size_t pos) const { return is(pos, '\r') || is(pos, '\n'); }
  bool has_class(size_t pos, CharClass cls) const { return !at_end(pos) && at(pos).cls == cls; }

  // 's|'t|'re|'ve|'m|'ll|'d at `pos`, ASCII case-insensitive when `ignore_case`. (The (?i:)
  // group would also fold the long s U+017F to s in some engines; neither Hugging Face's
  // Oniguruma build nor transformers.js does, and neither do we.)
  size_t contraction(size_t pos, bool ignore_case) const {
    if (!is(pos, '\'') || at_end(pos + 1)) return npos;
    auto letter = [&](size_t p) -> char {
      if (at_end(p)) return 0;
      const char c = text_[p];
      return ignore_case && c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    };
    switch (letter(pos + 1)) {
      case 's':
      case 't':
      case 'm':
      case 'd':
        return pos + 2;
      case 'r':
      case 'v':
        return letter(pos + 2) == 'e' ? pos + 3 : npos;
      case 'l':
        return letter(pos + 2) == 'l' ? pos + 3 : npos;
      default:
        return npos;
    }
  }

  // The end of the run of characters of class `cls` starting at `pos`, at most `max_chars` long.
  size_t run(size_t pos, CharClass cls, size_t max_chars = npos) const {
    for (size_t n = 0; n < max_chars && !at_end(pos); ++n) {
      const ClassifiedChar c = at(pos);
      if (c.cls != cls) break;
      pos += c.len;
    }
    return pos;
  }

  size_t newlines(size_t pos) const {
    while (is_newline(pos)) ++pos;
    return pos;
  }

  // The three whitespace alternatives, in order, at a whitespace character:
  // [\s*[\r\n]+ |] \s+(?!\S) | \s+. `newline_alternative` says whether the first is present.
  size_t whitespace(size_t pos, bool newline_alternative) const {
    size_t end = pos;
    size_t last_start = pos;      // start of the run's last character
    size_t after_newline = npos;  // end of the run's last \r or \n
    while (!at_end(end)) {
      const ClassifiedChar c = at(end);
      if (c.cls != CharClass::kSpace) break;
      last_start = end;
      end += c.len;
      if (is_newline(last_start)) after_newline = end;
    }
    // \s*[\r\n]+ backtracks from the full run to its last newline.
    if (newline_alternative && after_newline != npos) return after_newline;
    // \s+(?!\S): the whole run at the end of the text, else all but the character before the
    // non-space, if that leaves at least one character.
    if (at_end(end) || last_start > pos) return at_end(end) ? end : last_start;
    return end;  // \s+
  }

 private:
  std::string_view text_;
};

// One match of the GPT-2 regex at `pos`.
size_t match_gpt2(const Matcher& m, size_t pos) {
  if (size_t end = m.contraction(pos, /*ignore_case=*/false); end != Matcher::npos) return end;
  // ' ?\p{L}+', ' ?\p{N}+', ' ?[^\s\p{L}\p{N}]+': an optional space and a run of one class.
  size_t start = pos;
  if (m.is(pos, ' ') && !m.at_end(pos + 1) && m.at(pos + 1).cls != CharClass::kSpace) ++start;
  const CharClass cls = m.at(start).cls;
  if (cls != CharClass::kSpace) return m.run(start, cls);
  return m.whitespace(pos, /*newline_alternative=*/false);
}

// One match of the Llama-3 (max_digits 3) or Qwen2 (max_digits 1) regex at `pos`.
size_t match_llama3(const Matcher& m, size_t pos, size_t max_digits) {
  if (size_t end = m.contraction(pos, /*ignore_case=*/true); end != Matcher::npos) return end;
  const ClassifiedChar c = m.at(pos);
  // [^\r\n\p{L}\p{N}]?\p{L}+
  if (c.cls == CharClass::kLetter) return m.run(pos, CharClass::kLetter);
  if (c.cls != CharClass::kNumber && !m.is_newline(pos) &&
      m.has_class(pos + c.len, CharClass::kLetter)) {
    return m.run(pos + c.len, CharClass::kLetter);
  }
  // \p{N}{1,3} or \p{N}
  if (c.cls == CharClass::kNumber) return m.run(pos, CharClass::kNumber, max_digits);
  // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
  if (c.cls == CharClass::kOther) return m.newlines(m.run(pos, CharClass::kOther));
  if (m.is(pos, ' ') && m.has_class(pos + 1, CharClass::kOther)) {
    return m.newlines(m.run(pos + 1, CharClass::kOther));
  }
  return m.whitespace(pos, /*newline_alternative=*/true);
}

}  // namespace

std::optional<SplitPattern> recognize_split_pattern(std::string_view regex) {
  for (SplitPattern p : {SplitPattern::kGpt2, SplitPattern::kLlama3, SplitPattern::kQwen2}) {
    if (regex == split_pattern_regex(p)) return p;
  }
  return std::nullopt;
}

std::string_view split_pattern_regex(SplitPattern pattern) {
  switch (pattern) {
    case SplitPattern::kGpt2:
      return kGpt2Regex;
    case SplitPattern::kLlama3:
      return kLlama3Regex;
    case SplitPattern::kQwen2:
      return kQwen2Regex;
  }
  return {};
}

size_t pretoken_end(SplitPattern pattern, std::string_view text, size_t pos) {
  const Matcher m(text);
  switch (pattern) {
    case SplitPattern::kGpt2:
      return match_gpt2(m, pos);
    case SplitPattern::kLlama3:
      return match_llama3(m, pos, 3);
    case SplitPattern::kQwen2:
      return match_llama3(m, pos, 1);
  }
  return text.size();
}

std::vector<std::string_view> split_pretokens(SplitPattern pattern, std::string_view text) {
  std::vector<std::string_view> out;
  for (size_t pos = 0; pos < text.size();) {
    const size_t end = pretoken_end(pattern, text, pos);
    out.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

}  // namespace rft::model
