// Every builtin, called through the table with many adversarial arguments of its declared
// types: nothing may crash, and every result must have the declared result type.
#include <random>
#include <string>
#include <vector>

#include "runtime/grader/utf8.h"
#include "runtime/grader/value_ops.h"
#include "tests/grader/test_util.h"

namespace rft::grader::testing {
namespace {

class RobustnessTest : public BuiltinTest {
 protected:
  rft_value make(std::string_view type, std::string_view t_binding) {
    if (type.size() == 1) return make(t_binding, t_binding);  // the type variable T
    if (type == "num") return N(pick(kNums));
    if (type == "bool") return B(rng_() % 2 == 0);
    if (type == "str") return make_str();
    if (type == "json") return J(pick(kJsons));
    if (type == "regex") return R(pick(kRegexes));
    const std::string_view elem = type.substr(5, type.size() - 6);  // list<elem>
    std::vector<rft_value> items(rng_() % 6);
    for (rft_value& x : items) x = make(elem, t_binding);
    return make_list(ctx_, items);
  }

  rft_value make_str() {
    if (rng_() % 3 != 0) return S(pick(kStrs));
    std::string bytes(rng_() % 40, '\0');
    for (char& c : bytes) c = static_cast<char>(rng_() % 256);
    return S(sanitize_utf8(bytes, nullptr));  // strings are valid UTF-8 by contract
  }

  template <typename T, size_t N>
  const T& pick(const T (&pool)[N]) {
    return pool[rng_() % N];
  }

  static constexpr double kNums[] = {0,    -0.0,  1,      -1,    0.5,   -2.5, 3,     -3, 100,
                                     1e300, -1e300, 1e-300, kNan, kInf, -kInf, 9007199254740993.0};
  static constexpr std::string_view kStrs[] = {
      "", " ", "a", "abc", "日本語", "😀👍🏽", "a,b,,c", "  x  y  ", "\n\r\n", "1,234.5e3 -7 .5",
      "ǅ İ ß ς", "\u00A0\u3000", "{\"a\": [1, 2]}", "a.b[0]", "[\"k\"]", "\\1\\0\\\\", "\\", "=",
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaab"};
  static constexpr std::string_view kJsons[] = {
      "null", "true", "0", "-1.5e300", "\"\"", "\"日本\"", "[]", "{}", "[1, \"a\", [null]]",
      "{\"a\": {\"b\": [1, 2]}, \"\": 0}", "[[[[[[[[[[1]]]]]]]]]]"};
  static constexpr std::string_view kRegexes[] = {"", "a", "(a+)+$", "(\\d+)?", "x*", "(?i)Ä(.)",
                                                   "^$", "\\b", "(a)|(b)", "\\p{Han}+"};
  std::mt19937 rng_{12345};
};

TEST_F(RobustnessTest, EveryBuiltinAcceptsAdversarialArguments) {
  for (const Builtin& b : builtins()) {
    const std::optional<Signature> sig = parse_signature(b.signature);
    ASSERT_TRUE(sig.has_value()) << b.signature;
    for (int round = 0; round < 300; ++round) {
      const std::string_view t_binding = rng_() % 2 == 0 ? "str" : "num";
      std::vector<rft_value> args;
      for (const Param& p : sig->params) args.push_back(make(p.type, t_binding));
      call(b.signature, args);  // checks the result type
      if (HasFailure()) return;
    }
    ctx_.reset();
  }
}

}  // namespace
}  // namespace rft::grader::testing
