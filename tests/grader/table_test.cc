// The builtin table itself: well-formed signatures, unique overloads and exported symbols.
#include <dlfcn.h>

#include <set>
#include <string>

#include "tests/grader/test_util.h"

namespace rft::grader::testing {
namespace {

TEST(BuiltinTable, IsNotEmpty) { EXPECT_GE(builtins().size(), 70u); }

TEST(BuiltinTable, EverySignatureParses) {
  for (const Builtin& b : builtins()) {
    EXPECT_TRUE(parse_signature(b.signature).has_value()) << b.signature;
  }
}

TEST(BuiltinTable, OverloadsAreDistinct) {
  std::set<std::string> seen;
  for (const Builtin& b : builtins()) {
    const auto sig = parse_signature(b.signature);
    ASSERT_TRUE(sig.has_value()) << b.signature;
    std::string key = sig->name + "(";
    for (const Param& p : sig->params) key += p.type + ",";
    EXPECT_TRUE(seen.insert(key).second) << "duplicate overload " << b.signature;
  }
}

TEST(BuiltinTable, SymbolsAreUniqueAndExported) {
  std::set<std::string_view> seen;
  for (const Builtin& b : builtins()) {
    EXPECT_TRUE(seen.insert(b.symbol).second) << "duplicate symbol " << b.symbol;
    EXPECT_TRUE(b.symbol.starts_with("rft_b_")) << b.symbol;
    ASSERT_NE(b.fn, nullptr) << b.signature;
    // Generated code links by name: the symbol must resolve to the very same function.
    void* found = dlsym(RTLD_DEFAULT, std::string(b.symbol).c_str());
    EXPECT_EQ(found, reinterpret_cast<void*>(b.fn)) << b.symbol;
  }
}

TEST(BuiltinTable, SymbolNamesFollowTheBuiltinName) {
  for (const Builtin& b : builtins()) {
    const auto sig = parse_signature(b.signature);
    ASSERT_TRUE(sig.has_value());
    EXPECT_TRUE(b.symbol.substr(6).starts_with(sig->name)) << b.symbol << " for " << b.signature;
  }
}

TEST(BuiltinTable, DocsAreOneSentence) {
  for (const Builtin& b : builtins()) {
    ASSERT_FALSE(b.doc.empty()) << b.signature;
    EXPECT_TRUE(b.doc.ends_with('.')) << b.doc;
    EXPECT_EQ(b.doc.find(". "), std::string_view::npos) << b.doc;
    EXPECT_LE(b.doc.size(), 100u) << b.doc;
  }
}

TEST(SignatureParser, AcceptsAndRejects) {
  const auto sig = parse_signature("contains(s: str, sub: str, ignore_case: bool = false) -> bool");
  ASSERT_TRUE(sig.has_value());
  EXPECT_EQ(sig->name, "contains");
  ASSERT_EQ(sig->params.size(), 3u);
  EXPECT_EQ(sig->params[2].name, "ignore_case");
  EXPECT_EQ(sig->params[2].type, "bool");
  EXPECT_EQ(sig->params[2].default_value, "false");
  EXPECT_EQ(sig->result, "bool");
  EXPECT_TRUE(parse_signature("first(xs: list<T>) -> T?").has_value());
  EXPECT_TRUE(parse_signature("f() -> num").has_value());
  EXPECT_FALSE(parse_signature("f(x) -> num").has_value());
  EXPECT_FALSE(parse_signature("f(x: num)").has_value());
  EXPECT_FALSE(parse_signature("f(x: num = 1, y: num) -> num").has_value());
  EXPECT_FALSE(parse_signature("f(x: list<num) -> num").has_value());
}

}  // namespace
}  // namespace rft::grader::testing
