#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/grader/unicode.h"
#include "runtime/grader/utf8.h"

namespace rft::grader {
namespace {

std::string hex(char32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
  return buf;
}

TEST(DecodeUtf8, ValidSequences) {
  struct Case {
    std::string text;
    char32_t cp;
    uint32_t len;
  };
  const std::vector<Case> cases = {
      {"A", U'A', 1},   {"\x7F", 0x7F, 1},
      {"é", U'é', 2},   {"\xDF\xBF", 0x7FF, 2},
      {"中", U'中', 3}, {"\xEF\xBF\xBF", 0xFFFF, 3},
      {"😀", U'😀', 4},   {"\xF4\x8F\xBF\xBF", 0x10FFFF, 4},
  };
  for (const Case& c : cases) {
    const CodePoint d = decode_utf8(c.text, 0);
    EXPECT_TRUE(d.valid) << c.text;
    EXPECT_EQ(d.cp, c.cp) << c.text;
    EXPECT_EQ(d.len, c.len) << c.text;
  }
}

TEST(DecodeUtf8, InvalidSequencesConsumeTheMaximalSubpart) {
  struct Case {
    std::string text;
    uint32_t len;
  };
  const std::vector<Case> cases = {
      {"\x80", 1},              // lone continuation byte
      {"\xC0\xAF", 1},          // C0 is never valid (overlong)
      {"\xC1\xBF", 1},          // C1 too
      {"\xE0\x80\xAF", 1},      // overlong 3-byte: E0 needs A0..BF next
      {"\xF0\x80\x80\xAF", 1},  // overlong 4-byte
      {"\xED\xA0\x80", 1},      // surrogate D800
      {"\xF4\x90\x80\x80", 1},  // above U+10FFFF
      {"\xF5\x80\x80\x80", 1},  // F5..FF never start a sequence
      {"\xFF", 1},
      {"\xE4\xB8", 2},      // truncated 3-byte sequence
      {"\xF0\x9F\x98", 3},  // truncated 4-byte sequence
      {"\xE4\xB8"
       "A",
       2},  // interrupted by ASCII
      {"\xC3", 1},
  };
  for (const Case& c : cases) {
    const CodePoint d = decode_utf8(c.text, 0);
    EXPECT_FALSE(d.valid) << testing::PrintToString(c.text);
    EXPECT_EQ(d.cp, kReplacementChar);
    EXPECT_EQ(d.len, c.len) << testing::PrintToString(c.text);
  }
}

TEST(EncodeUtf8, RoundTripsEveryLength) {
  for (char32_t cp : {0x24u, 0xA2u, 0x20ACu, 0x10348u, 0x10FFFFu}) {
    std::string s;
    encode_utf8(cp, s);
    const CodePoint d = decode_utf8(s, 0);
    EXPECT_TRUE(d.valid);
    EXPECT_EQ(d.cp, cp);
    EXPECT_EQ(d.len, s.size());
  }
}

TEST(CodePoints, IteratesWithOffsets) {
  const std::string s = "a中😀";
  std::vector<size_t> offsets;
  std::u32string cps;
  for (const CodePoint& c : code_points(s)) {
    offsets.push_back(c.offset);
    cps += c.cp;
  }
  EXPECT_EQ(offsets, (std::vector<size_t>{0, 1, 4}));
  EXPECT_EQ(cps, U"a中😀");
  EXPECT_EQ(count_code_points(""), 0u);
  EXPECT_EQ(count_code_points(s), 3u);
  EXPECT_EQ(count_code_points("\xE4\xB8\x80\x80"), 2u);  // 一 then a lone continuation byte
  EXPECT_EQ(byte_offset_of(s, 0), 0u);
  EXPECT_EQ(byte_offset_of(s, 2), 4u);
  EXPECT_EQ(byte_offset_of(s, 3), 8u);
  EXPECT_EQ(byte_offset_of(s, 99), 8u);
}

TEST(SanitizeUtf8, ReplacesEachMaximalSubpart) {
  struct Case {
    std::string in, out;
    bool changed;
  };
  const std::vector<Case> cases = {
      {"", "", false},
      {"plain ascii", "plain ascii", false},
      {"日本語 😀 \xEF\xBF\xBD", "日本語 😀 \xEF\xBF\xBD", false},  // a real U+FFFD is valid
      {"a\x80"
       "b",
       "a\xEF\xBF\xBD"
       "b",
       true},
      {"\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD", true},
      {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", true},
      {"\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", true},
      {"\xE4\xB8"
       "x",
       "\xEF\xBF\xBD"
       "x",
       true},
      {"\xF0\x9F\x98", "\xEF\xBF\xBD", true},
      // The WHATWG Encoding Standard's example: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64.
      {"\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
       "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
       "b\xEF\xBF\xBD"
       "c\xEF\xBF\xBD\xEF\xBF\xBD"
       "d",
       true},
  };
  for (const Case& c : cases) {
    bool changed = !c.changed;
    EXPECT_EQ(sanitize_utf8(c.in, &changed), c.out) << testing::PrintToString(c.in);
    EXPECT_EQ(changed, c.changed) << testing::PrintToString(c.in);
  }
  EXPECT_EQ(sanitize_utf8("\xFF", nullptr), "\xEF\xBF\xBD");
}

TEST(Unicode, WhiteSpace) {
  for (char32_t cp : {0x09u, 0x0Au, 0x0Bu, 0x0Cu, 0x0Du, 0x20u, 0x85u, 0xA0u, 0x1680u, 0x2000u,
                      0x200Au, 0x2028u, 0x2029u, 0x202Fu, 0x205Fu, 0x3000u}) {
    EXPECT_TRUE(is_white_space(cp)) << hex(cp);
  }
  for (char32_t cp : {0x00u, 0x08u, 0x0Eu, 0x1Fu, 0x41u, 0x200Bu, 0xFEFFu, 0x180Eu}) {
    EXPECT_FALSE(is_white_space(cp)) << hex(cp);
  }
  EXPECT_EQ(trim_white_space("\u3000 a b\u00A0\n"), "a b");
  EXPECT_EQ(trim_white_space(" a ", true, false), "a ");
  EXPECT_EQ(trim_white_space(" a ", false, true), " a");
  EXPECT_EQ(trim_white_space(" \t "), "");
}

TEST(Unicode, SimpleCaseMappings) {
  struct Case {
    char32_t upper, lower;
  };
  const std::vector<Case> pairs = {
      {U'A', U'a'}, {U'Z', U'z'}, {U'À', U'à'}, {U'Þ', U'þ'}, {U'Ā', U'ā'}, {U'Ķ', U'ķ'},
      {U'Ĺ', U'ĺ'}, {U'Ň', U'ň'}, {U'Ŋ', U'ŋ'}, {U'Ŷ', U'ŷ'}, {U'Ÿ', U'ÿ'}, {U'Ź', U'ź'},
      {U'Ž', U'ž'}, {U'Α', U'α'}, {U'Ω', U'ω'}, {U'Ϋ', U'ϋ'}, {U'Ά', U'ά'}, {U'Έ', U'έ'},
      {U'Ί', U'ί'}, {U'Ό', U'ό'}, {U'Ύ', U'ύ'}, {U'Ώ', U'ώ'}, {U'Ѐ', U'ѐ'}, {U'Џ', U'џ'},
      {U'А', U'а'}, {U'Я', U'я'},
  };
  for (const Case& c : pairs) {
    EXPECT_EQ(simple_lower(c.upper), c.lower) << hex(c.upper);
    EXPECT_EQ(simple_upper(c.lower), c.upper) << hex(c.lower);
    EXPECT_EQ(simple_lower(c.lower), c.lower) << hex(c.lower);
    EXPECT_EQ(simple_upper(c.upper), c.upper) << hex(c.upper);
  }
  // One-way mappings and letters left alone.
  EXPECT_EQ(simple_lower(U'İ'), U'i');
  EXPECT_EQ(simple_upper(U'ı'), U'I');
  EXPECT_EQ(simple_upper(U'ſ'), U'S');
  EXPECT_EQ(simple_upper(U'ς'), U'Σ');
  EXPECT_EQ(simple_upper(U'µ'), U'Μ');
  EXPECT_EQ(simple_upper(U'ß'), U'ß');
  EXPECT_EQ(simple_upper(U'ĸ'), U'ĸ');
  EXPECT_EQ(simple_upper(U'ŉ'), U'ŉ');
  EXPECT_EQ(simple_lower(U'×'), U'×');
  EXPECT_EQ(simple_upper(U'÷'), U'÷');
  EXPECT_EQ(simple_lower(0x3A2), char32_t{0x3A2});  // unassigned
  EXPECT_EQ(simple_upper(U'中'), U'中');
  // Every script, through ICU: fullwidth, Armenian, Georgian Mtavruli, Deseret (astral).
  EXPECT_EQ(simple_lower(U'Ａ'), U'ａ');
  EXPECT_EQ(simple_upper(U'ա'), U'Ա');
  EXPECT_EQ(simple_lower(U'Ა'), U'ა');
  EXPECT_EQ(simple_lower(U'𐐀'), U'𐐨');
}

// The fast paths (ASCII eight bytes at a time) agree with walking code_points() one by one, on
// random mixes of ASCII runs, multi-byte characters and invalid bytes, at every alignment.
TEST(Utf8, FastPathsAgreeWithDecodingOneByOne) {
  std::mt19937 rng(7);
  const std::vector<std::string> pieces = {"a", "hello world", "0123456789abcdef", "é", "中",
                                           "😀", "\xff", "\xe4\xb8", "\xc0\xaf", "\xed\xa0\x80", " "};
  for (int n = 0; n < 3000; ++n) {
    std::string s;
    int parts = static_cast<int>(rng() % 12);
    for (int i = 0; i < parts; ++i) s += pieces[rng() % pieces.size()];
    size_t count = 0;
    bool valid = true;
    std::vector<size_t> offsets;
    for (const CodePoint& c : code_points(s)) {
      offsets.push_back(c.offset);
      valid = valid && c.valid;
      ++count;
    }
    offsets.push_back(s.size());
    ASSERT_EQ(is_valid_utf8(s), valid) << s;
    ASSERT_EQ(count_code_points(s), count) << s;
    for (size_t i = 0; i <= count + 1; ++i) {
      ASSERT_EQ(byte_offset_of(s, i), offsets[std::min(i, count)]) << s << " at " << i;
    }
  }
}

}  // namespace
}  // namespace rft::grader
