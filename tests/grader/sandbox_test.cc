// The code execution builtins: fenced block extraction, and whether the sandbox holds against
// programs that try to reach the network, write to the host, fork without end, loop, hog memory
// or flood their output. Each of those must be contained, score 0 and raise its flag.
#include "runtime/grader/sandbox.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/grader/test_util.h"

namespace rft::grader::testing {
namespace {

constexpr std::string_view kBlocks = "code_blocks(s: str, lang: str = \"\") -> list<str>";
constexpr std::string_view kPython =
    "run_python(code: str, tests: list<str>, time_limit: num = 5, memory_mb: num = 512) -> json";
constexpr std::string_view kCpp =
    "run_cpp(code: str, tests: list<str>, time_limit: num = 5, memory_mb: num = 512) -> json";

// Files under `dir` (one level) owned by a sandbox uid: there must never be any.
std::vector<std::string> sandbox_owned_files(const std::string& dir) {
  std::vector<std::string> found;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return found;
  while (dirent* e = readdir(d)) {
    struct stat st;
    const std::string path = dir + "/" + e->d_name;
    if (lstat(path.c_str(), &st) == 0 && st.st_uid >= 2'000'000'000u) found.push_back(path);
  }
  closedir(d);
  return found;
}

// Processes (zombies included) under the uids of this process's sandboxes, which sandbox.cc
// picks as 2'000'000'000 + 256 * (pid % 4096) + slot.
int sandbox_processes() {
  const unsigned long long first =
      2'000'000'000ull + 256ull * (static_cast<unsigned>(getpid()) % 4096);
  int n = 0;
  DIR* d = opendir("/proc");
  while (dirent* e = readdir(d)) {
    std::ifstream status(std::string("/proc/") + e->d_name + "/status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("Uid:", 0) == 0) {
        const unsigned long long uid = std::stoull(line.substr(5));
        if (uid >= first && uid < first + 256) ++n;
        break;
      }
    }
  }
  closedir(d);
  return n;
}

class SandboxTest : public BuiltinTest {
 protected:
  void SetUp() override {
    if (!sandbox_problem().empty()) GTEST_SKIP() << sandbox_problem();
  }

  // Runs a builtin and returns its JSON result.
  nlohmann::json run(std::string_view sig, std::string_view code,
                     std::initializer_list<std::string_view> tests, double time_limit = 5,
                     double memory_mb = 512) {
    const rft_value v = call(sig, {S(code), Ls(tests), N(time_limit), N(memory_mb)});
    if (v.tag != RFT_JSON) return nullptr;
    return *static_cast<const nlohmann::json*>(v.as.json);
  }
  static std::string summary(const nlohmann::json& j) {
    return j["status"].get<std::string>() + " " + std::to_string(j["passed"].get<int>()) + "/" +
           std::to_string(j["total"].get<int>()) + (j["compiled"].get<bool>() ? "" : " !compiled");
  }
};

TEST_F(BuiltinTest, CodeBlocksByLanguage) {
  const std::string text =
      "Here:\n```python\ndef f():\n    return 1\n```\nand\n```cpp\nint f() { return 1; }\n```\n"
      "then\n```\nplain\n```\n~~~Py title=x\nsecond = 2\n~~~\n";
  // show() prints strings unescaped, so the expected newlines are real ones.
  expect_calls({
      {kBlocks, {S(text), S("python")}, "[\"def f():\n    return 1\", \"second = 2\"]"},
      {kBlocks, {S(text), S("py")}, "[\"def f():\n    return 1\", \"second = 2\"]"},
      {kBlocks, {S(text), S("c++")}, "[\"int f() { return 1; }\"]"},
      {kBlocks, {S(text), S("rust")}, "[\"plain\"]"},  // untagged blocks as the fallback
      {kBlocks,
       {S(text), S("")},
       "[\"def f():\n    return 1\", \"int f() { return 1; }\", "
       "\"plain\", \"second = 2\"]"},
      {kBlocks, {S("no code"), S("python")}, "[]"},
      {kBlocks, {S("```python\r\nx = 1\r\n```"), S("python")}, "[\"x = 1\"]"},
      // An unclosed fence runs to the end; a shorter fence does not close a longer one.
      {kBlocks, {S("````py\na\n```\nb"), S("py")}, "[\"a\n```\nb\"]"},
      // Indented fences (inside a list item) lose that indentation.
      {kBlocks,
       {S("1. Do:\n   ```py\n   if x:\n       y()\n   ```"), S("py")},
       "[\"if x:\n    y()\"]"},
      {kBlocks, {S("inline ```py x``` only"), S("py")}, "[]"},
      {kBlocks, {S("```py\n```"), S("py")}, "[\"\"]"},
  });
}

TEST(SandboxProbe, NamesTheProblem) {
  EXPECT_NE(probe_sandbox("/nonexistent/bwrap").find("bubblewrap is not installed"),
            std::string::npos);
  // A bwrap that fails the way it does where user namespaces are disabled.
  char dir[] = "/tmp/rft_probe_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  chmod(dir, 0755);
  const std::string fake = std::string(dir) + "/bwrap";
  {
    std::ofstream f(fake);
    f << "#!/bin/sh\necho 'bwrap: No permissions to creating new namespace' >&2\nexit 1\n";
  }
  chmod(fake.c_str(), 0755);
  const std::string why = probe_sandbox(fake);
  EXPECT_NE(why.find("No permissions to creating new namespace"), std::string::npos) << why;
  EXPECT_NE(why.find("user namespaces"), std::string::npos) << why;
  std::remove(fake.c_str());
  rmdir(dir);
  if (sandbox_problem().empty()) {
    EXPECT_EQ(probe_sandbox("/usr/bin/bwrap"), "");
  }
}

TEST_F(SandboxTest, PythonCountsPassingTests) {
  const nlohmann::json j =
      run(kPython, "def add(a, b):\n    return a + b\n",
          {"assert add(1, 2) == 3", "assert add(1, 1) == 3", "x = add(2, 2)\nassert x == 4",
           "raise SystemExit(0)", "assert add(", "import sys; sys.stdout.write('noise')"});
  EXPECT_EQ(summary(j), "ok 3/6");
  EXPECT_NE(j["stderr"].get<std::string>().find("AssertionError"), std::string::npos);
  EXPECT_FALSE(flagged("code_timeout"));
}

TEST_F(SandboxTest, PythonMainBlockAndStdinDoNotRun) {
  EXPECT_EQ(summary(run(kPython,
                        "if __name__ == '__main__':\n    raise SystemExit(1)\n"
                        "data = input() if False else None\n",
                        {"assert data is None", "import sys\nassert sys.stdin.read() == ''"})),
            "ok 2/2");
}

TEST_F(SandboxTest, PythonCompileErrorsAndCrashes) {
  EXPECT_EQ(summary(run(kPython, "def f(:\n", {"assert True"})), "compile_error 0/1 !compiled");
  EXPECT_EQ(summary(run(kPython, "x = 1 / 0\n", {"assert True"})), "crash 0/1");
  // A solution that ends the process before the tests gets nothing for them.
  EXPECT_EQ(summary(run(kPython, "import os\nos._exit(0)\n", {"assert True"})), "crash 0/1");
}

TEST_F(SandboxTest, ForgedVerdictsDoNotCount) {
  // Without the nonce, printed verdict lines are plain output.
  const nlohmann::json j = run(kPython,
                               "import sys\nfor i in range(3):\n    print('RFT-0 %d pass' % i)\n"
                               "print('RFT- 0 pass\\nRFT-x done')\n",
                               {"assert False", "assert False"});
  EXPECT_EQ(summary(j), "ok 0/2");
}

TEST_F(SandboxTest, CppCountsPassingTests) {
  const nlohmann::json j =
      run(kCpp,
          "#include <vector>\n#include <cstdlib>\nint add(int a, int b) { return a + b; }\n"
          "int main() { return 1; }\n",
          {"assert(add(1, 2) == 3);", "assert(add(1, 1) == 3);", "throw 1;",
           "std::vector<int> v{1, 2}; assert(add(v[0], v[1]) == 3);", "std::exit(0);",
           "int* p = nullptr; *(volatile int*)p = 1;"});
  EXPECT_EQ(summary(j), "ok 2/6");
}

TEST_F(SandboxTest, CppCompileErrors) {
  const nlohmann::json j =
      run(kCpp, "int add(int a, int b) { return a + }", {"assert(add(1, 2) == 3);"});
  EXPECT_EQ(summary(j), "compile_error 0/1 !compiled");
  EXPECT_NE(j["stderr"].get<std::string>().find("solution.cpp:1"), std::string::npos);
  // An error in a test is a compile error of the whole program, reported against the tests.
  const nlohmann::json t =
      run(kCpp, "int add(int a, int b) { return a + b; }", {"assert(add(1) == 3);"});
  EXPECT_EQ(summary(t), "compile_error 0/1 !compiled");
  EXPECT_NE(t["stderr"].get<std::string>().find("rft_tests.cpp:"), std::string::npos);
}

TEST_F(SandboxTest, NetworkIsUnreachable) {
  // A server on the host's loopback that the sandbox must not reach.
  const int server = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  getsockname(server, reinterpret_cast<sockaddr*>(&addr), &len);
  ASSERT_EQ(listen(server, 4), 0);
  const std::string port = std::to_string(ntohs(addr.sin_port));
  const std::string connect = "import socket\ns = socket.create_connection(('127.0.0.1', " + port +
                              "), timeout=1)\ns.sendall(b'escaped')";
  const std::string dns = "import socket\nsocket.getaddrinfo('example.com', 80)";
  const std::string outside =
      "import urllib.request\nurllib.request.urlopen('http://1.1.1.1', timeout=1)";
  const nlohmann::json j = run(kPython, "", {connect, dns, outside});
  EXPECT_EQ(summary(j), "ok 0/3");
  // Nothing connected.
  timeval tv{0, 100000};
  setsockopt(server, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  EXPECT_LT(accept(server, nullptr, nullptr), 0);
  close(server);
}

TEST_F(SandboxTest, HostFilesAreUntouched) {
  const std::string victim = "/tmp/rft_sandbox_victim_" + std::to_string(getpid());
  { std::ofstream(victim) << "original"; }
  chmod(victim.c_str(), 0666);
  const std::string created = "/tmp/rft_sandbox_escape_" + std::to_string(getpid());
  const nlohmann::json j =
      run(kPython, "",
          {"open('" + created + "', 'w').write('x')\nassert open('" + created + "').read() == 'x'",
           "open('" + victim + "', 'w').write('overwritten')",
           "open('/usr/rft_sandbox_escape', 'w').write('x')",
           "import os\nos.makedirs('/work/sub')\nopen('/work/sub/f', 'w').write('x')"});
  // Writing the sandbox's own /tmp (where the victim's path is a new, private file) and /work
  // works; /usr is read-only; the host's files are out of reach.
  EXPECT_EQ(summary(j), "ok 3/4");
  EXPECT_FALSE(std::ifstream(created).good());
  EXPECT_FALSE(std::ifstream("/usr/rft_sandbox_escape").good());
  std::string content;
  std::getline(std::ifstream(victim), content);
  EXPECT_EQ(content, "original");
  std::remove(victim.c_str());
  EXPECT_EQ(sandbox_owned_files("/tmp"), std::vector<std::string>{});
}

TEST_F(SandboxTest, InfiniteLoopTimesOut) {
  const nlohmann::json j =
      run(kPython, "def f():\n    return 1\n", {"assert f() == 1", "while True:\n    pass"}, 0.5);
  EXPECT_EQ(summary(j), "timeout 0/2");
  EXPECT_TRUE(flagged("code_timeout"));
  // Sleeping (no CPU time) meets the wall clock instead; C++ too.
  EXPECT_EQ(summary(run(kPython, "import time\ntime.sleep(60)", {}, 0.5)), "timeout 0/0");
  EXPECT_EQ(
      summary(run(kCpp, "int spin() { for (volatile int i = 0;; ) i = i + 1; }", {"spin();"}, 0.5)),
      "timeout 0/1");
}

TEST_F(SandboxTest, ForkBombIsContained) {
  // First a bounded one: forking stops at the process limit, and the sleeping children are
  // killed with the sandbox when the program ends.
  const nlohmann::json bounded =
      run(kPython,
          "import os, time\nn = 0\nfor _ in range(1000):\n    try:\n        if os.fork() == 0:\n"
          "            time.sleep(30)\n            os._exit(0)\n        n += 1\n"
          "    except OSError:\n        break\n",
          {"assert n < 20"}, 2);
  EXPECT_EQ(summary(bounded), "ok 1/1");
  int left = sandbox_processes();
  for (int i = 0; i < 50 && left > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    left = sandbox_processes();
  }
  EXPECT_EQ(left, 0);
  // Then real ones, which never stop trying: contained, and they time out.
  EXPECT_EQ(summary(run(kPython, "import os\n",
                        {"while True:\n    try:\n        os.fork()\n    except OSError:\n"
                         "        pass"},
                        1)),
            "timeout 0/1");
  EXPECT_TRUE(flagged("code_timeout"));
  EXPECT_EQ(
      summary(run(kCpp, "#include <unistd.h>\nvoid bomb() { for (;;) fork(); }", {"bomb();"}, 1)),
      "timeout 0/1");
  for (int i = 0; i < 50 && (left = sandbox_processes()) > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(left, 0);
}

TEST_F(SandboxTest, MemoryHogIsStopped) {
  const nlohmann::json j = run(kPython, "", {"x = bytearray(1 << 30)"}, 5, 256);
  EXPECT_EQ(summary(j), "memory 0/1");
  EXPECT_TRUE(flagged("code_memory"));
  EXPECT_EQ(
      summary(run(kCpp, "#include <vector>\n", {"std::vector<char> v(1ull << 30, 1);"}, 5, 256)),
      "memory 0/1");
}

TEST_F(SandboxTest, OutputFloodIsCut) {
  const nlohmann::json j = run(kPython, "while True:\n    print('x' * 1000)\n", {"assert True"});
  EXPECT_EQ(summary(j), "output_limit 0/1");
  EXPECT_TRUE(flagged("code_output_limit"));
  // A big file in the sandbox's /tmp stops at the file size limit, and that is a violation.
  EXPECT_EQ(summary(run(kPython, "", {"open('/tmp/big', 'wb').write(b'x' * (64 << 20))"})),
            "output_limit 0/1");
}

// Every writable place has a size: the root, /etc and /dev are read-only, and /tmp, /work and
// /dev/shm are tmpfs mounts of a fixed size. Writing past the file size limit, or filling a
// place with files under it, is output_limit (not a crash, and not ok), in both languages.
TEST_F(SandboxTest, WritablePlacesAreBounded) {
  for (const char* dir : {"/", "/etc", "/dev", "/usr", "/proc"}) {
    const std::string d = dir;
    EXPECT_EQ(
        summary(run(kPython, "", {"open('" + d + "/rft_f', 'wb').write(b'x')", "assert True"})),
        "ok 1/2")
        << dir;
  }
  for (const char* dir : {"/tmp", "/work", "/dev/shm"}) {
    const std::string d = dir;
    // One file past the file size limit (16 MiB): Python gets EFBIG, C++ is killed by SIGXFSZ.
    const nlohmann::json big =
        run(kPython, "open('" + d + "/big', 'wb').write(b'x' * (17 << 20))\n", {"assert True"});
    EXPECT_EQ(summary(big), "output_limit 0/1") << dir;
    EXPECT_TRUE(flagged("code_output_limit"));
    const nlohmann::json cpp =
        run(kCpp, "#include <cstdio>\n",
            {"FILE* f = std::fopen(\"" + d +
             "/big\", \"wb\"); static char b[1 << 20];"
             " for (int i = 0; i < 20; ++i) std::fwrite(b, 1, sizeof b, f); std::fclose(f);"});
    EXPECT_EQ(summary(cpp), "output_limit 0/1") << dir << cpp["stderr"];
    // Many files under the limit that fill the place (64 MiB).
    const nlohmann::json fill =
        run(kPython,
            "for i in range(8):\n    try:\n        open('" + d +
                "/f%d' % i, 'wb').write(b'x' * (15 << 20))\n    except OSError:\n        break\n",
            {"assert True"});
    EXPECT_EQ(summary(fill), "output_limit 0/1") << dir;
  }
  // Under the limits all is well.
  EXPECT_EQ(summary(run(kPython, "open('/dev/shm/f', 'wb').write(b'x' * (1 << 20))\n",
                        {"import os\nassert os.path.getsize('/dev/shm/f') == 1 << 20"})),
            "ok 1/1");
}

// Runs as whichever user runs the tests: CTest runs this binary again as an ordinary user
// (tests/grader/run_unprivileged.sh), where nothing may need root.
TEST_F(SandboxTest, ReportsItsUser) {
  const nlohmann::json j = run(kPython, "import os\nuid = os.getuid()\n", {"assert uid == 65534"});
  EXPECT_EQ(summary(j), "ok 1/1") << "host euid " << geteuid() << ": " << j["stderr"];
}

TEST_F(SandboxTest, BadLimitsAreClamped) {
  EXPECT_EQ(summary(run(kPython, "", {"assert True"}, kNan, -1)), "ok 1/1");
  EXPECT_TRUE(flagged("code_limit_clamped"));
}

TEST_F(SandboxTest, ResultsAreCached) {
  const std::string code = "import time\ntime.sleep(0.3)\n";
  run(kPython, code, {"assert True"});
  const uint64_t started = sandboxes_started();
  EXPECT_EQ(summary(run(kPython, code, {"assert True"})), "ok 1/1");
  EXPECT_EQ(sandboxes_started(), started);  // served from the cache
  // Code that does not compile is remembered by the code alone, whatever the tests.
  run(kPython, "def (", {"assert 1"});
  const uint64_t again = sandboxes_started();
  EXPECT_EQ(summary(run(kPython, "def (", {"assert 2", "assert 3"})),
            "compile_error 0/2 !compiled");
  EXPECT_EQ(sandboxes_started(), again);
}

TEST_F(SandboxTest, ManyThreadsAtOnce) {
  // Each thread its own context and code; every result must be its own.
  std::vector<std::thread> threads;
  std::vector<std::string> results(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([t, &results] {
      Context ctx;
      const std::string code = "N = " + std::to_string(t) + "\n";
      std::vector<rft_value> tests;
      for (int k = 0; k < 4; ++k) {
        tests.push_back(rft_string(ctx.copy("assert N == " + std::to_string(k % 2 == 0 ? t : -1))));
      }
      rft_value args[4] = {rft_string(ctx.copy(code)), rft_none(), rft_num(5), rft_num(512)};
      args[1].tag = RFT_LIST;
      args[1].as.list = {tests.data(), tests.size()};
      rft_value out = rft_none();
      for (const Builtin& b : builtins()) {
        if (b.signature == kPython) b.fn(ctx.handle(), args, &out);
      }
      const auto& j = *static_cast<const nlohmann::json*>(out.as.json);
      results[static_cast<size_t>(t)] = j["status"].get<std::string>() + " " + j["passed"].dump();
    });
  }
  for (auto& th : threads) th.join();
  for (const std::string& r : results) EXPECT_EQ(r, "ok 2");
}

}  // namespace
}  // namespace rft::grader::testing
