// The Unicode properties the tokenizer needs, from ICU: the general-category classes that the
// pre-tokenizer regexes of GPT-2 / Llama-3 / Qwen2 test (\p{L}, \p{N}, \s), the properties that
// added tokens' lstrip/rstrip/single_word test, and normalization (NFC and friends).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace rft::model {

// What a pre-tokenizer pattern sees in one character.
enum class CharClass : uint8_t {
  kLetter,  // \p{L}: general category Lu, Ll, Lt, Lm or Lo
  kNumber,  // \p{N}: Nd, Nl or No
  kSpace,   // \s: the White_Space property, as Hugging Face tokenizers' Oniguruma has it
  kOther,   // everything else, including bytes that are not well-formed UTF-8
};

// The class of the character at s[pos] (pos < s.size()) and its length in bytes. A byte sequence
// that is not well-formed UTF-8 counts as one kOther character spanning its maximal subpart.
struct ClassifiedChar {
  CharClass cls;
  uint32_t len;
};
ClassifiedChar classify_non_ascii(std::string_view s, size_t pos);

// Classes of the ASCII characters, so that the common case is a table lookup.
inline constexpr std::array<CharClass, 128> kAsciiClasses = [] {
  std::array<CharClass, 128> t{};
  for (int c = 0; c < 128; ++c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      t[c] = CharClass::kLetter;
    } else if (c >= '0' && c <= '9') {
      t[c] = CharClass::kNumber;
    } else if (c == ' ' || (c >= '\t' && c <= '\r')) {
      t[c] = CharClass::kSpace;
    } else {
      t[c] = CharClass::kOther;
    }
  }
  return t;
}();

inline ClassifiedChar classify_char(std::string_view s, size_t pos) {
  const auto b = static_cast<uint8_t>(s[pos]);
  return b < 0x80 ? ClassifiedChar{kAsciiClasses[b], 1} : classify_non_ascii(s, pos);
}

// Rust's char::is_whitespace (White_Space) and char::is_alphanumeric (Alphabetic or N*), which
// Hugging Face tokenizers use for added tokens' lstrip/rstrip and single_word.
bool is_white_space(char32_t cp);
bool is_alphanumeric(char32_t cp);

enum class NormalizationForm : uint8_t { kNfc, kNfd, kNfkc, kNfkd };

// `text` in the given form. Bytes that are not well-formed UTF-8 pass through unchanged (ICU's
// contract for normalizeUTF8). ASCII-only text is returned as is without calling ICU.
std::string normalize(NormalizationForm form, std::string_view text);

}  // namespace rft::model
