// The one translation unit that includes ANTLR-generated headers: it runs the generated parser
// with rft's error strategy and turns the parse tree into the AST (compiler/ast/ast.h).
#include "compiler/parse/parser.h"

#include <charconv>
#include <set>
#include <stack>
#include <string>
#include <string_view>
#include <vector>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Woverloaded-virtual"
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
#include "RewardLexer.h"
#include "RewardParser.h"
#include "antlr4-runtime.h"
#pragma GCC diagnostic pop

#include "compiler/diag/codes.h"
#include "runtime/grader/utf8.h"

namespace rft::parse {
namespace {

using grammar::RewardLexer;
using grammar::RewardParser;
using antlr4::ParserRuleContext;
using antlr4::Token;
using antlr4::tree::TerminalNode;

// ---- positions: ANTLR counts code points; rft counts bytes ----

class Positions {
 public:
  Positions(FileId file, std::string_view text) : file_(file) {
    // ANTLRInputStream drops a leading byte order mark, so ANTLR's code point 0 follows it.
    uint32_t start = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    for (uint32_t i = start; i < text.size(); ++i) {
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) byte_of_cp_.push_back(i);
    }
    byte_of_cp_.push_back(static_cast<uint32_t>(text.size()));
  }

  uint32_t byte(size_t cp) const {
    return cp < byte_of_cp_.size() ? byte_of_cp_[cp] : byte_of_cp_.back();
  }
  SourceRange token(const Token* t) const {
    if (t == nullptr) return {file_, 0, 0};
    if (t->getType() == Token::EOF) {
      uint32_t end = byte_of_cp_.back();
      return {file_, end, end};
    }
    return {file_, byte(t->getStartIndex()), byte(t->getStopIndex() + 1)};
  }
  SourceRange node(TerminalNode* n) const { return token(n ? n->getSymbol() : nullptr); }
  SourceRange rule(ParserRuleContext* ctx) const {
    SourceRange a = token(ctx->getStart());
    const Token* stop = ctx->getStop();
    // An empty rule has its stop before its start.
    if (stop == nullptr || stop->getTokenIndex() < ctx->getStart()->getTokenIndex()) return a;
    return SourceRange::cover(a, token(stop));
  }
  FileId file() const { return file_; }

 private:
  FileId file_;
  std::vector<uint32_t> byte_of_cp_;
};

// ---- syntax errors ----

struct SyntaxErrors {
  const Positions* pos = nullptr;
  Diagnostics* diags = nullptr;
  std::vector<uint32_t> offsets;  // byte offsets of every reported error

  std::set<size_t> lines;          // lines that already have a reported error

  // Reports one syntax error per line: the others on a line are nearly always echoes of the
  // first, which is the one to fix.
  void report(const Token* at, std::string message, std::string hint = {}) {
    SourceRange r = pos->token(at);
    offsets.push_back(r.begin);
    if (at != nullptr && !lines.insert(at->getLine()).second) return;
    diags->error(std::string(codes::kSyntax), r, std::move(message), std::move(hint));
  }
};

struct NestingTooDeep {};

std::string display(const antlr4::dfa::Vocabulary& vocab, size_t type) {
  if (type == Token::EOF) return "end of file";
  switch (type) {
    case RewardParser::ID: return "a name";
    case RewardParser::NUMBER: return "a number";
    case RewardParser::STRING:
    case RewardParser::RAW_STRING:
    case RewardParser::TRIPLE_STRING: return "a string";
    default: break;
  }
  std::string lit = vocab.getLiteralName(type);
  if (lit.size() >= 2 && lit.front() == '\'') lit = lit.substr(1, lit.size() - 2);
  return "`" + lit + "`";
}

std::string describe(const Token* t) {
  if (t == nullptr || t->getType() == Token::EOF) return "end of file";
  std::string text = t->getText();
  if (text.size() > 40) {
    // Cut at a character boundary: the message must stay valid UTF-8.
    size_t cut = 37;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut) + "...";
  }
  return "`" + text + "`";
}

// Turns ANTLR's messages into short ones and records every error's position, so that the AST
// builder can tell which declarations are intact.
class ErrorStrategy : public antlr4::DefaultErrorStrategy {
 public:
  explicit ErrorStrategy(SyntaxErrors* sink) : sink_(sink) {}

 protected:
  void reportNoViableAlternative(antlr4::Parser* p,
                                 const antlr4::NoViableAltException& e) override {
    report_unexpected(e.getOffendingToken(), hint_for(p));
  }
  void reportInputMismatch(antlr4::Parser* p, const antlr4::InputMismatchException& e) override {
    sink_->report(e.getOffendingToken(),
                  "expected " + expected_list(p, e.getExpectedTokens()) + ", found " +
                      describe(e.getOffendingToken()),
                  hint_for(p));
  }
  void reportFailedPredicate(antlr4::Parser* /*p*/,
                             const antlr4::FailedPredicateException& e) override {
    report_unexpected(e.getOffendingToken());
  }
  void reportUnwantedToken(antlr4::Parser* p) override {
    if (inErrorRecoveryMode(p)) return;
    beginErrorCondition(p);
    report_unexpected(p->getCurrentToken(), hint_for(p));
  }
  void reportMissingToken(antlr4::Parser* p) override {
    if (inErrorRecoveryMode(p)) return;
    beginErrorCondition(p);
    Token* t = p->getCurrentToken();
    sink_->report(t, "expected " + expected_list(p, getExpectedTokens(p)) + " before " +
                         describe(t),
                  hint_for(p));
  }

 private:
  // Lexical errors (bad characters, unterminated strings) were reported before parsing; what
  // the parser says about them on the same line is dropped by SyntaxErrors::report.
  void report_unexpected(Token* t, std::string hint = {}) {
    if (t != nullptr && t->getType() == Token::EOF) {
      sink_->report(t, "unexpected end of file", "a `}` or `)` may be missing");
    } else {
      sink_->report(t, "unexpected " + describe(t), std::move(hint));
    }
  }
  // A hint for the one mistake whose message alone would puzzle: a block without `return`.
  static std::string hint_for(antlr4::Parser* p) {
    if (dynamic_cast<RewardParser::FnBodyContext*>(p->getContext()) != nullptr) {
      return "a function block ends with `return <expression>`";
    }
    return {};
  }
  std::string expected_list(antlr4::Parser* p, const antlr4::misc::IntervalSet& set) {
    std::vector<ssize_t> types = set.toList();
    if (set.contains(static_cast<ssize_t>(RewardParser::NUMBER))) return "an expression";
    if (types.empty() || types.size() > 4) return "something else";
    if (set.contains(static_cast<ssize_t>(RewardParser::ID)) && types.size() > 2) return "a name";
    std::string out;
    for (size_t i = 0; i < types.size(); ++i) {
      if (i > 0) out += i + 1 == types.size() ? " or " : ", ";
      out += display(p->getVocabulary(), static_cast<size_t>(types[i]));
    }
    return out;
  }

  SyntaxErrors* sink_;
};

// The generated parser with a guard on nesting depth, so that `((((...` cannot exhaust the stack.
// Bounds how deep rules nest while parsing, so that `((((...` cannot exhaust the stack. It counts
// the parser's rule events, which stay balanced (exitRule itself is not virtual), at O(1) each:
// measuring the context chain at every rule instead made long `a + a + ...` chains quadratic.
// Left-recursive chains count too, one level per operator, which the AST bounds the same way.
class DepthGuard : public antlr4::tree::ParseTreeListener {
 public:
  explicit DepthGuard(antlr4::Parser* parser) : parser_(parser) {}

  void enterEveryRule(ParserRuleContext*) override {
    // Every level of expression nesting enters about three rules.
    if (++depth_ > kMaxNesting * 3) {
      deepest_token = parser_->getCurrentToken();
      throw NestingTooDeep{};
    }
  }
  void exitEveryRule(ParserRuleContext*) override { --depth_; }
  void visitTerminal(antlr4::tree::TerminalNode*) override {}
  void visitErrorNode(antlr4::tree::ErrorNode*) override {}

  Token* deepest_token = nullptr;

 private:
  antlr4::Parser* parser_;
  int depth_ = 0;
};

// ---- string literals ----

// Removes the indentation that a multi-line string shares with the code around it: a first line
// that is blank is dropped, a last line that is blank is dropped, and the common leading
// whitespace of the remaining lines after the first is removed.
std::string dedent(std::string_view s) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (true) {
    size_t nl = s.find('\n', start);
    lines.push_back(s.substr(start, nl == std::string_view::npos ? s.npos : nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  auto blank = [](std::string_view l) { return l.find_first_not_of(" \t\r") == l.npos; };
  bool first_dropped = false;
  if (lines.size() > 1 && blank(lines.front())) {
    lines.erase(lines.begin());
    first_dropped = true;
  }
  if (lines.size() > 1 && blank(lines.back())) lines.pop_back();
  size_t common = std::string_view::npos;
  for (size_t i = first_dropped ? 0 : 1; i < lines.size(); ++i) {
    if (blank(lines[i])) continue;
    size_t indent = lines[i].find_first_not_of(" \t");
    common = std::min(common, indent);
  }
  if (common == std::string_view::npos) common = 0;
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += '\n';
    std::string_view l = lines[i];
    if (i > 0 || first_dropped) l.remove_prefix(std::min(common, blank(l) ? l.size() : common));
    out += l;
  }
  return out;
}

// ---- parse tree → AST ----

class Builder {
 public:
  Builder(const Positions& pos, Diagnostics& diags, const std::vector<uint32_t>& error_offsets)
      : pos_(pos), diags_(diags), errors_(error_offsets) {}

  std::unique_ptr<ast::Module> build(RewardParser::File_Context* file, const SourceFile& src) {
    auto m = std::make_unique<ast::Module>();
    m->file = src.id();
    m->path = src.path();
    module_ = m.get();
    for (auto* decl : file->topDecl()) top_decl(decl);
    return m;
  }

 private:
  // Whether a rule's tokens contain a reported syntax error or a recovery node.
  bool damaged(ParserRuleContext* ctx) const {
    if (ctx == nullptr) return true;
    SourceRange r = pos_.rule(ctx);
    for (uint32_t off : errors_) {
      if (off >= r.begin && off < r.end) return true;
    }
    std::vector<antlr4::tree::ParseTree*> stack{ctx};
    while (!stack.empty()) {
      auto* node = stack.back();
      stack.pop_back();
      if (dynamic_cast<antlr4::tree::ErrorNode*>(node) != nullptr) return true;
      if (auto* rule = dynamic_cast<ParserRuleContext*>(node)) {
        if (rule->exception != nullptr) return true;
      }
      for (auto* child : node->children) stack.push_back(child);
    }
    return false;
  }

  void mark_broken(TerminalNode* id) {
    if (id != nullptr && dynamic_cast<antlr4::tree::ErrorNode*>(id) == nullptr) {
      module_->broken_names.push_back(id->getText());
    }
  }

  void top_decl(RewardParser::TopDeclContext* d) {
    if (auto* imp = d->importDecl()) {
      if (!damaged(imp)) import_decl(imp);
    } else if (auto* item = d->itemDecl()) {
      item_decl(item);
    } else if (auto* fn = d->fnDecl()) {
      if (damaged(fn)) return mark_broken(fn->ID());
      fn_decl(fn);
    } else if (auto* let = d->letDecl()) {
      if (damaged(let)) return mark_broken(let->ID());
      if (auto decl = let_decl(let)) {
        module_->constants.push_back(std::move(decl));
      } else {
        mark_broken(let->ID());
      }
    } else if (auto* reward = d->rewardDecl()) {
      reward_decl(reward);
    } else if (auto* judge = d->judgeDecl()) {
      if (damaged(judge)) return mark_broken(judge->ID());
      judge_decl(judge);
    } else if (auto* test = d->testDecl()) {
      test_decl(test);
    }
  }

  void import_decl(RewardParser::ImportDeclContext* c) {
    ast::ImportDecl imp;
    imp.range = pos_.rule(c);
    if (auto* dn = c->dottedName()) {
      for (auto* id : dn->ID()) {
        if (!imp.path.empty()) imp.path += '.';
        imp.path += id->getText();
      }
      imp.alias = dn->ID().back()->getText();
    } else {
      std::optional<std::string> s = string_value(c->string());
      if (!s) return;
      imp.path = *s;
      imp.is_file = true;
    }
    if (c->AS() != nullptr) {
      imp.alias = c->ID()->getText();
    } else if (imp.is_file) {
      diags_.error(std::string(codes::kImportNeedsAlias), imp.range,
                   "a file import needs a name", "write `import \"" + imp.path + "\" as name`");
      return;
    }
    module_->imports.push_back(std::move(imp));
  }

  void item_decl(RewardParser::ItemDeclContext* c) {
    auto item = std::make_unique<ast::ItemDecl>();
    item->range = pos_.rule(c);
    for (auto* f : c->field()) {
      if (damaged(f)) continue;
      std::optional<ast::TypeExpr> t = type_expr(f->type());
      if (!t) continue;
      item->fields.push_back({f->ID()->getText(), pos_.node(f->ID()), std::move(*t), nullptr});
    }
    if (module_->item) {
      diags_.error(std::string(codes::kDuplicate), item->range,
                   "`item` is declared twice in this file", "merge the fields into one `item`");
      return;
    }
    module_->item = std::move(item);
  }

  std::optional<ast::TypeExpr> type_expr(RewardParser::TypeContext* c) {
    if (c == nullptr || c->ID() == nullptr) return std::nullopt;
    ast::TypeExpr t;
    t.name = c->ID()->getText();
    t.range = pos_.rule(c);
    t.optional = c->QUESTION() != nullptr;
    if (c->type() != nullptr) {
      std::optional<ast::TypeExpr> arg = type_expr(c->type());
      if (!arg) return std::nullopt;
      t.arg = std::make_unique<ast::TypeExpr>(std::move(*arg));
    }
    return t;
  }

  std::optional<ast::Param> param(RewardParser::ParamContext* c) {
    std::optional<ast::TypeExpr> t = type_expr(c->type());
    if (!t || c->ID() == nullptr) return std::nullopt;
    ast::Param p;
    p.name = c->ID()->getText();
    p.name_range = pos_.node(c->ID());
    p.type_expr = std::move(*t);
    if (c->expr() != nullptr) {
      p.default_value = expr(c->expr());
      if (!p.default_value) return std::nullopt;
    }
    return p;
  }

  bool params(const std::vector<RewardParser::ParamContext*>& in, std::vector<ast::Param>& out) {
    for (auto* pc : in) {
      std::optional<ast::Param> p = param(pc);
      if (!p) return false;
      p->index = static_cast<int>(out.size());
      out.push_back(std::move(*p));
    }
    return true;
  }

  std::unique_ptr<ast::LetDecl> let_decl(RewardParser::LetDeclContext* c) {
    if (c->ID() == nullptr) return nullptr;
    auto let = std::make_unique<ast::LetDecl>();
    let->name = c->ID()->getText();
    let->name_range = pos_.node(c->ID());
    let->range = pos_.rule(c);
    if (c->type() != nullptr) {
      let->declared = type_expr(c->type());
      if (!let->declared) return nullptr;
    }
    let->value = expr(c->expr());
    if (!let->value) return nullptr;
    return let;
  }

  void fn_decl(RewardParser::FnDeclContext* c) {
    auto fn = std::make_unique<ast::FnDecl>();
    fn->name = c->ID()->getText();
    fn->name_range = pos_.node(c->ID());
    fn->range = pos_.rule(c);
    if (!params(c->param(), fn->params)) return mark_broken(c->ID());
    if (c->type() != nullptr) {
      fn->declared_result = type_expr(c->type());
      if (!fn->declared_result) return mark_broken(c->ID());
    }
    auto* body = c->fnBody();
    for (auto* l : body->letDecl()) {
      auto let = let_decl(l);
      if (!let) return mark_broken(c->ID());
      fn->lets.push_back(std::move(let));
    }
    fn->body = expr(body->expr());
    if (!fn->body) return mark_broken(c->ID());
    module_->functions.push_back(std::move(fn));
  }

  // Statements inside a block are kept or dropped one by one, so that one typo does not hide
  // the other errors of the block. The block itself is dropped when its header is damaged.
  template <class Stmt>
  bool header_damaged(ParserRuleContext* block, const std::vector<Stmt*>& stmts) const {
    size_t in_block = 0, in_stmts = 0;
    SourceRange r = pos_.rule(block);
    for (uint32_t off : errors_) {
      if (off < r.begin || off >= r.end) continue;
      ++in_block;
      for (auto* s : stmts) {
        SourceRange sr = pos_.rule(s);
        if (off >= sr.begin && off < sr.end) {
          ++in_stmts;
          break;
        }
      }
    }
    return in_block > in_stmts || block->exception != nullptr;
  }

  void reward_decl(RewardParser::RewardDeclContext* c) {
    if (c->ID() == nullptr || header_damaged(c, c->rewardStmt())) return mark_broken(c->ID());
    auto r = std::make_unique<ast::RewardDecl>();
    r->name = c->ID()->getText();
    r->name_range = pos_.node(c->ID());
    r->range = pos_.rule(c);
    for (auto* s : c->rewardStmt()) {
      if (damaged(s)) {
        r->incomplete = true;
        // Keep the name so that uses of it are not reported as unknown.
        if (auto* l = dynamic_cast<RewardParser::RewardLetContext*>(s)) {
          if (l->letDecl() != nullptr) mark_broken(l->letDecl()->ID());
        } else if (auto* comp = dynamic_cast<RewardParser::RewardComponentContext*>(s)) {
          mark_broken(comp->ID());
        }
        if (dynamic_cast<RewardParser::RewardTotalContext*>(s) != nullptr) {
          r->total_range = pos_.rule(s);  // a total exists, even if it is broken
        }
        continue;
      }
      if (auto* l = dynamic_cast<RewardParser::RewardLetContext*>(s)) {
        if (auto let = let_decl(l->letDecl())) {
          r->lets.push_back(std::move(let));
        } else {
          r->incomplete = true;
          mark_broken(l->letDecl()->ID());
        }
      } else if (auto* comp = dynamic_cast<RewardParser::RewardComponentContext*>(s)) {
        auto cd = std::make_unique<ast::ComponentDecl>();
        cd->name = comp->ID()->getText();
        cd->name_range = pos_.node(comp->ID());
        cd->range = pos_.rule(comp);
        cd->monitor = comp->kind->getType() == RewardParser::MONITOR;
        cd->value = expr(comp->expr(0));
        if (comp->IN() != nullptr) {
          cd->lo = expr(comp->expr(1));
          cd->hi = expr(comp->expr(2));
        }
        if (cd->value && (comp->IN() == nullptr || (cd->lo && cd->hi))) {
          (cd->monitor ? r->monitors : r->components).push_back(std::move(cd));
        } else {
          r->incomplete = true;
          mark_broken(comp->ID());
        }
      } else if (auto* t = dynamic_cast<RewardParser::RewardTotalContext*>(s)) {
        ast::ExprPtr e = expr(t->expr());
        if (!e) {
          r->incomplete = true;
          continue;
        }
        if (r->total) {
          diags_.error(std::string(codes::kDuplicate), pos_.rule(t),
                       "`total` is set twice in reward `" + r->name + "`");
          continue;
        }
        r->total = std::move(e);
        r->total_range = pos_.rule(t);
      } else if (auto* st = dynamic_cast<RewardParser::RewardSettingContext*>(s)) {
        ast::Setting setting;
        setting.name = st->ID()->getText();
        setting.name_range = pos_.node(st->ID());
        setting.range = pos_.rule(st);
        setting.value = expr(st->expr());
        if (setting.value) r->settings.push_back(std::move(setting));
      }
    }
    module_->rewards.push_back(std::move(r));
  }

  void judge_decl(RewardParser::JudgeDeclContext* c) {
    auto j = std::make_unique<ast::JudgeDecl>();
    j->name = c->ID()->getText();
    j->name_range = pos_.node(c->ID());
    j->range = pos_.rule(c);
    j->module = module_;
    if (!params(c->param(), j->params)) return mark_broken(c->ID());
    for (auto* s : c->judgeSetting()) {
      ast::Setting setting;
      setting.name = s->ID()->getText();
      setting.name_range = pos_.node(s->ID());
      setting.range = pos_.rule(s);
      setting.value = expr(s->expr(0));
      if (s->RANGE() != nullptr) setting.range_hi = expr(s->expr(1));
      if (!setting.value || (s->RANGE() != nullptr && !setting.range_hi)) {
        return mark_broken(c->ID());
      }
      j->settings.push_back(std::move(setting));
    }
    module_->judges.push_back(std::move(j));
  }

  void test_decl(RewardParser::TestDeclContext* c) {
    if (c->ID() == nullptr || c->string() == nullptr || header_damaged(c, c->testStmt())) return;
    auto t = std::make_unique<ast::TestDecl>();
    t->reward = c->ID()->getText();
    t->reward_range = pos_.node(c->ID());
    t->range = pos_.rule(c);
    std::optional<std::string> desc = string_value(c->string());
    if (!desc) return;
    t->description = *desc;
    for (auto* s : c->testStmt()) {
      if (damaged(s)) continue;
      if (auto* j = dynamic_cast<RewardParser::TestJudgeContext*>(s)) {
        ast::ExprPtr v = expr(j->expr());
        if (v) t->judges.push_back({j->ID()->getText(), pos_.node(j->ID()), std::move(v)});
      } else if (auto* e = dynamic_cast<RewardParser::TestExpectContext*>(s)) {
        ast::TestDecl::Expect ex;
        ex.range = pos_.rule(e);
        ex.cond = expr(e->expr(0));
        if (e->WITHIN() != nullptr) ex.tolerance = expr(e->expr(1));
        if (ex.cond && (e->WITHIN() == nullptr || ex.tolerance)) t->expects.push_back(std::move(ex));
      } else if (auto* it = dynamic_cast<RewardParser::TestItemContext*>(s)) {
        ast::ExprPtr v = expr(it->expr());
        if (!v) continue;
        if (t->item) {
          diags_.error(std::string(codes::kDuplicate), pos_.rule(it), "`item` is given twice");
          continue;
        }
        t->item = std::move(v);
      } else if (auto* in = dynamic_cast<RewardParser::TestInputContext*>(s)) {
        ast::ExprPtr v = expr(in->expr());
        if (v) t->inputs.push_back({in->ID()->getText(), pos_.node(in->ID()), std::move(v)});
      }
    }
    module_->tests.push_back(std::move(t));
  }

  // ---- expressions ----

  ast::ExprPtr expr(RewardParser::ExprContext* c) {
    if (c == nullptr) return nullptr;
    // The parser bounds recursive nesting, but left-nested chains such as `a+a+...+a` are built
    // by a loop; bound them here so that later passes may recurse freely.
    if (++depth_ > kMaxNesting) {
      --depth_;
      if (!depth_reported_) {
        depth_reported_ = true;
        diags_.error(std::string(codes::kTooDeep), pos_.rule(c),
                     "expression is nested too deeply (limit " + std::to_string(kMaxNesting) +
                         ")",
                     "split it with `let` bindings");
      }
      return nullptr;
    }
    ast::ExprPtr e = expr_inner(c);
    --depth_;
    return e;
  }

  ast::ExprPtr binary(ParserRuleContext* c, ast::BinaryOp op, RewardParser::ExprContext* l,
                      RewardParser::ExprContext* r, const Token* op_tok) {
    ast::ExprPtr lhs = expr(l);
    ast::ExprPtr rhs = expr(r);
    if (!lhs || !rhs) return nullptr;
    return std::make_unique<ast::BinaryExpr>(pos_.rule(c), op, std::move(lhs), std::move(rhs),
                                             pos_.token(op_tok));
  }

  ast::ExprPtr expr_inner(RewardParser::ExprContext* c) {
    using P = RewardParser;
    SourceRange r = pos_.rule(c);
    if (auto* e = dynamic_cast<P::PrimaryExprContext*>(c)) return primary(e->primary());
    if (auto* e = dynamic_cast<P::MemberExprContext*>(c)) {
      ast::ExprPtr base = expr(e->expr());
      if (!base || e->ID() == nullptr) return nullptr;
      return std::make_unique<ast::MemberExpr>(r, std::move(base), e->ID()->getText(),
                                               pos_.node(e->ID()));
    }
    if (auto* e = dynamic_cast<P::IndexExprContext*>(c)) {
      ast::ExprPtr base = expr(e->expr(0));
      ast::ExprPtr index = expr(e->expr(1));
      if (!base || !index) return nullptr;
      return std::make_unique<ast::IndexExpr>(r, std::move(base), std::move(index));
    }
    if (auto* e = dynamic_cast<P::CallExprContext*>(c)) {
      ast::ExprPtr callee = expr(e->expr());
      if (!callee) return nullptr;
      auto call = std::make_unique<ast::CallExpr>(r, std::move(callee));
      for (auto* a : e->arg()) {
        ast::Arg arg;
        if (a->ID() != nullptr) {
          arg.name = a->ID()->getText();
          arg.name_range = pos_.node(a->ID());
        }
        arg.value = expr(a->expr());
        if (!arg.value) return nullptr;
        call->args.push_back(std::move(arg));
      }
      return call;
    }
    if (auto* e = dynamic_cast<P::UnaryExprContext*>(c)) {
      ast::ExprPtr operand = expr(e->expr());
      if (!operand) return nullptr;
      auto op = e->op->getType() == P::MINUS ? ast::UnaryOp::kNeg : ast::UnaryOp::kNot;
      return std::make_unique<ast::UnaryExpr>(r, op, std::move(operand));
    }
    if (auto* e = dynamic_cast<P::MulExprContext*>(c)) {
      auto op = e->op->getType() == P::STAR    ? ast::BinaryOp::kMul
                : e->op->getType() == P::SLASH ? ast::BinaryOp::kDiv
                                               : ast::BinaryOp::kMod;
      return binary(c, op, e->expr(0), e->expr(1), e->op);
    }
    if (auto* e = dynamic_cast<P::AddExprContext*>(c)) {
      auto op = e->op->getType() == P::PLUS ? ast::BinaryOp::kAdd : ast::BinaryOp::kSub;
      return binary(c, op, e->expr(0), e->expr(1), e->op);
    }
    if (auto* e = dynamic_cast<P::CoalesceExprContext*>(c)) {
      return binary(c, ast::BinaryOp::kCoalesce, e->expr(0), e->expr(1),
                    e->COALESCE()->getSymbol());
    }
    if (auto* e = dynamic_cast<P::CompareExprContext*>(c)) {
      ast::BinaryOp op;
      switch (e->op->getType()) {
        case P::LT: op = ast::BinaryOp::kLt; break;
        case P::LE: op = ast::BinaryOp::kLe; break;
        case P::GT: op = ast::BinaryOp::kGt; break;
        case P::GE: op = ast::BinaryOp::kGe; break;
        case P::EQ: op = ast::BinaryOp::kEq; break;
        case P::NE: op = ast::BinaryOp::kNe; break;
        default: op = ast::BinaryOp::kApprox; break;
      }
      return binary(c, op, e->expr(0), e->expr(1), e->op);
    }
    if (auto* e = dynamic_cast<P::AndExprContext*>(c)) {
      return binary(c, ast::BinaryOp::kAnd, e->expr(0), e->expr(1), e->AND()->getSymbol());
    }
    if (auto* e = dynamic_cast<P::OrExprContext*>(c)) {
      return binary(c, ast::BinaryOp::kOr, e->expr(0), e->expr(1), e->OR()->getSymbol());
    }
    if (auto* e = dynamic_cast<P::IsNoneExprContext*>(c)) {
      ast::ExprPtr operand = expr(e->expr());
      if (!operand) return nullptr;
      return std::make_unique<ast::IsNoneExpr>(r, std::move(operand), e->NOT() != nullptr);
    }
    if (auto* e = dynamic_cast<P::IfExprContext*>(c)) {
      ast::ExprPtr cond = expr(e->expr(0));
      ast::ExprPtr then_e = expr(e->expr(1));
      ast::ExprPtr else_e = expr(e->expr(2));
      if (!cond || !then_e || !else_e) return nullptr;
      return std::make_unique<ast::IfExpr>(r, std::move(cond), std::move(then_e),
                                           std::move(else_e));
    }
    return nullptr;
  }

  ast::ExprPtr primary(RewardParser::PrimaryContext* c) {
    using P = RewardParser;
    if (c == nullptr) return nullptr;
    SourceRange r = pos_.rule(c);
    if (auto* e = dynamic_cast<P::NumberLitContext*>(c)) {
      std::string text = e->NUMBER()->getText();
      double v = 0;
      auto res = std::from_chars(text.data(), text.data() + text.size(), v);
      if (res.ec != std::errc()) {
        diags_.error(std::string(codes::kBadLiteral), r, "number `" + text + "` is out of range");
        return nullptr;
      }
      return std::make_unique<ast::NumberExpr>(r, v);
    }
    if (auto* e = dynamic_cast<P::StringLitContext*>(c)) {
      std::optional<std::string> s = string_value(e->string());
      if (!s) return nullptr;
      return std::make_unique<ast::StringExpr>(r, std::move(*s));
    }
    if (auto* e = dynamic_cast<P::BoolLitContext*>(c)) {
      return std::make_unique<ast::BoolExpr>(r, e->TRUE() != nullptr);
    }
    if (dynamic_cast<P::NoneLitContext*>(c) != nullptr) return std::make_unique<ast::NoneExpr>(r);
    if (auto* e = dynamic_cast<P::NameRefContext*>(c)) {
      return std::make_unique<ast::NameExpr>(r, e->ID()->getText());
    }
    if (dynamic_cast<P::ItemRefContext*>(c) != nullptr) return std::make_unique<ast::ItemExpr>(r);
    if (dynamic_cast<P::TotalRefContext*>(c) != nullptr) {
      return std::make_unique<ast::TotalExpr>(r);
    }
    if (auto* e = dynamic_cast<P::ParenExprContext*>(c)) {
      ast::ExprPtr inner = expr(e->expr());
      if (inner) inner->parenthesized = true;
      return inner;
    }
    if (auto* e = dynamic_cast<P::ListLitContext*>(c)) {
      auto list = std::make_unique<ast::ListExpr>(r);
      for (auto* x : e->expr()) {
        ast::ExprPtr v = expr(x);
        if (!v) return nullptr;
        list->elems.push_back(std::move(v));
      }
      return list;
    }
    if (auto* e = dynamic_cast<P::ObjectLitContext*>(c)) {
      auto obj = std::make_unique<ast::ObjectExpr>(r);
      for (auto* f : e->objField()) {
        ast::ObjectExpr::Field field;
        if (f->ID() != nullptr) {
          field.key = f->ID()->getText();
          field.key_range = pos_.node(f->ID());
        } else {
          std::optional<std::string> k = string_value(f->string());
          if (!k) return nullptr;
          field.key = *k;
          field.key_range = pos_.rule(f->string());
        }
        field.value = expr(f->expr());
        if (!field.value) return nullptr;
        obj->fields.push_back(std::move(field));
      }
      return obj;
    }
    return nullptr;
  }

  // Decodes a string literal; reports a bad escape and returns nullopt.
  std::optional<std::string> string_value(RewardParser::StringContext* c) {
    if (c == nullptr) return std::nullopt;
    if (auto* raw = c->RAW_STRING()) {
      std::string t = raw->getText();
      return t.substr(2, t.size() - 3);
    }
    bool triple = c->TRIPLE_STRING() != nullptr;
    TerminalNode* node = triple ? c->TRIPLE_STRING() : c->STRING();
    if (node == nullptr) return std::nullopt;
    std::string text = node->getText();
    size_t quote = triple ? 3 : 1;
    std::string_view body(text);
    body = body.substr(quote, body.size() - 2 * quote);
    SourceRange lit = pos_.node(node);
    // Escapes are checked where they are written; a multi-line string is dedented as written,
    // before its escapes are decoded, so that "\\n" inside it cannot defeat the dedent.
    std::optional<std::string> decoded =
        decode_escapes(body, lit.begin + static_cast<uint32_t>(quote));
    if (!decoded || !triple) return decoded;
    return decode_escapes(dedent(body), std::nullopt);
  }

  // Decodes the escapes of a string body. `at_begin` is the body's offset in the file, for
  // reporting a bad escape; without it nothing is reported (the body was checked already).
  std::optional<std::string> decode_escapes(std::string_view body,
                                            std::optional<uint32_t> at_begin) {
    bool report = at_begin.has_value();
    std::string out;
    for (size_t i = 0; i < body.size(); ++i) {
      char ch = body[i];
      if (ch != '\\') {
        out += ch;
        continue;
      }
      uint32_t at = at_begin.value_or(0) + static_cast<uint32_t>(i);
      if (i + 1 >= body.size()) {
        if (!report) return std::nullopt;
        bad_escape(at, 1, "a string cannot end with a lone `\\`");
        return std::nullopt;
      }
      char e = body[++i];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case '0': out += '\0'; break;
        case '\\': out += '\\'; break;
        case '"': out += '"'; break;
        case '\'': out += '\''; break;
        case 'u': {
          // \u{1F600}
          size_t close = body.find('}', i);
          uint32_t cp = 0;
          bool ok = i + 1 < body.size() && body[i + 1] == '{' && close != body.npos &&
                    close > i + 2 && close - i - 2 <= 6;
          if (ok) {
            auto res = std::from_chars(body.data() + i + 2, body.data() + close, cp, 16);
            ok = res.ec == std::errc() && res.ptr == body.data() + close && cp <= 0x10FFFF &&
                 (cp < 0xD800 || cp > 0xDFFF);
          }
          if (!ok) {
            if (!report) return std::nullopt;
            bad_escape(at, 2, "invalid unicode escape",
                       "write a code point in hex as `\\u{1F600}`");
            return std::nullopt;
          }
          grader::encode_utf8(cp, out);
          i = close;
          break;
        }
        default: {
          // The escaped character may take several bytes; quote all of them.
          uint32_t len = grader::decode_utf8(body, i).len;
          if (!report) return std::nullopt;
          bad_escape(at, 1 + len, "unknown escape `\\" + std::string(body.substr(i, len)) + "`",
                     "escapes are \\n \\t \\r \\0 \\\\ \\\" \\' \\u{...}; for regexes and "
                     "LaTeX, a raw string r\"...\" keeps backslashes as they are");
          return std::nullopt;
        }
      }
    }
    return out;
  }

  void bad_escape(uint32_t at, uint32_t len, std::string msg, std::string hint = {}) {
    diags_.error(std::string(codes::kBadLiteral), {pos_.file(), at, at + len}, std::move(msg),
                 std::move(hint));
  }

  const Positions& pos_;
  Diagnostics& diags_;
  const std::vector<uint32_t>& errors_;
  ast::Module* module_ = nullptr;
  int depth_ = 0;
  bool depth_reported_ = false;
};

}  // namespace

std::unique_ptr<ast::Module> parse_module(const SourceFile& file, Diagnostics& diags) {
  auto empty = [&] {
    auto m = std::make_unique<ast::Module>();
    m->file = file.id();
    m->path = file.path();
    return m;
  };
  const std::string& text = file.text();
  if (text.size() > kMaxFileBytes) {
    diags.error(std::string(codes::kTooLarge), {file.id(), 0, 0},
                "file is too large (" + std::to_string(text.size()) + " bytes; the limit is " +
                    std::to_string(kMaxFileBytes) + ")");
    return empty();
  }
  if (text.starts_with("\x7f" "ELF")) {
    diags.error(std::string(codes::kBadEncoding), {file.id(), 0, 0},
                "this is a shared object (as `rft compile` writes), not a .reward spec",
                "grade with a compiled grader as `rft grade --grader FILE --reward NAME ...`");
    return empty();
  }
  for (const grader::CodePoint& cp : grader::code_points(text)) {
    if (cp.valid) continue;
    uint32_t at = static_cast<uint32_t>(cp.offset);
    diags.error(std::string(codes::kBadEncoding), {file.id(), at, at + 1},
                "file is not valid UTF-8", "save the file as UTF-8");
    return empty();
  }

  Positions pos(file.id(), text);
  SyntaxErrors errors{&pos, &diags, {}};
  antlr4::ANTLRInputStream input(text);
  RewardLexer lexer(&input);
  lexer.removeErrorListeners();  // ERROR_CHAR turns every bad character into a token
  antlr4::CommonTokenStream tokens(&lexer);
  // Lexical errors first, each where it is; the parser's echoes on the same line are dropped.
  tokens.fill();
  for (antlr4::Token* t : tokens.getTokens()) {
    if (t->getType() == RewardLexer::UNTERMINATED_STRING) {
      errors.report(t, "unterminated string",
                    "a string ends on the line where it starts; use \"\"\" for text over several "
                    "lines");
    } else if (t->getType() == RewardLexer::ERROR_CHAR) {
      errors.report(t, "unexpected character " + describe(t));
    }
  }
  RewardParser parser(&tokens);
  DepthGuard depth_guard(&parser);
  parser.addParseListener(&depth_guard);
  parser.removeErrorListeners();
  parser.setErrorHandler(std::make_shared<ErrorStrategy>(&errors));

  RewardParser::File_Context* tree = nullptr;
  try {
    tree = parser.file_();
  } catch (const NestingTooDeep&) {
    diags.error(std::string(codes::kTooDeep), pos.token(depth_guard.deepest_token),
                "expression is nested too deeply (limit " + std::to_string(kMaxNesting) + ")",
                "split it with `let` bindings");
    return empty();
  }
  Builder builder(pos, diags, errors.offsets);
  return builder.build(tree, file);
}

}  // namespace rft::parse
