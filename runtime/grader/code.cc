// Code execution builtins, the native part of std.code: fenced code blocks out of a completion,
// and a program plus its tests run in the bubblewrap sandbox of sandbox.h.
//
// The harness (code_harness.h) reports through lines "RFT-<nonce> <what>" on stdout, written by
// a judge process that the solution does not share: the nonce is random per run and reaches the
// judge alone. Values of call cases and outputs of input/output cases come back as hex and are
// compared here, with the expected values, which never enter the sandbox.
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/grader/builtin_fns.h"
#include "runtime/grader/builtins.h"
#include "runtime/grader/code_harness.h"
#include "runtime/grader/code_lint.h"
#include "runtime/grader/context.h"
#include "runtime/grader/sandbox.h"
#include "runtime/grader/utf8.h"
#include "runtime/grader/value_ops.h"

namespace rft::grader {

namespace {

// ---------------------------------------------------------------------------------------------
// Fenced code blocks

constexpr size_t kMaxBlocks = 10000;

std::string_view trim_ascii(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// One name per language, so that ```py and ```python3 both count as python.
std::string canonical_language(std::string_view tag) {
  std::string t;
  for (char c : tag) t += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (t == "py" || t == "python3" || t == "py3") return "python";
  if (t == "c++" || t == "cxx" || t == "cc" || t == "cplusplus") return "cpp";
  return t;
}

struct Fence {
  size_t indent = 0;  // spaces before the fence
  char ch = 0;        // '`' or '~'
  size_t len = 0;     // 3 or more
  std::string_view info;
};

// The fence that opens or closes on `line`, if any.
bool parse_fence(std::string_view line, Fence* f) {
  size_t i = 0;
  while (i < line.size() && line[i] == ' ') ++i;
  if (i == line.size() || (line[i] != '`' && line[i] != '~')) return false;
  const char ch = line[i];
  size_t n = 0;
  while (i + n < line.size() && line[i + n] == ch) ++n;
  if (n < 3) return false;
  std::string_view info = trim_ascii(line.substr(i + n));
  if (ch == '`' && info.find('`') != std::string_view::npos) return false;  // inline code
  *f = {i, ch, n, info};
  return true;
}

struct Block {
  std::string lang;  // canonical; empty when the fence named none
  std::string code;
};

// Every fenced block, CommonMark style but lenient about indentation; an unclosed fence runs to
// the end of the text.
std::vector<Block> fenced_blocks(std::string_view s) {
  std::vector<Block> blocks;
  Fence open;
  bool inside = false;
  size_t pos = 0;
  while (pos <= s.size() && blocks.size() < kMaxBlocks) {
    const size_t nl = s.find('\n', pos);
    std::string_view line = s.substr(pos, nl == std::string_view::npos ? s.npos : nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    Fence f;
    if (!inside) {
      if (parse_fence(line, &f)) {
        open = f;
        inside = true;
        const std::string_view word = f.info.substr(0, f.info.find_first_of(" \t{"));
        blocks.push_back({canonical_language(word), ""});
      }
    } else if (parse_fence(line, &f) && f.ch == open.ch && f.len >= open.len && f.info.empty()) {
      inside = false;
      if (!blocks.back().code.empty()) blocks.back().code.pop_back();  // the last '\n'
    } else {
      size_t strip = 0;
      while (strip < open.indent && strip < line.size() && line[strip] == ' ') ++strip;
      blocks.back().code.append(line.substr(strip)).push_back('\n');
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  if (inside && !blocks.back().code.empty()) blocks.back().code.pop_back();
  return blocks;
}

// ---------------------------------------------------------------------------------------------
// Running code with tests

enum class Language { kPython, kCpp };

constexpr double kDefaultTimeS = 5, kMinTimeS = 0.1, kMaxTimeS = 60;
constexpr double kDefaultMemoryMb = 512, kMinMemoryMb = 64, kMaxMemoryMb = 8192;
constexpr size_t kMaxCodeBytes = 1 << 20, kMaxTestBytes = 1 << 20, kMaxTests = 1000;
constexpr size_t kStderrHeadBytes = 1024;
// Compiling C++ gets its own budget, before the time limit of the tests starts.
constexpr double kCompileWallS = 30;
constexpr unsigned long long kCompileMemoryBytes = 2ull << 30;

// A test whose values cross to rft as plain data: a call whose value must equal `expect` (JSON,
// exact types), or an input whose output must equal `stdout`. What is expected stays here.
struct Case {
  bool io = false;
  std::string call;           // call cases: an expression, e.g. "add(1, 2)"
  nlohmann::json expect;      // call cases
  std::string input, output;  // input/output cases
  bool valid = true;          // a malformed case fails without running
};

struct RunResult {
  bool compiled = false;
  int passed = 0;
  int total = 0;
  std::string status;  // ok, compile_error, crash, timeout, memory, output_limit, ...
  std::string stderr_head;
  bool code_decided = false;  // the code alone decided it: any tests would end the same way
};

constexpr std::string_view kCppTestsFile = "rft_tests.cpp";

// The solution, then (unless RFT_SOLUTION_ONLY, the pass that lists the solution's macros) the
// harness's part: tests and call cases, each a function, and a main that runs the one its
// arguments name. A main() of the solution is renamed away.
std::string cpp_source(std::string_view code, const std::vector<std::string_view>& tests,
                       const std::vector<const Case*>& calls) {
  std::string s =
      "#include <cassert>\n#include <new>\n#define main rft_user_main\n#line 1 \"solution.cpp\"\n";
  s.append(code);
  s += "\n#ifndef RFT_SOLUTION_ONLY\n";
  s.append(harness::cpp_after_solution());
  s += "#line 1 \"";
  s += kCppTestsFile;
  s += "\"\n";
  for (size_t i = 0; i < tests.size(); ++i) {
    s += "static void rft_test_" + std::to_string(i) + "() {\n";
    s.append(tests[i]);
    s += "\n;}\n";
  }
  s += "#line 1 \"rft_cases.cpp\"\n";
  for (size_t i = 0; i < calls.size(); ++i) {
    s += "static void rft_call_" + std::to_string(i) + "() { rft_detail::emit((\n" +
         calls[i]->call + "\n)); }\n";
  }
  s += "int main(int argc, char** argv) {\n  if (argc < 3) return 1;\n"
       "  const unsigned long i = std::strtoul(argv[2], nullptr, 10);\n  try {\n"
       "    if (argv[1][0] == 't') {\n      switch (i) {\n";
  for (size_t i = 0; i < tests.size(); ++i) {
    s += "        case " + std::to_string(i) + ": rft_test_" + std::to_string(i) + "(); break;\n";
  }
  s += "        default: return 1;\n      }\n      rft_detail::put(\"P\");\n    } else {\n"
       "      switch (i) {\n";
  for (size_t i = 0; i < calls.size(); ++i) {
    s += "        case " + std::to_string(i) + ": rft_call_" + std::to_string(i) + "(); break;\n";
  }
  s += "        default: return 1;\n      }\n      rft_detail::put(rft_detail::json);\n    }\n"
       "  } catch (const std::bad_alloc&) {\n    rft_detail::put(\"M\");\n    _exit(1);\n"
       "  } catch (...) {\n    _exit(1);\n  }\n  _exit(0);\n}\n#endif\n";
  return s;
}

std::string make_nonce() {
  unsigned char bytes[16] = {};
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (unsigned char b : bytes) {
    s += kHex[b >> 4];
    s += kHex[b & 15];
  }
  return s;
}

// The harness's verdict lines, in order of appearance.
std::vector<std::string> reports(const std::string& out, const std::string& nonce) {
  std::vector<std::string> found;
  const std::string mark = "RFT-" + nonce + " ";
  for (size_t pos = out.find(mark); pos != std::string::npos; pos = out.find(mark, pos)) {
    pos += mark.size();
    const size_t end = out.find('\n', pos);
    found.push_back(out.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
  }
  return found;
}

std::string stderr_head(std::string_view err) {
  return sanitize_utf8(err.substr(0, kStderrHeadBytes), nullptr);
}

bool unhex(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  auto digit = [](char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  };
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = digit(hex[i]), lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

// JSON values equal with their types: true is not 1, 3 is not 3.0, and no conversion helps.
bool same_json(const nlohmann::json& a, const nlohmann::json& b) {
  using T = nlohmann::json::value_t;
  auto kind = [](const nlohmann::json& j) {
    return j.type() == T::number_unsigned ? T::number_integer : j.type();
  };
  if (kind(a) != kind(b)) return false;
  switch (kind(a)) {
    case T::number_integer:
      if (a.is_number_unsigned() != b.is_number_unsigned()) {
        // The same integer, one read as unsigned: only the non-negative ones meet.
        const auto& u = a.is_number_unsigned() ? a : b;
        const auto& s = a.is_number_unsigned() ? b : a;
        return s.get<int64_t>() >= 0 &&
               static_cast<uint64_t>(s.get<int64_t>()) == u.get<uint64_t>();
      }
      return a == b;
    case T::array:
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (!same_json(a[i], b[i])) return false;
      }
      return true;
    case T::object:
      if (a.size() != b.size()) return false;
      for (auto it = a.begin(); it != a.end(); ++it) {
        const auto other = b.find(it.key());
        if (other == b.end() || !same_json(*it, *other)) return false;
      }
      return true;
    default:
      return a == b;
  }
}

// Program output as judges compare it: trailing spaces and tabs of each line, and trailing line
// breaks, do not count; a "\r\n" is a "\n".
std::string normalized_output(std::string_view s) {
  std::string out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t nl = s.find('\n', pos);
    std::string_view line = s.substr(pos, nl == std::string_view::npos ? s.npos : nl - pos);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
      line.remove_suffix(1);
    out.append(line).push_back('\n');
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// Whether the value or output the harness reported for a case is the expected one.
bool case_passes(const Case& c, std::string_view verdict) {
  const bool value = verdict.rfind("value ", 0) == 0, output = verdict.rfind("stdout ", 0) == 0;
  if (c.io != output || (!value && !output)) return false;
  std::string bytes;
  if (!unhex(verdict.substr(verdict.find(' ') + 1), &bytes)) return false;
  if (c.io) return normalized_output(bytes) == normalized_output(c.output);
  const nlohmann::json got = nlohmann::json::parse(bytes, nullptr, false);
  return !got.is_discarded() && same_json(got, c.expect);
}

RunResult classify(Language lang, const SandboxOutcome& o, const std::string& nonce,
                   const std::vector<const Case*>& cases, int total) {
  RunResult r;
  r.total = total;
  r.stderr_head = stderr_head(o.err);
  if (!o.started) {
    r.status = "sandbox_error";
    r.stderr_head = stderr_head(o.error);
    return r;
  }
  const std::vector<std::string> lines = reports(o.out, nonce);
  auto has = [&](std::string_view w) {
    return std::find(lines.begin(), lines.end(), w) != lines.end();
  };
  r.compiled = lang == Language::kCpp ? o.reached_run : has("compiled");
  constexpr int kSigXcpu = 128 + 24, kSigXfsz = 128 + 25;
  if (o.output_capped || o.exit_code == kSigXfsz || o.space_exhausted) {
    r.status = "output_limit";
  } else if (o.timed_out || o.exit_code == kSigXcpu) {
    r.status = "timeout";
  } else if (!r.compiled) {
    r.status = "compile_error";
  } else if (has("memory")) {
    r.status = "memory";
  } else if (!has("done")) {
    r.status = "crash";
  } else {
    r.status = "ok";
  }
  // Tests come first, then cases; each index is decided once, by its first verdict.
  const size_t n_tests = static_cast<size_t>(total) - cases.size();
  std::vector<int> verdict(static_cast<size_t>(total), -1);  // -1 unseen, 0 failed, 1 passed
  for (const std::string& line : lines) {
    const size_t space = line.find(' ');
    if (space == std::string::npos || space == 0 || space > 6) continue;
    size_t i = 0;
    bool digits = true;
    for (char c : std::string_view(line).substr(0, space)) {
      digits = digits && c >= '0' && c <= '9';
      i = i * 10 + static_cast<size_t>(c - '0');
    }
    if (!digits || i >= verdict.size() || verdict[i] >= 0) continue;
    const std::string_view what = std::string_view(line).substr(space + 1);
    if (what == "memory" && r.status == "ok") r.status = "memory";
    verdict[i] = i < n_tests ? what == "pass" : case_passes(*cases[i - n_tests], what);
  }
  if (lang == Language::kPython) {
    r.code_decided = r.status == "compile_error" || has("crash");
  } else if (r.status == "compile_error") {
    // An error in the solution's part of the file, with no word of the tests' part, comes before
    // the tests and does not depend on them.
    r.code_decided = o.exit_code == 101 && r.stderr_head.size() < kStderrHeadBytes &&
                     r.stderr_head.find(kCppTestsFile) == std::string::npos &&
                     r.stderr_head.find("rft_cases.cpp") == std::string::npos &&
                     r.stderr_head.find("solution.cpp:") != std::string::npos;
  }
  // A contained violation scores nothing, whatever passed before it.
  if (r.status == "ok") r.passed = static_cast<int>(std::count(verdict.begin(), verdict.end(), 1));
  return r;
}

std::string format_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

// The C++ script: the macros the solution defined or changed, found by comparing the macros
// after it with those of every standard header (rft_reset.h undoes them); the solution's program
// with the tests and calls, the solution alone for input/output cases, and the judge, each
// compiled apart; then the judge, with the limits of the run. The compilers never see the
// script's standard input (the judge's job): it waits on fd 4 until the judge starts.
std::string cpp_script(bool io, unsigned long long cpu_s, unsigned long long memory_bytes) {
  const std::string gxx = "/usr/bin/g++ -std=gnu++17 -O2 -pipe -w -fmax-errors=10 ";
  std::string s = "exec 4<&0 </dev/null\n{\n";
  s += "/usr/bin/g++ -std=gnu++17 -E -dM -DRFT_SOLUTION_ONLY /work/solution.cc 2>/dev/null"
       " | LC_ALL=C /usr/bin/sort -u >/tmp/rft_solution.macros\n"
       "printf '#include <bits/stdc++.h>\\n' | /usr/bin/g++ -std=gnu++17 -E -dM -x c++ - "
       "| LC_ALL=C /usr/bin/sort -u >/tmp/rft_standard.macros\n"
       "LC_ALL=C /usr/bin/comm -13 /tmp/rft_standard.macros /tmp/rft_solution.macros"
       " | /usr/bin/sed -n 's/^#define \\([A-Za-z_][A-Za-z0-9_]*\\).*/#undef \\1/p'"
       " >/tmp/rft_reset.h\n";
  s += gxx + "-c -o /work/solution.o /work/solution.cc >&2 || exit 101\n";
  s += "/usr/bin/g++ -o /work/prog /work/solution.o >&2 || exit 101\n";
  if (io) s += gxx + "-o /work/prog_io /work/solution_io.cc >&2 || exit 101\n";
  s += "/usr/bin/g++ -O2 -pipe -w -x c -o /work/.rft_judge /work/.rft_judge.c >&2 || exit 101\n";
  s += "} 4<&-\nprintf r >&3\nexec 3>&-\n";
  s += "ulimit -t " + std::to_string(cpu_s) + "\n";
  s += "ulimit -v " + std::to_string(memory_bytes >> 10) + "\n";
  s += "/work/.rft_judge <&4 4<&-\n";
  return s;
}

RunResult run_uncached(Language lang, std::string_view code,
                       const std::vector<std::string_view>& tests, const std::vector<Case>& cases,
                       double time_s, double memory_mb) {
  SandboxRequest req;
  const std::string nonce = make_nonce();
  const auto memory_bytes = static_cast<unsigned long long>(memory_mb * (1 << 20));
  const unsigned long long cpu_s = static_cast<unsigned long long>(std::ceil(time_s));
  std::vector<const Case*> live, calls;
  bool io = false;
  for (const Case& c : cases) {
    if (!c.valid) continue;
    live.push_back(&c);
    if (c.io)
      io = true;
    else
      calls.push_back(&c);
  }
  const int total = static_cast<int>(tests.size() + live.size());
  std::string source;
  if (lang == Language::kPython) {
    nlohmann::json job = {{"tests", nlohmann::json::array()}, {"cases", nlohmann::json::array()}};
    for (std::string_view t : tests) job["tests"].push_back(std::string(t));
    for (const Case* c : live) {
      job["cases"].push_back(c->io ? nlohmann::json{{"stdin", c->input}}
                                   : nlohmann::json{{"call", c->call}});
    }
    req.stdin_data =
        nonce + "\n" + job.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    req.files = {{"/work/solution.py", code},
                 {"/work/.rft_judge.py", harness::python_judge()},
                 {"/work/.rft_runner.py", harness::python_runner()}};
    req.script = "printf r >&3\nexec 3>&-\n/usr/bin/python3 -I /work/.rft_judge.py\n";
    req.setup_wall_s = 2;
    req.run_wall_s = time_s + 0.5;  // the interpreters' start
    req.cpu_s = static_cast<double>(cpu_s);
    req.address_space_bytes = memory_bytes;
  } else {
    source = cpp_source(code, tests, calls);
    std::string kinds(tests.size(), 't');
    std::string inputs;
    for (const Case* c : live) {
      kinds += c->io ? 'i' : 'c';
      if (c->io) inputs += std::to_string(c->input.size()) + "\n" + c->input;
    }
    req.stdin_data = nonce + "\n" + std::to_string(kinds.size()) + "\n" + kinds + "\n" + inputs;
    req.files = {{"/work/solution.cc", source}, {"/work/.rft_judge.c", harness::cpp_judge()}};
    if (io) req.files.push_back({"/work/solution_io.cc", code});
    req.script = cpp_script(io, cpu_s, memory_bytes);
    req.setup_wall_s = kCompileWallS;
    req.run_wall_s = time_s + 0.2;
    req.cpu_s = kCompileWallS;
    req.address_space_bytes = std::max(memory_bytes, kCompileMemoryBytes);
  }
  const SandboxOutcome o = run_sandboxed(req);
  return classify(lang, o, nonce, live, total);
}

// Results by content, thread-safe and bounded: once the keys and results (as `cost` counts them)
// pass `max_bytes`, the map starts over; crude but bounded.
template <class T>
class BoundedCache {
 public:
  BoundedCache(size_t max_bytes, size_t (*cost)(const T&)) : max_bytes_(max_bytes), cost_(cost) {}
  bool find(const std::string& key, T* r) {
    std::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return false;
    *r = it->second;
    return true;
  }
  void put(const std::string& key, const T& r) {
    std::lock_guard lock(mu_);
    const size_t bytes = key.size() + cost_(r);
    bytes_ += bytes;
    if (bytes_ > max_bytes_) {
      map_.clear();
      bytes_ = bytes;
    }
    map_[key] = r;
  }

 private:
  const size_t max_bytes_;
  size_t (*const cost_)(const T&);
  std::mutex mu_;
  std::unordered_map<std::string, T> map_;
  size_t bytes_ = 0;
};

// The same code and tests (a model repeats itself) run once. A second map holds what the code
// alone decides (a syntax error, a crash before the tests), so that the same broken code with
// other tests fails fast too.
using ResultCache = BoundedCache<RunResult>;
size_t run_cost(const RunResult& r) {
  return r.stderr_head.size() + 64;
}

ResultCache& full_cache() {
  static ResultCache c(256u << 20, run_cost);
  return c;
}
ResultCache& code_cache() {
  static ResultCache c(256u << 20, run_cost);
  return c;
}

void append_field(std::string& key, std::string_view s) {
  key += std::to_string(s.size());
  key += ':';
  key.append(s);
}

// The fast way out for text that cannot be source code: a NUL or another ASCII control
// character other than tab, line feed, vertical tab, form feed and carriage return. Python and
// C++ reject those outside string literals, and inside them a program would write an escape. The
// position of the first one, or npos.
size_t control_character(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && (c < '\t' || c > '\r')) || c == 0x7F) return i;
  }
  return std::string_view::npos;
}

RunResult not_source(std::string_view what, std::string_view text, size_t at, int total) {
  RunResult r;
  r.total = total;
  r.status = "compile_error";
  char byte[8];
  std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[at]));
  r.stderr_head = std::string(what) + " holds the control character " + byte + " at byte " +
                  std::to_string(at) + ", which source code cannot";
  return r;
}

RunResult run_code(Language lang, std::string_view code, const std::vector<std::string_view>& tests,
                   const std::vector<Case>& cases, double time_s, double memory_mb) {
  const int total = static_cast<int>(tests.size() + cases.size());
  if (const size_t at = control_character(code); at != std::string_view::npos) {
    return not_source("the code", code, at, total);
  }
  // A Python test that cannot compile fails alone, without running: the others run as if it were
  // not there. A C++ one fails the whole program.
  std::vector<std::string_view> live;
  for (std::string_view t : tests) {
    const size_t at = control_character(t);
    if (at == std::string_view::npos) {
      live.push_back(t);
    } else if (lang == Language::kCpp) {
      return not_source("a test", t, at, total);
    }
  }
  // What the code alone decides does not depend on the limits either.
  std::string code_key = lang == Language::kPython ? "py|" : "cpp|";
  append_field(code_key, code);
  RunResult r;
  if (code_cache().find(code_key, &r)) {
    r.total = total;
    return r;
  }
  std::string key = code_key + format_seconds(time_s) + "|" + format_seconds(memory_mb) + "|";
  for (std::string_view t : live) append_field(key, t);
  key += "|cases|";
  for (const Case& c : cases) {
    if (!c.valid) continue;
    append_field(key, c.io ? "io" : "call");
    append_field(key, c.io ? c.input : c.call);
    append_field(key, c.io ? c.output : c.expect.dump());
  }
  if (!full_cache().find(key, &r)) {
    r = run_uncached(lang, code, live, cases, time_s, memory_mb);
    if (r.status == "sandbox_error") return r;  // perhaps passing trouble: try again next time
    full_cache().put(key, r);
    if (r.code_decided) code_cache().put(code_key, r);
  }
  r.total = total;
  return r;
}

double clamp_limit(double x, double fallback, double lo, double hi, Context& ctx) {
  if (std::isnan(x)) x = fallback;
  if (x < lo || x > hi) {
    ctx.flag("code_limit_clamped");
    x = std::clamp(x, lo, hi);
  }
  return x;
}

const char* tool_problem(Language lang) {
  if (lang == Language::kPython) {
    return ::access("/usr/bin/python3", X_OK) == 0 ? nullptr
                                                   : "python3 is not installed at /usr/bin/python3";
  }
  return ::access("/usr/bin/g++", X_OK) == 0 ? nullptr : "g++ is not installed at /usr/bin/g++";
}

// A case of run_cases from its JSON: {"call": str, "expect": any} or {"stdin": str, "stdout": str}.
Case parse_case(const nlohmann::json& j) {
  Case c;
  if (j.is_object() && j.size() == 2 && j.contains("call") && j["call"].is_string() &&
      j.contains("expect")) {
    c.call = j["call"].get<std::string>();
    c.expect = j["expect"];
    c.valid = !c.call.empty() && control_character(c.call) == std::string_view::npos;
  } else if (j.is_object() && j.size() == 2 && j.contains("stdin") && j["stdin"].is_string() &&
             j.contains("stdout") && j["stdout"].is_string()) {
    c.io = true;
    c.input = j["stdin"].get<std::string>();
    c.output = j["stdout"].get<std::string>();
  } else {
    c.valid = false;
  }
  return c;
}

// run_python, run_cpp and run_cases: the result as JSON, with a flag for each kind of contained
// violation.
void run_builtin(Language lang, rft_ctx* handle, std::string_view code,
                 const std::vector<std::string_view>& tests, const std::vector<Case>& cases,
                 double time_limit, double memory_limit, rft_value* out) {
  Context& ctx = Context::from(handle);
  size_t test_bytes = 0;
  for (std::string_view t : tests) test_bytes += t.size();
  for (const Case& c : cases) test_bytes += c.call.size() + c.input.size() + c.output.size();
  const double time_s = clamp_limit(time_limit, kDefaultTimeS, kMinTimeS, kMaxTimeS, ctx);
  const double memory_mb =
      clamp_limit(memory_limit, kDefaultMemoryMb, kMinMemoryMb, kMaxMemoryMb, ctx);
  RunResult r;
  r.total = static_cast<int>(tests.size() + cases.size());
  if (code.size() > kMaxCodeBytes || tests.size() + cases.size() > kMaxTests ||
      test_bytes > kMaxTestBytes) {
    r.status = "input_too_large";
  } else if (const std::string& why = sandbox_problem(); !why.empty()) {
    r.status = "sandbox_error";
    r.stderr_head = why;
  } else if (const char* missing = tool_problem(lang)) {
    r.status = "sandbox_error";
    r.stderr_head = missing;
  } else {
    r = run_code(lang, code, tests, cases, time_s, memory_mb);
  }
  if (r.status != "ok" && r.status != "compile_error" && r.status != "crash") {
    ctx.flag("code_" + r.status);
  }
  nlohmann::json j = {{"compiled", r.compiled},
                      {"passed", r.passed},
                      {"total", r.total},
                      {"status", r.status},
                      {"stderr", r.stderr_head}};
  *out = json_value(ctx.keep(std::move(j)));
}

void run_tests_builtin(Language lang, rft_ctx* ctx, const rft_value* args, rft_value* out) {
  std::vector<std::string_view> tests;
  for (const rft_value& t : items_of(args[1])) tests.push_back(view_str(t));
  run_builtin(lang, ctx, view_str(args[0]), tests, {}, args[2].as.num, args[3].as.num, out);
}

// ---------------------------------------------------------------------------------------------
// Linting: pyflakes and pycodestyle (Python), cppcheck (C++) and shellcheck (shell), run in the
// sandbox by a driver (code_harness.h) that never runs the code, with a style guide as data.

constexpr double kDefaultLintS = 10, kMinLintS = 0.1, kMaxLintS = 60;
constexpr unsigned long long kLintMemoryBytes = 1ull << 30;

// The rule names of each language's linters. Python: pycodestyle's codes, pyflakes' under the
// codes flake8 gives them, E999 (a syntax error) and the naming checks' N8xx.
constexpr std::string_view kPythonRules =
    "E101 E111 E112 E113 E114 E115 E116 E121 E122 E123 E124 E125 E126 E127 E128 E129 E131 E133 "
    "E201 E202 E203 E211 E221 E222 E223 E224 E225 E226 E227 E228 E231 E241 E242 E251 E252 E261 "
    "E262 E265 E266 E271 E272 E273 E274 E275 E301 E302 E303 E304 E305 E306 E401 E402 E501 E502 "
    "E701 E702 E703 E704 E711 E712 E713 E714 E721 E722 E731 E741 E742 E743 E902 E999 W191 W291 "
    "W292 W293 W391 W503 W504 W505 W605 W606 F401 F402 F403 F404 F405 F406 F407 F501 F502 F503 "
    "F504 F505 F506 F507 F508 F509 F521 F522 F523 F524 F525 F541 F601 F602 F621 F622 F631 F632 "
    "F633 F634 F701 F702 F703 F704 F706 F707 F721 F722 F723 F811 F821 F822 F823 F831 F841 F901 "
    "N801 N802 N803 N806 N816 suppression ";
// pycodestyle's checks that are off unless enabled.
constexpr std::string_view kPythonOptional = "E121 E123 E126 E226 E241 E242 E704 W503 W504 W505 ";
constexpr std::string_view kCppOptional = "unusedFunction ";
// shellcheck's optional checks (shellcheck --list-optional); its rules are SC followed by four
// digits.
constexpr std::string_view kShellOptional =
    "add-default-case avoid-nullary-conditions check-extra-masked-returns check-set-e-suppressed "
    "check-unassigned-uppercase deprecate-which quote-safe-variables require-double-brackets "
    "require-variable-braces ";

bool in_words(std::string_view words, std::string_view w) {
  if (w.empty() || w.find(' ') != std::string_view::npos) return false;
  for (size_t pos = words.find(w); pos != std::string_view::npos; pos = words.find(w, pos + 1)) {
    if ((pos == 0 || words[pos - 1] == ' ') && pos + w.size() < words.size() &&
        words[pos + w.size()] == ' ')
      return true;
  }
  return false;
}

bool known_rule(std::string_view lang, std::string_view rule) {
  if (lang == "python") return in_words(kPythonRules, rule);
  // cppcheck lists only some of its ids (cppcheck --errorlist lacks uninitvar), so any
  // identifier is taken.
  if (lang == "cpp") {
    return !rule.empty() && std::isalpha(static_cast<unsigned char>(rule[0])) &&
           std::all_of(rule.begin(), rule.end(), [](char c) {
             return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
           });
  }
  if (rule == "line-length" || rule == "suppression") return true;
  return rule.size() == 6 && rule.substr(0, 2) == "SC" && rule[2] >= '1' && rule[2] <= '3' &&
         std::all_of(rule.begin() + 2, rule.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool optional_check(std::string_view lang, std::string_view name) {
  return in_words(lang == "python" ? kPythonOptional
                  : lang == "cpp"  ? kCppOptional
                                   : kShellOptional,
                  name);
}

struct LintTool {
  std::string_view lang, path, what, package;
};
constexpr LintTool kLintTools[] = {
    {"python", "/usr/lib/python3/dist-packages/pyflakes/api.py", "pyflakes", "pyflakes3"},
    {"python", "/usr/lib/python3/dist-packages/pycodestyle.py", "pycodestyle", "pycodestyle"},
    {"cpp", "/usr/bin/cppcheck", "cppcheck", "cppcheck"},
    {"shell", "/usr/bin/shellcheck", "shellcheck", "shellcheck"},
    // The driver of every language.
    {"python", "/usr/bin/python3", "python3", "python3"},
    {"cpp", "/usr/bin/python3", "python3", "python3"},
    {"shell", "/usr/bin/python3", "python3", "python3"},
};

struct LintResult {
  std::string status;     // ok, timeout, output_limit, linter_error, bad_style, sandbox_error
  nlohmann::json report;  // the driver's: findings, count, counts, by_rule, suppressions
  std::string why;
  size_t findings_bytes = 0;
};

// Whether the driver's report has the shape that lint_code reads (status "ok").
bool well_formed(const nlohmann::json& r) {
  auto count = [](const nlohmann::json& j, const char* k) {
    return j.is_object() && j.contains(k) && j[k].is_number_integer() && j[k].get<int64_t>() >= 0;
  };
  if (!r.is_object() || !count(r, "count") || !count(r, "suppressions") ||
      !r.contains("findings") || !r["findings"].is_array() || !r.contains("by_rule") ||
      !r["by_rule"].is_object() || !r.contains("counts")) {
    return false;
  }
  const nlohmann::json& c = r["counts"];
  return count(c, "error") && count(c, "warning") && count(c, "style") && count(c, "info");
}

LintResult lint_uncached(const std::string& lang, std::string_view code,
                         const nlohmann::json& style, double time_s) {
  SandboxRequest req;
  const std::string nonce = make_nonce();
  const std::string name = lang == "python" ? "code.py" : lang == "cpp" ? "code.cpp" : "code.sh";
  const nlohmann::json job = {{"lang", lang}, {"style", style}, {"time_limit", time_s}};
  req.stdin_data =
      nonce + "\n" + job.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  req.files = {{"/work/" + name, code}, {"/work/.rft_lint.py", harness::python_linter()}};
  req.script = "printf r >&3\nexec 3>&-\n/usr/bin/python3 -I /work/.rft_lint.py\n";
  req.setup_wall_s = 2;
  req.run_wall_s = time_s + 0.5;  // the interpreter's start
  req.cpu_s = std::ceil(time_s) + 1;
  req.address_space_bytes = kLintMemoryBytes;
  const SandboxOutcome o = run_sandboxed(req);
  LintResult r;
  if (!o.started) return {"sandbox_error", {}, stderr_head(o.error)};
  constexpr int kSigXcpu = 128 + 24, kSigXfsz = 128 + 25;
  if (o.output_capped || o.exit_code == kSigXfsz || o.space_exhausted) {
    return {"output_limit", {}, ""};
  }
  if (o.timed_out || o.exit_code == kSigXcpu) return {"timeout", {}, ""};
  const std::vector<std::string> lines = reports(o.out, nonce);
  if (lines.size() != 1) return {"linter_error", {}, stderr_head(o.err)};
  r.report = nlohmann::json::parse(lines[0], nullptr, false);
  if (!r.report.is_object() || !r.report.contains("status") || !r.report["status"].is_string()) {
    return {"linter_error", {}, stderr_head(o.err)};
  }
  r.status = r.report["status"].get<std::string>();
  if (r.status == "ok" && !well_formed(r.report)) return {"linter_error", {}, "a malformed report"};
  if (r.report.contains("why") && r.report["why"].is_string()) r.why = r.report["why"];
  r.findings_bytes = lines[0].size();
  return r;
}

}  // namespace

RFT_BUILTIN(code_blocks) {
  Context& c = Context::from(ctx);
  const std::string wanted = canonical_language(trim_ascii(view_str(args[1])));
  const std::vector<Block> blocks = fenced_blocks(view_str(args[0]));
  std::vector<std::string_view> picked;
  for (const Block& b : blocks) {
    if (wanted.empty() || b.lang == wanted) picked.push_back(b.code);
  }
  if (picked.empty()) {  // untagged fences, when none is tagged with the language
    for (const Block& b : blocks) {
      if (b.lang.empty()) picked.push_back(b.code);
    }
  }
  std::vector<std::string_view> copies;
  for (std::string_view p : picked) copies.push_back(view(c.copy(p)));
  *out = make_str_list(c, copies);
}

RFT_BUILTIN(run_python) {
  run_tests_builtin(Language::kPython, ctx, args, out);
}
RFT_BUILTIN(run_cpp) {
  run_tests_builtin(Language::kCpp, ctx, args, out);
}
RFT_BUILTIN(run_cases) {
  Context& c = Context::from(ctx);
  const std::string lang = canonical_language(trim_ascii(view_str(args[1])));
  std::vector<Case> cases;
  for (const rft_value& v : items_of(args[2])) {
    cases.push_back(v.tag == RFT_JSON ? parse_case(*static_cast<const nlohmann::json*>(v.as.json))
                                      : parse_case(nlohmann::json()));
  }
  if (std::any_of(cases.begin(), cases.end(), [](const Case& k) { return !k.valid; })) {
    c.flag("code_bad_case");
  }
  if (lang != "python" && lang != "cpp") {
    c.flag("code_unknown_language");
    nlohmann::json j = {{"compiled", false},
                        {"passed", 0},
                        {"total", cases.size()},
                        {"status", "unknown_language"},
                        {"stderr", "run_cases runs python or cpp, not " + lang}};
    *out = json_value(c.keep(std::move(j)));
    return;
  }
  run_builtin(lang == "python" ? Language::kPython : Language::kCpp, ctx, view_str(args[0]), {},
              cases, args[3].as.num, args[4].as.num, out);
}

std::string lint_language(std::string_view name) {
  const std::string l = canonical_language(trim_ascii(name));
  if (l == "python" || l == "cpp") return l;
  if (l == "sh" || l == "bash" || l == "shell" || l == "shellscript") return "shell";
  return "";
}

std::string lint_style_problem(std::string_view lang, const nlohmann::json& style) {
  if (style.is_null()) return "";
  if (!style.is_object()) return "a style guide is a JSON object, not " + style.dump();
  const std::string langs = lang.empty() ? "python cpp shell" : std::string(lang);
  auto any_lang = [&](auto pred) {
    for (std::string_view l : {"python", "cpp", "shell"}) {
      if (in_words(langs + " ", l) && pred(l)) return true;
    }
    return false;
  };
  const std::string where = lang.empty() ? "" : " for " + std::string(lang);
  for (auto it = style.begin(); it != style.end(); ++it) {
    const std::string& k = it.key();
    const nlohmann::json& v = *it;
    if (k == "disable" || k == "enable") {
      if (!v.is_array()) return "`" + k + "` is a list of rule names";
      for (const auto& r : v) {
        if (!r.is_string()) return "`" + k + "` holds rule names (strings), not " + r.dump();
        const std::string rule = r.get<std::string>();
        const bool ok = k == "disable" ? any_lang([&](auto l) { return known_rule(l, rule); })
                                       : any_lang([&](auto l) { return optional_check(l, rule); });
        if (!ok) {
          return "unknown rule `" + rule + "` in `" + k + "`" + where +
                 (k == "enable" ? " (enable takes checks that are off by default)" : "");
        }
      }
    } else if (k == "max_line_length" || k == "max_doc_length") {
      if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > 10000) {
        return "`" + k + "` is a whole number of characters from 1 to 10000";
      }
    } else if (k == "suppressions") {
      if (v != "count" && v != "ignore") return "`suppressions` is \"count\" or \"ignore\"";
    } else if (k == "naming") {
      if (!v.is_object()) return "`naming` is an object of patterns";
      for (auto n = v.begin(); n != v.end(); ++n) {
        if (n.key() != "class" && n.key() != "function" && n.key() != "argument" &&
            n.key() != "variable") {
          return "unknown kind of name `" + n.key() +
                 "` in `naming` (class, function, argument, "
                 "variable)";
        }
        if (!n->is_string()) return "a pattern in `naming` is a string";
      }
    } else if (k == "shell") {
      if (v != "bash" && v != "sh" && v != "dash" && v != "ksh") {
        return "`shell` is \"bash\", \"sh\", \"dash\" or \"ksh\"";
      }
    } else {
      return "unknown style setting `" + k +
             "` (disable, enable, max_line_length, "
             "max_doc_length, suppressions, naming, shell)";
    }
  }
  return "";
}

std::string lint_tools_problem(std::string_view lang, std::string_view root) {
  for (const LintTool& t : kLintTools) {
    if (!lang.empty() && t.lang != lang) continue;
    const std::string path = std::string(root) + std::string(t.path);
    if (::access(path.c_str(), R_OK) != 0) {
      return std::string(t.what) + " is not installed (" + path + "): install the Debian package " +
             std::string(t.package) + " (apt-get install " + std::string(t.package) + ")";
    }
  }
  return "";
}

RFT_BUILTIN(lint_code) {
  Context& c = Context::from(ctx);
  const std::string_view code = view_str(args[0]);
  const std::string lang = lint_language(view_str(args[1]));
  nlohmann::json style = args[2].tag == RFT_JSON
                             ? *static_cast<const nlohmann::json*>(args[2].as.json)
                             : nlohmann::json::object();
  if (style.is_null()) style = nlohmann::json::object();
  const double time_s = clamp_limit(args[3].as.num, kDefaultLintS, kMinLintS, kMaxLintS, c);
  LintResult r;
  if (lang.empty()) {
    r = {"unknown_language",
         {},
         "lint_code lints python, cpp or shell, not " + std::string(trim_ascii(view_str(args[1])))};
  } else if (std::string why = lint_style_problem(lang, style); !why.empty()) {
    r = {"bad_style", {}, why};
  } else if (code.size() > kMaxCodeBytes) {
    r = {"input_too_large", {}, "code over 1 MiB"};
  } else if (code.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos) {
    // Nothing to lint is not clean code: a completion without code earns no style credit.
    r = {"no_code", {}, "no code to lint"};
  } else if (const std::string& no_sandbox = sandbox_problem(); !no_sandbox.empty()) {
    r = {"sandbox_error", {}, no_sandbox};
  } else if (std::string missing = lint_tools_problem(lang); !missing.empty()) {
    r = {"tool_missing", {}, missing};
  } else {
    static BoundedCache<LintResult> cache(
        64u << 20, [](const LintResult& l) { return 256 + l.findings_bytes; });
    std::string key = lang + "|" + format_seconds(time_s) + "|";
    append_field(key, style.dump());
    append_field(key, code);
    if (!cache.find(key, &r)) {
      r = lint_uncached(lang, code, style, time_s);
      if (r.status != "sandbox_error") cache.put(key, r);
    }
  }
  nlohmann::json j = {{"status", r.status}, {"stderr", r.why}};
  if (r.status == "ok") {
    const nlohmann::json& counts = r.report["counts"];
    j["findings"] = r.report["findings"];
    j["count"] = r.report["count"];
    j["errors"] = counts["error"];
    j["warnings"] = counts["warning"];
    j["style"] = counts["style"];
    j["info"] = counts["info"];
    // Findings of a severity or a graver one: error > warning > style > info.
    const int64_t e = counts["error"], w = counts["warning"], st = counts["style"];
    j["at_least"] = {
        {"error", e}, {"warning", e + w}, {"style", e + w + st}, {"info", r.report["count"]}};
    j["by_rule"] = r.report["by_rule"];
    j["suppressions"] = r.report["suppressions"];
    j["clean"] = r.report["count"] == 0;
    if (j["findings"].size() < j["count"].get<size_t>()) c.flag("lint_findings_truncated");
  } else {
    // No counts to turn into a score: a run that did not finish found nothing either way.
    j["findings"] = nlohmann::json::array();
    for (const char* k :
         {"count", "errors", "warnings", "style", "info", "suppressions", "at_least", "by_rule"}) {
      j[k] = nullptr;
    }
    j["clean"] = false;
    c.flag("lint_" + r.status);
  }
  *out = json_value(c.keep(std::move(j)));
}

namespace {

constexpr Builtin kCode[] = {
    RFT_ENTRY(
        code_blocks, "code_blocks(s: str, lang: str = \"\") -> list<str>",
        "The fenced code blocks of s tagged lang (any tag if empty), else the untagged ones."),
    RFT_ENTRY(run_python,
              "run_python(code: str, tests: list<str>, time_limit: num = 5, memory_mb: num = 512) "
              "-> json",
              "Runs Python 3 code and then each test snippet in a sandbox; the outcome as JSON."),
    RFT_ENTRY(run_cpp,
              "run_cpp(code: str, tests: list<str>, time_limit: num = 5, memory_mb: num = 512) "
              "-> json",
              "Compiles C++ code with g++ and runs each test statement on it in a sandbox; the "
              "outcome as JSON."),
    RFT_ENTRY(
        run_cases,
        "run_cases(code: str, lang: str, cases: list<json>, time_limit: num = 5, memory_mb: num = "
        "512) -> json",
        "Runs code on call and stdin/stdout cases in a sandbox, compared by rft as data; the "
        "outcome "
        "as JSON."),
    RFT_ENTRY(lint_code,
              "lint_code(code: str, lang: str, style: json, time_limit: num = 10) -> json",
              "Lints Python, C++ or shell code in a sandbox under a JSON style guide; the findings "
              "as JSON."),
};

}  // namespace

std::span<const Builtin> code_builtins() {
  return kCode;
}

}  // namespace rft::grader
