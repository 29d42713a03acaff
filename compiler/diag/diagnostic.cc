#include "compiler/diag/diagnostic.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "runtime/grader/utf8.h"

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

// A control character (other than a tab) would end the text where a C string ends (NUL) or drive
// the terminal (ESC): it is shown as \xNN, four columns wide.
bool is_control(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && c != '\t') || u == 0x7f;
}

void append_escaped(std::string& out, char c) {
  static const char kHex[] = "0123456789ABCDEF";
  auto u = static_cast<unsigned char>(c);
  out += "\\x";
  out += kHex[u >> 4];
  out += kHex[u & 0xF];
}

std::string escape_controls(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (is_control(c)) {
      append_escaped(out, c);
    } else {
      out += c;
    }
  }
  return out;
}

// At most this many code points of a source line are shown; a longer line is cut around the
// caret, and "..." marks each cut end.
constexpr size_t kMaxShownCodePoints = 160;
constexpr size_t kShownBeforeCaret = 60;

// The excerpt under a diagnostic's header: the line (cut around the caret when it is long, with
// control characters escaped) and the caret line.
void render_excerpt(std::string& out, const Diagnostic& d, const SourceFile& file, LineCol lc,
                    bool color) {
  std::string_view reset = color ? "\033[0m" : "";
  std::string_view line = file.line_text(lc.line);
  const size_t line_begin = static_cast<size_t>(line.data() - file.text().data());
  // Each code point of the line, by its first byte.
  std::vector<size_t> cps;
  for (size_t i = 0; i < line.size(); ++i) {
    if (!is_continuation(line[i])) cps.push_back(i);
  }
  auto cp_end = [&](size_t k) { return k + 1 < cps.size() ? cps[k + 1] : line.size(); };
  // The caret covers the range up to the end of its first line, and at least one column.
  const size_t caret_first = std::min<size_t>(lc.column - 1, cps.size());
  size_t range_end = std::max<size_t>(d.range.end, static_cast<size_t>(d.range.begin) + 1);
  range_end = std::min(range_end > line_begin ? range_end - line_begin : 0, line.size());
  size_t caret_last = caret_first;  // one past the last covered code point
  while (caret_last < cps.size() && cps[caret_last] < range_end) ++caret_last;
  caret_last = std::max(caret_last, caret_first + 1);

  size_t first = 0, last = cps.size();
  if (cps.size() > kMaxShownCodePoints) {
    first = caret_first > kShownBeforeCaret ? caret_first - kShownBeforeCaret : 0;
    last = std::min(cps.size(), first + kMaxShownCodePoints);
    first = last - kMaxShownCodePoints;
  }
  const bool cut_before = first > 0, cut_after = last < cps.size();

  std::string number = std::to_string(lc.line);
  std::string gutter(number.size(), ' ');
  std::string text, pad, caret;
  if (cut_before) {
    text += "...";
    pad += "   ";
  }
  for (size_t k = first; k < last; ++k) {
    std::string_view cp = line.substr(cps[k], cp_end(k) - cps[k]);
    const bool control = cp.size() == 1 && is_control(cp[0]);
    if (control) {
      append_escaped(text, cp[0]);
    } else {
      text += cp;
    }
    const size_t width = control ? 4 : 1;
    if (k < caret_first) {
      pad += cp == "\t" ? std::string("\t") : std::string(width, ' ');
    } else if (k < caret_last) {
      caret += k == caret_first ? "^" + std::string(width - 1, '~') : std::string(width, '~');
    }
  }
  if (caret.empty()) caret = "^";  // at the end of the line, or past the shown part
  if (cut_after) text += "...";
  out += " " + number + " | ";
  out += text;
  out += "\n";
  out += " " + gutter + " | ";
  out += pad;
  if (color) out += severity_color(d.severity);
  out += caret;
  out += reset;
  out += "\n";
}

}  // namespace

std::string render(const Diagnostic& d, const SourceManager& sources, bool color) {
  const SourceFile& file = sources.file(d.range.file);
  LineCol lc = file.line_col(d.range.begin);
  std::string out;
  std::string_view bold = color ? "\033[1m" : "";
  std::string_view reset = color ? "\033[0m" : "";
  out += bold;
  out += escape_controls(file.path()) + ":" + std::to_string(lc.line) + ":" +
         std::to_string(lc.column) + ": ";
  out += reset;
  if (color) out += severity_color(d.severity);
  out += severity_name(d.severity);
  if (!d.code.empty()) out += "[" + d.code + "]";
  out += reset;
  out += ": ";
  out += escape_controls(d.message);
  out += "\n";
  std::string gutter(std::to_string(lc.line).size(), ' ');
  // A file that is not UTF-8 text (a binary, or whatever else was named) shows none of its
  // content: only where the problem is.
  if (grader::is_valid_utf8(file.text())) render_excerpt(out, d, file, lc, color);
  if (!d.hint.empty()) out += " " + gutter + " = help: " + escape_controls(d.hint) + "\n";
  return out;
}

std::string render_all(const Diagnostics& diags, const SourceManager& sources, bool color) {
  std::string out;
  for (const auto& d : diags.all()) out += render(d, sources, color);
  return out;
}

}  // namespace rft
