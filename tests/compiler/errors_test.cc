// Every program in tests/errors/ must fail to check with exactly the errors its `// expect:`
// lines list, in order.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/driver/loader.h"

namespace rft {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> error_files() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(fs::path(RFT_SOURCE_ROOT) / "tests" / "errors")) {
    if (e.path().extension() == ".reward") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> expected_errors(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  std::string line;
  const std::string marker = "// expect: ";
  while (std::getline(in, line)) {
    if (line.rfind(marker, 0) == 0) out.push_back(line.substr(marker.size()));
  }
  return out;
}

// "LINE:COL: error[CODE]: message" for errors in `path` itself, "FILE:LINE:COL: ..." for errors
// in a file it imports.
std::vector<std::string> actual_errors(const Program& p, const std::string& path) {
  std::vector<std::string> out;
  for (const Diagnostic& d : p.diags.all()) {
    if (d.severity != Severity::kError) continue;
    const SourceFile& f = p.sources.file(d.range.file);
    LineCol lc = f.line_col(d.range.begin);
    std::string where = f.path() == path ? "" : fs::path(f.path()).filename().string() + ":";
    out.push_back(where + std::to_string(lc.line) + ":" + std::to_string(lc.column) +
                  ": error[" + d.code + "]: " + d.message);
  }
  return out;
}

class ErrorProgramsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ErrorProgramsTest, FailsWithTheExpectedErrors) {
  const std::string& path = GetParam();
  std::vector<std::string> expected = expected_errors(path);
  ASSERT_FALSE(expected.empty()) << path << " lists no `// expect:` lines";
  std::unique_ptr<Program> p = load_program({path});
  EXPECT_FALSE(p->ok());
  EXPECT_EQ(actual_errors(*p, path), expected) << render_all(p->diags, p->sources);
}

INSTANTIATE_TEST_SUITE_P(Programs, ErrorProgramsTest, ::testing::ValuesIn(error_files()),
                         [](const auto& param_info) {
                           std::string name = fs::path(param_info.param).stem().string();
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace rft
