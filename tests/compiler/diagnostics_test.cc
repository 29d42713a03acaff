// Table-driven tests that pin the exact rendered diagnostics of the parser and the checker:
// message, location, the source line, the caret under the range, and the hint.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "compiler/driver/loader.h"

namespace rft {
namespace {

struct Case {
  const char* name;
  const char* source;
  const char* rendered;
};

// Each source is loaded as spec.reward; `rendered` is everything `rft check` prints for it.
const Case kCases[] = {
    {"ThreeUnrelatedMistakes",
     R"rft(item { answer: str }

reward r {
  let a = len(complet)
  component ok = item.answr == "3"
  total = ok + matches(completion, "a(b")
}
)rft",
     R"rft(spec.reward:4:15: error[E0201]: unknown name `complet`
 4 |   let a = len(complet)
   |               ^~~~~~~
   = help: did you mean `completion`?
spec.reward:5:23: error[E0202]: unknown item field `answr`
 5 |   component ok = item.answr == "3"
   |                       ^~~~~
   = help: did you mean `answer`?
spec.reward:6:36: error[E0305]: invalid regex: missing ): a(b
 6 |   total = ok + matches(completion, "a(b")
   |                                    ^~~~~
   = help: rft uses RE2 syntax (no backreferences or lookaround)
)rft"},
    {"SyntaxErrorsAreAllReported",
     R"rft(reward r {
  let a = (1 + 
  total = 1
}

reward s {
  total = len(completion) *
}
)rft",
     R"rft(spec.reward:3:9: error[E0001]: expected `)`, found `=`
 3 |   total = 1
   |         ^
spec.reward:8:1: error[E0001]: expected an expression, found `}`
 8 | }
   | ^
)rft"},
    {"UnterminatedString",
     R"rft(reward r {
  total = len("abc)
}
)rft",
     R"rft(spec.reward:2:15: error[E0001]: unterminated string
 2 |   total = len("abc)
   |               ^~~~~
   = help: a string ends on the line where it starts; use """ for text over several lines
)rft"},
    {"UnexpectedCharacter",
     R"rft(reward r {
  total = len(completion) $ 2
}
)rft",
     R"rft(spec.reward:2:27: error[E0001]: unexpected character `$`
 2 |   total = len(completion) $ 2
   |                           ^
)rft"},
    {"UnknownEscape",
     R"rft(reward r {
  total = len("\q")
}
)rft",
     R"rft(spec.reward:2:16: error[E0002]: unknown escape `\q`
 2 |   total = len("\q")
   |                ^~
   = help: escapes are \n \t \r \0 \\ \" \' \u{...}; for regexes and LaTeX, a raw string r"..." keeps backslashes as they are
)rft"},
    {"MissingTotal",
     R"rft(reward r {
  component c = len(completion)
}
)rft",
     R"rft(spec.reward:1:8: error[E0401]: reward `r` has no `total`
 1 | reward r {
   |        ^
   = help: add `total = ...`; rft never sums components silently
)rft"},
    {"InvalidRegex",
     R"rft(reward r {
  total = matches(completion, "a(b")
}
)rft",
     R"rft(spec.reward:2:31: error[E0305]: invalid regex: missing ): a(b
 2 |   total = matches(completion, "a(b")
   |                               ^~~~~
   = help: rft uses RE2 syntax (no backreferences or lookaround)
)rft"},
    {"ChainedComparison",
     R"rft(reward r {
  total = 1 < len(completion) < 3
}
)rft",
     R"rft(spec.reward:2:11: error[E0307]: comparisons cannot be chained
 2 |   total = 1 < len(completion) < 3
   |           ^~~~~~~~~~~~~~~~~~~~~~~
   = help: write `a < b && b < c`
)rft"},
    {"CompareWithNone",
     R"rft(reward r {
  let x = num(completion)
  total = x == none
}
)rft",
     R"rft(spec.reward:3:11: error[E0308]: comparing with `none` is always false
 3 |   total = x == none
   |           ^~~~~~~~~
   = help: write `x is none`
)rft"},
    {"Recursion",
     R"rft(fn f(x: num) -> num = g(x)
fn g(x: num) -> num = f(x)
reward r {
  total = f(len(completion))
}
)rft",
     R"rft(spec.reward:1:4: error[E0105]: function `f` calls itself
 1 | fn f(x: num) -> num = g(x)
   |    ^
   = help: functions cannot be recursive; rewards always terminate
)rft"},
    {"UnknownModule",
     R"rft(import std.mth
reward r {
  total = len(completion)
}
)rft",
     R"rft(spec.reward:1:1: error[E0101]: cannot find module `std.mth`
 1 | import std.mth
   | ^~~~~~~~~~~~~~
   = help: did you mean `std.math`?
)rft"},
    {"UseBeforeDefinition",
     R"rft(reward r {
  let a = b + 1
  let b = len(completion)
  total = a
}
)rft",
     R"rft(spec.reward:2:11: error[E0204]: `b` is used before its definition
 2 |   let a = b + 1
   |           ^
   = help: bindings are visible after their definition; move this one up
spec.reward:3:7: note: defined here
 3 |   let b = len(completion)
   |       ^
)rft"},
    {"JudgeInFunction",
     R"rft(judge j {
  model = "m"
  prompt = "Rate {completion}"
  scale = 1..5
}
fn f(s: str) -> num = j()
reward r {
  total = f(completion)
}
)rft",
     R"rft(spec.reward:6:23: error[E0205]: a judge can only be called in a reward
 6 | fn f(s: str) -> num = j()
   |                       ^~~
   = help: call it from a `component` or `let` in a reward block
)rft"},
    {"Warnings",
     R"rft(judge j {
  model = "m"
  prompt = "Rate {completion}"
  scale = 1..5
}
reward r {
  let unused = 1
  component c = len(completion) in 0..1
  component logged = j()
  total = c
}
reward k {
  total = 0.5
}
)rft",
     R"rft(spec.reward:6:8: warning[W0003]: judge `j` is called in `r` but can never affect its total
 6 | reward r {
   |        ^
   = help: its calls cost time and money; remove them or use the result in `total`
spec.reward:7:7: warning[W0001]: `unused` is never used
 7 |   let unused = 1
   |       ^~~~~~
spec.reward:8:17: warning[W0005]: component `c` can range over 0..inf, beyond its bounds 0..1
 8 |   component c = len(completion) in 0..1
   |                 ^~~~~~~~~~~~~~~
   = help: values outside are clamped and flagged `out_of_bounds:c`; `clamp(x, lo, hi)` makes it explicit
spec.reward:9:13: warning[W0004]: component `logged` does not affect the total
 9 |   component logged = j()
   |             ^~~~~~
   = help: use it in `total`, or declare it `monitor` to log it without the warning
spec.reward:13:3: warning[W0002]: the total of `k` is the same for every sample
 13 |   total = 0.5
    |   ^~~~~~~~~~~
    = help: it reads no `completion`, `prompt`, `item` or judge; training on it teaches nothing
)rft"},
    {"NoMatchingOverload",
     R"rft(reward r {
  total = contains(completion, 3)
}
)rft",
     R"rft(spec.reward:2:11: error[E0303]: no form of `contains` takes (str, num)
 2 |   total = contains(completion, 3)
   |           ^~~~~~~~~~~~~~~~~~~~~~~
   = help: its forms are `contains(s: str, sub: str, ignore_case: bool = false) -> bool`; `contains(xs: list<T>, x: T) -> bool`
)rft"},
    {"OptionalWhereValueExpected",
     R"rft(reward r {
  let n: num = num(completion)
  total = n
}
)rft",
     R"rft(spec.reward:2:16: error[E0301]: `n` must be `num`, found `num?`
 2 |   let n: num = num(completion)
   |                ^~~~~~~~~~~~~~~
   = help: it may be none; give a default with `?? value`
)rft"},
    {"UnknownItemFieldWithoutNearName",
     R"rft(item { answer: str }
reward r {
  total = len(item.reference)
}
)rft",
     R"rft(spec.reward:3:20: error[E0202]: unknown item field `reference`
 3 |   total = len(item.reference)
   |                    ^~~~~~~~~
   = help: add `reference: str` (or its type) to the `item` declaration
)rft"},
    {"NoItemDeclaration",
     R"rft(reward r {
  total = len(item.answer)
}
)rft",
     R"rft(spec.reward:2:15: error[E0203]: this file declares no `item` fields
 2 |   total = len(item.answer)
   |               ^~~~~~~~~~~
   = help: declare the fields each dataset row has, as in `item { answer: str }`
)rft"},
    {"SampleNotVisibleInFunction",
     R"rft(fn f() -> num = len(completion)
reward r {
  total = f() + len(completion)
}
)rft",
     R"rft(spec.reward:1:21: error[E0205]: `completion` is not visible in a function
 1 | fn f() -> num = len(completion)
   |                     ^~~~~~~~~~
   = help: pass it in as a parameter
)rft"},
    {"UnknownJudgeSetting",
     R"rft(judge j {
  model = "m"
  promt = "Rate {completion}"
  scale = 1..5
}
reward r {
  total = j()
}
)rft",
     R"rft(spec.reward:3:3: error[E0402]: unknown judge setting `promt`
 3 |   promt = "Rate {completion}"
   |   ^~~~~
   = help: did you mean `prompt`?
)rft"},
    {"UnknownPlaceholder",
     R"rft(judge j {
  model = "m"
  prompt = "Rate {complet}"
  scale = 1..5
}
reward r {
  total = j()
}
)rft",
     R"rft(spec.reward:3:12: error[E0403]: unknown placeholder `{complet}` in the judge prompt
 3 |   prompt = "Rate {complet}"
   |            ^~~~~~~~~~~~~~~~
   = help: did you mean `completion`?
)rft"},
    {"TestOfUnknownReward",
     R"rft(reward gsm8k {
  total = len(completion)
}
test gsm8 "x" {
  completion = "a"
  expect total == 1
}
)rft",
     R"rft(spec.reward:4:6: error[E0405]: no reward named `gsm8`
 4 | test gsm8 "x" {
   |      ^~~~
   = help: did you mean `gsm8k`?
)rft"},
    {"UnknownTestInput",
     R"rft(reward r {
  total = len(completion)
}
test r "x" {
  complection = "a"
  expect total == 1
}
)rft",
     R"rft(spec.reward:5:3: error[E0404]: unknown test input `complection`
 5 |   complection = "a"
   |   ^~~~~~~~~~~
   = help: did you mean `completion`?
)rft"},
    {"TypeMismatchInArithmetic",
     R"rft(reward r {
  total = len(completion) + "x"
}
)rft",
     R"rft(spec.reward:2:29: error[E0301]: the right side of `+` must be a number (`num` or `bool`), found `str`
 2 |   total = len(completion) + "x"
   |                             ^~~
   = help: convert it with `num(...)`, which gives none if it is not a number
)rft"},
    {"IfBranchesDisagree",
     R"rft(reward r {
  total = len(if completion == "" then "a" else 3)
}
)rft",
     R"rft(spec.reward:2:15: error[E0301]: the branches of `if` have different types: `str` and `num`
 2 |   total = len(if completion == "" then "a" else 3)
   |               ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
)rft"},
    {"DuplicateBinding",
     R"rft(reward r {
  let a = 1
  let a = 2
  total = a + len(completion)
}
)rft",
     R"rft(spec.reward:3:7: error[E0103]: `a` is already declared in reward `r`
 3 |   let a = 2
   |       ^
)rft"},
    {"CallingANonFunction",
     R"rft(reward r {
  let a = 1
  total = a(2) + len(completion)
}
)rft",
     R"rft(spec.reward:3:11: error[E0304]: `a` is not a function
 3 |   total = a(2) + len(completion)
   |           ^
)rft"},
    {"ModuleHiddenByBinding",
     R"rft(import std.format
reward r {
  component format = 1
  total = format.word_count(completion)
}
)rft",
     R"rft(spec.reward:1:1: warning[W0001]: import `std.format` is never used
 1 | import std.format
   | ^~~~~~~~~~~~~~~~~
spec.reward:4:11: error[E0304]: `format` here is a local binding, which hides the module `format`
 4 |   total = format.word_count(completion)
   |           ^~~~~~~~~~~~~~~~~
   = help: rename the binding, or import the module under another name with `as`
)rft"},
    {"PrivateImport",
     R"rft(import std.text
reward r {
  total = len(text._squash(completion))
}
)rft",
     R"rft(spec.reward:3:20: error[E0104]: `_squash` is private to `std.text`
 3 |   total = len(text._squash(completion))
   |                    ^~~~~~~
   = help: names starting with `_` are not visible outside their file
)rft"},
    {"MonitorsAreReadOnlyByMonitorsAndTests",
     R"rft(judge strict(answer: str) {
  model = "m"
  prompt = "Is {answer} right?"
  scale = 0..1
}
reward r {
  let n = len(completion)
  component ok = contains(completion, "42")
  monitor raw_length = n
  monitor checked = strict(answer = completion) + raw_length
  let twice = raw_length * 2
  component c = checked
  monitor again = again + 1
  total = ok + raw_length
}

test r "monitors in expect" {
  completion = "42"
  judge strict = 1
  expect raw_length == 2 && checked == 3
}
)rft",
     R"rft(spec.reward:11:15: error[E0205]: `raw_length` is a monitor: it is logged, never part of the reward
 11 |   let twice = raw_length * 2
    |               ^~~~~~~~~~
    = help: only monitors and tests read a monitor; compute the value in a `let` both can use
spec.reward:12:17: error[E0205]: `checked` is a monitor: it is logged, never part of the reward
 12 |   component c = checked
    |                 ^~~~~~~
    = help: only monitors and tests read a monitor; compute the value in a `let` both can use
spec.reward:13:19: error[E0204]: `again` is used in its own definition
 13 |   monitor again = again + 1
    |                   ^~~~~
spec.reward:14:16: error[E0205]: `raw_length` is a monitor: it is logged, never part of the reward
 14 |   total = ok + raw_length
    |                ^~~~~~~~~~
    = help: only monitors and tests read a monitor; compute the value in a `let` both can use
)rft"},
    {"MonitorsRaiseNoDeadWeightWarning",
     R"rft(judge strict(answer: str) {
  model = "m"
  prompt = "Is {answer} right?"
  scale = 0..1
}
reward r {
  let n = len(completion)
  let only_monitored = n * 2
  component ok = contains(completion, "42")
  component logged = n
  monitor length = only_monitored
  monitor judged = strict(answer = completion)
  monitor bounded = n in 0..1
  total = ok
}
)rft",
     R"rft(spec.reward:10:13: warning[W0004]: component `logged` does not affect the total
 10 |   component logged = n
    |             ^~~~~~
    = help: use it in `total`, or declare it `monitor` to log it without the warning
spec.reward:13:21: warning[W0005]: monitor `bounded` can range over 0..inf, beyond its bounds 0..1
 13 |   monitor bounded = n in 0..1
    |                     ^
    = help: values outside are clamped and flagged `out_of_bounds:bounded`; `clamp(x, lo, hi)` makes it explicit
)rft"},
    {"TabsKeepCaretAligned",
     R"rft(reward r {
	total = len(completon)
}
)rft",
     R"rft(spec.reward:2:14: error[E0201]: unknown name `completon`
 2 | 	total = len(completon)
   | 	            ^~~~~~~~~
   = help: did you mean `completion`?
)rft"},
    {"Utf8ColumnsCountCodePoints",
     R"rft(reward r {
  total = len("héllo wörld") + lenn(completion)
}
)rft",
     R"rft(spec.reward:2:32: error[E0201]: unknown name `lenn`
 2 |   total = len("héllo wörld") + lenn(completion)
   |                                ^~~~
   = help: did you mean `len`?
)rft"},
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class DiagnosticsTest : public ::testing::TestWithParam<Case> {};

TEST_P(DiagnosticsTest, RendersExactly) {
  const Case& c = GetParam();
  std::unique_ptr<Program> p = load_program_from_string("spec.reward", c.source);
  EXPECT_EQ(render_all(p->diags, p->sources), c.rendered);
}

INSTANTIATE_TEST_SUITE_P(Pinned, DiagnosticsTest, ::testing::ValuesIn(kCases),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(Diagnostics, ThreeUnrelatedMistakesAreAllErrors) {
  std::unique_ptr<Program> p = load_program_from_string("spec.reward", kCases[0].source);
  EXPECT_EQ(p->diags.error_count(), 3u);
}

TEST(Diagnostics, ColorWrapsSeverityAndCaret) {
  std::unique_ptr<Program> p = load_program_from_string("spec.reward", "reward r {\n  total = x\n}\n");
  std::string text = render_all(p->diags, p->sources, /*color=*/true);
  EXPECT_NE(text.find("\033[1;31merror[E0201]"), std::string::npos) << text;
  EXPECT_NE(text.find("\033[1;31m^"), std::string::npos) << text;
}

// Control characters in a line are escaped: a NUL would end the text where a C string ends, an
// escape sequence would drive the terminal. The caret still lines up under the name.
TEST(Diagnostics, ControlCharactersAreEscaped) {
  std::string source("reward r {\n  total = len(\"a\0b\") + x\n}\n", 37);
  std::unique_ptr<Program> p = load_program_from_string("spec.reward", source);
  EXPECT_EQ(render_all(p->diags, p->sources),
            "spec.reward:2:24: error[E0201]: unknown name `x`\n"
            " 2 |   total = len(\"a\\x00b\") + x\n"
            "   |                           ^\n");
  p = load_program_from_string("spec.reward",
                               "reward r {\n  total = len(\"\x1b[31mred\") + y\n}\n");
  EXPECT_EQ(render_all(p->diags, p->sources),
            "spec.reward:2:29: error[E0201]: unknown name `y`\n"
            " 2 |   total = len(\"\\x1B[31mred\") + y\n"
            "   |                                ^\n");
}

// A 400 KB line is cut to 160 code points around the caret: 60 before it, "..." at each cut.
TEST(Diagnostics, LongLinesAreCutAroundTheCaret) {
  std::string source = "reward r {\n  let a = \"" + std::string(400000, 'x') + "\" + zz + \"" +
                       std::string(1000, 'y') + "\"\n  total = len(a)\n}\n";
  std::unique_ptr<Program> p = load_program_from_string("spec.reward", source);
  const std::string shown =
      "..." + std::string(56, 'x') + "\" + zz + \"" + std::string(94, 'y') + "...";
  EXPECT_EQ(render_all(p->diags, p->sources),
            "spec.reward:2:400016: error[E0201]: unknown name `zz`\n 2 | " + shown + "\n   | " +
                std::string(63, ' ') + "^~\n");
}

// A file that is not UTF-8 text shows none of its content, only where the problem is.
TEST(Diagnostics, ANonUtf8FileShowsNoContent) {
  std::unique_ptr<Program> p =
      load_program_from_string("spec.reward", "reward r {\n  total = 1 // \xff\xfe secret\n}\n");
  EXPECT_EQ(render_all(p->diags, p->sources),
            "spec.reward:2:16: error[E0005]: file is not valid UTF-8\n"
            "   = help: save the file as UTF-8\n");
}

// An import by path must name a .reward file; anything else is never read, so no line of it
// (such as /etc/shadow's first) can appear in a diagnostic.
TEST(Diagnostics, ImportingAFileThatIsNotASpecShowsNoneOfIt) {
  namespace fs = std::filesystem;
  fs::path secret = fs::temp_directory_path() / ("rft-diag-secret-" + std::to_string(getpid()));
  std::ofstream(secret) << "root:$6$secrethash:19000:0:99999:7:::\n";
  const std::string import = "import \"" + secret.string() + "\" as s";
  std::unique_ptr<Program> p = load_program_from_string(
      "spec.reward", import + "\nreward r {\n  total = len(completion)\n}\n");
  std::string text = render_all(p->diags, p->sources);
  fs::remove(secret);
  EXPECT_EQ(text.find("secrethash"), std::string::npos) << text;
  const std::string caret = "^" + std::string(import.size() - 1, '~');
  EXPECT_EQ(text, "spec.reward:1:1: error[E0101]: cannot import `" + secret.string() +
                      "`: it is not a .reward file\n 1 | " + import + "\n   | " + caret +
                      "\n   = help: imports by path name spec files, such as "
                      "\"shared/checks.reward\"\n");
}

}  // namespace
}  // namespace rft
