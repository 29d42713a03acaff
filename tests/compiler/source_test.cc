#include <gtest/gtest.h>

#include "compiler/source/source.h"
#include "runtime/common/suggest.h"

namespace rft {
namespace {

TEST(SourceFile, LineAndColumnCountCodePoints) {
  SourceManager sm;
  FileId id = sm.add("f", "ab\nhé\xe2\x82\xacx\n\nlast");
  const SourceFile& f = sm.file(id);
  EXPECT_EQ(f.line_count(), 4u);
  EXPECT_EQ(f.line_col(0).line, 1u);
  EXPECT_EQ(f.line_col(3).line, 2u);
  EXPECT_EQ(f.line_col(3).column, 1u);
  // "h" (1 byte) "é" (2 bytes) "€" (3 bytes) then "x": x is the 4th code point.
  EXPECT_EQ(f.line_col(9).column, 4u);
  EXPECT_EQ(f.line_text(2), "hé\xe2\x82\xacx");
  EXPECT_EQ(f.line_text(3), "");
  EXPECT_EQ(f.line_text(4), "last");
  EXPECT_EQ(f.line_text(5), "");
  EXPECT_EQ(f.line_col(1000).line, 4u);  // past the end clamps to the end
}

TEST(Suggest, FindsLikelyTypos) {
  std::vector<std::string> names = {"completion", "prompt", "item", "len", "lower"};
  EXPECT_EQ(closest_name("complet", names), "completion");
  EXPECT_EQ(closest_name("promtp", names), "prompt");
  EXPECT_EQ(closest_name("lenn", names), "len");
  EXPECT_EQ(closest_name("zzzzzz", names), "");
  EXPECT_EQ(did_you_mean("lowr", names), "did you mean `lower`?");
  EXPECT_EQ(did_you_mean("qqq", names), "");
}

}  // namespace
}  // namespace rft
