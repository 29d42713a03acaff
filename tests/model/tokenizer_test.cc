// The tokenizer on a tiny hand-written tokenizer.json whose encodings are worked out by hand,
// and the errors that bad tokenizer files give.
#include "runtime/model/tokenizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "runtime/grader/utf8.h"
#include "runtime/model/tokenizer/byte_level.h"

namespace rft::model {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

using Json = nlohmann::json;

// Byte b has id b (its byte-level character: "Ġ" for the space); merged tokens come after.
//   rank 0: h e -> he (256)      rank 4: Ġ w -> Ġw (260)
//   rank 1: l l -> ll (257)      rank 5: o r -> or (261)
//   rank 2: he ll -> hell (258)  rank 6: Ġw or -> Ġwor (262)
//   rank 3: hell o -> hello (259)
// plus "xyz" (263), reachable by no merge, and added tokens 300..303.
Json tiny_tokenizer() {
  Json vocab = Json::object();
  for (int b = 0; b < 256; ++b) vocab[to_byte_level(std::string(1, static_cast<char>(b)))] = b;
  const char* merged[] = {"he", "ll", "hell", "hello", "Ġw", "or", "Ġwor", "xyz"};
  for (int i = 0; i < 8; ++i) vocab[merged[i]] = 256 + i;
  return Json{
      {"version", "1.0"},
      {"added_tokens",
       Json::array({
           {{"id", 300}, {"content", "<|s|>"}, {"special", true}, {"normalized", false}},
           {{"id", 301}, {"content", "<mask>"}, {"special", true}, {"lstrip", true}},
           {{"id", 302}, {"content", "<tag>"}, {"special", false}, {"normalized", false}},
           {{"id", 303}, {"content", "<sep>"}, {"special", true}, {"single_word", true}},
       })},
      {"normalizer", nullptr},
      {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
      {"post_processor",
       {{"type", "TemplateProcessing"},
        {"single", Json::array({{{"SpecialToken", {{"id", "<|s|>"}, {"type_id", 0}}}},
                                {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}})},
        {"pair", Json::array()},
        {"special_tokens", {{"<|s|>", {{"id", "<|s|>"}, {"ids", {300}}, {"tokens", {"<|s|>"}}}}}}}},
      {"decoder", {{"type", "ByteLevel"}}},
      {"model",
       {{"type", "BPE"},
        {"vocab", vocab},
        {"merges", Json::array({"h e", "l l", "he ll", "hell o", "Ġ w", "o r", "Ġw or"})}}},
  };
}

Tokenizer load(const Json& j, const Json& config = nullptr) {
  Expected<Tokenizer> t = Tokenizer::from_json(j.dump(), config.is_null() ? "" : config.dump());
  EXPECT_TRUE(t.ok()) << t.error();
  if (!t.ok()) std::abort();
  return std::move(t).value();
}

std::string load_error(const Json& j, const Json& config = nullptr) {
  Expected<Tokenizer> t = Tokenizer::from_json(j.dump(), config.is_null() ? "" : config.dump());
  return t.ok() ? "(loaded)" : t.error();
}

TEST(Tokenizer, MergesByRankThenPosition) {
  const Tokenizer t = load(tiny_tokenizer());
  // "hello", " world": Ġ w o r l d takes Ġw (rank 4), or (5), Ġwor (6); l d has no merge.
  EXPECT_THAT(t.encode("hello world"), ElementsAre(259, 262, 'l', 'd'));
  EXPECT_THAT(t.encode("lll"), ElementsAre(257, 'l'));  // equal ranks: leftmost first
  EXPECT_THAT(t.encode("hellohello"), ElementsAre(259, 259));
  EXPECT_THAT(t.encode("xyz"), ElementsAre('x', 'y', 'z'));
  EXPECT_THAT(t.encode(""), IsEmpty());
}

TEST(Tokenizer, PostProcessorAddsSpecialTokensOnRequest) {
  const Tokenizer t = load(tiny_tokenizer());
  EXPECT_THAT(t.encode("hello", /*add_special_tokens=*/true), ElementsAre(300, 259));
  EXPECT_THAT(t.encode("hello", /*add_special_tokens=*/false), ElementsAre(259));
}

TEST(Tokenizer, PromptsThatCarryTheirPrefixDoNotGetItTwice) {
  const Tokenizer t = load(tiny_tokenizer());
  EXPECT_EQ(t.encode_prompt("hello"), (std::vector<int32_t>{300, 259}));
  // A chat-formatted prompt starts with the token already.
  EXPECT_EQ(t.encode_prompt("<|s|>hello"), (std::vector<int32_t>{300, 259}));
  EXPECT_EQ(t.encode_prompt(""), (std::vector<int32_t>{300}));
}

TEST(Tokenizer, AddedTokensAreFoundBeforePreTokenization) {
  const Tokenizer t = load(tiny_tokenizer());
  EXPECT_THAT(t.encode("a<|s|>b"), ElementsAre('a', 300, 'b'));
  EXPECT_THAT(t.encode("<tag><tag>"), ElementsAre(302, 302));
  // lstrip: the space before <mask> goes with it.
  EXPECT_THAT(t.encode("a <mask>b"), ElementsAre('a', 301, 'b'));
  // single_word: no match when a letter touches it; "x", "<", "sep", ">", "y" as plain text.
  EXPECT_THAT(t.encode("x<sep>y"), ElementsAre('x', '<', 's', 'e', 'p', '>', 'y'));
  EXPECT_THAT(t.encode("x <sep> y"), ElementsAre('x', ' ', 303, ' ', 'y'));
}

TEST(Tokenizer, IgnoreMergesTakesWholeWordsFromTheVocabulary) {
  Json j = tiny_tokenizer();
  j["model"]["ignore_merges"] = true;
  EXPECT_THAT(load(j).encode("xyz hello"), ElementsAre(263, ' ', 259));
}

TEST(Tokenizer, UnknownBytesUseByteFallbackOrTheUnknownToken) {
  Json j = tiny_tokenizer();
  j["model"]["vocab"].erase("Ġ");  // no token for the space byte, nor merges with it
  j["model"]["merges"] = Json::array({"h e", "l l"});
  j["model"]["vocab"]["<unk>"] = 264;
  j["model"]["vocab"]["<0xC4>"] = 265;
  j["model"]["vocab"]["<0xA0>"] = 266;
  // Hugging Face's byte_fallback spells the missing character "Ġ" (C4 A0), not the byte 20.
  j["model"]["byte_fallback"] = true;
  EXPECT_THAT(load(j).encode(" a"), ElementsAre(265, 266, 'a'));
  j["model"]["byte_fallback"] = false;
  j["model"]["unk_token"] = "<unk>";
  EXPECT_THAT(load(j).encode("  "), ElementsAre(264, 264));
  j["model"]["fuse_unk"] = true;
  EXPECT_THAT(load(j).encode("  "), ElementsAre(264));
}

TEST(Tokenizer, NormalizerAndPrefixSpace) {
  Json j = tiny_tokenizer();
  EXPECT_THAT(load(j).encode("e\u0301"), ElementsAre('e', 0xCC, 0x81));
  j["normalizer"] = {{"type", "NFC"}};
  EXPECT_THAT(load(j).encode("e\u0301"), ElementsAre(0xC3, 0xA9));  // é
  j["pre_tokenizer"]["add_prefix_space"] = true;
  EXPECT_THAT(load(j).encode("hello"), ElementsAre(' ', 259));
}

TEST(Tokenizer, MalformedUtf8IsEncodedAsItsBytes) {
  const Tokenizer t = load(tiny_tokenizer());
  const std::string text = "\xff\xfe a\xe2\x82 \xc3";
  const std::vector<int32_t> ids = t.encode(text);
  EXPECT_EQ(t.decode_bytes(ids), text);
  EXPECT_EQ(t.decode(ids), "\uFFFD\uFFFD a\uFFFD \uFFFD");
}

TEST(Tokenizer, DecodeReplacesCutCharactersAndSkipsSpecialTokens) {
  const Tokenizer t = load(tiny_tokenizer());
  EXPECT_EQ(t.decode(std::vector<int32_t>{300, 259, 262, 'l', 'd'}), "<|s|>hello world");
  EXPECT_EQ(t.decode(std::vector<int32_t>{300, 259, 302}, /*skip_special_tokens=*/true),
            "hello<tag>");
  EXPECT_EQ(t.decode(std::vector<int32_t>{0xC3, 0xA9}), "é");
  EXPECT_EQ(t.decode(std::vector<int32_t>{'a', 0xC3}), "a\uFFFD");
  EXPECT_EQ(t.decode_bytes(std::vector<int32_t>{'a', 0xC3}), "a\xC3");
  EXPECT_EQ(t.decode(std::vector<int32_t>{-1, 99999, 'a'}), "a");  // no such tokens
}

TEST(Tokenizer, VocabularyLookups) {
  const Tokenizer t = load(tiny_tokenizer());
  EXPECT_EQ(t.vocab_size(), 304);
  EXPECT_EQ(t.token_to_id("Ġwor"), 262);
  EXPECT_EQ(t.token_to_id("<mask>"), 301);
  EXPECT_EQ(t.token_to_id("nope"), std::nullopt);
  EXPECT_EQ(t.id_to_token(262), "Ġwor");
  EXPECT_EQ(t.id_to_token(280), std::nullopt);  // a hole between the vocabulary and added tokens
  EXPECT_EQ(t.token_bytes(262), " wor");
  EXPECT_TRUE(t.is_special(300));
  EXPECT_FALSE(t.is_special(302));
  EXPECT_EQ(t.bos_id(), std::nullopt);
}

TEST(Tokenizer, ConfigGivesSpecialTokensAndAddBos) {
  Json j = tiny_tokenizer();
  j["post_processor"] = nullptr;
  const Json config = {{"bos_token", {{"content", "<|s|>"}, {"__type", "AddedToken"}}},
                       {"eos_token", "<sep>"},
                       {"pad_token", nullptr},
                       {"add_bos_token", true}};
  const Tokenizer t = load(j, config);
  EXPECT_EQ(t.bos_id(), 300);
  EXPECT_EQ(t.eos_id(), 303);
  EXPECT_EQ(t.pad_id(), std::nullopt);
  EXPECT_THAT(t.encode("hello", true), ElementsAre(300, 259));
}

TEST(TokenStreamDecoder, HoldsBackCutCharacters) {
  const Tokenizer t = load(tiny_tokenizer());
  TokenStreamDecoder stream(t);
  EXPECT_EQ(stream.push('a'), "a");
  EXPECT_EQ(stream.push(0xF0), "");  // 😀 is F0 9F 98 80
  EXPECT_EQ(stream.push(0x9F), "");
  EXPECT_EQ(stream.push(0x98), "");
  EXPECT_EQ(stream.push(0x80), "😀");
  EXPECT_EQ(stream.push(0xFF), "\uFFFD");  // never valid: out at once
  EXPECT_EQ(stream.push(0xE2), "");
  EXPECT_EQ(stream.push('b'), "\uFFFDb");  // the cut character will not be finished
  EXPECT_EQ(stream.push(0xC3), "");
  EXPECT_EQ(stream.finish(), "\uFFFD");

  TokenStreamDecoder skipping(t, /*skip_special_tokens=*/true);
  EXPECT_EQ(skipping.push(300), "");
  EXPECT_EQ(skipping.push(259), "hello");
}

// ---- errors ----

struct ErrorCase {
  std::string name;
  std::function<void(Json&)> edit;
  std::string message;
};

TEST(TokenizerErrors, NameTheFileAndField) {
  const std::vector<ErrorCase> cases = {
      {"model missing", [](Json& j) { j.erase("model"); }, "tokenizer.json: model: missing"},
      {"model type", [](Json& j) { j["model"]["type"] = "WordPiece"; },
       "tokenizer.json: model.type: \"WordPiece\" is not supported (rft reads BPE tokenizers "
       "only)"},
      {"merge with unknown token", [](Json& j) { j["model"]["merges"][1] = "l zz"; },
       "tokenizer.json: model.merges[1]: merge \"l zz\" uses \"zz\", which is not in model.vocab"},
      {"merge result not in vocab",
       [](Json& j) {
         j["model"]["merges"].push_back(Json::array({"q", "q"}));
       },
       "tokenizer.json: model.merges[7]: merge \"q q\" (merged) uses \"qq\", which is not in "
       "model.vocab"},
      {"merge without space", [](Json& j) { j["model"]["merges"][0] = "he"; },
       "tokenizer.json: model.merges[0]: merge \"he\" is not two tokens separated by one space"},
      {"vocab id type", [](Json& j) { j["model"]["vocab"]["he"] = "256"; },
       "tokenizer.json: model.vocab.\"he\": expected an integer, found string"},
      {"vocab id range", [](Json& j) { j["model"]["vocab"]["he"] = -5; },
       "tokenizer.json: model.vocab.\"he\": token id -5 is outside 0..16777215"},
      {"dropout", [](Json& j) { j["model"]["dropout"] = 0.1; },
       "tokenizer.json: model.dropout: BPE dropout is not supported"},
      {"unknown split pattern",
       [](Json& j) {
         j["pre_tokenizer"] = {
             {"type", "Sequence"},
             {"pretokenizers",
              Json::array(
                  {{{"type", "Split"}, {"pattern", {{"Regex", "\\d+"}}}, {"behavior", "Isolated"}},
                   {{"type", "ByteLevel"}, {"use_regex", false}}})}};
       },
       "tokenizer.json: pre_tokenizer.pretokenizers[0].pattern.Regex: unknown split pattern "
       "\"\\\\d+\" (rft knows the GPT-2, Llama-3 and Qwen2 patterns)"},
      {"no byte level",
       [](Json& j) {
         j["pre_tokenizer"] = {{"type", "Whitespace"}};
       },
       "tokenizer.json: pre_tokenizer.type: \"Whitespace\" is not supported (supported: Sequence "
       "of Split and ByteLevel)"},
      {"normalizer",
       [](Json& j) {
         j["normalizer"] = {{"type", "Lowercase"}};
       },
       "tokenizer.json: normalizer.type: \"Lowercase\" is not supported (supported: NFC, NFD, "
       "NFKC, NFKD and Sequence)"},
      {"decoder",
       [](Json& j) {
         j["decoder"] = {{"type", "WordPiece"}};
       },
       "tokenizer.json: decoder.type: \"WordPiece\" is not supported (rft decodes byte-level "
       "tokens)"},
      {"added token id", [](Json& j) { j["added_tokens"][0].erase("id"); },
       "tokenizer.json: added_tokens[0].id: missing"},
      {"template token",
       [](Json& j) { j["post_processor"]["single"][0]["SpecialToken"]["id"] = "<x>"; },
       "tokenizer.json: post_processor.single[0].SpecialToken.id: \"<x>\" is not in "
       "special_tokens"},
  };
  for (const ErrorCase& c : cases) {
    Json j = tiny_tokenizer();
    c.edit(j);
    EXPECT_EQ(load_error(j), c.message) << c.name;
  }
}

TEST(TokenizerErrors, MalformedJson) {
  EXPECT_EQ(Tokenizer::from_json("{\"model\": ").error(),
            "tokenizer.json: malformed JSON: parse error at line 1, column 11: syntax error while "
            "parsing value - unexpected end of input; expected '[', '{', or a literal");
  EXPECT_EQ(Tokenizer::from_json("[1, 2]").error(),
            "tokenizer.json: expected an object, found array");
  EXPECT_EQ(Tokenizer::from_json(tiny_tokenizer().dump(), "{oops}").error(),
            "tokenizer_config.json: malformed JSON: parse error at line 1, column 2: syntax error "
            "while parsing object key - invalid literal; last read: '{o'; expected string "
            "literal");
  EXPECT_EQ(Tokenizer::from_json(tiny_tokenizer().dump(), R"({"bos_token": "<nope>"})").error(),
            "tokenizer_config.json: bos_token: \"<nope>\" is not a token");
}

TEST(TokenizerErrors, Files) {
  namespace fs = std::filesystem;
  EXPECT_EQ(Tokenizer::load("/nonexistent/rft/tokenizer.json").error(),
            "/nonexistent/rft/tokenizer.json: no such file or directory");
  const fs::path dir =
      fs::temp_directory_path() / ("rft_tokenizer_test_" + std::to_string(getpid()));
  fs::create_directories(dir);
  EXPECT_EQ(Tokenizer::load(dir.string()).error(),
            dir.string() + ": no tokenizer.json in this directory");
  std::ofstream(dir / "tokenizer.json") << "{\"model\": {\"type\": \"BPE\", \"vocab\": [}}";
  EXPECT_EQ(Tokenizer::load(dir.string()).error(),
            (dir / "tokenizer.json").string() +
                ": malformed JSON: parse error at line 1, column 37: syntax error while parsing "
                "value - unexpected '}'; expected '[', '{', or a literal");
  std::ofstream(dir / "tokenizer.json") << tiny_tokenizer().dump();
  std::ofstream(dir / "tokenizer_config.json") << R"({"eos_token": "<sep>"})";
  Expected<Tokenizer> t = Tokenizer::load((dir / "tokenizer.json").string());
  ASSERT_TRUE(t.ok()) << t.error();
  EXPECT_EQ(t->eos_id(), 303);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rft::model
