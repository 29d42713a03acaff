#include "runtime/grader/utf8.h"

#include <cstring>

namespace rft::grader {

namespace {

// The allowed range of the second byte, and how many continuation bytes follow, per lead byte
// (Unicode Table 3-7, "Well-Formed UTF-8 Byte Sequences").
struct LeadInfo {
  uint8_t continuation;  // 0: not a valid lead byte
  uint8_t lo, hi;        // range of the first continuation byte
};

LeadInfo lead_info(uint8_t b) {
  if (b >= 0xC2 && b <= 0xDF) return {1, 0x80, 0xBF};
  if (b == 0xE0) return {2, 0xA0, 0xBF};
  if (b == 0xED) return {2, 0x80, 0x9F};  // excludes the surrogates
  if (b >= 0xE1 && b <= 0xEF) return {2, 0x80, 0xBF};
  if (b == 0xF0) return {3, 0x90, 0xBF};
  if (b >= 0xF1 && b <= 0xF3) return {3, 0x80, 0xBF};
  if (b == 0xF4) return {3, 0x80, 0x8F};  // caps at U+10FFFF
  return {0, 0, 0};
}

}  // namespace

CodePoint decode_utf8(std::string_view s, size_t pos) {
  const auto b0 = static_cast<uint8_t>(s[pos]);
  if (b0 < 0x80) return {b0, pos, 1, true};
  const LeadInfo info = lead_info(b0);
  if (info.continuation == 0) return {kReplacementChar, pos, 1, false};
  char32_t cp = b0 & (0x3F >> info.continuation);
  uint32_t len = 1;
  for (uint32_t k = 0; k < info.continuation; ++k, ++len) {
    if (pos + len >= s.size()) return {kReplacementChar, pos, len, false};
    const auto b = static_cast<uint8_t>(s[pos + len]);
    const uint8_t lo = k == 0 ? info.lo : 0x80;
    const uint8_t hi = k == 0 ? info.hi : 0xBF;
    if (b < lo || b > hi) return {kReplacementChar, pos, len, false};
    cp = (cp << 6) | (b & 0x3F);
  }
  return {cp, pos, len, true};
}

void encode_utf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

namespace {

// The number of ASCII bytes from `pos` on, eight at a time while possible.
size_t ascii_run(std::string_view s, size_t pos) {
  size_t i = pos;
  while (i + 8 <= s.size()) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    if ((word & 0x8080808080808080ull) != 0) break;
    i += 8;
  }
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  return i - pos;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  for (size_t i = ascii_run(s, 0); i < s.size(); i += ascii_run(s, i)) {
    CodePoint c = decode_utf8(s, i);
    if (!c.valid) return false;
    i += c.len;
  }
  return true;
}

size_t count_code_points(std::string_view s) {
  size_t n = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t run = ascii_run(s, i);
    n += run;
    i += run;
    if (i < s.size()) {
      i += decode_utf8(s, i).len;
      ++n;
    }
  }
  return n;
}

size_t byte_offset_of(std::string_view s, size_t index) {
  size_t i = 0;
  while (i < s.size()) {
    size_t run = ascii_run(s, i);
    if (run >= index) return i + index;
    i += run;
    index -= run;
    if (i >= s.size()) break;
    i += decode_utf8(s, i).len;
    if (--index == 0) return i;
  }
  return s.size();
}

std::string sanitize_utf8(std::string_view in, bool* changed) {
  std::string out;
  out.reserve(in.size());
  bool replaced = false;
  for (const CodePoint& c : code_points(in)) {
    if (c.valid) {
      out.append(in.substr(c.offset, c.len));
    } else {
      encode_utf8(kReplacementChar, out);
      replaced = true;
    }
  }
  if (changed != nullptr) *changed = replaced;
  return out;
}

}  // namespace rft::grader
