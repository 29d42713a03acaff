// The few Unicode character properties the text builtins need.
#pragma once

#include <string_view>

namespace rft::grader {

// The Unicode White_Space property (PropList.txt): ASCII \t \n \v \f \r and space, U+0085,
// U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F and U+3000.
bool is_white_space(char32_t cp);

// s without leading (`start`) and/or trailing (`end`) white space, as a view of s.
std::string_view trim_white_space(std::string_view s, bool start = true, bool end = true);

// Simple (one-to-one) case mappings from UnicodeData.txt (through ICU), for every script. Letters
// without a one-to-one mapping map to themselves (ß stays ß under upper).
char32_t simple_lower(char32_t cp);
char32_t simple_upper(char32_t cp);

}  // namespace rft::grader
