// "Did you mean ...?" for unknown names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rft {

// The candidate closest to `name` by edit distance (with transpositions), if it is close enough
// to be a likely typo; otherwise empty.
std::string closest_name(std::string_view name, const std::vector<std::string>& candidates);

// "did you mean `x`?" or empty.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace rft
