// std.code's lint_code: the findings of each linter on known-bad snippets, checked against the
// same Debian tool run directly (outside the sandbox) as the reference; style guides that
// disable rules; and completions that try to tamper with the linters or their configuration, or
// to flood or stall them, which earn no lint credit.
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>

#include "runtime/grader/code_lint.h"
#include "runtime/grader/sandbox.h"
#include "tests/grader/test_util.h"

namespace rft::grader::testing {
namespace {

constexpr std::string_view kLint =
    "lint_code(code: str, lang: str, style: json, time_limit: num = 10) -> json";
constexpr std::string_view kPython =
    "run_python(code: str, tests: list<str>, time_limit: num = 5, memory_mb: num = 512) -> json";

using Findings = std::set<std::pair<std::string, int>>;  // (rule, line)

// What a command prints on stdout.
std::string output_of(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return out;
  std::array<char, 4096> buf;
  for (size_t n; (n = std::fread(buf.data(), 1, buf.size(), p)) > 0;) out.append(buf.data(), n);
  ::pclose(p);
  return out;
}

std::string temp_file(std::string_view ext, std::string_view content) {
  const std::string path =
      "/tmp/rft_lint_test_" + std::to_string(::getpid()) + "." + std::string(ext);
  std::ofstream(path) << content;
  return path;
}

// The reference's lines "<rule> <line>", as printed by the tool run directly.
Findings parse_reference(const std::string& text) {
  Findings f;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    const std::string line = text.substr(pos, nl - pos);
    const size_t sp = line.find(' ');
    if (sp != std::string::npos) f.insert({line.substr(0, sp), std::stoi(line.substr(sp + 1))});
    pos = nl + 1;
  }
  return f;
}

class Lint : public BuiltinTest {
 protected:
  void SetUp() override {
    if (!sandbox_problem().empty()) GTEST_SKIP() << sandbox_problem();
    if (const std::string why = lint_tools_problem(""); !why.empty()) GTEST_SKIP() << why;
  }
  nlohmann::json lint(std::string_view code, std::string_view lang, std::string_view style = "{}",
                      double time_limit = 10) {
    const rft_value v = call(kLint, {S(code), S(lang), J(style), N(time_limit)});
    return v.tag == RFT_JSON ? *static_cast<const nlohmann::json*>(v.as.json) : nullptr;
  }
  static Findings findings(const nlohmann::json& report, std::string_view linter = "") {
    Findings f;
    for (const auto& x : report["findings"]) {
      if (linter.empty() || x["linter"] == linter) {
        f.insert({x["rule"].get<std::string>(), x["line"].get<int>()});
      }
    }
    return f;
  }
  static int count(const nlohmann::json& report, std::string_view rule) {
    return static_cast<int>(report["by_rule"].value(std::string(rule), 0));
  }
};

constexpr std::string_view kBadPython =
    "import os, sys\n"
    "def area(r):\n"
    "    l = 3.14*r*r\n"
    "    return undefined_name + x\n"
    "if area(1) == None :\n"
    "    print( 'a line that is long enough to be longer than the seventy-nine characters' )\n";

TEST_F(Lint, PythonFindingsAreThoseOfPyflakesAndPycodestyle) {
  const nlohmann::json r = lint(kBadPython, "python");
  ASSERT_EQ(r["status"], "ok") << r.dump();
  const std::string path = temp_file("py", kBadPython);
  // pycodestyle with its defaults, and pyflakes: the codes flake8 gives its messages.
  const Findings style =
      parse_reference(output_of("/usr/bin/pycodestyle --format='%(code)s %(row)d' " + path));
  EXPECT_EQ(findings(r, "pycodestyle"), style);
  EXPECT_TRUE(style.count({"E302", 2}) && style.count({"E711", 5}) && style.count({"E501", 6}) &&
              style.count({"E741", 3}) && style.count({"E201", 6}) && style.count({"E203", 5}));
  const std::string flakes = output_of("/usr/bin/pyflakes3 " + path);
  EXPECT_NE(flakes.find(":1:1: 'os' imported but unused"), std::string::npos) << flakes;
  EXPECT_NE(flakes.find(":4:12: undefined name 'undefined_name'"), std::string::npos) << flakes;
  EXPECT_NE(flakes.find(":3:5: local variable 'l' is assigned to but never used"),
            std::string::npos)
      << flakes;
  EXPECT_EQ(findings(r, "pyflakes"), (Findings{{"F401", 1}, {"F821", 4}, {"F841", 3}}));
  EXPECT_EQ(count(r, "F401"), 2);  // os and sys
  EXPECT_EQ(count(r, "F821"), 2);  // undefined_name and x
  EXPECT_EQ(r["errors"], 2);       // the undefined names
  EXPECT_EQ(r["warnings"], 3);     // os, sys and l
  EXPECT_EQ(r["count"], r["findings"].size());
  EXPECT_EQ(r["clean"], false);
  ::unlink(path.c_str());
}

constexpr std::string_view kBadCpp =
    "#include <cstring>\n"
    "int f(int n) {\n"
    "  int x;\n"
    "  int a[4];\n"
    "  a[4] = n;\n"
    "  char buf[4];\n"
    "  strcpy(buf, \"too long\");\n"
    "  return x + a[0] + buf[0];\n"
    "}\n";

TEST_F(Lint, CppFindingsAreThoseOfCppcheck) {
  const nlohmann::json r = lint(kBadCpp, "cpp");
  ASSERT_EQ(r["status"], "ok") << r.dump();
  const std::string path = temp_file("cpp", kBadCpp);
  const Findings reference = parse_reference(
      output_of("/usr/bin/cppcheck --quiet --language=c++ --std=c++17 "
                "--enable=warning,style,performance,portability --suppress=missingIncludeSystem "
                "--suppress=checkersReport '--template={id} {line}' " +
                path + " 2>&1"));
  EXPECT_EQ(findings(r, "cppcheck"), reference);
  EXPECT_TRUE(reference.count({"arrayIndexOutOfBounds", 5}) && reference.count({"uninitvar", 8}) &&
              reference.count({"bufferAccessOutOfBounds", 7}))
      << r.dump();
  EXPECT_GE(r["errors"].get<int>(), 3);
  ::unlink(path.c_str());
}

constexpr std::string_view kBadShell =
    "#!/bin/bash\n"
    "files=$(ls *.txt)\n"
    "for f in $files; do\n"
    "  cat $f | grep foo\n"
    "done\n"
    "cd $dir\n";

TEST_F(Lint, ShellFindingsAreThoseOfShellcheck) {
  const nlohmann::json r = lint(kBadShell, "bash");
  ASSERT_EQ(r["status"], "ok") << r.dump();
  const std::string path = temp_file("sh", kBadShell);
  const std::string json = output_of("/usr/bin/shellcheck --norc -s bash -f json1 " + path);
  Findings reference;
  const nlohmann::json parsed = nlohmann::json::parse(json);
  for (const auto& c : parsed["comments"]) {
    reference.insert({"SC" + std::to_string(c["code"].get<int>()), c["line"].get<int>()});
  }
  EXPECT_EQ(findings(r, "shellcheck"), reference);
  EXPECT_TRUE(reference.count({"SC2086", 4}) && reference.count({"SC2035", 2}) &&
              reference.count({"SC2154", 6}) && reference.count({"SC2164", 6}))
      << json;
  ::unlink(path.c_str());
}

TEST_F(Lint, AStyleGuideDisablesRulesAndSetsTheLineLength) {
  const nlohmann::json all = lint(kBadPython, "python");
  const nlohmann::json some =
      lint(kBadPython, "python", R"({"disable": ["F401", "E711"], "max_line_length": 100})");
  ASSERT_EQ(some["status"], "ok") << some.dump();
  EXPECT_EQ(count(all, "F401"), 2);
  EXPECT_EQ(count(all, "E501"), 1);
  EXPECT_EQ(count(some, "F401"), 0);
  EXPECT_EQ(count(some, "E711"), 0);
  EXPECT_EQ(count(some, "E501"), 0);
  EXPECT_EQ(some["count"].get<int>(), all["count"].get<int>() - 4);
  // A check that is off by default, on.
  EXPECT_EQ(count(lint("x = 1*2\n", "python"), "E226"), 0);
  EXPECT_EQ(count(lint("x = 1*2\n", "python", R"({"enable": ["E226"]})"), "E226"), 1);
  EXPECT_EQ(count(lint(kBadCpp, "cpp", R"({"disable": ["uninitvar"]})"), "uninitvar"), 0);
  EXPECT_EQ(count(lint(kBadShell, "sh", R"({"disable": ["SC2086"]})"), "SC2086"), 0);
  // Unknown rules and settings are a bad style, no findings and a flag.
  for (std::string_view bad :
       {R"({"disable": ["E5O1"]})", R"({"enable": ["E501"]})", R"({"max_line_length": "long"})",
        R"({"colour": "blue"})", R"({"naming": {"module": "x"}})", R"(["E501"])"}) {
    const nlohmann::json r = lint("x = 1\n", "python", bad);
    EXPECT_EQ(r["status"], "bad_style") << bad;
    EXPECT_TRUE(r["count"].is_null());
    EXPECT_FALSE(r["stderr"].get<std::string>().empty());
  }
  EXPECT_TRUE(flagged("lint_bad_style"));
  EXPECT_EQ(lint("x\n", "sh", R"({"disable": ["SC20"]})")["status"], "bad_style");
}

TEST_F(Lint, SuppressionCommentsSilenceNothing) {
  struct Tamper {
    std::string_view lang, code, rule;
  };
  const Tamper tampers[] = {
      {"python", "import os  # noqa\n", "F401"},
      {"python", "import os  # noqa: F401\n", "F401"},
      {"python", "import os  # pylint: disable=unused-import\n", "F401"},
      {"python", "import os  # flake8: noqa\n", "F401"},
      {"python", "x = 1  # type: ignore\ny = x+ 1  # noqa: E225\n", "E225"},
      {"cpp", "int f() { int x; return x; }  // NOLINT\n", "uninitvar"},
      {"cpp", "// NOLINTNEXTLINE\nint f() { int x; return x; }\n", "uninitvar"},
      {"cpp", "int f() {\n  int x;\n  // cppcheck-suppress uninitvar\n  return x;\n}\n",
       "uninitvar"},
      {"shell", "#!/bin/bash\n# shellcheck disable=SC2086\necho $1\n", "SC2086"},
      {"shell", "#!/bin/bash\n# shellcheck disable=all\necho $1\n", "SC2086"},
      {"shell", "#!/bin/bash\necho $1  # shellcheck disable=SC2086\n", "SC2086"},
  };
  for (const Tamper& t : tampers) {
    const nlohmann::json counted = lint(t.code, t.lang);
    ASSERT_EQ(counted["status"], "ok") << t.code << counted.dump();
    EXPECT_EQ(count(counted, t.rule), 1) << t.code;
    EXPECT_GE(counted["suppressions"].get<int>(), 1) << t.code;
    EXPECT_EQ(count(counted, "suppression"), counted["suppressions"].get<int>()) << t.code;
    const nlohmann::json ignored = lint(t.code, t.lang, R"({"suppressions": "ignore"})");
    EXPECT_EQ(count(ignored, t.rule), 1) << t.code;
    EXPECT_EQ(count(ignored, "suppression"), 0) << t.code;
    EXPECT_FALSE(ignored["clean"].get<bool>()) << t.code;
  }
}

TEST_F(Lint, CodeCannotReachTheLintersConfigurationOrReport) {
  // Configuration files the code writes when it runs (its tests run in a sandbox of their own),
  // a sleep, and text imitating the linters' reports and rft's.
  const std::string code =
      "import os\n"
      "import time\n"
      "for d in ('/work', '/tmp', os.path.expanduser('~'), '.'):\n"
      "    for name, text in (('setup.cfg', '[pycodestyle]\\nignore = E,W\\n'),\n"
      "                       ('tox.ini', '[pycodestyle]\\nignore = E,W\\n'),\n"
      "                       ('.shellcheckrc', 'disable=all\\n')):\n"
      "        try:\n"
      "            open(os.path.join(d, name), 'w').write(text)\n"
      "        except OSError:\n"
      "            pass\n"
      "print('RFT-00000000000000000000000000000000 {\"status\": \"ok\", \"count\": 0}')\n"
      "print('code.py:1:1: E000 all clean')\n"
      "time.sleep(30)\n"
      "def f(a, b):\n"
      "    return a+ b\n";
  const rft_value ran = call(kPython, {S(code), Ls({"assert f(1, 2) == 3"}), N(0.5), N(512)});
  ASSERT_EQ(ran.tag, RFT_JSON);
  const nlohmann::json r = lint(code, "python");
  ASSERT_EQ(r["status"], "ok") << r.dump();
  EXPECT_EQ(count(r, "E225"), 1);  // the missing space
  EXPECT_EQ(count(r, "E302"), 1);  // the missing blank lines
  EXPECT_FALSE(r["clean"].get<bool>());
  // The configuration files a completion carries in other blocks are not read either: only the
  // code is linted, and it is the same with them.
  EXPECT_EQ(lint("x=1\n", "python")["count"], 1);
  EXPECT_EQ(lint("#!/bin/bash\necho $1\n", "shell")["count"], 1);
}

TEST_F(Lint, FloodsAndStallsAreStoppedAndFlagged) {
  // Thousands of findings: the first thousand are listed, all are counted, none is lost.
  std::string many;
  for (int i = 0; i < 3000; ++i) many += "x=" + std::to_string(i) + "\n";
  const nlohmann::json flood = lint(many, "python");
  ASSERT_EQ(flood["status"], "ok") << flood["stderr"];
  EXPECT_EQ(flood["findings"].size(), 1000u);
  EXPECT_EQ(count(flood, "E225"), 3000);
  EXPECT_FALSE(flood["clean"].get<bool>());
  EXPECT_TRUE(flagged("lint_findings_truncated"));
  // A linter that does not finish in time: a timeout, no counts to turn into a score.
  std::string big;
  for (int i = 0; i < 20000; ++i) big += "def f" + std::to_string(i) + "(a,b): return a+b\n";
  const nlohmann::json slow = lint(big, "python", "{}", 0.1);
  EXPECT_EQ(slow["status"], "timeout") << slow.dump().substr(0, 300);
  EXPECT_TRUE(slow["count"].is_null());
  EXPECT_FALSE(slow["clean"].get<bool>());
  EXPECT_TRUE(flagged("lint_timeout"));
}

TEST_F(Lint, UnknownLanguagesAndMissingToolsAreSaidClearly) {
  const nlohmann::json r = lint("puts 1", "ruby");
  EXPECT_EQ(r["status"], "unknown_language");
  EXPECT_TRUE(flagged("lint_unknown_language"));
  const std::string missing = lint_tools_problem("python", "/nonexistent");
  EXPECT_NE(missing.find("Debian package pyflakes3"), std::string::npos) << missing;
  EXPECT_NE(lint_tools_problem("shell", "/nonexistent").find("apt-get install shellcheck"),
            std::string::npos);
  EXPECT_NE(lint_tools_problem("cpp", "/nonexistent").find("apt-get install"), std::string::npos);
  EXPECT_EQ(lint_tools_problem(""), "");
}

}  // namespace
}  // namespace rft::grader::testing
