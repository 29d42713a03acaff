/* The value representation shared by the reference interpreter and compiled graders.
 *
 * This is a C header on purpose: generated code and other languages call the builtins through it.
 * A value is a 24-byte tagged struct. Types are checked statically, so the tag is only needed to
 * tell `none` from a present value of an optional type; it is always set, which keeps debugging
 * and the interpreter simple.
 *
 * Ownership: strings, lists and JSON documents that a builtin creates live in the per-sample
 * context's arena (see rft_ctx) and stay valid until the context is reset. Strings are UTF-8
 * views (pointer + byte length), never NUL-terminated by contract. Inputs (prompt, completion,
 * item fields) outlive the context.
 */
#ifndef RFT_RUNTIME_GRADER_VALUE_H
#define RFT_RUNTIME_GRADER_VALUE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rft_tag {
  RFT_NONE = 0,
  RFT_BOOL = 1,
  RFT_NUM = 2,
  RFT_STR = 3,
  RFT_LIST = 4,
  RFT_JSON = 5,  /* as.json points to a JSON node owned by the context or by the sample */
  RFT_REGEX = 6, /* as.regex points to a compiled regex owned by the loaded grader */
} rft_tag;

typedef struct rft_str {
  const char* ptr; /* valid UTF-8; may be NULL only when len == 0 */
  uint64_t len;    /* bytes */
} rft_str;

struct rft_value;

typedef struct rft_list {
  const struct rft_value* items;
  uint64_t len;
} rft_list;

typedef struct rft_value {
  uint32_t tag; /* rft_tag */
  uint32_t reserved;
  union {
    double num;
    uint64_t boolean; /* 0 or 1 */
    rft_str str;
    rft_list list;
    const void* json;
    const void* regex;
  } as;
} rft_value;

/* Per-sample evaluation context: an arena for results, the set of flags raised while grading.
 * Opaque to C; implemented by rft::grader::Context. Not thread-safe: one context per thread. */
typedef struct rft_ctx rft_ctx;

/* Every builtin has this one signature: arguments are already type-checked and never `none`
 * unless the parameter is declared optional; `out` receives the result (tag RFT_NONE for an
 * optional result that is absent). Builtins never throw and never abort on user data. */
typedef void (*rft_builtin_fn)(rft_ctx* ctx, const rft_value* args, rft_value* out);

/* Arena allocation, valid until the context is reset. Never returns NULL (aborts on OOM). */
void* rft_ctx_alloc(rft_ctx* ctx, uint64_t bytes, uint64_t align);
/* Copies bytes into the arena and returns a view of the copy. */
rft_str rft_ctx_strdup(rft_ctx* ctx, const char* ptr, uint64_t len);
/* Raises a flag on the current sample ("json_too_deep", "missing:correct", ...); duplicates are
 * kept once. */
void rft_ctx_flag(rft_ctx* ctx, const char* flag, uint64_t len);

static inline rft_value rft_none(void) {
  rft_value v;
  v.tag = RFT_NONE;
  v.reserved = 0;
  v.as.num = 0;
  return v;
}
static inline rft_value rft_num(double x) {
  rft_value v;
  v.tag = RFT_NUM;
  v.reserved = 0;
  v.as.num = x;
  return v;
}
static inline rft_value rft_bool(int b) {
  rft_value v;
  v.tag = RFT_BOOL;
  v.reserved = 0;
  v.as.boolean = b ? 1u : 0u;
  return v;
}
static inline rft_value rft_string(rft_str s) {
  rft_value v;
  v.tag = RFT_STR;
  v.reserved = 0;
  v.as.str = s;
  return v;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* RFT_RUNTIME_GRADER_VALUE_H */
