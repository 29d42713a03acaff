// Number parsing shared by num(s: str) and num(j: json).
#pragma once

#include <optional>
#include <string_view>

namespace rft::grader {

// The strict syntax of num(s): optional surrounding Unicode white space, an optional sign, then
// digits with an optional fraction ("12", "12.", "12.5") or a fraction alone (".5"), then an
// optional exponent ("1e-3"). No thousands separators, hex, "inf" or "nan". A magnitude beyond
// the double range gives ±inf, one below it ±0 (like Python's float()).
std::optional<double> parse_number(std::string_view s);

}  // namespace rft::grader
