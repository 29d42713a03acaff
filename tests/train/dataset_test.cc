// Datasets: good rows, every kind of bad row by its line, the item check, chat prompts.
#include "runtime/train/dataset.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/train/train_test_util.h"

namespace rft::train {
namespace {

using testutil::TempDir;

std::string error_of(const std::string& path, const DatasetRequirements& req = {}) {
  Expected<Dataset> r = load_dataset(path, req);
  return r.ok() ? "(loaded)" : r.error();
}

TEST(Dataset, ReadsPromptsChatsAndItemFields) {
  TempDir dir;
  std::string path = dir.write(
      "rows.jsonl",
      "{\"prompt\": \"2 + 2 =\", \"answer\": \"4\"}\r\n"
      "\n"
      "   \n"
      "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, "
      "{\"role\": \"user\", \"content\": \"3 + 3?\"}], \"answer\": \"6\", \"completion\": \"6\"}\n"
      "{\"prompt\": \"\", \"completion\": 7}");
  Expected<Dataset> r = load_dataset(path, {});
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->path, path);
  ASSERT_EQ(r->examples.size(), 3u);
  const Example& a = r->examples[0];
  EXPECT_EQ(a.line, 1u);
  EXPECT_EQ(a.prompt, "2 + 2 =");
  EXPECT_FALSE(a.is_chat());
  EXPECT_EQ(a.row["answer"], "4");
  const Example& b = r->examples[1];
  EXPECT_EQ(b.line, 4u);
  ASSERT_TRUE(b.is_chat());
  ASSERT_EQ(b.messages.size(), 2u);
  EXPECT_EQ(b.messages[1].role, "user");
  EXPECT_EQ(b.messages[1].content, "3 + 3?");
  EXPECT_EQ(b.completion, "6");
  // Without need_completion, a `completion` that is not a string is just an item field.
  EXPECT_EQ(r->examples[2].line, 5u);
  EXPECT_EQ(r->examples[2].completion, "");
}

TEST(Dataset, EveryBadRowByLine) {
  TempDir dir;
  std::string path = dir.write(
      "bad.jsonl",
      "{\"prompt\": \"fine\"}\n"
      "not json\n"
      "[1, 2]\n"
      "{\"answer\": \"1\"}\n"
      "{\"prompt\": 5}\n"
      "{\"prompt\": \"p\", \"messages\": []}\n"
      "{\"messages\": \"hi\"}\n"
      "{\"messages\": []}\n"
      "{\"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}\n"
      "{\"messages\": [{\"role\": \"user\"}, \"hi\", {\"role\": 1, \"content\": \"c\"}]}\n"
      "{\"prompt\": \"caf\xc3\", \"x\": 1}\n"
      "{\"prompt\": \"ok\"}\n");
  EXPECT_EQ(
      error_of(path),
      path +
          ": 10 bad rows:\n"
          "  line 2: not valid JSON: [json.exception.parse_error.101] parse error at line 1, "
          "column 2: syntax error while parsing value - invalid literal; last read: 'no'\n"
          "  line 3: expected a JSON object, found an array\n"
          "  line 4: `prompt` (or `messages`) is missing\n"
          "  line 5: `prompt`: expected a string, found a number\n"
          "  line 6: the row has both `prompt` and `messages`; give one\n"
          "  line 7: `messages`: expected an array of {\"role\", \"content\"} objects, found a "
          "string\n"
          "  line 8: `messages` is empty\n"
          "  line 9: `messages[0].role`: `robot` is not one of system, user, assistant, tool\n"
          "  line 10: `messages[0].content` is missing; `messages[1]`: expected an object with "
          "`role` and `content`, found a string; `messages[2].role`: expected a string, found "
          "a number\n"
          "  line 11: invalid UTF-8 at byte 16");
}

TEST(Dataset, NumbersBeyondTheDoubleRangeAreBadRows) {
  TempDir dir;
  std::string path = dir.write("huge.jsonl",
                               "{\"prompt\": \"a\", \"extra\": 1e999}\n"
                               "{\"prompt\": \"b\", \"id\": " +
                                   std::string(400, '9') +
                                   "}\n"
                                   "{\"prompt\": \"c\", \"n\": 1e308}\n");
  EXPECT_EQ(error_of(path),
            path +
                ": 2 bad rows:\n"
                "  line 1: a number beyond the double range (`1e999`); write it as a string\n"
                "  line 2: a number beyond the double range (`" +
                std::string(32, '9') + "... (400 characters)`); write it as a string");
}

TEST(Dataset, CompletionWhenRequired) {
  TempDir dir;
  std::string path = dir.write("sft.jsonl",
                               "{\"prompt\": \"a\", \"completion\": \"b\"}\n"
                               "{\"prompt\": \"a\"}\n"
                               "{\"prompt\": \"a\", \"completion\": null}\n");
  DatasetRequirements req;
  req.need_completion = true;
  EXPECT_EQ(error_of(path, req), path +
                                     ": 2 bad rows:\n"
                                     "  line 2: `completion` is missing\n"
                                     "  line 3: `completion`: expected a string, found null");
}

TEST(Dataset, ItemCheckAddsItsMessages) {
  TempDir dir;
  std::string path = dir.write("rows.jsonl",
                               "{\"prompt\": \"a\", \"answer\": \"1\"}\n"
                               "{\"prompt\": \"b\"}\n"
                               "{\"answer\": 2}\n");
  DatasetRequirements req;
  req.check_item = [](const nlohmann::json& row) {
    std::vector<std::string> problems;
    if (!row.contains("answer")) {
      problems.push_back("missing field `answer`");
    } else if (!row["answer"].is_string()) {
      problems.push_back("field `answer`: expected str, found a number");
    }
    return problems;
  };
  EXPECT_EQ(error_of(path, req),
            path +
                ": 2 bad rows:\n"
                "  line 2: missing field `answer`\n"
                "  line 3: `prompt` (or `messages`) is missing; field `answer`: expected str, "
                "found a number");
}

TEST(Dataset, ListsTwentyBadRowsThenCounts) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 25; ++i) text += "{}\n";
  std::string path = dir.write("many.jsonl", text);
  std::string expected = path + ": 25 bad rows:";
  for (int i = 1; i <= 20; ++i) {
    expected += "\n  line " + std::to_string(i) + ": `prompt` (or `messages`) is missing";
  }
  expected += "\n  and 5 more";
  EXPECT_EQ(error_of(path), expected);
}

TEST(Dataset, EmptyOrMissingFile) {
  TempDir dir;
  std::string empty = dir.write("empty.jsonl", "");
  EXPECT_EQ(error_of(empty), empty + ": no examples (the file is empty)");
  std::string blank = dir.write("blank.jsonl", "\n  \n\t\n");
  EXPECT_EQ(error_of(blank), blank + ": no examples (the file is empty)");
  EXPECT_EQ(error_of(dir.path() + "/nope.jsonl"),
            "cannot read `" + dir.path() + "/nope.jsonl`: No such file or directory");
  EXPECT_EQ(error_of(dir.path()), "cannot read `" + dir.path() + "`: it is a directory");
}

TEST(Dataset, PromptText) {
  Example plain;
  plain.prompt = "2 + 2 =";
  const model::Tokenizer chatml = testutil::byte_tokenizer(/*chatml=*/true);
  Expected<std::string> p = prompt_text(plain, chatml);
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(*p, "2 + 2 =");

  Example chat;
  chat.line = 3;
  chat.messages = {{"system", "Be brief."}, {"user", "3 + 3?"}};
  Expected<std::string> c = prompt_text(chat, chatml);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(*c,
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n3 + 3?<|im_end|>\n"
            "<|im_start|>assistant\n");

  Expected<std::string> none = prompt_text(chat, testutil::byte_tokenizer(/*chatml=*/false));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error(),
            "line 3: the row is a chat (`messages`), but the model's tokenizer has no chat "
            "template that rft recognizes (ChatML or Llama-3); give the prompt as `prompt` text "
            "instead");
}

}  // namespace
}  // namespace rft::train
