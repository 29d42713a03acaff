#include "compiler/diag/diagnostic.h"

#include <algorithm>
#include <string_view>

namespace rft {

void Diagnostics::add(Diagnostic d) {
  if (d.severity == Severity::kError) ++errors_;
  if (d.severity == Severity::kWarning) ++warnings_;
  items_.push_back(std::move(d));
}

void Diagnostics::error(std::string code, SourceRange range, std::string message, std::string hint) {
  add({Severity::kError, std::move(code), range, std::move(message), std::move(hint)});
}

void Diagnostics::warning(std::string code, SourceRange range, std::string message,
                          std::string hint) {
  add({Severity::kWarning, std::move(code), range, std::move(message), std::move(hint)});
}

void Diagnostics::note(SourceRange range, std::string message) {
  add({Severity::kNote, {}, range, std::move(message), {}});
}

void Diagnostics::sort() {
  // Group each note with the diagnostic before it, then sort the groups by position.
  std::vector<std::vector<Diagnostic>> groups;
  for (auto& d : items_) {
    if (d.severity == Severity::kNote && !groups.empty()) {
      groups.back().push_back(std::move(d));
    } else {
      groups.push_back({std::move(d)});
    }
  }
  std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
    const SourceRange& x = a.front().range;
    const SourceRange& y = b.front().range;
    return x.file != y.file ? x.file < y.file : x.begin < y.begin;
  });
  items_.clear();
  for (auto& g : groups) {
    for (auto& d : g) items_.push_back(std::move(d));
  }
}

namespace {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "error";
}

std::string_view severity_color(Severity s) {
  switch (s) {
    case Severity::kError: return "\033[1;31m";
    case Severity::kWarning: return "\033[1;33m";
    case Severity::kNote: return "\033[1;36m";
  }
  return "";
}

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::string render(const Diagnostic& d, const SourceManager& sources, bool color) {
  const SourceFile& file = sources.file(d.range.file);
  LineCol lc = file.line_col(d.range.begin);
  std::string out;
  std::string_view bold = color ? "\033[1m" : "";
  std::string_view reset = color ? "\033[0m" : "";
  out += bold;
  out += file.path() + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column) + ": ";
  out += reset;
  if (color) out += severity_color(d.severity);
  out += severity_name(d.severity);
  if (!d.code.empty()) out += "[" + d.code + "]";
  out += reset;
  out += ": ";
  out += d.message;
  out += "\n";

  std::string_view line = file.line_text(lc.line);
  std::string number = std::to_string(lc.line);
  std::string gutter(number.size(), ' ');
  out += " " + number + " | ";
  out += line;
  out += "\n";
  out += " " + gutter + " | ";
  // Pad under the line, keeping tabs so the caret lines up in a terminal.
  size_t i = 0;
  for (uint32_t col = 1; col < lc.column && i < line.size(); ++i) {
    if (is_continuation(line[i])) continue;
    out += line[i] == '\t' ? '\t' : ' ';
    ++col;
  }
  // The caret covers the range up to the end of its first line, and at least one column.
  size_t start = d.range.begin;
  size_t line_end = static_cast<size_t>(line.data() - file.text().data()) + line.size();
  size_t end = std::min<size_t>(std::max<size_t>(d.range.end, start + 1), line_end);
  if (color) out += severity_color(d.severity);
  out += '^';
  for (size_t b = start + 1; b < end; ++b) {
    if (!is_continuation(file.text()[b])) out += '~';
  }
  out += reset;
  out += "\n";
  if (!d.hint.empty()) out += " " + gutter + " = help: " + d.hint + "\n";
  return out;
}

std::string render_all(const Diagnostics& diags, const SourceManager& sources, bool color) {
  std::string out;
  for (const auto& d : diags.all()) out += render(d, sources, color);
  return out;
}

}  // namespace rft
