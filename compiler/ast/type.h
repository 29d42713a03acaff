// Static types of the language. Types are interned: compare them with ==.
#pragma once

#include <string>

namespace rft::types {

enum class Kind {
  kError,   // the type of an expression that already has an error; accepted everywhere
  kNum,
  kBool,
  kStr,
  kJson,
  kRegex,
  kItem,    // the dataset row record declared by `item { ... }`
  kList,
  kOptional,
  kNone,    // the type of the literal `none`; converts to any optional
  kVar,     // a type variable in a builtin signature (T)
};

struct Type {
  Kind kind;
  const Type* elem = nullptr;  // kList, kOptional: the element / wrapped type
  char var = 0;                // kVar: its letter
};

const Type* error();
const Type* num();
const Type* boolean();
const Type* str();
const Type* json();
const Type* regex();
const Type* item();
const Type* none();
const Type* var(char letter);
const Type* list_of(const Type* elem);
// T? of an optional is itself; the error type stays the error type.
const Type* optional_of(const Type* t);
// T for T?, otherwise t.
const Type* strip_optional(const Type* t);
// Whether t is a list whose items are numbers at the bottom (list<num>, list<list<num?>>?, ...):
// a value of such a type may hold bools that must be read as numbers (see numeric_list).
bool is_num_list(const Type* t);
// The item type of a list type (list<T> or list<T>?), or null for other types.
const Type* list_item(const Type* t);

inline bool is_error(const Type* t) { return t->kind == Kind::kError; }
inline bool is_optional(const Type* t) { return t->kind == Kind::kOptional; }
// num or bool (bool counts as 1 / 0), optional or not.
bool is_numeric(const Type* t);
// Whether t or any part of it is the error type.
bool contains_error(const Type* t);

// Whether a value of type `from` may be used where `to` is expected, with the implicit
// conversions of the language: bool → num, T → T?, none → T?.
bool assignable(const Type* from, const Type* to);

std::string to_string(const Type* t);

}  // namespace rft::types
