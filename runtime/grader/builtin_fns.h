// The C entry points of every builtin, one per overload. All share the rft_builtin_fn signature;
// the table in builtins.cc pairs each with its language-level signature. Implementations live in
// the file of their area and are defined with the same macro:
//
//   RFT_BUILTIN(len_str) { *out = rft_num(...args[0]...); }
//
// which declares the parameters `ctx`, `args` and `out` (unused ones are fine).
#pragma once

#include "runtime/grader/value.h"

#define RFT_BUILTIN(name)                                              \
  extern "C" void rft_b_##name([[maybe_unused]] rft_ctx* ctx,          \
                               [[maybe_unused]] const rft_value* args, \
                               [[maybe_unused]] rft_value* out) noexcept

// One row of an area's table: the signature, the C entry point rft_b_<impl> and one sentence of
// documentation (tests/docs/run_doc_examples.py reads these rows to check docs/language.md).
#define RFT_ENTRY(impl, signature, doc) \
  { signature, "rft_b_" #impl, &rft_b_##impl, doc }

namespace rft::grader {

// text.cc
RFT_BUILTIN(len_str);
RFT_BUILTIN(byte_len);
RFT_BUILTIN(lower);
RFT_BUILTIN(upper);
RFT_BUILTIN(trim);
RFT_BUILTIN(trim_start);
RFT_BUILTIN(trim_end);
RFT_BUILTIN(contains_str);
RFT_BUILTIN(starts_with);
RFT_BUILTIN(ends_with);
RFT_BUILTIN(find);
RFT_BUILTIN(replace);
RFT_BUILTIN(split);
RFT_BUILTIN(words);
RFT_BUILTIN(lines);
RFT_BUILTIN(join);
RFT_BUILTIN(slice_str);
RFT_BUILTIN(count_str);
RFT_BUILTIN(str_num);
RFT_BUILTIN(str_bool);

// regex.cc
RFT_BUILTIN(matches);
RFT_BUILTIN(full_match);
RFT_BUILTIN(capture);
RFT_BUILTIN(find_all);
RFT_BUILTIN(count_matches);
RFT_BUILTIN(regex_replace);

// numbers.cc
RFT_BUILTIN(num_str);
RFT_BUILTIN(num_bool);
RFT_BUILTIN(numbers);
RFT_BUILTIN(abs);
RFT_BUILTIN(floor);
RFT_BUILTIN(ceil);
RFT_BUILTIN(sqrt);
RFT_BUILTIN(exp);
RFT_BUILTIN(log);
RFT_BUILTIN(pow);
RFT_BUILTIN(round);
RFT_BUILTIN(min_num);
RFT_BUILTIN(max_num);
RFT_BUILTIN(clamp);
RFT_BUILTIN(is_finite);
RFT_BUILTIN(approx);

// json.cc
RFT_BUILTIN(num_json);
RFT_BUILTIN(json);
RFT_BUILTIN(get);
RFT_BUILTIN(json_member);
RFT_BUILTIN(json_index);
RFT_BUILTIN(as_str);
RFT_BUILTIN(as_num);
RFT_BUILTIN(as_bool);
RFT_BUILTIN(as_list);
RFT_BUILTIN(keys);
RFT_BUILTIN(has);
RFT_BUILTIN(type_of);
RFT_BUILTIN(dump);
RFT_BUILTIN(len_json);

// lists.cc
RFT_BUILTIN(len_list);
RFT_BUILTIN(slice_list);
RFT_BUILTIN(sum);
RFT_BUILTIN(mean);
RFT_BUILTIN(min_list);
RFT_BUILTIN(max_list);
RFT_BUILTIN(any);
RFT_BUILTIN(all);
RFT_BUILTIN(count_list);
RFT_BUILTIN(contains_list);
RFT_BUILTIN(first);
RFT_BUILTIN(last);

// env.cc
RFT_BUILTIN(env);
RFT_BUILTIN(env_default);

}  // namespace rft::grader
