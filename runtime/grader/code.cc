// Code execution builtins, the native part of std.code: fenced code blocks out of a completion,
// and a program plus its tests run in the bubblewrap sandbox of sandbox.h.
//
// The tests report through lines "RFT-<nonce> <what>" on stdout, where the nonce is random per
// run and reaches the harness on stdin, which the harness reads and closes before the solution
// runs: a solution cannot print a passing verdict it does not know the nonce of.
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
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

struct RunResult {
  bool compiled = false;
  int passed = 0;
  int total = 0;
  std::string status;  // ok, compile_error, crash, timeout, memory, output_limit, ...
  std::string stderr_head;
  bool code_decided = false;  // the code alone decided it: any tests would end the same way
};

constexpr const char* kPythonHarness = R"PY(import json, os, sys, traceback


def _print_error(e):
    # Without the harness's own frame.
    tb = e.__traceback__.tb_next if e.__traceback__ is not None else None
    traceback.print_exception(type(e), e, tb)


def _rft_run():
    nonce = sys.stdin.readline().strip()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    out = os.dup(1)
    harness = os.getpid()

    def report(what):
        if os.getpid() != harness:  # a process the solution forked: it reports nothing
            os._exit(0)
        try:
            os.write(out, ("\nRFT-%s %s\n" % (nonce, what)).encode())
        except OSError:
            pass

    with open("/work/tests.json", encoding="utf-8") as f:
        tests = json.load(f)
    with open("/work/solution.py", encoding="utf-8") as f:
        source = f.read()
    try:
        code = compile(source, "solution.py", "exec")
    except (SyntaxError, ValueError) as e:
        traceback.print_exception(type(e), e, None)
        report("compile_error")
        return
    report("compiled")
    scope = {"__name__": "solution", "__builtins__": __builtins__}
    try:
        exec(code, scope)
    except MemoryError:
        report("memory")
        return
    except BaseException as e:
        _print_error(e)
        report("crash")
        return
    for i, test in enumerate(tests):
        try:
            exec(compile(test, "test_%d" % i, "exec"), dict(scope))
            verdict = "pass"
        except MemoryError:
            verdict = "memory"
        except BaseException as e:
            _print_error(e)
            verdict = "fail"
        report("%d %s" % (i, verdict))
    report("done")


_rft_run()
)PY";

// Runs each test in a forked child, so that a failed assert or a crash fails that test only; a
// test passes when its function returns (an exit() inside it does not count).
constexpr const char* kCppHarness = R"C(#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int rft_run_test(unsigned i);
unsigned rft_test_count(void);

static char nonce[128];
static int out = -1;
static pid_t harness;

/* Before any constructor of the solution (those run at the default priority). */
__attribute__((constructor(101))) static void rft_init(void) {
  size_t n = 0;
  char c;
  while (n < sizeof nonce - 1 && read(0, &c, 1) == 1 && c != '\n') nonce[n++] = c;
  int null = open("/dev/null", O_RDONLY);
  if (null >= 0) {
    dup2(null, 0);
    close(null);
  }
  out = fcntl(1, F_DUPFD_CLOEXEC, 10);
  harness = getpid();
}

static void report(const char* what) {
  char line[256];
  if (getpid() != harness) _exit(0); /* a process the solution forked reports nothing */
  int len = snprintf(line, sizeof line, "\nRFT-%s %s\n", nonce, what);
  if (out >= 0 && len > 0) (void)!write(out, line, (size_t)len);
}

int main(void) {
  unsigned count = rft_test_count();
  for (unsigned i = 0; i < count; ++i) {
    const char* verdict = "fail";
    int p[2];
    fflush(NULL);
    if (pipe(p) == 0) {
      pid_t pid = fork();
      if (pid == 0) {
        close(p[0]);
        int r = rft_run_test(i);
        char c = r == 0 ? 'P' : r == 3 ? 'M' : 'F';
        (void)!write(p[1], &c, 1);
        _exit(0);
      }
      close(p[1]);
      char c = 0;
      if (pid > 0) {
        while (read(p[0], &c, 1) < 0 && errno == EINTR) {
        }
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
        }
        if (c == 'P' && WIFEXITED(st) && WEXITSTATUS(st) == 0) verdict = "pass";
        if (c == 'M') verdict = "memory";
      }
      close(p[0]);
    }
    char line[64];
    snprintf(line, sizeof line, "%u %s", i, verdict);
    report(line);
  }
  report("done");
  return 0;
}
)C";

constexpr std::string_view kCppTestsFile = "rft_tests.cpp";

// The solution and the tests in one translation unit: the tests call what the solution defines.
// A main() of the solution is renamed away; the harness has its own.
std::string cpp_source(std::string_view code, const std::vector<std::string_view>& tests) {
  std::string s =
      "#include <cassert>\n#include <new>\n#define main rft_user_main\n#line 1 \"solution.cpp\"\n";
  s.append(code);
  s += "\n#undef main\n#line 1 \"";
  s += kCppTestsFile;
  s += "\"\n";
  for (size_t i = 0; i < tests.size(); ++i) {
    s += "static void rft_test_" + std::to_string(i) + "() {\n";
    s.append(tests[i]);
    s += "\n;}\n";
  }
  s += "extern \"C\" int rft_run_test(unsigned rft_i) {\n  try {\n    switch (rft_i) {\n";
  for (size_t i = 0; i < tests.size(); ++i) {
    s += "      case " + std::to_string(i) + ": rft_test_" + std::to_string(i) + "(); break;\n";
  }
  s += "      default: return 1;\n    }\n  } catch (const std::bad_alloc&) {\n    return 3;\n"
       "  } catch (...) {\n    return 1;\n  }\n  return 0;\n}\n"
       "extern \"C\" unsigned rft_test_count(void) { return " +
       std::to_string(tests.size()) + "; }\n";
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

RunResult classify(Language lang, const SandboxOutcome& o, const std::string& nonce, int total) {
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
  if (o.output_capped || o.exit_code == kSigXfsz) {
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
  std::vector<bool> passed(static_cast<size_t>(total), false);
  for (const std::string& line : lines) {
    const size_t space = line.find(' ');
    if (space == std::string::npos) continue;
    const std::string_view verdict = std::string_view(line).substr(space + 1);
    size_t i = 0;
    for (char c : std::string_view(line).substr(0, space))
      i = i * 10 + static_cast<size_t>(c - '0');
    if (i < passed.size()) {
      if (verdict == "memory") r.status = r.status == "ok" ? "memory" : r.status;
      passed[i] = verdict == "pass";
    }
  }
  if (lang == Language::kPython) {
    r.code_decided = r.status == "compile_error" || has("crash");
  } else if (r.status == "compile_error") {
    // An error in the solution's part of the file, with no word of the tests' part, comes before
    // the tests and does not depend on them.
    r.code_decided = o.exit_code == 101 && r.stderr_head.size() < kStderrHeadBytes &&
                     r.stderr_head.find(kCppTestsFile) == std::string::npos &&
                     r.stderr_head.find("solution.cpp:") != std::string::npos;
  }
  // A contained violation scores nothing, whatever passed before it.
  if (r.status == "ok") r.passed = static_cast<int>(std::count(passed.begin(), passed.end(), true));
  return r;
}

std::string format_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

RunResult run_uncached(Language lang, std::string_view code,
                       const std::vector<std::string_view>& tests, double time_s,
                       double memory_mb) {
  SandboxRequest req;
  const std::string nonce = make_nonce();
  req.stdin_data = nonce + "\n";
  const auto memory_bytes = static_cast<unsigned long long>(memory_mb * (1 << 20));
  const unsigned long long cpu_s = static_cast<unsigned long long>(std::ceil(time_s));
  std::string tests_json, source;
  if (lang == Language::kPython) {
    nlohmann::json list = nlohmann::json::array();
    for (std::string_view t : tests) list.push_back(std::string(t));
    tests_json = list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    req.files = {{"/work/solution.py", code},
                 {"/work/tests.json", tests_json},
                 {"/work/.rft_harness.py", kPythonHarness}};
    req.script = "printf r >&3\nexec 3>&-\n/usr/bin/python3 -I /work/.rft_harness.py\n";
    req.setup_wall_s = 2;
    req.run_wall_s = time_s + 0.5;  // the interpreter's start
    req.cpu_s = static_cast<double>(cpu_s);
    req.address_space_bytes = memory_bytes;
  } else {
    source = cpp_source(code, tests);
    req.files = {{"/work/solution.cc", source}, {"/work/.rft_harness.c", kCppHarness}};
    // Two steps, so that code that does not compile stops before the harness is compiled.
    req.script =
        "/usr/bin/g++ -std=gnu++17 -O2 -pipe -w -fmax-errors=10 -c -o /work/solution.o "
        "/work/solution.cc >&2 || exit 101\n"
        "/usr/bin/g++ -O2 -pipe -w -o /work/prog /work/solution.o -x c /work/.rft_harness.c >&2 "
        "|| exit 101\n"
        "printf r >&3\nexec 3>&-\n";
    req.script += "ulimit -t " + std::to_string(cpu_s) + "\n";
    req.script += "ulimit -v " + std::to_string(memory_bytes >> 10) + "\n";
    req.script += "/work/prog\n";
    req.setup_wall_s = kCompileWallS;
    req.run_wall_s = time_s + 0.2;
    req.cpu_s = kCompileWallS;
    req.address_space_bytes = std::max(memory_bytes, kCompileMemoryBytes);
  }
  const SandboxOutcome o = run_sandboxed(req);
  return classify(lang, o, nonce, static_cast<int>(tests.size()));
}

// Results by content: the same code and tests (a model repeats itself) run once. A second map
// holds what the code alone decides (a syntax error, a crash before the tests), so that the same
// broken code with other tests fails fast too.
class ResultCache {
 public:
  bool find(const std::string& key, RunResult* r) {
    std::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return false;
    *r = it->second;
    return true;
  }
  void put(const std::string& key, const RunResult& r) {
    std::lock_guard lock(mu_);
    bytes_ += key.size() + r.stderr_head.size() + 64;
    if (bytes_ > kMaxBytes) {  // crude but bounded: start over
      map_.clear();
      bytes_ = key.size() + r.stderr_head.size() + 64;
    }
    map_[key] = r;
  }

 private:
  static constexpr size_t kMaxBytes = 256u << 20;
  std::mutex mu_;
  std::unordered_map<std::string, RunResult> map_;
  size_t bytes_ = 0;
};

ResultCache& full_cache() {
  static ResultCache c;
  return c;
}
ResultCache& code_cache() {
  static ResultCache c;
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
                   double time_s, double memory_mb) {
  const int total = static_cast<int>(tests.size());
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
  if (!full_cache().find(key, &r)) {
    r = run_uncached(lang, code, live, time_s, memory_mb);
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

// run_python and run_cpp: the result as JSON, with a flag for each kind of contained violation.
void run_builtin(Language lang, rft_ctx* handle, const rft_value* args, rft_value* out) {
  Context& ctx = Context::from(handle);
  const std::string_view code = view_str(args[0]);
  std::vector<std::string_view> tests;
  size_t test_bytes = 0;
  for (const rft_value& t : items_of(args[1])) {
    tests.push_back(view_str(t));
    test_bytes += tests.back().size();
  }
  const double time_s = clamp_limit(args[2].as.num, kDefaultTimeS, kMinTimeS, kMaxTimeS, ctx);
  const double memory_mb =
      clamp_limit(args[3].as.num, kDefaultMemoryMb, kMinMemoryMb, kMaxMemoryMb, ctx);
  RunResult r;
  r.total = static_cast<int>(tests.size());
  if (code.size() > kMaxCodeBytes || tests.size() > kMaxTests || test_bytes > kMaxTestBytes) {
    r.status = "input_too_large";
  } else if (const std::string& why = sandbox_problem(); !why.empty()) {
    r.status = "sandbox_error";
    r.stderr_head = why;
  } else if (const char* missing = tool_problem(lang)) {
    r.status = "sandbox_error";
    r.stderr_head = missing;
  } else {
    r = run_code(lang, code, tests, time_s, memory_mb);
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
  run_builtin(Language::kPython, ctx, args, out);
}
RFT_BUILTIN(run_cpp) {
  run_builtin(Language::kCpp, ctx, args, out);
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
};

}  // namespace

std::span<const Builtin> code_builtins() {
  return kCode;
}

}  // namespace rft::grader
