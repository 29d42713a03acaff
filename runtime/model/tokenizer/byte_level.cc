#include "runtime/model/tokenizer/byte_level.h"

#include <array>

#include "runtime/grader/utf8.h"

namespace rft::model {

namespace {

bool printable(int b) {
  return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
}

constexpr char32_t kFirstShifted = 0x100;

// byte -> character, and character (< U+0144) -> byte or -1.
struct Alphabet {
  std::array<char32_t, 256> char_of{};
  std::array<int16_t, kFirstShifted + 256> byte_of{};

  Alphabet() {
    byte_of.fill(-1);
    char32_t next = kFirstShifted;
    for (int b = 0; b < 256; ++b) {
      char_of[b] = printable(b) ? static_cast<char32_t>(b) : next++;
      byte_of[char_of[b]] = static_cast<int16_t>(b);
    }
  }
};

const Alphabet& alphabet() {
  static const Alphabet a;
  return a;
}

}  // namespace

char32_t byte_level_char(uint8_t byte) {
  return alphabet().char_of[byte];
}

std::string to_byte_level(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char b : bytes) grader::encode_utf8(byte_level_char(static_cast<uint8_t>(b)), out);
  return out;
}

std::optional<std::string> from_byte_level(std::string_view token) {
  const Alphabet& a = alphabet();
  std::string out;
  out.reserve(token.size());
  for (const grader::CodePoint& c : grader::code_points(token)) {
    if (!c.valid || c.cp >= a.byte_of.size() || a.byte_of[c.cp] < 0) return std::nullopt;
    out += static_cast<char>(a.byte_of[c.cp]);
  }
  return out;
}

}  // namespace rft::model
