#include <cstdint>
#include <cstring>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "runtime/grader/context.h"

namespace rft::grader {
namespace {

TEST(Context, AllocatesAlignedMemory) {
  Context ctx;
  for (size_t align : {1u, 8u, 16u, 64u}) {
    void* p = ctx.alloc(3, align);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % align, 0u);
  }
  EXPECT_NE(ctx.alloc(0, 8), nullptr);
  // Larger than the first block: the arena grows.
  auto* big = static_cast<char*>(ctx.alloc(1 << 20, 8));
  std::memset(big, 'x', 1 << 20);
}

TEST(Context, CopiesStrings) {
  Context ctx;
  std::string src = "héllo";
  const rft_str s = ctx.copy(src);
  src[0] = 'j';
  EXPECT_EQ(view(s), "héllo");
  EXPECT_EQ(ctx.copy("").len, 0u);
}

TEST(Context, FlagsAreKeptOnceAndCleared) {
  Context ctx;
  ctx.flag("json_too_deep");
  ctx.flag("missing:correct");
  ctx.flag("json_too_deep");
  EXPECT_EQ(ctx.flags(), (std::vector<std::string>{"json_too_deep", "missing:correct"}));
  ctx.reset();
  EXPECT_TRUE(ctx.flags().empty());
}

TEST(Context, KeepsDocumentsUntilReset) {
  Context ctx;
  const nlohmann::json* doc = ctx.keep(nlohmann::json::parse(R"({"a": [1, 2]})"));
  EXPECT_EQ((*doc)["a"][1], 2);
  ctx.reset();
  const nlohmann::json* again = ctx.keep(nlohmann::json(7));
  EXPECT_EQ(*again, 7);
}

TEST(Context, ResetReusesTheArena) {
  Context ctx;
  void* first = ctx.alloc(16, 16);
  for (int i = 0; i < 1000; ++i) ctx.alloc(1024, 8);
  ctx.reset();
  EXPECT_EQ(ctx.alloc(16, 16), first);
}

TEST(Context, CInterface) {
  Context ctx;
  rft_ctx* handle = ctx.handle();
  EXPECT_EQ(&Context::from(handle), &ctx);
  void* p = rft_ctx_alloc(handle, 24, 8);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 8, 0u);
  const rft_str s = rft_ctx_strdup(handle, "abc", 3);
  EXPECT_EQ(view(s), "abc");
  rft_ctx_flag(handle, "bad_rewrite", 11);
  rft_ctx_flag(handle, "bad_rewrite", 11);
  EXPECT_EQ(ctx.flags(), std::vector<std::string>{"bad_rewrite"});
}

}  // namespace
}  // namespace rft::grader
