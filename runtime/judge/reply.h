// Turns a judge's reply text into a score in [0, 1], as its declaration says: a number on the
// scale, one of the labels, or either of them read from a JSON answer at a path.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "runtime/judge/judge_spec.h"

namespace rft::judge {

// The normalized score, or nullopt with *why set (a short message that quotes at most the first
// 80 characters of the reply). Never throws.
std::optional<double> parse_reply(const JudgeSpec& spec, std::string_view reply, std::string* why);

}  // namespace rft::judge
