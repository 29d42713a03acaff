// Forged grades: programs that try to score tests they do not pass, by reaching the harness's
// verdict channel (its frames, its nonce, its output, its process), by changing what the tests
// mean (compile, assert, macros, exit codes), or by returning values that compare equal to
// anything. Every one must score 0; an honest solution of the same task scores what it earns,
// so that a harness that passes nothing would fail here too.
#include <deque>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/grader/sandbox.h"
#include "tests/grader/test_util.h"

namespace rft::grader::testing {
namespace {

constexpr std::string_view kPython =
    "run_python(code: str, tests: list<str>, time_limit: num = 5, memory_mb: num = 512) -> json";
constexpr std::string_view kCpp =
    "run_cpp(code: str, tests: list<str>, time_limit: num = 5, memory_mb: num = 512) -> json";
constexpr std::string_view kCases =
    "run_cases(code: str, lang: str, cases: list<json>, time_limit: num = 5, memory_mb: num = 512) "
    "-> "
    "json";

// Tests nothing can pass honestly.
const std::initializer_list<std::string_view> kPyImpossible = {"assert False", "assert 1 == 2",
                                                               "raise AssertionError('no')"};
const std::initializer_list<std::string_view> kCppImpossible = {"assert(false);", "assert(1 == 2);",
                                                                "throw 1;"};

class ForgedGrades : public BuiltinTest {
 protected:
  void SetUp() override {
    if (!sandbox_problem().empty()) GTEST_SKIP() << sandbox_problem();
  }
  nlohmann::json run(std::string_view sig, std::string_view code,
                     std::initializer_list<std::string_view> tests) {
    const rft_value v = call(sig, {S(code), Ls(tests), N(5), N(512)});
    return v.tag == RFT_JSON ? *static_cast<const nlohmann::json*>(v.as.json) : nullptr;
  }
  nlohmann::json cases(std::string_view lang, std::string_view code, std::string_view json) {
    // The cases as a list<json>, one JSON value per case.
    std::vector<rft_value>& items = lists_.emplace_back();
    for (const nlohmann::json& c : nlohmann::json::parse(json)) items.push_back(J(c.dump()));
    rft_value list = rft_none();
    list.tag = RFT_LIST;
    list.as.list = {items.data(), items.size()};
    const rft_value v = call(kCases, {S(code), S(lang), list, N(5), N(512)});
    return v.tag == RFT_JSON ? *static_cast<const nlohmann::json*>(v.as.json) : nullptr;
  }
  static int passed(const nlohmann::json& j) { return j["passed"].get<int>(); }
  std::deque<std::vector<rft_value>> lists_;
  static std::string summary(const nlohmann::json& j) {
    return j["status"].get<std::string>() + " " + std::to_string(j["passed"].get<int>()) + "/" +
           std::to_string(j["total"].get<int>());
  }
};

// The attacks on Python's assert-style tests, each a whole solution.
const char* const kPythonAttacks[] = {
    // 1. The harness's frame through sys._getframe, its report function, then a quiet exit.
    R"X(import sys, os
f = sys._getframe(0)
while f is not None:
    for scope in (f.f_locals, f.f_globals):
        for name in ("report", "_report", "send", "_send"):
            fn = scope.get(name)
            if callable(fn):
                for i in range(3):
                    try:
                        fn("%d pass" % i)
                    except Exception:
                        pass
                try:
                    fn("done")
                except Exception:
                    pass
    f = f.f_back
os._exit(0)
)X",
    // 2. compile replaced, so that the tests compile to `pass`.
    R"X(import builtins
_real = builtins.compile
builtins.compile = lambda src, name, mode, *a, **k: _real("pass", name, mode)
)X",
    // 3. Every function object in memory named like a reporter, called with pass verdicts.
    R"X(import gc, os
for o in gc.get_objects():
    if callable(o) and getattr(o, "__name__", "") in ("report", "send", "print_verdict"):
        for i in range(3):
            try:
                o("%d pass" % i)
            except Exception:
                pass
)X",
    // 4. An atexit hook and signal handlers that print verdicts for every nonce they can find.
    R"X(import atexit, os, re, signal, sys
def forge(*_):
    nonces = set()
    for pid in os.listdir("/proc"):
        for part in ("cmdline", "environ", "fd/0", "fd/3", "mem"):
            try:
                with open("/proc/%s/%s" % (pid, part), "rb") as f:
                    nonces.update(re.findall(rb"[0-9a-f]{32}", f.read(1 << 16)))
            except OSError:
                pass
    for n in nonces or {b"0" * 32}:
        for i in range(3):
            os.write(1, b"\nRFT-%s %d pass\n" % (n, i))
        os.write(1, b"\nRFT-%s done\n" % n)
atexit.register(forge)
for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGUSR1):
    signal.signal(s, forge)
forge()
)X",
    // 5. Monkeypatching what tests fail through: AssertionError, sys.exit, unittest.
    R"X(import builtins, sys, unittest
class Never(Exception):
    pass
builtins.AssertionError = Never
sys.exit = lambda *a: None
unittest.TestCase.assertEqual = lambda *a, **k: None
unittest.TestCase.assertTrue = lambda *a, **k: None
builtins.__build_class__ = builtins.__build_class__
)X",
    // 6. Reading the tests (files, stdin, other processes' descriptors) and printing verdicts.
    R"X(import os, sys
found = b""
for path in ["/work/tests.json", "/work/.rft_judge.py", "/dev/stdin", "/proc/1/fd/0"] + [
        "/proc/%s/fd/%d" % (p, fd) for p in os.listdir("/proc") if p.isdigit() for fd in (0, 4)]:
    try:
        with open(path, "rb") as f:
            found += f.read(1 << 16)
    except OSError:
        pass
print("read", len(found), "bytes", file=sys.stderr)
line = found.split(b"\n", 1)[0].decode(errors="replace")
for i in range(3):
    print("\nRFT-%s %d pass" % (line, i))
print("\nRFT-%s done" % line)
)X",
    // 7. Forged lines on every inherited descriptor, answers written ahead into any pipe.
    R"X(import os
for fd in range(0, 64):
    for data in (b'{"load": "ok"}\n', b'{"v": {"text": "True"}}\n' * 8, b"\nRFT-x 0 pass\n"):
        try:
            os.write(fd, data)
        except OSError:
            pass
)X",
    // 8. LD_PRELOAD and module shadowing for whatever runs after the solution.
    R"X(import os
os.environ["LD_PRELOAD"] = "/tmp/evil.so"
os.environ["PYTHONPATH"] = "/work:/tmp"
for d in ("/work", "/tmp", "/"):
    for name in ("json.py", "sitecustomize.py", "traceback.py", "importlib.py", "math.py"):
        try:
            with open(os.path.join(d, name), "w") as f:
                f.write("import os\nos.write(1, b'\\nRFT-x 0 pass\\n')\n")
        except OSError:
            pass
for path in ("/work/.rft_judge.py", "/work/.rft_runner.py"):
    try:
        with open(path, "w") as f:
            f.write("print('pwned')")
    except OSError:
        pass
)X",
    // 9. Exit codes: leave at once, successfully.
    "import os\nos._exit(0)\n",
    "raise SystemExit(0)\n",
    // 10. A child that outlives the solution and keeps forging; the parent carries on.
    R"X(import os, time
if os.fork() == 0:
    for _ in range(50):
        for fd in (1, 2, 3, 4, 5, 6):
            try:
                os.write(fd, b"\nRFT-0 0 pass\n")
            except OSError:
                pass
        time.sleep(0.01)
    os._exit(0)
)X",
    // 11. Killing the parent, the init, everything it may signal.
    R"X(import os, signal
for pid in (os.getppid(), 1, -1):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
)X",
    // 12. Tracing or reading the judge's memory (ptrace, process_vm_readv).
    R"X(import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
for pid in [int(p) for p in os.listdir("/proc") if p.isdigit()]:
    libc.ptrace(16, pid, None, None)  # PTRACE_ATTACH
    try:
        with open("/proc/%d/mem" % pid, "rb") as f:
            f.read(16)
    except OSError:
        pass
)X",
};

TEST_F(ForgedGrades, PythonAttacksScoreZero) {
  for (const char* attack : kPythonAttacks) {
    const nlohmann::json j = run(kPython, attack, kPyImpossible);
    EXPECT_EQ(passed(j), 0) << summary(j) << "\n" << attack << "\n" << j["stderr"];
  }
}

TEST_F(ForgedGrades, PythonAttacksOnRealTestsScoreZero) {
  // The same attacks where one test is honestly passable: add must really add.
  for (const char* attack : kPythonAttacks) {
    const std::string code = std::string(attack) + "\ndef add(a, b):\n    return a - b\n";
    const nlohmann::json j =
        run(kPython, code, {"assert add(1, 2) == 3", "assert add(2, 2) == 4", "assert False"});
    EXPECT_EQ(passed(j), 0) << summary(j) << "\n" << attack;
  }
}

// Values rigged to compare equal, true or hashed as anything.
const char* const kRiggedValues[] = {
    "class A:\n    def __eq__(self, o): return True\n    __hash__ = object.__hash__\n"
    "def add(a, b): return A()\n",
    "class I(int):\n    def __eq__(self, o): return True\n    def __ne__(self, o): return False\n"
    "    __hash__ = int.__hash__\ndef add(a, b): return I(a + b + 1)\n",
    "class S(str):\n    def __eq__(self, o): return True\n    __hash__ = str.__hash__\n"
    "def add(a, b): return S('x')\n",
    "class B:\n    def __bool__(self): return True\n    def __eq__(self, o): return self\n"
    "def add(a, b): return B()\n",
    "class L(list):\n    def __eq__(self, o): return True\ndef add(a, b): return L([0])\n",
    "class T(tuple):\n    def __eq__(self, o): return True\ndef add(a, b): return T((0,))\n",
    // A patched == of a built-in container, where the solution can reach it: in its own
    // process the D passes for a dict, so it crosses as the plain (empty) dict it holds.
    "import builtins\nclass D(dict):\n    __eq__ = lambda s, o: True\nbuiltins.dict = D\n"
    "def add(a, b): return D()\n",
};

TEST_F(ForgedGrades, RiggedValuesScoreZero) {
  const std::string honest = "def add(a, b):\n    return a + b\n";
  // An honest add passes three of these; the rigged ones pass none.
  const std::initializer_list<std::string_view> tests = {
      "assert add(1, 2) == 3", "assert add(2, 2) == 4", "assert add(1, 1) == 3",
      "assert False",          "assert add(0, 0)",      "assert {add(1, 2)} == {3}"};
  EXPECT_EQ(summary(run(kPython, honest, tests)), "ok 3/6");
  const std::string calls = R"X([{"call": "add(1, 2)", "expect": 3}, {"call": "add(2, 2)",
                                 "expect": 4}, {"call": "add(1, 1)", "expect": 3}])X";
  EXPECT_EQ(summary(cases("python", honest, calls)), "ok 2/3");
  for (const char* rigged : kRiggedValues) {
    EXPECT_EQ(passed(run(kPython, rigged, tests)), 0) << rigged;
    EXPECT_EQ(passed(cases("python", rigged, calls)), 0) << rigged;
  }
}

TEST_F(ForgedGrades, PythonCasesCompareExactTypes) {
  const std::string code =
      "def f(x):\n    return {'int': 3, 'float': 3.0, 'bool': True, 'tuple': (1, 2), 'none': None,"
      " 'str': '3'}[x]\nimport sys\nif __name__ == '__main__':\n"
      "    print(sum(int(t) for t in sys.stdin.read().split()))\n";
  EXPECT_EQ(summary(cases("python", code, R"X([
      {"call": "f('int')", "expect": 3}, {"call": "f('int')", "expect": 3.0},
      {"call": "f('float')", "expect": 3.0}, {"call": "f('float')", "expect": 3},
      {"call": "f('bool')", "expect": true}, {"call": "f('bool')", "expect": 1},
      {"call": "f('tuple')", "expect": [1, 2]}, {"call": "f('none')", "expect": null},
      {"call": "f('str')", "expect": 3},
      {"stdin": "1 2 3\n", "stdout": "6\n"}, {"stdin": "1 2\n", "stdout": "6"},
      {"stdin": "4 4", "stdout": "8  \n\n"}])X")),
            "ok 7/12");
  // A malformed case fails alone, with a flag.
  EXPECT_EQ(summary(cases("python", code, R"X([{"call": "f('int')"}, {"call": "f('int')",
                                               "expect": 3}])X")),
            "ok 1/2");
  EXPECT_TRUE(flagged("code_bad_case"));
}

// The attacks on C++ assert-style tests.
const char* const kCppAttacks[] = {
    // 1. assert neutered by the solution's macros (the tests come after it in the file).
    "#include <cassert>\n#undef assert\n#define assert(x) ((void)0)\n",
    "#define false true\n#define throw return;\n",
    "#define static_cast(x) true ||\n#define __assert_fail(...) (void)0\n",
    // 2. A constructor that runs first, reads the nonce where the harness used to find it, and
    //    prints a pass line per test; another that leaves with success at once.
    R"X(#include <cstdio>
#include <unistd.h>
__attribute__((constructor(0))) static void forge() {
  char nonce[256] = {0};
  ssize_t n = read(0, nonce, sizeof nonce - 1);
  if (n > 0 && nonce[n - 1] == '\n') nonce[n - 1] = 0;
  for (int i = 0; i < 3; ++i) printf("\nRFT-%s %d pass\n", nonce, i);
  printf("\nRFT-%s done\n", nonce);
  fflush(stdout);
})X",
    "#include <unistd.h>\n__attribute__((constructor(0))) static void leave() { _exit(0); }\n",
    // 3. The failure paths replaced: __assert_fail, abort and signals that end in success.
    R"X(#include <csignal>
#include <cstdlib>
#include <unistd.h>
extern "C" void __assert_fail(const char*, const char*, unsigned, const char*) { _exit(0); }
static void ok(int) { _exit(0); }
__attribute__((constructor)) static void handlers() {
  for (int s = 1; s < 32; ++s) std::signal(s, ok);
  std::atexit([] { _exit(0); });
  std::set_terminate([] { _exit(0); });
})X",
    // 4. Library functions the harness might use, interposed by the solution's definitions.
    R"X(#include <sys/types.h>
#include <unistd.h>
extern "C" pid_t waitpid(pid_t, int* st, int) { if (st) *st = 0; return 1; }
extern "C" pid_t fork(void) { return 1; }
extern "C" int execv(const char*, char* const*) { return 0; })X",
    // 5. Reading the job (stdin, other processes' descriptors) at compile time and at run time.
    "#include \"/dev/stdin\"\n",
    "#include \"/proc/1/fd/0\"\n",
    R"X(#include <cstdio>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
__attribute__((constructor)) static void snoop() {
  char buf[4096];
  DIR* d = opendir("/proc");
  while (dirent* e = d ? readdir(d) : nullptr) {
    for (const char* fd : {"0", "4", "mem"}) {
      char path[256];
      snprintf(path, sizeof path, "/proc/%s/fd/%s", e->d_name, fd);
      int f = open(path, O_RDONLY);
      if (f < 0) continue;
      ssize_t n = read(f, buf, sizeof buf);
      for (int i = 0; n > 0 && i < 3; ++i) printf("\nRFT-%.*s %d pass\n", 32, buf, i);
      close(f);
    }
  }
})X",
    // 6. Killing the parent and everything else it may signal.
    R"X(#include <csignal>
#include <unistd.h>
__attribute__((constructor)) static void kill_all() {
  kill(getppid(), SIGKILL);
  kill(1, SIGKILL);
  kill(-1, SIGKILL);
})X",
};

TEST_F(ForgedGrades, CppAttacksScoreZero) {
  for (const char* attack : kCppAttacks) {
    const nlohmann::json j = run(kCpp, attack, kCppImpossible);
    EXPECT_EQ(passed(j), 0) << summary(j) << "\n" << attack << "\n" << j["stderr"];
  }
}

TEST_F(ForgedGrades, CppCasesCompareAsData) {
  const std::string honest =
      "#include <string>\n#include <vector>\nint add(int a, int b) { return a + b; }\n"
      "std::vector<int> two(int a) { return {a, a}; }\ndouble half(int a) { return a / 2.0; }\n"
      "std::string s() { return \"a\\\"b\"; }\n#include <iostream>\n"
      "int main() { int a, b; std::cin >> a >> b; std::cout << a + b << \"\\n\"; }\n";
  const std::string calls = R"X([{"call": "add(1, 2)", "expect": 3},
      {"call": "add(1, 2)", "expect": 3.0}, {"call": "two(4)", "expect": [4, 4]},
      {"call": "half(3)", "expect": 1.5}, {"call": "half(4)", "expect": 2.0},
      {"call": "s()", "expect": "a\"b"}, {"call": "add(1, 1) == 2", "expect": true},
      {"stdin": "2 3", "stdout": "5"}, {"stdin": "2 3", "stdout": "6"}])X";
  EXPECT_EQ(summary(cases("cpp", honest, calls)), "ok 7/9");
  // Rigged comparisons cannot cross: a class has no JSON form here, and a macro that rewrites
  // the call only chooses the value blind.
  const std::string rigged =
      "struct A { template <class T> bool operator==(const T&) const { return true; } "
      "operator int() const { return 7; } };\nA add(int, int) { return {}; }\n";
  EXPECT_EQ(passed(cases("cpp", rigged, R"X([{"call": "add(1, 2)", "expect": 3},
                                            {"call": "add(2, 2)", "expect": 4}])X")),
            0);
  for (const char* attack : kCppAttacks) {
    const std::string code = std::string(attack) + "\nint add(int a, int b) { return a - b; }\n";
    EXPECT_EQ(passed(cases("cpp", code, R"X([{"call": "add(1, 2)", "expect": 3},
                                            {"call": "add(2, 2)", "expect": 4}])X")),
              0)
        << attack;
  }
}

}  // namespace
}  // namespace rft::grader::testing
