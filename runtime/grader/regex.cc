#include "runtime/grader/regex.h"

#include <cmath>
#include <vector>

#include "runtime/grader/builtin_fns.h"
#include "runtime/grader/context.h"
#include "runtime/grader/rt.h"
#include "runtime/grader/utf8.h"
#include "runtime/grader/value_ops.h"

namespace rft::grader {

namespace {

re2::StringPiece piece(std::string_view s) { return {s.data(), s.size()}; }

const re2::RE2& regex_of(const rft_value& v) { return *static_cast<const re2::RE2*>(v.as.regex); }

// The string argument, never with a null data pointer: RE2 reports groups that did not
// participate with a null data pointer, which must not be confused with an empty match.
std::string_view text_of(const rft_value& v) {
  const std::string_view s = view_str(v);
  return s.data() != nullptr ? s : std::string_view("");
}

// Calls visit(groups) for each match of `re` in `s`, left to right, where groups[0] is the whole
// match and groups[1..ngroups] its captures (null data: did not participate). The matches are
// those RE2::GlobalReplace replaces: non-overlapping, and an empty match right where the previous
// match ended is skipped by moving on one code point, so the loop always terminates. `visit`
// returns false to stop early.
template <typename Visit>
void for_each_match(std::string_view s, const re2::RE2& re, int ngroups, Visit visit) {
  std::vector<re2::StringPiece> groups(static_cast<size_t>(ngroups) + 1);
  const re2::StringPiece text = piece(s);
  size_t pos = 0;
  size_t last_end = std::string_view::npos;
  while (pos <= s.size()) {
    if (!re.Match(text, pos, s.size(), re2::RE2::UNANCHORED, groups.data(), ngroups + 1)) return;
    const auto begin = static_cast<size_t>(groups[0].data() - s.data());
    if (groups[0].empty() && begin == last_end) {
      if (begin >= s.size()) return;
      pos = begin + decode_utf8(s, begin).len;
      continue;
    }
    if (!visit(groups.data())) return;
    last_end = pos = begin + groups[0].size();
  }
}

// A rewrite string checked by RE2::CheckRewriteString, split once into literal text and group
// references (\0..\9; "\\" is a literal backslash), so that each match appends whole pieces.
struct RewritePart {
  std::string_view literal;
  int group = -1;  // >= 0: insert this group instead of `literal`
};

std::vector<RewritePart> split_rewrite(std::string_view rewrite) {
  std::vector<RewritePart> parts;
  size_t start = 0;
  for (size_t i = 0; i < rewrite.size(); ++i) {
    if (rewrite[i] != '\\' || i + 1 >= rewrite.size()) continue;
    parts.push_back({rewrite.substr(start, i - start)});
    const char next = rewrite[++i];
    if (next == '\\') {
      parts.push_back({rewrite.substr(i, 1)});
    } else {
      parts.push_back({{}, next - '0'});
    }
    start = i + 1;
  }
  parts.push_back({rewrite.substr(start)});
  return parts;
}

std::string one_line(std::string_view message) {
  std::string out;
  for (char c : message) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

Expected<std::unique_ptr<re2::RE2>> compile_regex(std::string_view pattern) {
  re2::RE2::Options options;
  options.set_encoding(re2::RE2::Options::EncodingUTF8);
  options.set_log_errors(false);
  options.set_max_mem(kRegexMaxMem);
  auto re = std::make_unique<re2::RE2>(piece(pattern), options);
  if (!re->ok()) return failure(one_line(re->error()));
  return re;
}

RFT_BUILTIN(matches) {
  *out = rft_bool(re2::RE2::PartialMatch(piece(text_of(args[0])), regex_of(args[1])));
}

RFT_BUILTIN(full_match) {
  *out = rft_bool(re2::RE2::FullMatch(piece(text_of(args[0])), regex_of(args[1])));
}

RFT_BUILTIN(capture) {
  const std::string_view s = text_of(args[0]);
  const re2::RE2& re = regex_of(args[1]);
  const double g = args[2].as.num;
  *out = rft_none();
  if (!(g >= 0 && g <= re.NumberOfCapturingGroups() && g == std::trunc(g))) return;
  const int group = static_cast<int>(g);
  std::vector<re2::StringPiece> groups(static_cast<size_t>(group) + 1);
  if (!re.Match(piece(s), 0, s.size(), re2::RE2::UNANCHORED, groups.data(), group + 1)) return;
  const re2::StringPiece& m = groups[static_cast<size_t>(group)];
  if (m.data() != nullptr) *out = str_value({m.data(), m.size()});
}

namespace {

// Calls visit(item) for each item of find_all(s, re), in order, until it returns false.
template <typename Visit>
void for_each_found(const rft_value* args, Visit visit) {
  const std::string_view s = text_of(args[0]);
  const re2::RE2& re = regex_of(args[1]);
  const int group = re.NumberOfCapturingGroups() >= 1 ? 1 : 0;
  for_each_match(s, re, group, [&](const re2::StringPiece* groups) {
    // A group that did not participate contributes an empty string.
    const re2::StringPiece& m = groups[group];
    return visit(m.data() != nullptr ? std::string_view(m.data(), m.size()) : s.substr(0, 0));
  });
}

}  // namespace

RFT_BUILTIN(find_all) {
  std::vector<std::string_view> found;
  for_each_found(args, [&](std::string_view m) {
    found.push_back(m);
    return true;
  });
  *out = make_str_list(Context::from(ctx), found);
}

RFT_BUILTIN(count_matches) {
  size_t n = 0;
  for_each_match(text_of(args[0]), regex_of(args[1]), 0, [&n](const re2::StringPiece*) {
    ++n;
    return true;
  });
  *out = rft_num(static_cast<double>(n));
}

RFT_BUILTIN(regex_replace) {
  const std::string_view s = text_of(args[0]);
  const re2::RE2& re = regex_of(args[1]);
  const re2::StringPiece rewrite = piece(view_str(args[2]));
  *out = args[0];
  std::string error;
  if (!re.CheckRewriteString(rewrite, &error)) {
    Context::from(ctx).flag(kFlagBadRewrite);
    return;
  }
  const int ngroups = re2::RE2::MaxSubmatch(rewrite);
  const std::vector<RewritePart> parts = split_rewrite(view_str(args[2]));
  std::string result;
  size_t copied = 0;  // bytes of s already copied or replaced
  bool replaced = false, too_large = false;
  for_each_match(s, re, ngroups, [&](const re2::StringPiece* groups) {
    const auto begin = static_cast<size_t>(groups[0].data() - s.data());
    result.append(s.substr(copied, begin - copied));
    for (const RewritePart& part : parts) {
      if (part.group < 0) {
        result.append(part.literal);
      } else {
        result.append(groups[part.group].data(), groups[part.group].size());
      }
    }
    copied = begin + groups[0].size();
    replaced = true;
    too_large = result.size() > kMaxResultBytes;
    return !too_large;
  });
  if (too_large) {
    Context::from(ctx).flag(kFlagResultTooLarge);
    return;
  }
  if (!replaced) return;
  result.append(s.substr(copied));
  *out = rft_string(Context::from(ctx).copy(result));
}

}  // namespace rft::grader

extern "C" {

void rft_rt_find_first(rft_ctx*, const rft_value* args, rft_value* out) {
  *out = rft_none();
  rft::grader::for_each_found(args, [&](std::string_view m) {
    *out = rft::grader::str_value(m);
    return false;
  });
}

void rft_rt_find_last(rft_ctx*, const rft_value* args, rft_value* out) {
  *out = rft_none();
  rft::grader::for_each_found(args, [&](std::string_view m) {
    *out = rft::grader::str_value(m);
    return true;
  });
}

}  // extern "C"
