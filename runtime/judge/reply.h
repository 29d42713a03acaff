// Turns a judge's reply text into a score in [0, 1], as its declaration says: a number on the
// scale, one of the labels, or either of them read from a JSON answer at a path.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/judge/judge_spec.h"

namespace rft::judge {

// The normalized score, or nullopt with *why set (a short message that quotes at most the first
// 80 characters of the reply). Never throws.
std::optional<double> parse_reply(const JudgeSpec& spec, std::string_view reply, std::string* why);

// A group judge's reply about n answers (numbered from 1), as one normalized score per answer in
// their order, or nullopt with *why set. `group = "rank"`: the answers' numbers, best first (a
// JSON array, or text such as "2 > 1 > 3"; numbers written after "answer" count when there are
// any, so "1. Answer 3" reads 3; the last answer may be left out), scored from 1 for the best
// down to 0 for the worst. `group = "score"`: a score or label per answer, as a JSON array or
// object keyed by number, or a line per answer ("Answer 2: 7/10"), or n bare numbers on the
// scale. With `json`, the array or object is read at its path. Never throws.
std::optional<std::vector<double>> parse_group_reply(const JudgeSpec& spec, std::string_view reply,
                                                     size_t n, std::string* why);

}  // namespace rft::judge
