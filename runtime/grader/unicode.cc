#include "runtime/grader/unicode.h"

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

namespace {

// Latin Extended-A pairs each capital with the next code point, starting at an even code point
// in U+0100..U+0137 and U+014A..U+0177, at an odd one in U+0139..U+0148 and U+0179..U+017E.
bool latin_ext_a_paired(char32_t cp) {
  return (cp >= 0x100 && cp <= 0x137) || (cp >= 0x139 && cp <= 0x148) ||
         (cp >= 0x14A && cp <= 0x177) || (cp >= 0x179 && cp <= 0x17E);
}
bool latin_ext_a_is_upper(char32_t cp) {
  const bool odd_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
  return (cp % 2 == 1) == odd_upper;
}

}  // namespace

char32_t simple_lower(char32_t cp) {
  if (cp < 0x80) return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 32;
  if (cp == 0x130) return 'i';   // İ
  if (cp == 0x178) return 0xFF;  // Ÿ
  if (latin_ext_a_paired(cp)) return latin_ext_a_is_upper(cp) ? cp + 1 : cp;
  if (cp == 0x386) return 0x3AC;
  if (cp >= 0x388 && cp <= 0x38A) return cp + 37;
  if (cp == 0x38C) return 0x3CC;
  if (cp == 0x38E || cp == 0x38F) return cp + 63;
  if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) return cp + 32;
  if (cp >= 0x400 && cp <= 0x40F) return cp + 80;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 32;
  return cp;
}

char32_t simple_upper(char32_t cp) {
  if (cp < 0x80) return cp >= 'a' && cp <= 'z' ? cp - 32 : cp;
  if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) return cp - 32;
  if (cp == 0xB5) return 0x39C;  // µ → Μ
  if (cp == 0xFF) return 0x178;  // ÿ
  if (cp == 0x131) return 'I';   // ı
  if (cp == 0x17F) return 'S';   // ſ
  if (latin_ext_a_paired(cp)) return latin_ext_a_is_upper(cp) ? cp : cp - 1;
  if (cp == 0x3AC) return 0x386;
  if (cp >= 0x3AD && cp <= 0x3AF) return cp - 37;
  if (cp == 0x3CC) return 0x38C;
  if (cp == 0x3CD || cp == 0x3CE) return cp - 63;
  if (cp == 0x3C2) return 0x3A3;  // final sigma
  if (cp >= 0x3B1 && cp <= 0x3CB) return cp - 32;
  if (cp >= 0x430 && cp <= 0x44F) return cp - 32;
  if (cp >= 0x450 && cp <= 0x45F) return cp - 80;
  return cp;
}

}  // namespace rft::grader
