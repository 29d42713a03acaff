#include "compiler/driver/loader.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "compiler/check/checker.h"
#include "compiler/diag/codes.h"
#include "compiler/driver/suggest.h"
#include "compiler/parse/parser.h"
#include "runtime/grader/builtins.h"

namespace rft {
namespace fs = std::filesystem;

namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return ss.str();
}

std::vector<std::string> split_path_list(const char* s) {
  std::vector<std::string> out;
  if (s == nullptr) return out;
  std::string_view v(s);
  while (!v.empty()) {
    size_t colon = v.find(':');
    std::string_view part = v.substr(0, colon);
    if (!part.empty()) out.emplace_back(part);
    if (colon == std::string_view::npos) break;
    v.remove_prefix(colon + 1);
  }
  return out;
}

class Loader {
 public:
  Loader(Program& p, const LoadOptions& o) : p_(p), opts_(o) {}

  ast::Module* load_root(const std::string& path) {
    std::string key = canonical(path);
    if (auto it = loaded_.find(key); it != loaded_.end()) return it->second;
    std::optional<std::string> text = read_file(path);
    if (!text) {
      FileId id = p_.sources.add(path, "");
      std::error_code ec;
      p_.diags.error(std::string(codes::kReadFailed), {id, 0, 0},
                     fs::exists(path, ec) ? "cannot read this file" : "no such file");
      return nullptr;
    }
    return load_text(key, path, std::move(*text));
  }

  ast::Module* load_text(const std::string& key, const std::string& display, std::string text) {
    FileId id = p_.sources.add(display, std::move(text));
    std::unique_ptr<ast::Module> m = parse::parse_module(p_.sources.file(id), p_.diags);
    m->name = display;
    loaded_[key] = m.get();
    in_progress_.push_back(key);
    for (auto& imp : m->imports) resolve_import(imp, display);
    in_progress_.pop_back();
    check::check_module(*m, p_.diags);
    ast::Module* raw = m.get();
    p_.modules.push_back(std::move(m));
    return raw;
  }

 private:
  static std::string canonical(const std::string& path) {
    std::error_code ec;
    fs::path c = fs::weakly_canonical(path, ec);
    return ec ? path : c.string();
  }

  void resolve_import(ast::ImportDecl& imp, const std::string& importer) {
    std::vector<std::string> candidates;
    fs::path importer_dir = fs::path(importer).parent_path();
    if (imp.is_file) {
      // Only spec files are imported: a path to anything else (`/etc/shadow`) is never read, so
      // that no diagnostic can show a line of it.
      if (!imp.path.ends_with(".reward")) {
        p_.diags.error(std::string(codes::kUnknownModule), imp.range,
                       "cannot import `" + imp.path + "`: it is not a .reward file",
                       "imports by path name spec files, such as \"shared/checks.reward\"");
        return;
      }
      fs::path p(imp.path);
      candidates.push_back(p.is_absolute() ? p.string() : (importer_dir / p).string());
    } else {
      std::string rel;
      for (char c : imp.path) rel += c == '.' ? '/' : c;
      rel += ".reward";
      if (!opts_.stdlib_dir.empty()) candidates.push_back((fs::path(opts_.stdlib_dir) / rel).string());
      for (const auto& dir : opts_.search_path) candidates.push_back((fs::path(dir) / rel).string());
      candidates.push_back((importer_dir / rel).string());
    }
    std::string found;
    std::error_code ec;
    for (const auto& c : candidates) {
      if (fs::is_regular_file(c, ec)) {
        found = c;
        break;
      }
    }
    if (found.empty()) {
      std::string hint = imp.is_file ? "the path is relative to the importing file"
                                     : "looked in the stdlib (" + opts_.stdlib_dir +
                                           ") and RFT_PATH";
      std::string near = did_you_mean(imp.path, known_std_modules());
      p_.diags.error(std::string(codes::kUnknownModule), imp.range,
                     "cannot find module `" + imp.path + "`", near.empty() ? hint : near);
      return;
    }
    std::string key = canonical(found);
    for (size_t i = 0; i < in_progress_.size(); ++i) {
      if (in_progress_[i] != key) continue;
      std::string cycle;
      for (size_t j = i; j < in_progress_.size(); ++j) {
        cycle += fs::path(in_progress_[j]).filename().string() + " → ";
      }
      cycle += fs::path(key).filename().string();
      p_.diags.error(std::string(codes::kImportCycle), imp.range, "import cycle: " + cycle,
                     "imports must form a tree; move the shared part into its own file");
      return;
    }
    if (auto it = loaded_.find(key); it != loaded_.end()) {
      imp.module = it->second;
      return;
    }
    std::optional<std::string> text = read_file(found);
    if (!text) {
      p_.diags.error(std::string(codes::kReadFailed), imp.range, "cannot read `" + found + "`");
      return;
    }
    ast::Module* m = load_text(key, found, std::move(*text));
    m->name = imp.path;
    imp.module = m;
  }

  std::vector<std::string> known_std_modules() const {
    std::vector<std::string> out;
    std::error_code ec;
    fs::path dir = fs::path(opts_.stdlib_dir) / "std";
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.path().extension() == ".reward") out.push_back("std." + e.path().stem().string());
    }
    return out;
  }

  Program& p_;
  const LoadOptions& opts_;
  std::map<std::string, ast::Module*> loaded_;
  std::vector<std::string> in_progress_;
};

}  // namespace

const ast::RewardDecl* Program::find_reward(std::string_view name,
                                            const ast::Module** owner) const {
  for (const ast::Module* m : roots) {
    if (const ast::RewardDecl* r = m->find_reward(name)) {
      if (owner != nullptr) *owner = m;
      return r;
    }
  }
  return nullptr;
}

LoadOptions default_load_options() {
  LoadOptions o;
  const char* stdlib = std::getenv("RFT_STDLIB");
  o.stdlib_dir = stdlib != nullptr && *stdlib != '\0' ? stdlib : RFT_DEFAULT_STDLIB_DIR;
  o.search_path = split_path_list(std::getenv("RFT_PATH"));
  return o;
}

std::unique_ptr<Program> load_program(const std::vector<std::string>& paths,
                                      const LoadOptions& options) {
  auto p = std::make_unique<Program>();
  Loader loader(*p, options);
  for (const auto& path : paths) {
    if (ast::Module* m = loader.load_root(path)) {
      if (std::find(p->roots.begin(), p->roots.end(), m) == p->roots.end()) p->roots.push_back(m);
    }
  }
  p->diags.sort();
  return p;
}

std::unique_ptr<Program> load_program_from_string(std::string name, std::string text,
                                                  const LoadOptions& options) {
  auto p = std::make_unique<Program>();
  Loader loader(*p, options);
  p->roots.push_back(loader.load_text("<memory>:" + name, name, std::move(text)));
  p->diags.sort();
  return p;
}

bool reward_calls_builtin(const ast::RewardDecl& reward,
                          std::initializer_list<std::string_view> symbols) {
  bool found = false;
  std::set<const void*> seen;  // functions and lets already walked
  std::function<void(const ast::Expr&)> walk = [&](const ast::Expr& e) {
    if (found) return;
    if (e.kind == ast::ExprKind::kCall) {
      const auto& call = e.as<ast::CallExpr>();
      if (const auto* b = std::get_if<const grader::Builtin*>(&call.target)) {
        found = std::find(symbols.begin(), symbols.end(), (*b)->symbol) != symbols.end();
      } else if (const auto* fn = std::get_if<const ast::FnDecl*>(&call.target)) {
        if (seen.insert(*fn).second) {
          for (const auto& p : (*fn)->params) {
            if (p.default_value) walk(*p.default_value);
          }
          for (const auto& l : (*fn)->lets) walk(*l->value);
          walk(*(*fn)->body);
        }
      }
    } else if (e.kind == ast::ExprKind::kName) {
      if (const auto* let = std::get_if<const ast::LetDecl*>(&e.as<ast::NameExpr>().ref)) {
        if (seen.insert(*let).second) walk(*(*let)->value);
      }
    }
    ast::for_each_child(e, walk);
  };
  for (const auto& l : reward.lets) walk(*l->value);
  for (const auto& c : reward.components) walk(*c->value);
  if (reward.total) walk(*reward.total);
  return found;
}

bool reward_runs_code(const ast::RewardDecl& reward) {
  return reward_calls_builtin(
      reward, {"rft_b_run_python", "rft_b_run_cpp", "rft_b_run_cases", "rft_b_lint_code"});
}

}  // namespace rft
