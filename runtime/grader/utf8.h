// UTF-8 decoding and encoding. Every builtin walks strings through decode_utf8 / code_points(),
// so malformed input (which the contract excludes, but adversarial data may still carry) is
// handled the same way everywhere: each maximal invalid subpart counts as one U+FFFD.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

namespace rft::grader {

inline constexpr char32_t kReplacementChar = 0xFFFD;

// One decoded code point: its value, where it starts and how many bytes it spans.
struct CodePoint {
  char32_t cp = 0;    // kReplacementChar when !valid
  size_t offset = 0;  // byte offset in the string
  uint32_t len = 0;   // bytes consumed, >= 1 (for invalid input: the maximal invalid subpart)
  bool valid = true;
};

// Decodes the code point starting at byte `pos` (< s.size()). Rejects overlongs, surrogates,
// values above U+10FFFF and truncated sequences, WHATWG / Unicode "maximal subpart" style.
CodePoint decode_utf8(std::string_view s, size_t pos);

// Appends the UTF-8 encoding of `cp` (a scalar value) to `out`.
void encode_utf8(char32_t cp, std::string& out);

// A forward range over the code points of a string:
//   for (const CodePoint& c : code_points(s)) { ... }
class CodePointRange {
 public:
  class Iterator {
   public:
    using value_type = CodePoint;
    using difference_type = std::ptrdiff_t;

    Iterator() = default;
    Iterator(std::string_view s, size_t pos) : s_(s) { load(pos); }
    const CodePoint& operator*() const { return cur_; }
    const CodePoint* operator->() const { return &cur_; }
    Iterator& operator++() {
      load(cur_.offset + cur_.len);
      return *this;
    }
    Iterator operator++(int) {
      Iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(std::default_sentinel_t) const { return cur_.offset >= s_.size(); }

   private:
    void load(size_t pos) {
      cur_ = pos < s_.size() ? decode_utf8(s_, pos) : CodePoint{0, pos, 0, true};
    }
    std::string_view s_;
    CodePoint cur_;
  };

  explicit CodePointRange(std::string_view s) : s_(s) {}
  Iterator begin() const { return Iterator(s_, 0); }
  std::default_sentinel_t end() const { return {}; }

 private:
  std::string_view s_;
};

inline CodePointRange code_points(std::string_view s) { return CodePointRange(s); }

// Whether s is well-formed UTF-8. ASCII runs are checked eight bytes at a time.
bool is_valid_utf8(std::string_view s);

// Number of code points (invalid subparts count one each).
size_t count_code_points(std::string_view s);

// Byte offset of code point number `index`, or s.size() when the string is shorter.
size_t byte_offset_of(std::string_view s, size_t index);

// Replaces every maximal invalid subpart by U+FFFD. `changed` (optional) reports whether
// anything was replaced.
std::string sanitize_utf8(std::string_view in, bool* changed);

}  // namespace rft::grader
