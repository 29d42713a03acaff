// Inputs built to hurt: megabytes without a space, of spaces, of digits, of bytes that are not
// UTF-8, of near-miss special tokens. None may hang, crash or lose a byte. Also the encode speed
// on a large mixed text, printed for the record.
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <thread>

#include "tests/model/reference_tokenizers.h"
#include "tests/model/tokenizer_corpus.h"

namespace rft::model::testing {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string repeat(std::string_view unit, size_t bytes) {
  std::string s;
  s.reserve(bytes + unit.size());
  while (s.size() < bytes) s += unit;
  return s;
}

TEST(TokenizerRobustness, AdversarialInputsEncodeInBoundedTime) {
  constexpr size_t kSize = size_t{1} << 20;
  std::mt19937 rng(7);
  std::string random_bytes(kSize, '\0');
  for (char& c : random_bytes) c = static_cast<char>(rng() & 0xFF);
  const std::vector<std::pair<std::string, std::string>> inputs = {
      {"letters without a space", std::string(kSize, 'a')},
      {"one long CJK word", repeat("語", kSize)},
      {"spaces", std::string(kSize, ' ')},
      {"newlines and spaces", repeat(" \n", kSize)},
      {"digits", std::string(kSize, '7')},
      {"punctuation", repeat("!?", kSize)},
      {"random bytes (mostly not UTF-8)", random_bytes},
      {"cut special tokens", repeat("<|im_start|<|eot_id", kSize)},
      {"combining marks", repeat("e\u0301\u0302\u0303", kSize)},
      {"contractions", repeat("'s'S'll", kSize)},
  };
  for (const char* name : {"qwen3", "llama3"}) {
    const Tokenizer* t = reference_tokenizer(name);
    ASSERT_NE(t, nullptr);
    for (const auto& [what, text] : inputs) {
      const Clock::time_point start = Clock::now();
      const std::vector<int32_t> ids = t->encode(text);
      const double elapsed = seconds_since(start);
      EXPECT_LT(elapsed, 20.0) << name << ", " << what;
      EXPECT_FALSE(ids.empty()) << name << ", " << what;
      // Normalization (Qwen's NFC) may rewrite valid text; the bytes must survive otherwise.
      EXPECT_EQ(t->decode_bytes(ids), t->normalize(text)) << name << ", " << what;
    }
  }
}

TEST(TokenizerRobustness, ThreadsShareOneTokenizer) {
  const Tokenizer* t = reference_tokenizer("qwen3");
  ASSERT_NE(t, nullptr);
  const std::vector<std::string> corpus = tokenizer_corpus();
  std::vector<std::vector<int32_t>> expected;
  for (const std::string& s : corpus) expected.push_back(t->encode(s));
  std::vector<size_t> wrong(4, 0);
  std::vector<std::thread> threads;
  for (size_t k = 0; k < wrong.size(); ++k) {
    threads.emplace_back([&, k] {
      const Tokenizer copy = *t;  // copies share the tables and the word cache
      for (int round = 0; round < 3; ++round) {
        for (size_t i = k; i < corpus.size(); i += 2)
          wrong[k] += copy.encode(corpus[i]) != expected[i];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (size_t k = 0; k < wrong.size(); ++k) EXPECT_EQ(wrong[k], 0u) << "thread " << k;
}

TEST(TokenizerSpeed, EncodesALargeMixedText) {
  // The cross-check corpus (prose, code, CJK, emoji, random strings) joined by newlines and
  // repeated to 8 MiB: encoded once, after a first pass over one copy to warm the word cache.
  std::string unit;
  for (const std::string& s : tokenizer_corpus()) unit += s + "\n";
  const std::string text = repeat(unit, size_t{8} << 20);
  for (const char* name : {"qwen3", "llama3"}) {
    const Tokenizer* t = reference_tokenizer(name);
    ASSERT_NE(t, nullptr);
    (void)t->encode(unit);
    const Clock::time_point start = Clock::now();
    const std::vector<int32_t> ids = t->encode(text);
    const double elapsed = seconds_since(start);
    const double mb_per_s = static_cast<double>(text.size()) / 1e6 / elapsed;
    std::cout << "[ speed ] " << name << ": " << text.size() / 1e6 << " MB, " << ids.size()
              << " tokens in " << elapsed << " s: " << mb_per_s << " MB/s\n";
    // Only a floor that a quadratic slip would break; CI machines are shared.
    EXPECT_GT(mb_per_s, 0.5) << name;
  }
}

}  // namespace
}  // namespace rft::model::testing
