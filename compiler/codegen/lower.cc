// Lowering to LLVM IR. The generated code mirrors the reference interpreter step by step, so that
// both raise the same flags in the same order:
//
//   - A value is the 24-byte rft_value of runtime/grader/value.h, kept in SSA registers as the
//     struct {i32 tag, i32 reserved, i64 a, i64 b}; a num is `a` reinterpreted as a double.
//   - Lets, components, module constants and item fields are evaluated on demand and at most
//     once: each gets a getter function that caches its value in a frame (a state byte and a
//     slot). Frames live on the stack of the grading function:
//       sample frame   ctx, sample, item row, prompt, completion, constants, item fields
//       reward frame   the sample frame, the reward's lets and components
//       function frame the sample frame, the arguments, the function's lets
//   - Builtins and runtime helpers are called through the C ABI: arguments in a stack array,
//     the result through a pointer.
#include "compiler/codegen/lower.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

#include <functional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/program/analysis.h"
#include "compiler/program/program.h"
#include "runtime/grader/abi.h"
#include "runtime/grader/builtins.h"

namespace rft::codegen {
namespace {

using llvm::BasicBlock;
using llvm::Function;
using llvm::Type;
using llvm::Value;

// Where an expression is being lowered: the function being built and the frames it can reach.
struct Env {
  Function* fn = nullptr;
  Value* sframe = nullptr;
  Value* rframe = nullptr;              // in a reward's code
  const ast::RewardDecl* reward = nullptr;
  Value* fframe = nullptr;              // in a function's code
  const ast::FnDecl* fdecl = nullptr;
};

// Where a let lives.
enum class LetKind { kReward, kFunction, kConstant };
struct LetInfo {
  LetKind kind;
  const void* owner;  // the RewardDecl or FnDecl; null for constants
  unsigned index;     // slot among its owner's lets, or among all constants
};

// ---- fast paths ----
// Uses of a list-building builtin that need one item only are lowered to a runtime entry point
// that builds no list (runtime/grader/rt.h), charged the fuel of the call as written. The
// interpreter evaluates them as written, so the differential test checks each against the
// reference.
struct FastPath {
  const ast::CallExpr* inner = nullptr;  // the call whose arguments the entry point takes
  std::string_view symbol;
};

std::string_view builtin_symbol(const ast::Expr& e) {
  if (e.kind != ast::ExprKind::kCall) return {};
  auto* b = std::get_if<const grader::Builtin*>(&e.as<ast::CallExpr>().target);
  return b == nullptr ? std::string_view() : (*b)->symbol;
}

// find_all(s, re)[0] and find_all(s, re)[-1].
FastPath fused_index(const ast::IndexExpr& ix) {
  if (ix.base == nullptr || ix.index == nullptr || builtin_symbol(*ix.base) != "rft_b_find_all") {
    return {};
  }
  const ast::Expr* i = ix.index.get();
  double sign = 1;
  if (i->kind == ast::ExprKind::kUnary && i->as<ast::UnaryExpr>().op == ast::UnaryOp::kNeg) {
    sign = -1;
    i = i->as<ast::UnaryExpr>().operand.get();
  }
  if (i == nullptr || i->kind != ast::ExprKind::kNumber) return {};
  const double n = sign * i->as<ast::NumberExpr>().value;
  const auto* call = &ix.base->as<ast::CallExpr>();
  if (n == 0) return {call, "rft_rt_find_first"};
  if (n == -1) return {call, "rft_rt_find_last"};
  return {};
}

class Lowerer {
 public:
  Lowerer(const Program& program, llvm::LLVMContext& c, const std::string& source_hash,
          const std::string& compiler)
      : program_(program), c_(c), m_(std::make_unique<llvm::Module>("rft_grader", c)), b_(c),
        source_hash_(source_hash), compiler_(compiler) {
    i8_ = Type::getInt8Ty(c);
    i32_ = Type::getInt32Ty(c);
    i64_ = Type::getInt64Ty(c);
    f64_ = Type::getDoubleTy(c);
    ptr_ = llvm::PointerType::getUnqual(c);
    val_ = llvm::StructType::create(c, {i32_, i32_, i64_, i64_}, "rft_value");
    str_ = llvm::StructType::create(c, {ptr_, i64_}, "rft_str");
    builtin_ty_ = llvm::FunctionType::get(b_.getVoidTy(), {ptr_, ptr_, ptr_}, false);
  }

  std::unique_ptr<llvm::Module> run();

 private:
  // ---- layout ----
  void index_program();
  llvm::StructType* sframe_type();
  llvm::StructType* rframe_type(const ast::RewardDecl* r);
  llvm::StructType* fframe_type(const ast::FnDecl* f);

  // ---- values ----
  Value* make(unsigned tag, Value* a, Value* b = nullptr);
  Value* none() { return llvm::Constant::getNullValue(val_); }
  Value* num(Value* d) { return make(RFT_NUM, b_.CreateBitCast(d, i64_)); }
  Value* boolean(Value* i1) { return make(RFT_BOOL, b_.CreateZExt(i1, i64_)); }
  Value* tag_of(Value* v) { return b_.CreateExtractValue(v, 0); }
  Value* word_a(Value* v) { return b_.CreateExtractValue(v, 2); }
  Value* is_none(Value* v) { return b_.CreateICmpEQ(tag_of(v), b_.getInt32(RFT_NONE)); }
  Value* truthy(Value* v) {
    return b_.CreateAnd(b_.CreateNot(is_none(v)), b_.CreateICmpNE(word_a(v), b_.getInt64(0)));
  }
  Value* to_num(Value* v);
  Value* convert(Value* v, const types::Type* to);
  Value* is_numeric(Value* v);

  // ---- constants and calls ----
  Value* cstring(std::string_view s);  // a private constant; null for ""
  Value* str_literal(std::string_view s) {
    return make(RFT_STR, b_.CreatePtrToInt(cstring(s), i64_), b_.getInt64(s.size()));
  }
  llvm::Constant* cstr_ptr(std::string_view s);  // NUL-terminated, for the info block
  Value* entry_alloca(Type* t, unsigned n = 1);
  // A stack array (in the entry block) holding `values`, for a call through the C ABI.
  Value* value_array(const std::vector<Value*>& values);
  Value* call_builtin(std::string_view symbol, const std::vector<Value*>& args);
  Value* call_value_fn(llvm::FunctionCallee f, const std::vector<Value*>& prefix,
                       const std::vector<Value*>& args);
  llvm::FunctionCallee runtime(std::string_view name, llvm::FunctionType* t) {
    return m_->getOrInsertFunction(llvm::StringRef(name.data(), name.size()), t);
  }
  void flag(Value* ctx, std::string_view name);
  Value* load_field(llvm::StructType* t, Value* frame, unsigned field, Type* ty) {
    return b_.CreateLoad(ty, b_.CreateStructGEP(t, frame, field));
  }
  Value* slot_ptr(llvm::StructType* t, Value* frame, unsigned field, unsigned index);

  // ---- getters ----
  // Starts an internal function `%val name(ptr frame)` whose entry loads the context.
  Function* begin_getter(const std::string& name, llvm::StructType* frame_type,
                         unsigned sample_field, Env& env);
  // In a getter: returns the cached value of slot `index`, or computes, caches and returns it.
  void cached_body(llvm::StructType* t, Value* frame, unsigned value_field, unsigned state_field,
                   unsigned index, Type* slot_type, const std::function<Value*()>& compute);
  Function* constant_getter(const ast::LetDecl* let);
  Function* item_getter(const ast::ItemField* f);
  Function* let_getter(const ast::RewardDecl* r, const ast::LetDecl* let);
  Function* component_getter(const ast::RewardDecl* r, const ast::ComponentDecl* c);
  Function* fn_let_getter(const ast::FnDecl* f, const ast::LetDecl* let);
  Function* user_function(const ast::FnDecl* f);
  Value* let_value(Env& env, const ast::LetDecl* let);
  Value* item_field(Env& env, const ast::ItemField* f) {
    return b_.CreateCall(item_getter(f), {env.sframe});
  }

  // ---- expressions ----
  Value* expr(Env& env, const ast::Expr& e);
  Value* name(Env& env, const ast::NameExpr& n);
  Value* member(Env& env, const ast::MemberExpr& m);
  // `symbol`: call this runtime entry point instead of c's target (a fast path, see fused_index).
  Value* call(Env& env, const ast::CallExpr& c, std::string_view symbol = {});
  Value* binary(Env& env, const ast::BinaryExpr& b);
  Value* regex_literal(const ast::StringExpr& s);
  Value* list_literal(Env& env, const ast::ListExpr& l);
  Value* object_literal(Env& env, const ast::ObjectExpr& o);
  Value* judge_call(Env& env, const ast::JudgeDecl& j, const std::vector<Value*>& args);
  // The exported symbol of the builtin whose signature starts with `prefix`.
  static std::string_view symbol_of(std::string_view prefix) {
    for (const auto& b : grader::builtins()) {
      if (b.signature.starts_with(prefix)) return b.symbol;
    }
    return {};
  }
  // Emits `if cond then a() else b()` with a phi of their values.
  Value* select_lazy(Env& env, Value* cond, const std::function<Value*()>& a,
                     const std::function<Value*()>& b);

  // ---- rewards and the info block ----
  Function* reward_function(const ast::RewardDecl* r, const ast::ItemDecl* item);
  void info_block(const std::vector<std::pair<const ast::RewardDecl*, const ast::ItemDecl*>>& rs,
                  const std::vector<Function*>& fns);

  const Program& program_;
  llvm::LLVMContext& c_;
  std::unique_ptr<llvm::Module> m_;
  llvm::IRBuilder<> b_;
  std::string source_hash_, compiler_;
  Type *i8_, *i32_, *i64_, *f64_, *ptr_;
  llvm::StructType *val_, *str_;
  llvm::FunctionType* builtin_ty_;

  // Layout.
  std::unordered_map<const ast::LetDecl*, LetInfo> lets_;
  std::unordered_map<const ast::ItemField*, unsigned> item_index_;
  unsigned n_constants_ = 0, n_items_ = 0;
  llvm::StructType* sframe_ = nullptr;
  std::unordered_map<const void*, llvm::StructType*> frames_;  // reward and function frames

  // What has been emitted.
  std::unordered_map<const void*, Function*> getters_;
  std::unordered_map<std::string, llvm::GlobalVariable*> strings_;
  std::vector<std::pair<std::string, llvm::GlobalVariable*>> regexes_;  // pattern, slot
  std::unordered_map<const ast::StringExpr*, llvm::GlobalVariable*> regex_slots_;
  std::unordered_map<const ast::JudgeDecl*, llvm::GlobalVariable*> judges_;
  Value* current_ctx_ = nullptr;  // the rft_ctx* of the function being built
};

// Saves where the builder is (and the context value) while another function is built.
class BuildingElsewhere {
 public:
  BuildingElsewhere(llvm::IRBuilder<>& b, Value*& ctx) : guard_(b), ctx_(ctx), saved_(ctx) {}
  ~BuildingElsewhere() { ctx_ = saved_; }

 private:
  llvm::IRBuilderBase::InsertPointGuard guard_;
  Value*& ctx_;
  Value* saved_;
};

// Frame field numbers.
enum SampleField : unsigned {
  kSfCtx, kSfSample, kSfItem, kSfPrompt, kSfCompletion,
  kSfConst, kSfConstState, kSfItems, kSfItemState,
};
enum RewardField : unsigned { kRfSample, kRfLets, kRfLetState, kRfComps, kRfCompState };
enum FnField : unsigned { kFfSample, kFfArgs, kFfLets, kFfLetState };

// ---- layout ----

void Lowerer::index_program() {
  for (const auto& m : program_.modules) {
    for (const auto& l : m->constants) lets_[l.get()] = {LetKind::kConstant, nullptr, n_constants_++};
    if (m->item) {
      for (const auto& f : m->item->fields) item_index_[&f] = n_items_++;
    }
    for (const auto& f : m->functions) {
      for (size_t i = 0; i < f->lets.size(); ++i) {
        lets_[f->lets[i].get()] = {LetKind::kFunction, f.get(), static_cast<unsigned>(i)};
      }
    }
    for (const auto& r : m->rewards) {
      for (size_t i = 0; i < r->lets.size(); ++i) {
        lets_[r->lets[i].get()] = {LetKind::kReward, r.get(), static_cast<unsigned>(i)};
      }
    }
  }
}

llvm::StructType* Lowerer::sframe_type() {
  if (sframe_ == nullptr) {
    sframe_ = llvm::StructType::create(
        c_,
        {ptr_, ptr_, ptr_, val_, val_, llvm::ArrayType::get(val_, n_constants_),
         llvm::ArrayType::get(i8_, n_constants_), llvm::ArrayType::get(val_, n_items_),
         llvm::ArrayType::get(i8_, n_items_)},
        "sample_frame");
  }
  return sframe_;
}

llvm::StructType* Lowerer::rframe_type(const ast::RewardDecl* r) {
  auto& t = frames_[r];
  if (t == nullptr) {
    auto nl = r->lets.size(), nc = r->components.size() + r->monitors.size();
    t = llvm::StructType::create(
        c_,
        {ptr_, llvm::ArrayType::get(val_, nl), llvm::ArrayType::get(i8_, nl),
         llvm::ArrayType::get(f64_, nc), llvm::ArrayType::get(i8_, nc)},
        "reward_frame." + r->name);
  }
  return t;
}

llvm::StructType* Lowerer::fframe_type(const ast::FnDecl* f) {
  auto& t = frames_[f];
  if (t == nullptr) {
    auto nl = f->lets.size();
    t = llvm::StructType::create(
        c_, {ptr_, ptr_, llvm::ArrayType::get(val_, nl), llvm::ArrayType::get(i8_, nl)},
        "fn_frame." + f->name);
  }
  return t;
}

// ---- values ----

Value* Lowerer::make(unsigned tag, Value* a, Value* b) {
  Value* v = llvm::UndefValue::get(val_);
  v = b_.CreateInsertValue(v, b_.getInt32(tag), 0);
  v = b_.CreateInsertValue(v, b_.getInt32(0), 1);
  v = b_.CreateInsertValue(v, a, 2);
  return b_.CreateInsertValue(v, b != nullptr ? b : b_.getInt64(0), 3);
}

Value* Lowerer::to_num(Value* v) {
  Value* a = word_a(v);
  return b_.CreateSelect(b_.CreateICmpEQ(tag_of(v), b_.getInt32(RFT_BOOL)),
                         b_.CreateUIToFP(a, f64_), b_.CreateBitCast(a, f64_));
}

Value* Lowerer::is_numeric(Value* v) {
  Value* t = tag_of(v);
  return b_.CreateOr(b_.CreateICmpEQ(t, b_.getInt32(RFT_NUM)),
                     b_.CreateICmpEQ(t, b_.getInt32(RFT_BOOL)));
}

// The implicit conversion bool → num, also to the items of a list used as list<num>.
Value* Lowerer::convert(Value* v, const types::Type* to) {
  if (to == nullptr) return v;
  if (types::is_num_list(to)) return call_builtin("rft_rt_num_list", {v});
  if (types::strip_optional(to)->kind != types::Kind::kNum) return v;
  Value* is_bool = b_.CreateICmpEQ(tag_of(v), b_.getInt32(RFT_BOOL));
  return b_.CreateSelect(is_bool, num(b_.CreateUIToFP(word_a(v), f64_)), v);
}

// ---- constants and calls ----

Value* Lowerer::cstring(std::string_view s) {
  if (s.empty()) return llvm::ConstantPointerNull::get(llvm::PointerType::getUnqual(c_));
  return cstr_ptr(s);
}

llvm::Constant* Lowerer::cstr_ptr(std::string_view s) {
  auto& g = strings_[std::string(s)];
  if (g == nullptr) {
    auto* init = llvm::ConstantDataArray::getString(c_, llvm::StringRef(s.data(), s.size()), true);
    g = new llvm::GlobalVariable(*m_, init->getType(), true, llvm::GlobalValue::PrivateLinkage,
                                 init, "str");
    g->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  }
  return g;
}

Value* Lowerer::entry_alloca(Type* t, unsigned n) {
  llvm::IRBuilder<> eb(&b_.GetInsertBlock()->getParent()->getEntryBlock(),
                       b_.GetInsertBlock()->getParent()->getEntryBlock().begin());
  return eb.CreateAlloca(t, eb.getInt32(n));
}

Value* Lowerer::value_array(const std::vector<Value*>& values) {
  Value* arr = entry_alloca(val_, std::max<unsigned>(1, static_cast<unsigned>(values.size())));
  for (size_t i = 0; i < values.size(); ++i) {
    b_.CreateStore(values[i], b_.CreateConstInBoundsGEP1_32(val_, arr, static_cast<unsigned>(i)));
  }
  return arr;
}

Value* Lowerer::call_value_fn(llvm::FunctionCallee f, const std::vector<Value*>& prefix,
                              const std::vector<Value*>& args) {
  Value* arr = value_array(args);
  Value* out = entry_alloca(val_);
  b_.CreateStore(none(), out);
  std::vector<Value*> call_args = prefix;
  call_args.push_back(arr);
  call_args.push_back(out);
  b_.CreateCall(f, call_args);
  return b_.CreateLoad(val_, out);
}

Value* Lowerer::call_builtin(std::string_view symbol, const std::vector<Value*>& args) {
  // The caller's context is the first argument of every builtin.
  return call_value_fn(runtime(symbol, builtin_ty_), {current_ctx_}, args);
}

void Lowerer::flag(Value* ctx, std::string_view name) {
  auto t = llvm::FunctionType::get(b_.getVoidTy(), {ptr_, ptr_, i64_}, false);
  b_.CreateCall(runtime("rft_ctx_flag", t), {ctx, cstring(name), b_.getInt64(name.size())});
}

Value* Lowerer::slot_ptr(llvm::StructType* t, Value* frame, unsigned field, unsigned index) {
  return b_.CreateInBoundsGEP(t, frame, {b_.getInt32(0), b_.getInt32(field), b_.getInt32(index)});
}

// ---- getters ----

Function* Lowerer::begin_getter(const std::string& name, llvm::StructType* frame_type,
                                unsigned sample_field, Env& env) {
  Function* f = Function::Create(llvm::FunctionType::get(val_, {ptr_}, false),
                                 llvm::GlobalValue::InternalLinkage, name, *m_);
  b_.SetInsertPoint(BasicBlock::Create(c_, "entry", f));
  env.fn = f;
  Value* frame = f->getArg(0);
  env.sframe = frame_type == sframe_ ? frame : load_field(frame_type, frame, sample_field, ptr_);
  current_ctx_ = load_field(sframe_, env.sframe, kSfCtx, ptr_);
  return f;
}

void Lowerer::cached_body(llvm::StructType* t, Value* frame, unsigned value_field,
                          unsigned state_field, unsigned index, Type* slot_type,
                          const std::function<Value*()>& compute) {
  Function* f = b_.GetInsertBlock()->getParent();
  Value* state_ptr = slot_ptr(t, frame, state_field, index);
  Value* value_ptr = slot_ptr(t, frame, value_field, index);
  Value* state = b_.CreateLoad(i8_, state_ptr);
  auto* done = BasicBlock::Create(c_, "cached", f);
  auto* busy = BasicBlock::Create(c_, "cycle", f);
  auto* work = BasicBlock::Create(c_, "compute", f);
  auto* sw = b_.CreateSwitch(state, work, 2);
  sw->addCase(b_.getInt8(2), done);
  // The checker rules out cycles; this guards against a bug turning into a stack overflow.
  sw->addCase(b_.getInt8(1), slot_type == val_ ? busy : work);
  b_.SetInsertPoint(done);
  b_.CreateRet(b_.CreateLoad(slot_type, value_ptr));
  b_.SetInsertPoint(busy);
  b_.CreateRet(llvm::Constant::getNullValue(slot_type));
  b_.SetInsertPoint(work);
  b_.CreateStore(b_.getInt8(1), state_ptr);
  Value* v = compute();
  b_.CreateStore(v, value_ptr);
  b_.CreateStore(b_.getInt8(2), state_ptr);
  b_.CreateRet(v);
}

Function* Lowerer::constant_getter(const ast::LetDecl* let) {
  Function*& g = getters_[let];
  if (g != nullptr) return g;
  BuildingElsewhere saved(b_, current_ctx_);
  Env env;
  g = begin_getter("const." + let->name, sframe_, 0, env);
  cached_body(sframe_, env.sframe, kSfConst, kSfConstState, lets_.at(let).index, val_,
              [&] { return expr(env, *let->value); });
  return g;
}

Function* Lowerer::item_getter(const ast::ItemField* f) {
  Function*& g = getters_[f];
  if (g != nullptr) return g;
  BuildingElsewhere saved(b_, current_ctx_);
  Env env;
  g = begin_getter("item." + f->name, sframe_, 0, env);
  // Items are not guarded against cycles: converting a field cannot refer to anything.
  Function* fn = g;
  Value* state_ptr = slot_ptr(sframe_, env.sframe, kSfItemState, item_index_.at(f));
  Value* value_ptr = slot_ptr(sframe_, env.sframe, kSfItems, item_index_.at(f));
  auto* done = BasicBlock::Create(c_, "cached", fn);
  auto* work = BasicBlock::Create(c_, "convert", fn);
  b_.CreateCondBr(b_.CreateICmpEQ(b_.CreateLoad(i8_, state_ptr), b_.getInt8(2)), done, work);
  b_.SetInsertPoint(done);
  b_.CreateRet(b_.CreateLoad(val_, value_ptr));
  b_.SetInsertPoint(work);
  std::string type = types::to_string(f->type);
  auto t = llvm::FunctionType::get(b_.getVoidTy(), {ptr_, ptr_, ptr_, i64_, ptr_, i64_, ptr_}, false);
  b_.CreateCall(runtime("rft_rt_item_field", t),
                {current_ctx_, load_field(sframe_, env.sframe, kSfItem, ptr_), cstring(f->name),
                 b_.getInt64(f->name.size()), cstring(type), b_.getInt64(type.size()), value_ptr});
  b_.CreateStore(b_.getInt8(2), state_ptr);
  b_.CreateRet(b_.CreateLoad(val_, value_ptr));
  return g;
}

Function* Lowerer::let_getter(const ast::RewardDecl* r, const ast::LetDecl* let) {
  Function*& g = getters_[let];
  if (g != nullptr) return g;
  BuildingElsewhere saved(b_, current_ctx_);
  Env env;
  llvm::StructType* t = rframe_type(r);
  g = begin_getter(r->name + ".let." + let->name, t, kRfSample, env);
  env.rframe = g->getArg(0);
  env.reward = r;
  cached_body(t, env.rframe, kRfLets, kRfLetState, lets_.at(let).index, val_,
              [&] { return expr(env, *let->value); });
  return g;
}

Function* Lowerer::component_getter(const ast::RewardDecl* r, const ast::ComponentDecl* c) {
  Function*& g = getters_[c];
  if (g != nullptr) return g;
  BuildingElsewhere saved(b_, current_ctx_);
  Env env;
  llvm::StructType* t = rframe_type(r);
  g = Function::Create(llvm::FunctionType::get(f64_, {ptr_}, false),
                       llvm::GlobalValue::InternalLinkage, r->name + ".component." + c->name, *m_);
  b_.SetInsertPoint(BasicBlock::Create(c_, "entry", g));
  env.fn = g;
  env.rframe = g->getArg(0);
  env.reward = r;
  env.sframe = load_field(t, env.rframe, kRfSample, ptr_);
  current_ctx_ = load_field(sframe_, env.sframe, kSfCtx, ptr_);
  auto flag_if = [&](Value* cond, const std::string& name) {
    auto* yes = BasicBlock::Create(c_, "flag", g);
    auto* next = BasicBlock::Create(c_, "next", g);
    b_.CreateCondBr(cond, yes, next);
    b_.SetInsertPoint(yes);
    flag(current_ctx_, name);
    b_.CreateBr(next);
    b_.SetInsertPoint(next);
  };
  cached_body(t, env.rframe, kRfComps, kRfCompState, static_cast<unsigned>(c->slot), f64_, [&] {
    Value* v = expr(env, *c->value);
    Value* missing = is_none(v);
    flag_if(missing, "missing:" + c->name);
    Value* x = to_num(v);
    Value* zero = llvm::ConstantFP::get(f64_, 0.0);
    Value* finite = b_.CreateFCmpONE(b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x),
                                     llvm::ConstantFP::getInfinity(f64_));
    Value* invalid = b_.CreateAnd(b_.CreateNot(missing), b_.CreateNot(finite));
    flag_if(invalid, "invalid:" + c->name);
    x = b_.CreateSelect(b_.CreateOr(missing, invalid), zero, x);
    if (c->lo_value && c->hi_value) {
      Value* lo = llvm::ConstantFP::get(f64_, *c->lo_value);
      Value* hi = llvm::ConstantFP::get(f64_, *c->hi_value);
      Value* below = b_.CreateFCmpOLT(x, lo);
      Value* above = b_.CreateFCmpOGT(x, hi);
      flag_if(b_.CreateOr(below, above), "out_of_bounds:" + c->name);
      x = b_.CreateSelect(below, lo, b_.CreateSelect(above, hi, x));
    }
    return x;
  });
  return g;
}

Function* Lowerer::fn_let_getter(const ast::FnDecl* f, const ast::LetDecl* let) {
  Function*& g = getters_[let];
  if (g != nullptr) return g;
  BuildingElsewhere saved(b_, current_ctx_);
  Env env;
  llvm::StructType* t = fframe_type(f);
  g = begin_getter(f->name + ".let." + let->name, t, kFfSample, env);
  env.fframe = g->getArg(0);
  env.fdecl = f;
  cached_body(t, env.fframe, kFfLets, kFfLetState, lets_.at(let).index, val_,
              [&] { return expr(env, *let->value); });
  return g;
}

Function* Lowerer::user_function(const ast::FnDecl* f) {
  Function*& g = getters_[f];
  if (g != nullptr) return g;
  BuildingElsewhere saved(b_, current_ctx_);
  llvm::StructType* t = fframe_type(f);
  g = Function::Create(llvm::FunctionType::get(val_, {ptr_, ptr_}, false),
                       llvm::GlobalValue::InternalLinkage, "fn." + f->name, *m_);
  b_.SetInsertPoint(BasicBlock::Create(c_, "entry", g));
  Env env;
  env.fn = g;
  env.sframe = g->getArg(0);
  env.fdecl = f;
  env.fframe = b_.CreateAlloca(t);
  current_ctx_ = load_field(sframe_, env.sframe, kSfCtx, ptr_);
  // Each call charges the evaluation budget; once it is spent the call returns the zero value of
  // its type at once (rft_rt_fuel_call), as the interpreter does.
  {
    std::string type = f->result != nullptr ? types::to_string(f->result) : "";
    Value* zero = b_.CreateAlloca(val_);
    auto fuel_t = llvm::FunctionType::get(i32_, {ptr_, ptr_, i64_, ptr_}, false);
    Value* spent = b_.CreateCall(runtime("rft_rt_fuel_call", fuel_t),
                                 {current_ctx_, cstring(type), b_.getInt64(type.size()), zero});
    auto* out = BasicBlock::Create(c_, "fuel_spent", g);
    auto* run = BasicBlock::Create(c_, "run", g);
    b_.CreateCondBr(b_.CreateICmpNE(spent, b_.getInt32(0)), out, run);
    b_.SetInsertPoint(out);
    b_.CreateRet(b_.CreateLoad(val_, zero));
    b_.SetInsertPoint(run);
  }
  b_.CreateStore(env.sframe, b_.CreateStructGEP(t, env.fframe, kFfSample));
  b_.CreateStore(g->getArg(1), b_.CreateStructGEP(t, env.fframe, kFfArgs));
  if (!f->lets.empty()) {
    b_.CreateMemSet(b_.CreateStructGEP(t, env.fframe, kFfLetState), b_.getInt8(0),
                    f->lets.size(), llvm::MaybeAlign(1));
  }
  b_.CreateRet(convert(expr(env, *f->body), f->result));
  return g;
}

Value* Lowerer::let_value(Env& env, const ast::LetDecl* let) {
  const LetInfo& info = lets_.at(let);
  switch (info.kind) {
    case LetKind::kReward:
      if (env.rframe == nullptr || env.reward != info.owner) return none();
      return b_.CreateCall(let_getter(env.reward, let), {env.rframe});
    case LetKind::kFunction:
      if (env.fframe == nullptr || env.fdecl != info.owner) return none();
      return b_.CreateCall(fn_let_getter(env.fdecl, let), {env.fframe});
    case LetKind::kConstant: return b_.CreateCall(constant_getter(let), {env.sframe});
  }
  return none();
}

// ---- expressions ----

Value* Lowerer::select_lazy(Env& env, Value* cond, const std::function<Value*()>& a,
                            const std::function<Value*()>& b) {
  auto* then_bb = BasicBlock::Create(c_, "then", env.fn);
  auto* else_bb = BasicBlock::Create(c_, "else", env.fn);
  auto* merge = BasicBlock::Create(c_, "merge", env.fn);
  b_.CreateCondBr(cond, then_bb, else_bb);
  b_.SetInsertPoint(then_bb);
  Value* va = a();
  BasicBlock* a_end = b_.GetInsertBlock();
  b_.CreateBr(merge);
  b_.SetInsertPoint(else_bb);
  Value* vb = b();
  BasicBlock* b_end = b_.GetInsertBlock();
  b_.CreateBr(merge);
  b_.SetInsertPoint(merge);
  auto* phi = b_.CreatePHI(va->getType(), 2);
  phi->addIncoming(va, a_end);
  phi->addIncoming(vb, b_end);
  return phi;
}

Value* Lowerer::expr(Env& env, const ast::Expr& e) {
  using ast::ExprKind;
  switch (e.kind) {
    case ExprKind::kNumber:
      return num(llvm::ConstantFP::get(f64_, e.as<ast::NumberExpr>().value));
    case ExprKind::kString: {
      const auto& s = e.as<ast::StringExpr>();
      return s.is_regex ? regex_literal(s) : str_literal(s.value);
    }
    case ExprKind::kBool: return make(RFT_BOOL, b_.getInt64(e.as<ast::BoolExpr>().value ? 1 : 0));
    case ExprKind::kNone:
    case ExprKind::kItem:
    case ExprKind::kTotal: return none();
    case ExprKind::kList: return list_literal(env, e.as<ast::ListExpr>());
    case ExprKind::kObject: return object_literal(env, e.as<ast::ObjectExpr>());
    case ExprKind::kName: return name(env, e.as<ast::NameExpr>());
    case ExprKind::kMember: return member(env, e.as<ast::MemberExpr>());
    case ExprKind::kIndex: {
      const auto& ix = e.as<ast::IndexExpr>();
      if (const FastPath f = fused_index(ix); f.inner != nullptr) return call(env, *f.inner, f.symbol);
      Value* base = expr(env, *ix.base);
      Value* index = expr(env, *ix.index);
      return call_builtin("rft_rt_index", {base, index});
    }
    case ExprKind::kCall: {
      const auto& c = e.as<ast::CallExpr>();
      return call(env, c);
    }
    case ExprKind::kUnary: {
      const auto& u = e.as<ast::UnaryExpr>();
      Value* v = expr(env, *u.operand);
      Value* r = u.op == ast::UnaryOp::kNot
                     ? boolean(b_.CreateICmpEQ(word_a(v), b_.getInt64(0)))
                     : num(b_.CreateFNeg(to_num(v)));
      return b_.CreateSelect(is_none(v), v, r);
    }
    case ExprKind::kBinary: return binary(env, e.as<ast::BinaryExpr>());
    case ExprKind::kIf: {
      const auto& i = e.as<ast::IfExpr>();
      Value* c = expr(env, *i.cond);
      Value* v = select_lazy(env, truthy(c), [&] { return expr(env, *i.then_expr); },
                             [&] { return expr(env, *i.else_expr); });
      return convert(v, e.type);
    }
    case ExprKind::kIsNone: {
      const auto& n = e.as<ast::IsNoneExpr>();
      Value* none_v = is_none(expr(env, *n.operand));
      return boolean(n.negated ? b_.CreateNot(none_v) : none_v);
    }
  }
  return none();
}

Value* Lowerer::name(Env& env, const ast::NameExpr& n) {
  if (auto* let = std::get_if<const ast::LetDecl*>(&n.ref)) {
    return convert(let_value(env, *let), n.type);
  }
  if (auto* c = std::get_if<const ast::ComponentDecl*>(&n.ref)) {
    if (env.rframe == nullptr) return none();
    Value* x = b_.CreateCall(component_getter(env.reward, *c), {env.rframe});
    if (n.type == types::boolean()) {
      return boolean(b_.CreateFCmpUNE(x, llvm::ConstantFP::get(f64_, 0.0)));
    }
    return num(x);
  }
  if (auto* p = std::get_if<const ast::Param*>(&n.ref)) {
    if (env.fframe == nullptr || static_cast<size_t>((*p)->index) >= env.fdecl->params.size()) {
      return none();
    }
    Value* args = load_field(fframe_type(env.fdecl), env.fframe, kFfArgs, ptr_);
    Value* v = b_.CreateLoad(
        val_, b_.CreateConstInBoundsGEP1_32(val_, args, static_cast<unsigned>((*p)->index)));
    return convert(v, n.type);
  }
  if (auto* sv = std::get_if<ast::SampleVar>(&n.ref)) {
    if (*sv == ast::SampleVar::kTruncated) {
      // rft_sample.truncated (the fifth field), read from the caller's sample.
      auto* sample_t = llvm::StructType::get(c_, {str_, str_, str_, ptr_, b_.getInt32Ty()});
      Value* sample = load_field(sframe_, env.sframe, kSfSample, ptr_);
      return boolean(
          b_.CreateICmpNE(load_field(sample_t, sample, 4, b_.getInt32Ty()), b_.getInt32(0)));
    }
    return load_field(sframe_, env.sframe,
                      *sv == ast::SampleVar::kPrompt ? kSfPrompt : kSfCompletion, val_);
  }
  return none();
}

Value* Lowerer::member(Env& env, const ast::MemberExpr& m) {
  if (auto* f = std::get_if<const ast::ItemField*>(&m.ref)) return item_field(env, *f);
  if (auto* c = std::get_if<const ast::LetDecl*>(&m.ref)) return let_value(env, *c);
  Value* base = expr(env, *m.base);
  return select_lazy(env, is_none(base), [&] { return base; },
                     [&] { return call_builtin(symbol_of("json_member("), {base, str_literal(m.member)}); });
}

Value* Lowerer::call(Env& env, const ast::CallExpr& c, std::string_view symbol) {
  // Arguments are evaluated in order; an argument that must not be none but is skips the call
  // (later arguments are not evaluated) and the call yields none.
  std::vector<Value*> args;
  BasicBlock* skip = nullptr;
  for (size_t i = 0; i < c.bound.size(); ++i) {
    Value* v = expr(env, *c.bound[i]);
    if (c.unwrap[i]) {
      if (skip == nullptr) skip = BasicBlock::Create(c_, "skip", env.fn);
      auto* go = BasicBlock::Create(c_, "arg", env.fn);
      b_.CreateCondBr(is_none(v), skip, go);
      b_.SetInsertPoint(go);
    }
    args.push_back(v);
  }
  for (size_t i = 0; i < args.size(); ++i) args[i] = convert(args[i], c.param_types[i]);
  Value* result = none();
  if (auto* b = std::get_if<const grader::Builtin*>(&c.target)) {
    // The fuel of the call as written; a fast path (`symbol`) is charged as its inner call, which
    // is what the interpreter charges for it.
    auto fuel_t = llvm::FunctionType::get(b_.getVoidTy(), {ptr_, ptr_, i64_}, false);
    b_.CreateCall(runtime("rft_rt_fuel_builtin", fuel_t),
                  {current_ctx_, value_array(args), b_.getInt64(args.size())});
    result = call_builtin(symbol.empty() ? (*b)->symbol : symbol, args);
  } else if (auto* fn = std::get_if<const ast::FnDecl*>(&c.target)) {
    Value* arr = value_array(args);
    result = convert(b_.CreateCall(user_function(*fn), {env.sframe, arr}), (*fn)->result);
  } else if (auto* j = std::get_if<const ast::JudgeDecl*>(&c.target)) {
    result = judge_call(env, **j, args);
  }
  if (skip == nullptr) return result;
  BasicBlock* done = b_.GetInsertBlock();
  auto* merge = BasicBlock::Create(c_, "called", env.fn);
  b_.CreateBr(merge);
  b_.SetInsertPoint(skip);
  b_.CreateBr(merge);
  b_.SetInsertPoint(merge);
  auto* phi = b_.CreatePHI(val_, 2);
  phi->addIncoming(result, done);
  phi->addIncoming(none(), skip);
  return phi;
}

Value* Lowerer::judge_call(Env& env, const ast::JudgeDecl& j, const std::vector<Value*>& args) {
  llvm::GlobalVariable*& info = judges_[&j];
  if (info == nullptr) {
    std::vector<llvm::Constant*> names;
    for (const auto& p : j.params) names.push_back(cstr_ptr(p.name));
    auto* names_t = llvm::ArrayType::get(ptr_, names.size());
    auto* names_g = new llvm::GlobalVariable(*m_, names_t, true, llvm::GlobalValue::PrivateLinkage,
                                             llvm::ConstantArray::get(names_t, names), "judge.params");
    auto* t = llvm::StructType::get(c_, {ptr_, ptr_, i32_, ptr_, f64_});
    auto* init = llvm::ConstantStruct::get(
        t, {cstr_ptr(j.name), cstr_ptr(j.prompt_template), b_.getInt32(j.params.size()), names_g,
            llvm::ConstantFP::get(f64_, j.on_error)});
    info = new llvm::GlobalVariable(*m_, t, true, llvm::GlobalValue::PrivateLinkage, init,
                                    "judge." + j.name);
  }
  Value* arr = value_array(args);
  Value* out = entry_alloca(val_);
  auto t = llvm::FunctionType::get(b_.getVoidTy(), {ptr_, ptr_, ptr_, ptr_, ptr_, ptr_, ptr_}, false);
  b_.CreateCall(runtime("rft_rt_judge", t),
                {current_ctx_, info, arr, b_.CreateStructGEP(sframe_, env.sframe, kSfPrompt),
                 b_.CreateStructGEP(sframe_, env.sframe, kSfCompletion),
                 load_field(sframe_, env.sframe, kSfItem, ptr_), out});
  return b_.CreateLoad(val_, out);
}

Value* Lowerer::binary(Env& env, const ast::BinaryExpr& b) {
  using ast::BinaryOp;
  auto true_v = [&] { return make(RFT_BOOL, b_.getInt64(1)); };
  auto false_v = [&] { return make(RFT_BOOL, b_.getInt64(0)); };
  switch (b.op) {
    case BinaryOp::kAnd: {
      Value* l = expr(env, *b.lhs);
      return select_lazy(env, truthy(l), [&] { return boolean(truthy(expr(env, *b.rhs))); },
                         false_v);
    }
    case BinaryOp::kOr: {
      Value* l = expr(env, *b.lhs);
      return select_lazy(env, truthy(l), true_v,
                         [&] { return boolean(truthy(expr(env, *b.rhs))); });
    }
    case BinaryOp::kCoalesce: {
      Value* l = expr(env, *b.lhs);
      Value* v = select_lazy(env, is_none(l), [&] { return expr(env, *b.rhs); },
                             [&] { return l; });
      return convert(v, b.type);
    }
    default: break;
  }
  Value* l = expr(env, *b.lhs);
  Value* r = expr(env, *b.rhs);
  Value* any_none = b_.CreateOr(is_none(l), is_none(r));
  if (ast::is_comparison(b.op)) {
    // A comparison with none is false, whatever the operator.
    Value* x = to_num(l);
    Value* y = to_num(r);
    switch (b.op) {
      case BinaryOp::kEq:
      case BinaryOp::kNe: {
        bool ne = b.op == BinaryOp::kNe;
        return select_lazy(env, any_none, false_v, [&] {
          Value* numeric = b_.CreateAnd(is_numeric(l), is_numeric(r));
          return select_lazy(
              env, numeric,
              [&] { return boolean(ne ? b_.CreateFCmpUNE(x, y) : b_.CreateFCmpOEQ(x, y)); },
              [&] {
                Value* eq = call_builtin("rft_rt_equal", {l, r});
                Value* bit = b_.CreateICmpNE(word_a(eq), b_.getInt64(0));
                return boolean(ne ? b_.CreateNot(bit) : bit);
              });
        });
      }
      case BinaryOp::kLt: return boolean(b_.CreateAnd(b_.CreateNot(any_none), b_.CreateFCmpOLT(x, y)));
      case BinaryOp::kLe: return boolean(b_.CreateAnd(b_.CreateNot(any_none), b_.CreateFCmpOLE(x, y)));
      case BinaryOp::kGt: return boolean(b_.CreateAnd(b_.CreateNot(any_none), b_.CreateFCmpOGT(x, y)));
      case BinaryOp::kGe: return boolean(b_.CreateAnd(b_.CreateNot(any_none), b_.CreateFCmpOGE(x, y)));
      case BinaryOp::kApprox:
        return select_lazy(env, any_none, false_v, [&] {
          return call_builtin(symbol_of("approx("),
                              {num(x), num(y), num(llvm::ConstantFP::get(f64_, 1e-9)),
                               num(llvm::ConstantFP::get(f64_, 1e-12))});
        });
      default: return false_v();
    }
  }
  if (b.op == BinaryOp::kAdd && b.type != nullptr &&
      types::strip_optional(b.type)->kind == types::Kind::kStr) {
    return select_lazy(env, any_none, [&] { return none(); },
                       [&] { return call_builtin("rft_rt_concat", {l, r}); });
  }
  Value* x = to_num(l);
  Value* y = to_num(r);
  Value* v = nullptr;
  switch (b.op) {
    case BinaryOp::kAdd: v = b_.CreateFAdd(x, y); break;
    case BinaryOp::kSub: v = b_.CreateFSub(x, y); break;
    case BinaryOp::kMul: v = b_.CreateFMul(x, y); break;
    case BinaryOp::kDiv: v = b_.CreateFDiv(x, y); break;  // IEEE: x/0 is ±inf, 0/0 is NaN
    case BinaryOp::kMod: {
      // Python-style modulo: the result has the sign of the divisor.
      Value* rem = b_.CreateFRem(x, y);
      Value* zero = llvm::ConstantFP::get(f64_, 0.0);
      Value* fix = b_.CreateAnd(b_.CreateFCmpUNE(rem, zero),
                                b_.CreateXor(b_.CreateFCmpOLT(rem, zero), b_.CreateFCmpOLT(y, zero)));
      v = b_.CreateSelect(fix, b_.CreateFAdd(rem, y), rem);
      break;
    }
    default: return none();
  }
  return b_.CreateSelect(any_none, none(), num(v));
}

Value* Lowerer::regex_literal(const ast::StringExpr& s) {
  llvm::GlobalVariable*& slot = regex_slots_[&s];
  if (slot == nullptr) {
    slot = new llvm::GlobalVariable(*m_, ptr_, false, llvm::GlobalValue::InternalLinkage,
                                    llvm::ConstantPointerNull::get(llvm::PointerType::getUnqual(c_)),
                                    "regex");
    regexes_.emplace_back(s.value, slot);
  }
  return make(RFT_REGEX, b_.CreatePtrToInt(b_.CreateLoad(ptr_, slot), i64_));
}

Value* Lowerer::list_literal(Env& env, const ast::ListExpr& l) {
  std::vector<Value*> items;
  const types::Type* item_type = types::list_item(l.type);
  for (const auto& e : l.elems) items.push_back(convert(expr(env, *e), item_type));
  if (items.empty()) return make(RFT_LIST, b_.getInt64(0), b_.getInt64(0));
  auto t = llvm::FunctionType::get(ptr_, {ptr_, i64_, i64_}, false);
  Value* mem = b_.CreateCall(runtime("rft_ctx_alloc", t),
                             {current_ctx_, b_.getInt64(items.size() * sizeof(rft_value)),
                              b_.getInt64(alignof(rft_value))});
  for (size_t i = 0; i < items.size(); ++i) {
    b_.CreateStore(items[i], b_.CreateConstInBoundsGEP1_32(val_, mem, static_cast<unsigned>(i)));
  }
  return make(RFT_LIST, b_.CreatePtrToInt(mem, i64_), b_.getInt64(items.size()));
}

Value* Lowerer::object_literal(Env& env, const ast::ObjectExpr& o) {
  std::vector<Value*> values;
  std::vector<llvm::Constant*> keys;
  for (const auto& f : o.fields) {
    values.push_back(expr(env, *f.value));
    keys.push_back(llvm::ConstantStruct::get(
        str_, {llvm::cast<llvm::Constant>(cstring(f.key)), b_.getInt64(f.key.size())}));
  }
  auto* keys_t = llvm::ArrayType::get(str_, keys.size());
  auto* keys_g = new llvm::GlobalVariable(*m_, keys_t, true, llvm::GlobalValue::PrivateLinkage,
                                          llvm::ConstantArray::get(keys_t, keys), "object.keys");
  Value* arr = value_array(values);
  Value* out = entry_alloca(val_);
  auto t = llvm::FunctionType::get(b_.getVoidTy(), {ptr_, i64_, ptr_, ptr_, ptr_}, false);
  b_.CreateCall(runtime("rft_rt_object", t),
                {current_ctx_, b_.getInt64(values.size()), keys_g, arr, out});
  return b_.CreateLoad(val_, out);
}

// ---- rewards and the info block ----

Function* Lowerer::reward_function(const ast::RewardDecl* r, const ast::ItemDecl* item) {
  auto* fty = llvm::FunctionType::get(i32_, {ptr_, ptr_, ptr_, ptr_}, false);
  Function* f = Function::Create(fty, llvm::GlobalValue::InternalLinkage, "reward." + r->name, *m_);
  b_.SetInsertPoint(BasicBlock::Create(c_, "entry", f));
  Value* ctx = f->getArg(0);
  Value* sample = f->getArg(1);
  Value* total_out = f->getArg(2);
  Value* comps_out = f->getArg(3);
  current_ctx_ = ctx;
  auto* sample_t = llvm::StructType::get(c_, {str_, str_, str_, ptr_});

  Env env;
  env.fn = f;
  env.sframe = b_.CreateAlloca(sframe_);
  b_.CreateStore(ctx, b_.CreateStructGEP(sframe_, env.sframe, kSfCtx));
  b_.CreateStore(sample, b_.CreateStructGEP(sframe_, env.sframe, kSfSample));
  if (n_constants_ > 0) {
    b_.CreateMemSet(b_.CreateStructGEP(sframe_, env.sframe, kSfConstState), b_.getInt8(0),
                    n_constants_, llvm::MaybeAlign(1));
  }
  if (n_items_ > 0) {
    b_.CreateMemSet(b_.CreateStructGEP(sframe_, env.sframe, kSfItemState), b_.getInt8(0), n_items_,
                    llvm::MaybeAlign(1));
  }
  b_.CreateCall(
      runtime("rft_rt_fuel_start", llvm::FunctionType::get(b_.getVoidTy(), {ptr_}, false)), {ctx});
  // Model output is untrusted: invalid UTF-8 is replaced and flagged before anything reads it.
  auto input_t = llvm::FunctionType::get(b_.getVoidTy(), {ptr_, ptr_, ptr_}, false);
  b_.CreateCall(runtime("rft_rt_input", input_t),
                {ctx, b_.CreateStructGEP(sample_t, sample, 0),
                 b_.CreateStructGEP(sframe_, env.sframe, kSfPrompt)});
  b_.CreateCall(runtime("rft_rt_input", input_t),
                {ctx, b_.CreateStructGEP(sample_t, sample, 1),
                 b_.CreateStructGEP(sframe_, env.sframe, kSfCompletion)});
  auto doc_t = llvm::FunctionType::get(ptr_, {ptr_, ptr_}, false);
  b_.CreateStore(b_.CreateCall(runtime("rft_rt_item_doc", doc_t), {ctx, sample}),
                 b_.CreateStructGEP(sframe_, env.sframe, kSfItem));

  llvm::StructType* rt = rframe_type(r);
  env.rframe = b_.CreateAlloca(rt);
  env.reward = r;
  b_.CreateStore(env.sframe, b_.CreateStructGEP(rt, env.rframe, kRfSample));
  if (!r->lets.empty()) {
    b_.CreateMemSet(b_.CreateStructGEP(rt, env.rframe, kRfLetState), b_.getInt8(0), r->lets.size(),
                    llvm::MaybeAlign(1));
  }
  // The values written out: the components, then the monitors (each at its slot).
  const size_t n_values = r->components.size() + r->monitors.size();
  if (n_values != 0) {
    b_.CreateMemSet(b_.CreateStructGEP(rt, env.rframe, kRfCompState), b_.getInt8(0), n_values,
                    llvm::MaybeAlign(1));
  }

  auto store_component = [&](size_t i, Value* x) {
    b_.CreateStore(x, b_.CreateConstInBoundsGEP1_32(f64_, comps_out, static_cast<unsigned>(i)));
  };
  Value* on_invalid = llvm::ConstantFP::get(f64_, r->on_invalid);

  // A row without a field the spec declares cannot be graded: every field is converted (each
  // problem flagged), then the total is on_invalid.
  Value* item_ok = b_.getTrue();
  if (item != nullptr) {
    for (const auto& field : item->fields) {
      if (field.type == nullptr) continue;
      Value* v = item_field(env, &field);
      if (!types::is_optional(field.type)) item_ok = b_.CreateAnd(item_ok, b_.CreateNot(is_none(v)));
    }
  }
  auto* invalid = BasicBlock::Create(c_, "invalid_item", f);
  auto* body = BasicBlock::Create(c_, "grade", f);
  b_.CreateCondBr(item_ok, body, invalid);
  b_.SetInsertPoint(invalid);
  flag(ctx, "invalid_total");
  b_.CreateStore(on_invalid, total_out);
  for (size_t i = 0; i < n_values; ++i) store_component(i, llvm::ConstantFP::get(f64_, 0.0));
  b_.CreateRet(b_.getInt32(0));

  b_.SetInsertPoint(body);
  Value* total = on_invalid;
  if (r->total) {
    Value* t = expr(env, *r->total);
    Value* x = to_num(t);
    Value* finite = b_.CreateFCmpONE(b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x),
                                     llvm::ConstantFP::getInfinity(f64_));
    Value* bad = b_.CreateOr(is_none(t), b_.CreateNot(finite));
    total = select_lazy(
        env, bad,
        [&] {
          flag(ctx, "invalid_total");
          return on_invalid;
        },
        [&] { return x; });
  }
  b_.CreateStore(total, total_out);
  // Monitors are always evaluated, judges included (they were declared to be logged), before
  // the components the total did not need, which are evaluated now for the log except those
  // that would call a judge: gating must save that call. As in the interpreter.
  for (const auto& m : r->monitors) {
    store_component(static_cast<size_t>(m->slot),
                    b_.CreateCall(component_getter(r, m.get()), {env.rframe}));
  }
  for (const auto& c : r->components) {
    if (program::calls_judge(*c)) {
      Value* state_ptr = slot_ptr(rt, env.rframe, kRfCompState, static_cast<unsigned>(c->slot));
      auto* skip = BasicBlock::Create(c_, "skip", f);
      auto* next = BasicBlock::Create(c_, "next", f);
      b_.CreateCondBr(b_.CreateICmpNE(b_.CreateLoad(i8_, state_ptr), b_.getInt8(2)), skip, next);
      b_.SetInsertPoint(skip);
      flag(ctx, "skipped:" + c->name);
      b_.CreateStore(llvm::ConstantFP::get(f64_, 0.0),
                     slot_ptr(rt, env.rframe, kRfComps, static_cast<unsigned>(c->slot)));
      b_.CreateStore(b_.getInt8(2), state_ptr);
      b_.CreateBr(next);
      b_.SetInsertPoint(next);
    }
    store_component(static_cast<size_t>(c->slot),
                    b_.CreateCall(component_getter(r, c.get()), {env.rframe}));
  }
  auto end_t = llvm::FunctionType::get(b_.getVoidTy(), {ptr_, f64_, i64_, ptr_, ptr_}, false);
  b_.CreateCall(runtime("rft_rt_fuel_end", end_t),
                {ctx, on_invalid, b_.getInt64(n_values), total_out, comps_out});
  b_.CreateRet(b_.getInt32(0));
  return f;
}

void Lowerer::info_block(
    const std::vector<std::pair<const ast::RewardDecl*, const ast::ItemDecl*>>& rewards,
    const std::vector<Function*>& fns) {
  auto names_array = [&](const std::vector<std::string>& names, const char* what) -> llvm::Constant* {
    std::vector<llvm::Constant*> ptrs;
    for (const auto& n : names) ptrs.push_back(cstr_ptr(n));
    auto* t = llvm::ArrayType::get(ptr_, ptrs.size());
    return new llvm::GlobalVariable(*m_, t, true, llvm::GlobalValue::PrivateLinkage,
                                    llvm::ConstantArray::get(t, ptrs), what);
  };
  auto* reward_t = llvm::StructType::get(
      c_, {ptr_, i32_, ptr_, i32_, ptr_, i32_, ptr_, i32_, ptr_, ptr_, f64_, ptr_});
  std::vector<llvm::Constant*> infos;
  for (size_t i = 0; i < rewards.size(); ++i) {
    const auto* r = rewards[i].first;
    const auto* item = rewards[i].second;
    std::vector<std::string> comps, monitors, judges, fields, field_types;
    for (const auto& c : r->components) comps.push_back(c->name);
    for (const auto& m : r->monitors) monitors.push_back(m->name);
    for (const auto* j : r->judges_used) judges.push_back(j->name);
    if (item != nullptr) {
      for (const auto& f : item->fields) {
        if (f.type == nullptr) continue;
        fields.push_back(f.name);
        field_types.push_back(types::to_string(f.type));
      }
    }
    infos.push_back(llvm::ConstantStruct::get(
        reward_t,
        {cstr_ptr(r->name), b_.getInt32(comps.size()), names_array(comps, "components"),
         b_.getInt32(monitors.size()), names_array(monitors, "monitors"),
         b_.getInt32(judges.size()), names_array(judges, "judges"), b_.getInt32(fields.size()),
         names_array(fields, "item_fields"), names_array(field_types, "item_types"),
         llvm::ConstantFP::get(f64_, r->on_invalid), fns[i]}));
  }
  auto* rewards_t = llvm::ArrayType::get(reward_t, infos.size());
  auto* rewards_g = new llvm::GlobalVariable(*m_, rewards_t, true, llvm::GlobalValue::PrivateLinkage,
                                             llvm::ConstantArray::get(rewards_t, infos), "rewards");

  // init compiles every regex literal into its slot; fini frees them.
  auto* init = Function::Create(llvm::FunctionType::get(i32_, false),
                                llvm::GlobalValue::InternalLinkage, "init", *m_);
  b_.SetInsertPoint(BasicBlock::Create(c_, "entry", init));
  auto new_t = llvm::FunctionType::get(i32_, {ptr_, i64_, ptr_}, false);
  Value* failed = b_.getInt32(0);
  for (const auto& [pattern, slot] : regexes_) {
    Value* rc = b_.CreateCall(runtime("rft_rt_regex_new", new_t),
                              {cstring(pattern), b_.getInt64(pattern.size()), slot});
    failed = b_.CreateOr(failed, rc);
  }
  b_.CreateRet(failed);
  auto* fini = Function::Create(llvm::FunctionType::get(b_.getVoidTy(), false),
                                llvm::GlobalValue::InternalLinkage, "fini", *m_);
  b_.SetInsertPoint(BasicBlock::Create(c_, "entry", fini));
  auto free_t = llvm::FunctionType::get(b_.getVoidTy(), {ptr_}, false);
  for (const auto& [pattern, slot] : regexes_) {
    b_.CreateCall(runtime("rft_rt_regex_free", free_t), {b_.CreateLoad(ptr_, slot)});
    b_.CreateStore(llvm::ConstantPointerNull::get(llvm::PointerType::getUnqual(c_)), slot);
  }
  b_.CreateRetVoid();

  auto* info_t = llvm::StructType::get(c_, {i32_, i32_, ptr_, ptr_, ptr_, ptr_, ptr_});
  auto* info = new llvm::GlobalVariable(
      *m_, info_t, true, llvm::GlobalValue::PrivateLinkage,
      llvm::ConstantStruct::get(info_t, {b_.getInt32(RFT_GRADER_ABI_VERSION),
                                         b_.getInt32(infos.size()), rewards_g,
                                         cstr_ptr(source_hash_), cstr_ptr(compiler_), init, fini}),
      "info");
  auto* entry = Function::Create(llvm::FunctionType::get(ptr_, false),
                                 llvm::GlobalValue::ExternalLinkage, RFT_GRADER_ENTRY, *m_);
  b_.SetInsertPoint(BasicBlock::Create(c_, "entry", entry));
  b_.CreateRet(info);
}

std::unique_ptr<llvm::Module> Lowerer::run() {
  index_program();
  sframe_type();
  std::vector<std::pair<const ast::RewardDecl*, const ast::ItemDecl*>> rewards;
  std::vector<Function*> fns;
  std::unordered_set<std::string> seen;
  for (const ast::Module* m : program_.roots) {
    for (const auto& r : m->rewards) {
      if (!seen.insert(r->name).second) continue;
      rewards.emplace_back(r.get(), m->item.get());
      fns.push_back(reward_function(r.get(), m->item.get()));
    }
  }
  info_block(rewards, fns);
  return std::move(m_);
}

}  // namespace

std::unique_ptr<llvm::Module> lower_program(const Program& program, llvm::LLVMContext& llvm_ctx,
                                            const std::string& source_hash,
                                            const std::string& compiler) {
  return Lowerer(program, llvm_ctx, source_hash, compiler).run();
}

}  // namespace rft::codegen
