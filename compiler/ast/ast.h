// The abstract syntax tree of a `.reward` file. The parser builds it (compiler/parse); the
// checker fills in the fields marked "set by the checker" (types and what names refer to); the
// interpreter and code generators read it. Nothing downstream of the parser sees ANTLR.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "compiler/ast/type.h"
#include "compiler/source/source.h"

namespace rft::grader {
struct Builtin;
}

namespace rft::ast {

struct TypeExpr {
  std::string name;               // num, bool, str, json, regex, list
  std::unique_ptr<TypeExpr> arg;  // list<arg>
  bool optional = false;          // trailing ?
  SourceRange range;
};

// ---- expressions ----

enum class ExprKind {
  kNumber,
  kString,
  kBool,
  kNone,
  kList,
  kObject,
  kName,
  kItem,   // the keyword `item`
  kTotal,  // the keyword `total`, only inside `expect`
  kMember,
  kIndex,
  kCall,
  kUnary,
  kBinary,
  kIf,
  kIsNone,
};

enum class UnaryOp { kNeg, kNot };
enum class BinaryOp {
  kMul, kDiv, kMod, kAdd, kSub, kCoalesce,
  kLt, kLe, kGt, kGe, kEq, kNe, kApprox,
  kAnd, kOr,
};
const char* spelling(BinaryOp op);
bool is_comparison(BinaryOp op);

struct LetDecl;
struct Param;
struct FnDecl;
struct ComponentDecl;
struct JudgeDecl;
struct ItemField;
struct Module;

// The sample's own names: `prompt`, `completion` (str) and `truncated` (bool: the completion was
// cut off at the token limit).
enum class SampleVar { kPrompt, kCompletion, kTruncated };

// What a name (or a member access such as `math.f` or `item.answer`) refers to.
using Ref = std::variant<std::monostate, SampleVar, const LetDecl*, const ComponentDecl*,
                         const Param*, const FnDecl*, const JudgeDecl*, const ItemField*,
                         const Module*>;

struct Expr {
  explicit Expr(ExprKind k, SourceRange r) : kind(k), range(r) {}
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  template <class T>
  T& as() { return static_cast<T&>(*this); }
  template <class T>
  const T& as() const { return static_cast<const T&>(*this); }

  const ExprKind kind;
  SourceRange range;
  bool parenthesized = false;
  const types::Type* type = nullptr;  // set by the checker
};
using ExprPtr = std::unique_ptr<Expr>;

struct NumberExpr : Expr {
  NumberExpr(SourceRange r, double v) : Expr(ExprKind::kNumber, r), value(v) {}
  double value;
};

struct StringExpr : Expr {
  StringExpr(SourceRange r, std::string v) : Expr(ExprKind::kString, r), value(std::move(v)) {}
  std::string value;  // escapes decoded
  bool is_regex = false;  // set by the checker when used where a regex is expected
};

struct BoolExpr : Expr {
  BoolExpr(SourceRange r, bool v) : Expr(ExprKind::kBool, r), value(v) {}
  bool value;
};

struct NoneExpr : Expr {
  explicit NoneExpr(SourceRange r) : Expr(ExprKind::kNone, r) {}
};

struct ListExpr : Expr {
  explicit ListExpr(SourceRange r) : Expr(ExprKind::kList, r) {}
  std::vector<ExprPtr> elems;
};

struct ObjectExpr : Expr {
  explicit ObjectExpr(SourceRange r) : Expr(ExprKind::kObject, r) {}
  struct Field {
    std::string key;
    SourceRange key_range;
    ExprPtr value;
  };
  std::vector<Field> fields;
};

struct NameExpr : Expr {
  NameExpr(SourceRange r, std::string n) : Expr(ExprKind::kName, r), name(std::move(n)) {}
  std::string name;
  Ref ref;  // set by the checker
};

struct ItemExpr : Expr {
  explicit ItemExpr(SourceRange r) : Expr(ExprKind::kItem, r) {}
};

struct TotalExpr : Expr {
  explicit TotalExpr(SourceRange r) : Expr(ExprKind::kTotal, r) {}
};

struct MemberExpr : Expr {
  MemberExpr(SourceRange r, ExprPtr b, std::string m, SourceRange mr)
      : Expr(ExprKind::kMember, r), base(std::move(b)), member(std::move(m)), member_range(mr) {}
  ExprPtr base;
  std::string member;
  SourceRange member_range;
  // Set by the checker: an item field, a module member, or monostate for `json.key` access.
  Ref ref;
};

struct IndexExpr : Expr {
  IndexExpr(SourceRange r, ExprPtr b, ExprPtr i)
      : Expr(ExprKind::kIndex, r), base(std::move(b)), index(std::move(i)) {}
  ExprPtr base;
  ExprPtr index;
};

struct Arg {
  std::string name;  // empty for a positional argument
  SourceRange name_range;
  ExprPtr value;
};

using CallTarget = std::variant<std::monostate, const FnDecl*, const JudgeDecl*,
                                const grader::Builtin*>;

struct CallExpr : Expr {
  CallExpr(SourceRange r, ExprPtr c) : Expr(ExprKind::kCall, r), callee(std::move(c)) {}
  ExprPtr callee;
  std::vector<Arg> args;
  // Set by the checker:
  CallTarget target;
  std::vector<const Expr*> bound;       // one per parameter, defaults filled in
  std::vector<const types::Type*> param_types;  // per parameter, type variables bound
  std::vector<bool> unwrap;             // per parameter: an optional passed where T is expected;
                                        // if it is none the call is skipped and yields none
  std::vector<ExprPtr> owned_defaults;  // builtin defaults, parsed from the signature
};

struct UnaryExpr : Expr {
  UnaryExpr(SourceRange r, UnaryOp o, ExprPtr e)
      : Expr(ExprKind::kUnary, r), op(o), operand(std::move(e)) {}
  UnaryOp op;
  ExprPtr operand;
};

struct BinaryExpr : Expr {
  BinaryExpr(SourceRange r, BinaryOp o, ExprPtr l, ExprPtr rr, SourceRange opr)
      : Expr(ExprKind::kBinary, r), op(o), lhs(std::move(l)), rhs(std::move(rr)), op_range(opr) {}
  BinaryOp op;
  ExprPtr lhs;
  ExprPtr rhs;
  SourceRange op_range;
};

struct IfExpr : Expr {
  IfExpr(SourceRange r, ExprPtr c, ExprPtr t, ExprPtr e)
      : Expr(ExprKind::kIf, r), cond(std::move(c)), then_expr(std::move(t)),
        else_expr(std::move(e)) {}
  ExprPtr cond;
  ExprPtr then_expr;
  ExprPtr else_expr;
};

struct IsNoneExpr : Expr {
  IsNoneExpr(SourceRange r, ExprPtr e, bool neg)
      : Expr(ExprKind::kIsNone, r), operand(std::move(e)), negated(neg) {}
  ExprPtr operand;
  bool negated;  // `is not none`
};

// Calls f on each direct sub-expression of e (call arguments as written, not defaults).
void for_each_child(const Expr& e, const std::function<void(const Expr&)>& f);

// ---- declarations ----

struct LetDecl {
  std::string name;
  SourceRange name_range;
  SourceRange range;
  std::optional<TypeExpr> declared;
  ExprPtr value;
  // Set by the checker:
  const types::Type* type = nullptr;
  int slot = -1;       // index among the bindings of its reward or function
  bool used = false;
};

struct Param {
  std::string name;
  SourceRange name_range;
  TypeExpr type_expr;
  ExprPtr default_value;  // may be null
  const types::Type* type = nullptr;  // set by the checker
  int index = 0;
  bool used = false;
};

struct FnDecl {
  std::string name;
  SourceRange name_range;
  SourceRange range;
  std::vector<Param> params;
  std::optional<TypeExpr> declared_result;
  std::vector<std::unique_ptr<LetDecl>> lets;
  ExprPtr body;
  // Set by the checker:
  const types::Type* result = nullptr;
  bool used = false;
};

// A `component`, or a `monitor`: a value computed and logged like a component that never enters
// the total (only monitors and tests read it).
struct ComponentDecl {
  std::string name;
  SourceRange name_range;
  SourceRange range;
  ExprPtr value;
  ExprPtr lo, hi;  // optional declared bounds `in lo..hi`
  bool monitor = false;
  // Set by the checker:
  const types::Type* type = nullptr;
  std::optional<double> lo_value, hi_value;
  // Index among the reward's components, then its monitors: the i-th monitor's slot is the
  // number of components plus i.
  int slot = -1;
  bool used = false;
};

struct Setting {
  std::string name;
  SourceRange name_range;
  SourceRange range;
  ExprPtr value;
  ExprPtr range_hi;  // `scale = 1..10` keeps 10 here and 1 in value
};

struct RewardDecl {
  std::string name;
  SourceRange name_range;
  SourceRange range;
  std::vector<std::unique_ptr<LetDecl>> lets;
  std::vector<std::unique_ptr<ComponentDecl>> components;
  std::vector<std::unique_ptr<ComponentDecl>> monitors;
  ExprPtr total;
  SourceRange total_range;
  std::vector<Setting> settings;
  bool incomplete = false;  // a statement had a syntax error and was dropped
  // Set by the checker:
  double on_invalid = 0;
  std::vector<const JudgeDecl*> judges_used;
};

struct JudgeDecl {
  std::string name;
  SourceRange name_range;
  SourceRange range;
  std::vector<Param> params;
  std::vector<Setting> settings;
  // Set by the checker: the parsed settings, see docs/language.md "Judges".
  std::string prompt_template;
  double scale_lo = 0, scale_hi = 1;
  std::vector<std::pair<std::string, double>> labels;  // empty unless `labels = {...}`
  std::string json_field;                              // empty unless `json = "path"`
  std::string group;  // "rank" or "score" for a group judge, else empty
  int max_group = 16;
  double on_error = 0;
  const Module* module = nullptr;
  bool used = false;
};

struct ItemField {
  std::string name;
  SourceRange name_range;
  TypeExpr type_expr;
  const types::Type* type = nullptr;  // set by the checker
  bool used = false;
};

struct ItemDecl {
  SourceRange range;
  std::vector<ItemField> fields;
  const ItemField* find(std::string_view name) const {
    for (const auto& f : fields) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }
};

struct TestDecl {
  std::string reward;
  SourceRange reward_range;
  std::string description;
  SourceRange range;
  struct Input {
    std::string name;  // prompt, completion
    SourceRange name_range;
    ExprPtr value;
  };
  struct GivenJudge {
    std::string name;
    SourceRange name_range;
    ExprPtr value;
    const JudgeDecl* judge = nullptr;  // set by the checker
  };
  struct Expect {
    SourceRange range;
    ExprPtr cond;
    ExprPtr tolerance;  // `within tol`, only after `~=`
  };
  std::vector<Input> inputs;
  ExprPtr item;
  std::vector<GivenJudge> judges;
  std::vector<Expect> expects;
  const RewardDecl* target = nullptr;  // set by the checker
};

struct ImportDecl {
  std::string path;  // "std.math" or the quoted file path
  bool is_file = false;
  std::string alias;  // the namespace it binds
  SourceRange range;
  const Module* module = nullptr;  // set by the loader
  bool used = false;
};

// One parsed file.
struct Module {
  FileId file = 0;
  std::string path;
  std::string name;  // how it was first imported ("std.math"), or its path for a root
  std::vector<ImportDecl> imports;
  std::unique_ptr<ItemDecl> item;
  std::vector<std::unique_ptr<FnDecl>> functions;
  std::vector<std::unique_ptr<LetDecl>> constants;
  std::vector<std::unique_ptr<RewardDecl>> rewards;
  std::vector<std::unique_ptr<JudgeDecl>> judges;
  std::vector<std::unique_ptr<TestDecl>> tests;
  // Names of top-level declarations that had syntax errors: they are not checked, and uses of
  // them are not reported again.
  std::vector<std::string> broken_names;

  const RewardDecl* find_reward(std::string_view reward_name) const;
  // Calls f on every root expression of the module (each is walked with for_each_child).
  void for_each_root(const std::function<void(const Expr&)>& f) const;
};

}  // namespace rft::ast
