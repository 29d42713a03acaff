/* The grader ABI: how a compiled reward spec (a shared object from `rft compile`, or code the JIT
 * produced in process) is loaded and called. Documented in docs/abi.md.
 *
 * A compiled spec exports one function, rft_grader_entry, returning an rft_grader_info that
 * describes its rewards. Each reward has one grading function over one sample. Everything a
 * grader needs at run time is in librft_grader (this library): no LLVM, ANTLR or torch.
 *
 *   rft_grader* g = rft_grader_open("math.so", err, sizeof err);
 *   const rft_reward_info* r = rft_grader_find(g, "gsm8k");
 *   rft_ctx* ctx = rft_ctx_new();
 *   rft_sample s = {...};
 *   double total, parts[r->n_components + r->n_monitors];
 *   r->grade(ctx, &s, &total, parts);   // flags: rft_ctx_flag_count / rft_ctx_flag_at
 *   rft_ctx_reset(ctx);                 // before the next sample
 */
#ifndef RFT_RUNTIME_GRADER_ABI_H
#define RFT_RUNTIME_GRADER_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/grader/value.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a struct below, the value layout or a runtime entry point that generated code
 * calls changes. A grader built for another version is refused when it is opened. */
#define RFT_GRADER_ABI_VERSION 3u

/* One sample to grade. Strings are views and need not be NUL-terminated; invalid UTF-8 in the
 * prompt or completion is replaced (U+FFFD) and flagged `invalid_utf8`. */
typedef struct rft_sample {
  rft_str prompt;
  rft_str completion;
  /* The dataset row (a JSON object) whose fields form `item`, as text; empty when there is none.
   * Parsed at most once per sample. */
  rft_str item_json;
  /* Alternatively an already-parsed row (a `const nlohmann::json*` from rft's C++ runtime); when
   * set, item_json is ignored. C callers leave it NULL. */
  const void* item_doc;
  /* Nonzero when the completion was cut off at the token limit (finish reason "length"): the
   * spec's `truncated`. */
  int32_t truncated;
} rft_sample;

/* Grades one sample: writes the total and one value per component, then one per monitor (each in
 * declaration order: n_components + n_monitors values), and raises flags on the context. Returns 0.
 * Never throws or aborts on user data; safe to call from many threads at once, each with its own
 * context. */
typedef int (*rft_grade_fn)(rft_ctx* ctx, const rft_sample* sample, double* total,
                            double* components);

typedef struct rft_reward_info {
  const char* name;
  uint32_t n_components;
  const char* const* components;  /* names, in declaration order */
  uint32_t n_monitors;
  const char* const* monitors; /* names of the values logged beside the components */
  uint32_t n_judges;
  const char* const* judges;      /* names of the judges the reward may call */
  uint32_t n_item_fields;
  const char* const* item_fields; /* the `item` fields the reward's file declares ... */
  const char* const* item_types;  /* ... and their types, spelled as in the language */
  double on_invalid;              /* the total when a row cannot be graded */
  rft_grade_fn grade;
} rft_reward_info;

typedef struct rft_grader_info {
  uint32_t abi_version;     /* RFT_GRADER_ABI_VERSION of the compiler that built it; first */
  uint32_t n_rewards;
  const rft_reward_info* rewards;
  const char* source_hash;  /* hex digest of the spec and everything it imports */
  const char* compiler;     /* "rft 0.1.0 (LLVM 16.0.6, x86_64-pc-linux-gnu)" */
  /* Called once after loading, before any grading: compiles regex literals. 0 on success. */
  int (*init)(void);
  /* Called once before unloading: frees what init made. */
  void (*fini)(void);
} rft_grader_info;

/* The one symbol a compiled spec exports. */
typedef const rft_grader_info* (*rft_grader_entry_fn)(void);
#define RFT_GRADER_ENTRY "rft_grader_entry"

/* ---- loading a shared object ---- */

typedef struct rft_grader rft_grader;

/* Opens a shared object from `rft compile` (a file path: a name without a slash is the file in
 * the current directory, not searched for), checks its ABI version and runs its init. On failure
 * returns NULL and writes a one-line reason into error (if error_len > 0). */
rft_grader* rft_grader_open(const char* path, char* error, size_t error_len);
const rft_grader_info* rft_grader_get_info(const rft_grader* g);
/* The reward called `name`, or NULL. */
const rft_reward_info* rft_grader_find(const rft_grader* g, const char* name);
void rft_grader_close(rft_grader* g);

/* Checks an info block from any source (a shared object, or JIT-compiled code): 0 when usable,
 * else writes a reason into error. */
int rft_grader_check(const rft_grader_info* info, char* error, size_t error_len);

/* ---- contexts ---- */

rft_ctx* rft_ctx_new(void);
void rft_ctx_free(rft_ctx* ctx);
/* Frees what the previous sample allocated and clears its flags. */
void rft_ctx_reset(rft_ctx* ctx);
uint64_t rft_ctx_flag_count(const rft_ctx* ctx);
/* The i-th flag raised since the last reset, in the order raised. */
rft_str rft_ctx_flag_at(const rft_ctx* ctx, uint64_t i);

/* Judges (AI graders) are called through this callback: the judge's name and its rendered prompt
 * in, a score normalized to [0, 1] out. Return 0 on success; anything else (or no callback) makes
 * the judge use its `on_error` value and flags `judge_error:<name>`. */
typedef int (*rft_judge_fn)(void* user, const char* judge, const char* prompt, uint64_t prompt_len,
                            double* score);
void rft_ctx_set_judge(rft_ctx* ctx, rft_judge_fn fn, void* user);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* RFT_RUNTIME_GRADER_ABI_H */
