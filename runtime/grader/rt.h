// The runtime entry points that generated code calls for what is not worth inlining (item
// fields, indexing, equality, judges). They are part of the grader ABI (abi.h): changing one
// means bumping RFT_GRADER_ABI_VERSION. The interpreter calls the same C++ functions, so both
// back ends share these semantics. Every entry point passes values by pointer, never by value,
// so that calls from generated code do not depend on how a C compiler passes structs.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "runtime/grader/abi.h"
#include "runtime/grader/context.h"

extern "C" {

// What generated code knows about a judge it calls.
typedef struct rft_judge_info {
  const char* name;
  const char* prompt_template;
  uint32_t n_params;
  const char* const* params;  // names, in order
  double on_error;
} rft_judge_info;

// Compiles a regex literal (checked at compile time) into *slot; 0 on success.
int rft_rt_regex_new(const char* pattern, uint64_t len, const void** slot);
void rft_rt_regex_free(const void* re);

// `in` as a string value: a view when it is valid UTF-8, else a repaired copy and the flag
// `invalid_utf8`.
void rft_rt_input(rft_ctx* ctx, const rft_str* in, rft_value* out);
// The sample's row, parsed from item_json when needed (at most once per call); NULL if none or
// not valid JSON (which raises `bad_item_json`).
const void* rft_rt_item_doc(rft_ctx* ctx, const rft_sample* sample);
// One declared item field: converted to `type`, or none with `bad_item:<name>` when it is
// missing (and not optional) or has another type.
void rft_rt_item_field(rft_ctx* ctx, const void* doc, const char* name, uint64_t name_len,
                       const char* type, uint64_t type_len, rft_value* out);

// args[0] == args[1] for non-numbers (deep equality); out is a bool.
void rft_rt_equal(rft_ctx* ctx, const rft_value* args, rft_value* out);
// args[0] as a list of numbers (grader::numeric_list): for a list<bool> where list<num> is due.
void rft_rt_num_list(rft_ctx* ctx, const rft_value* args, rft_value* out);
// args[0] + args[1] for strings.
void rft_rt_concat(rft_ctx* ctx, const rft_value* args, rft_value* out);
// args[0][args[1]]: JSON by key or position, lists and strings (by code point) by position;
// negative positions count from the end; out of range or not whole gives none.
void rft_rt_index(rft_ctx* ctx, const rft_value* args, rft_value* out);
// A JSON object from n keys and values.
void rft_rt_object(rft_ctx* ctx, uint64_t n, const rft_str* keys, const rft_value* values,
                   rft_value* out);
// Fast paths of compiled graders for a use that needs one item of a list only
// (compiler/codegen/lower.cc): find_all(s, re)[-1] and find_all(s, re)[0]. The same results as
// the plain calls, without building the list; args are find_all's. (Calls such as
// last(find_all(..)) are not fused: the interpreter charges `last` fuel for each item of the
// list, which the fused call would not see.)
void rft_rt_find_last(rft_ctx* ctx, const rft_value* args, rft_value* out);
void rft_rt_find_first(rft_ctx* ctx, const rft_value* args, rft_value* out);
// The evaluation budget (grader::Context::charge, docs/language.md "Evaluation budget"):
// starts the sample's budget.
void rft_rt_fuel_start(rft_ctx* ctx);
// Charges a user-function call; when the budget is spent returns 1 and writes the zero value of
// the function's result type (spelled as in the language: "num", "list<str>", "json?") to *out,
// which the call then returns without running the body.
int rft_rt_fuel_call(rft_ctx* ctx, const char* type, uint64_t type_len, rft_value* out);
// Charges a builtin call on args[0..n): 1 unit, plus 1 per list item and per 64 bytes of string.
void rft_rt_fuel_builtin(rft_ctx* ctx, const rft_value* args, uint64_t n);
// When the budget was spent: the total becomes on_invalid and each of the n components 0.
void rft_rt_fuel_end(rft_ctx* ctx, double on_invalid, uint64_t n, double* total,
                     double* components);
// Renders the judge's prompt and calls the context's judge callback; out is a num in [0, 1], or
// on_error with `judge_error:<name>`.
void rft_rt_judge(rft_ctx* ctx, const rft_judge_info* judge, const rft_value* args,
                  const rft_value* prompt, const rft_value* completion, const void* item_doc,
                  rft_value* out);
}

namespace rft::grader {

// The value a call returns when the budget is spent: none for an optional type, else 0, false,
// "", [], the JSON null, or a regex that matches the empty string.
rft_value zero_value(std::string_view type);

// The semantics behind rft_rt_index.
rft_value index_value(Context& ctx, const rft_value& base, const rft_value& index);

// A judge's prompt template with {param}, {prompt}, {completion} and {item.field} filled in;
// {{ and }} stand for braces. Strings are inserted as they are, other values as displayed. A
// group judge's {completions} becomes a NUL byte, for the judge service to fill.
std::string render_judge_prompt(std::string_view tmpl, std::span<const std::string_view> params,
                                const rft_value* args, std::string_view prompt,
                                std::string_view completion, const nlohmann::json* item);

}  // namespace rft::grader
