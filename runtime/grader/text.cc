// Text builtins. Positions and lengths count code points; results are views of the input where
// possible and otherwise live in the context's arena.
#include <string.h>  // memmem (GNU)

#include <string>
#include <string_view>
#include <vector>

#include "runtime/grader/builtin_fns.h"
#include "runtime/grader/context.h"
#include "runtime/grader/rt.h"
#include "runtime/grader/unicode.h"
#include "runtime/grader/utf8.h"
#include "runtime/grader/value_ops.h"

namespace rft::grader {

namespace {

rft_value arena_str(rft_ctx* ctx, std::string_view s) {
  return rft_string(Context::from(ctx).copy(s));
}

// Applies a one-to-one code point mapping; invalid bytes pass through unchanged.
std::string map_code_points(std::string_view s, char32_t (*map)(char32_t)) {
  std::string out;
  out.reserve(s.size());
  for (const CodePoint& c : code_points(s)) {
    const char32_t mapped = c.valid ? map(c.cp) : c.cp;
    if (mapped == c.cp) {
      out.append(s.substr(c.offset, c.len));
    } else {
      encode_utf8(mapped, out);
    }
  }
  return out;
}

rft_value map_case(rft_ctx* ctx, std::string_view s, char32_t (*map)(char32_t)) {
  const std::string mapped = map_code_points(s, map);
  return mapped == s ? str_value(s) : arena_str(ctx, mapped);
}

// s.find(sub, from), in linear time even for adversarial inputs (glibc's memmem uses the
// two-way algorithm, where std::string_view::find is O(|s| * |sub|) in the worst case).
size_t find_from(std::string_view s, std::string_view sub, size_t from = 0) {
  if (from > s.size()) return std::string_view::npos;
  if (sub.empty()) return from;
  if (sub.size() > s.size() - from) return std::string_view::npos;  // also: no null haystack
  const void* hit = memmem(s.data() + from, s.size() - from, sub.data(), sub.size());
  return hit == nullptr ? std::string_view::npos
                        : static_cast<size_t>(static_cast<const char*>(hit) - s.data());
}

// Non-overlapping occurrences of a non-empty `sub`, left to right; 0 for an empty one.
size_t count_occurrences(std::string_view s, std::string_view sub) {
  if (sub.empty()) return 0;
  size_t n = 0;
  for (size_t pos = find_from(s, sub); pos != std::string_view::npos;
       pos = find_from(s, sub, pos + sub.size())) {
    ++n;
  }
  return n;
}

}  // namespace

RFT_BUILTIN(len_str) { *out = rft_num(static_cast<double>(count_code_points(view_str(args[0])))); }

RFT_BUILTIN(byte_len) { *out = rft_num(static_cast<double>(args[0].as.str.len)); }

RFT_BUILTIN(lower) { *out = map_case(ctx, view_str(args[0]), simple_lower); }
RFT_BUILTIN(upper) { *out = map_case(ctx, view_str(args[0]), simple_upper); }

RFT_BUILTIN(trim) { *out = str_value(trim_white_space(view_str(args[0]), true, true)); }
RFT_BUILTIN(trim_start) { *out = str_value(trim_white_space(view_str(args[0]), true, false)); }
RFT_BUILTIN(trim_end) { *out = str_value(trim_white_space(view_str(args[0]), false, true)); }

RFT_BUILTIN(contains_str) {
  std::string_view s = view_str(args[0]), sub = view_str(args[1]);
  std::string lower_s, lower_sub;  // the lower-cased copies compared when ignoring case
  if (args[2].as.boolean != 0) {
    lower_s = map_code_points(s, simple_lower);
    lower_sub = map_code_points(sub, simple_lower);
    s = lower_s;
    sub = lower_sub;
  }
  *out = rft_bool(find_from(s, sub) != std::string_view::npos);
}

RFT_BUILTIN(starts_with) { *out = rft_bool(view_str(args[0]).starts_with(view_str(args[1]))); }
RFT_BUILTIN(ends_with) { *out = rft_bool(view_str(args[0]).ends_with(view_str(args[1]))); }

RFT_BUILTIN(find) {
  const std::string_view s = view_str(args[0]);
  // A match of valid UTF-8 in valid UTF-8 always starts on a code point boundary.
  const size_t pos = find_from(s, view_str(args[1]));
  *out = pos == std::string_view::npos
             ? rft_none()
             : rft_num(static_cast<double>(count_code_points(s.substr(0, pos))));
}

RFT_BUILTIN(replace) {
  const std::string_view s = view_str(args[0]), from = view_str(args[1]), to = view_str(args[2]);
  const size_t n = count_occurrences(s, from);
  *out = args[0];
  if (n == 0) return;
  const size_t kept = s.size() - n * from.size();
  if (exceeds_result_limit(kept, n, to.size())) {
    Context::from(ctx).flag(kFlagResultTooLarge);
    return;
  }
  std::string result;
  result.reserve(kept + n * to.size());
  size_t done = 0;
  for (size_t pos = find_from(s, from); pos != std::string_view::npos;
       pos = find_from(s, from, done)) {
    result.append(s.substr(done, pos - done)).append(to);
    done = pos + from.size();
  }
  result.append(s.substr(done));
  *out = arena_str(ctx, result);
}

RFT_BUILTIN(split) {
  const std::string_view s = view_str(args[0]), sep = view_str(args[1]);
  std::vector<std::string_view> parts;
  if (sep.empty()) {
    for (const CodePoint& c : code_points(s)) parts.push_back(s.substr(c.offset, c.len));
  } else {
    size_t start = 0;
    for (size_t pos = find_from(s, sep); pos != std::string_view::npos;
         pos = find_from(s, sep, start)) {
      parts.push_back(s.substr(start, pos - start));
      start = pos + sep.size();
    }
    parts.push_back(s.substr(start));
  }
  *out = make_str_list(Context::from(ctx), parts);
}

namespace {

// Calls visit(word) for each maximal run of code points that are not White_Space, in order.
template <typename Visit>
void for_each_word(std::string_view s, Visit visit) {
  size_t start = std::string_view::npos;  // start of the word being read, if any
  for (size_t i = 0; i < s.size();) {
    // An ASCII byte is White_Space exactly for \t \n \v \f \r and the space; other code
    // points are decoded and looked up.
    const auto b = static_cast<unsigned char>(s[i]);
    size_t len = 1;
    bool space = b == ' ' || (b >= '\t' && b <= '\r');
    if (b >= 0x80) {
      const CodePoint c = decode_utf8(s, i);
      space = is_white_space(c.cp);
      len = c.len;
    }
    if (space && start != std::string_view::npos) {
      visit(s.substr(start, i - start));
      start = std::string_view::npos;
    } else if (!space && start == std::string_view::npos) {
      start = i;
    }
    i += len;
  }
  if (start != std::string_view::npos) visit(s.substr(start));
}

}  // namespace

RFT_BUILTIN(words) {
  std::vector<std::string_view> parts;
  for_each_word(view_str(args[0]), [&](std::string_view w) { parts.push_back(w); });
  *out = make_str_list(Context::from(ctx), parts);
}

RFT_BUILTIN(lines) {
  const std::string_view s = view_str(args[0]);
  std::vector<std::string_view> parts;
  for (size_t start = 0; start < s.size();) {
    size_t end = s.find('\n', start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view line = s.substr(start, end - start);
    if (line.ends_with('\r')) line.remove_suffix(1);
    parts.push_back(line);
    start = end + 1;
  }
  *out = make_str_list(Context::from(ctx), parts);
}

RFT_BUILTIN(join) {
  const auto xs = items_of(args[0]);
  const std::string_view sep = view_str(args[1]);
  if (xs.size() == 1) {
    *out = xs[0];
    return;
  }
  size_t total = 0;
  for (const rft_value& x : xs) total += x.as.str.len;
  const size_t seps = xs.empty() ? 0 : xs.size() - 1;
  if (exceeds_result_limit(total, seps, sep.size())) {
    Context::from(ctx).flag(kFlagResultTooLarge);
    *out = str_value({});
    return;
  }
  std::string result;
  result.reserve(total + seps * sep.size());
  for (size_t i = 0; i < xs.size(); ++i) {
    if (i > 0) result.append(sep);
    result.append(view_str(xs[i]));
  }
  *out = arena_str(ctx, result);
}

RFT_BUILTIN(slice_str) {
  const std::string_view s = view_str(args[0]);
  const SliceBounds r = slice_bounds(args[1].as.num, args[2].as.num, count_code_points(s));
  const size_t b = byte_offset_of(s, r.begin);
  const size_t e = b + byte_offset_of(s.substr(b), r.end - r.begin);
  *out = str_value(s.substr(b, e - b));
}

RFT_BUILTIN(count_str) {
  *out = rft_num(static_cast<double>(count_occurrences(view_str(args[0]), view_str(args[1]))));
}

RFT_BUILTIN(str_num) { *out = arena_str(ctx, format_num(args[0].as.num)); }
RFT_BUILTIN(str_bool) { *out = str_value(args[0].as.boolean != 0 ? "true" : "false"); }

}  // namespace rft::grader
