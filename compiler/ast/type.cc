#include "compiler/ast/type.h"

#include <map>
#include <memory>
#include <mutex>
#include <utility>

namespace rft::types {
namespace {

// Interned composite types live for the life of the process; there are only a handful.
struct Interner {
  std::mutex mu;
  std::map<std::pair<int, const Type*>, std::unique_ptr<Type>> composites;
  std::map<char, std::unique_ptr<Type>> vars;
};

Interner& interner() {
  static Interner* in = new Interner;
  return *in;
}

const Type* composite(Kind kind, const Type* elem) {
  Interner& in = interner();
  std::lock_guard lock(in.mu);
  auto& slot = in.composites[{static_cast<int>(kind), elem}];
  if (!slot) slot = std::make_unique<Type>(Type{kind, elem, 0});
  return slot.get();
}

}  // namespace

#define RFT_SCALAR_TYPE(fn, kind)  \
  const Type* fn() {               \
    static const Type t{kind};     \
    return &t;                     \
  }
RFT_SCALAR_TYPE(error, Kind::kError)
RFT_SCALAR_TYPE(num, Kind::kNum)
RFT_SCALAR_TYPE(boolean, Kind::kBool)
RFT_SCALAR_TYPE(str, Kind::kStr)
RFT_SCALAR_TYPE(json, Kind::kJson)
RFT_SCALAR_TYPE(regex, Kind::kRegex)
RFT_SCALAR_TYPE(item, Kind::kItem)
RFT_SCALAR_TYPE(none, Kind::kNone)
#undef RFT_SCALAR_TYPE

const Type* var(char letter) {
  Interner& in = interner();
  std::lock_guard lock(in.mu);
  auto& slot = in.vars[letter];
  if (!slot) slot = std::make_unique<Type>(Type{Kind::kVar, nullptr, letter});
  return slot.get();
}

const Type* list_of(const Type* elem) { return composite(Kind::kList, elem); }

const Type* optional_of(const Type* t) {
  if (t->kind == Kind::kOptional || t->kind == Kind::kError) return t;
  if (t->kind == Kind::kNone) return t;
  return composite(Kind::kOptional, t);
}

const Type* strip_optional(const Type* t) { return t->kind == Kind::kOptional ? t->elem : t; }

bool is_numeric(const Type* t) {
  t = strip_optional(t);
  return t->kind == Kind::kNum || t->kind == Kind::kBool || t->kind == Kind::kError;
}

bool contains_error(const Type* t) {
  for (; t != nullptr; t = t->elem) {
    if (t->kind == Kind::kError) return true;
  }
  return false;
}

bool assignable(const Type* from, const Type* to) {
  if (from == to || contains_error(from) || contains_error(to)) return true;
  if (to->kind == Kind::kOptional) {
    if (from->kind == Kind::kNone) return true;
    return assignable(strip_optional(from), to->elem);
  }
  if (from->kind == Kind::kBool && to->kind == Kind::kNum) return true;
  return false;
}

bool is_num_list(const Type* t) {
  t = strip_optional(t);
  if (t->kind != Kind::kList) return false;
  while (t->kind == Kind::kList) t = strip_optional(t->elem);
  return t->kind == Kind::kNum;
}

const Type* list_item(const Type* t) {
  if (t == nullptr) return nullptr;
  t = strip_optional(t);
  return t->kind == Kind::kList ? t->elem : nullptr;
}

std::string to_string(const Type* t) {
  switch (t->kind) {
    case Kind::kError: return "<error>";
    case Kind::kNum: return "num";
    case Kind::kBool: return "bool";
    case Kind::kStr: return "str";
    case Kind::kJson: return "json";
    case Kind::kRegex: return "regex";
    case Kind::kItem: return "item";
    case Kind::kNone: return "none";
    case Kind::kVar: return std::string(1, t->var);
    case Kind::kList: return "list<" + to_string(t->elem) + ">";
    case Kind::kOptional: return to_string(t->elem) + "?";
  }
  return "?";
}

}  // namespace rft::types
