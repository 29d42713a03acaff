// Problems in a user's spec are values: a severity, a stable code, a source range, a message and
// an optional hint. They are collected, never thrown, so one run reports all of them.
#pragma once

#include <string>
#include <vector>

#include "compiler/source/source.h"

namespace rft {

enum class Severity { kError, kWarning, kNote };

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string code;  // "E0201"; codes are listed in docs/language.md
  SourceRange range;
  std::string message;
  std::string hint;  // "did you mean `completion`?"; empty if none
};

class Diagnostics {
 public:
  void error(std::string code, SourceRange range, std::string message, std::string hint = {});
  void warning(std::string code, SourceRange range, std::string message, std::string hint = {});
  void note(SourceRange range, std::string message);
  void add(Diagnostic d);

  const std::vector<Diagnostic>& all() const { return items_; }
  size_t error_count() const { return errors_; }
  size_t warning_count() const { return warnings_; }
  bool has_errors() const { return errors_ > 0; }
  // Sorts by file, then position, keeping notes after the diagnostic they belong to.
  void sort();

 private:
  std::vector<Diagnostic> items_;
  size_t errors_ = 0;
  size_t warnings_ = 0;
};

// Renders one diagnostic as
//   path:line:col: error[E0201]: message
//      3 |   let a = len(complet)
//        |               ^~~~~~~
//        = help: did you mean `completion`?
std::string render(const Diagnostic& d, const SourceManager& sources, bool color = false);
std::string render_all(const Diagnostics& diags, const SourceManager& sources, bool color = false);

}  // namespace rft
