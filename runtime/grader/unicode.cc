#include "runtime/grader/unicode.h"

#include <unicode/uchar.h>

#include "runtime/grader/utf8.h"

namespace rft::grader {

bool is_white_space(char32_t cp) {
  if (cp <= 0x20) return cp == 0x20 || (cp >= 0x09 && cp <= 0x0D);
  if (cp < 0x85) return false;
  return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

std::string_view trim_white_space(std::string_view s, bool start, bool end) {
  size_t first = std::string_view::npos, last_end = 0;
  for (const CodePoint& c : code_points(s)) {
    if (is_white_space(c.cp)) continue;
    if (first == std::string_view::npos) first = c.offset;
    last_end = c.offset + c.len;
  }
  if (first == std::string_view::npos) return s.substr(0, 0);
  const size_t b = start ? first : 0;
  const size_t e = end ? last_end : s.size();
  return s.substr(b, e - b);
}

// ICU's simple (one-to-one) mappings from UnicodeData.txt, for every script.
char32_t simple_lower(char32_t cp) {
  if (cp < 0x80) return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
  return static_cast<char32_t>(u_tolower(static_cast<UChar32>(cp)));
}

char32_t simple_upper(char32_t cp) {
  if (cp < 0x80) return cp >= 'a' && cp <= 'z' ? cp - 32 : cp;
  return static_cast<char32_t>(u_toupper(static_cast<UChar32>(cp)));
}

}  // namespace rft::grader
