// Chat formats, pinned to what the models' Jinja templates write for the same conversation.
#include "runtime/model/chat_format.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/model/reference_tokenizers.h"

namespace rft::model {
namespace {

const std::vector<ChatMessage> kConversation = {
    {"system", "You are a helpful assistant."},
    {"user", "What is 2 + 2?"},
    {"assistant", "2 + 2 = 4."},
};

TEST(FormatChat, ChatMl) {
  const ChatTemplate t{ChatFormat::kChatMl};
  EXPECT_EQ(format_chat(t, kConversation, {.add_generation_prompt = false}),
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
            "<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n"
            "<|im_start|>assistant\n2 + 2 = 4.<|im_end|>\n");
  EXPECT_EQ(format_chat(t, std::span(kConversation).first(2)),
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
            "<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n"
            "<|im_start|>assistant\n");
}

TEST(FormatChat, ChatMlDefaultSystemPrompt) {
  // As in Qwen2.5's template.
  const std::optional<ChatTemplate> t = detect_chat_template(
      "{%- if messages[0]['role'] == 'system' %}\n"
      "    {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}\n"
      "{%- else %}\n"
      "    {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful "
      "assistant.<|im_end|>\\n' }}\n"
      "{%- endif %}");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->format, ChatFormat::kChatMl);
  EXPECT_EQ(t->default_system,
            "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.");
  EXPECT_EQ(format_chat(*t, std::vector<ChatMessage>{{"user", "Hi"}}),
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful "
            "assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(format_chat(*t, std::span(kConversation).first(1), {.add_generation_prompt = false}),
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n");
}

TEST(FormatChat, Qwen3) {
  const ChatTemplate t{ChatFormat::kQwen3};
  // The last assistant turn after the last user turn gets an (empty) think block.
  EXPECT_EQ(format_chat(t, kConversation, {.add_generation_prompt = false}),
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
            "<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n"
            "<|im_start|>assistant\n<think>\n\n</think>\n\n2 + 2 = 4.<|im_end|>\n");
  EXPECT_EQ(format_chat(t, std::span(kConversation).first(2), {.enable_thinking = false}),
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
            "<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n"
            "<|im_start|>assistant\n<think>\n\n</think>\n\n");
  // Reasoning is kept only after the last user turn.
  const std::vector<ChatMessage> turns = {
      {"user", "a"},  {"assistant", "<think>\nold thoughts\n</think>\n\nA"},
      {"user", "b"},  {"assistant", "<think>\nnew thoughts\n</think>\n\nB"},
      {"tool", "42"}, {"tool", "43"},
  };
  EXPECT_EQ(format_chat(t, turns, {.add_generation_prompt = false}),
            "<|im_start|>user\na<|im_end|>\n"
            "<|im_start|>assistant\nA<|im_end|>\n"
            "<|im_start|>user\nb<|im_end|>\n"
            "<|im_start|>assistant\n<think>\nnew thoughts\n</think>\n\nB<|im_end|>\n"
            "<|im_start|>user\n<tool_response>\n42\n</tool_response>\n<tool_response>\n43\n"
            "</tool_response><|im_end|>\n");
}

TEST(FormatChat, Llama3) {
  const ChatTemplate t{ChatFormat::kLlama3};
  EXPECT_EQ(format_chat(t, kConversation, {.add_generation_prompt = false}),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
            "You are a helpful assistant.<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2 + 2?<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n2 + 2 = 4.<|eot_id|>");
  // Content is trimmed, as the template's `| trim` does.
  EXPECT_EQ(format_chat(t, std::vector<ChatMessage>{{"user", " \n Hi\t\n"}}),
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(DetectChatTemplate, UnknownTemplates) {
  EXPECT_EQ(
      detect_chat_template("{% for m in messages %}[INST] {{ m.content }} [/INST]{% endfor %}"),
      std::nullopt);
  // Same markers, different output: Llama 3.1's dated system header, QwQ's open <think>.
  EXPECT_EQ(detect_chat_template(R"({{- "<|start_header_id|>system<|end_header_id|>\n\n" }})"
                                 R"({{- "Cutting Knowledge Date: December 2023\n" }})"),
            std::nullopt);
  EXPECT_EQ(detect_chat_template(R"({{- '<|im_start|>assistant\n<think>\n' }})"), std::nullopt);
}

TEST(DetectChatTemplate, RealTokenizerConfigs) {
  const Tokenizer* qwen = testing::reference_tokenizer("qwen3");
  const Tokenizer* llama = testing::reference_tokenizer("llama3");
  ASSERT_TRUE(qwen && llama);
  ASSERT_TRUE(qwen->chat_template().has_value());
  EXPECT_EQ(qwen->chat_template()->format, ChatFormat::kQwen3);
  ASSERT_TRUE(llama->chat_template().has_value());
  EXPECT_EQ(llama->chat_template()->format, ChatFormat::kLlama3);
  EXPECT_EQ(qwen->eos_id(), 151645);  // <|im_end|>
  EXPECT_EQ(qwen->pad_id(), 151643);  // <|endoftext|>
  EXPECT_EQ(qwen->bos_id(), std::nullopt);
  EXPECT_EQ(llama->bos_id(), 128000);  // <|begin_of_text|>
  EXPECT_EQ(llama->eos_id(), 128001);  // <|end_of_text|>
  // These files' post-processors (ByteLevel) add no BOS, and neither does Hugging Face.
  EXPECT_EQ(llama->encode("Hi", true), llama->encode("Hi", false));
  EXPECT_EQ(qwen->encode("Hi", true), qwen->encode("Hi", false));

  // The markup is made of the models' special tokens.
  const Expected<std::string> prompt =
      llama->apply_chat_template(std::span(kConversation).first(2));
  ASSERT_TRUE(prompt.ok()) << prompt.error();
  const std::vector<int32_t> ids = llama->encode(*prompt);
  ASSERT_GE(ids.size(), 4u);
  EXPECT_EQ(ids[0], 128000);
  EXPECT_EQ(ids[1], 128006);  // <|start_header_id|>
  EXPECT_EQ(llama->decode(ids), *prompt);
  const Expected<std::string> qwen_prompt = qwen->apply_chat_template(kConversation);
  ASSERT_TRUE(qwen_prompt.ok());
  EXPECT_EQ(qwen->encode(*qwen_prompt)[0], 151644);  // <|im_start|>
}

}  // namespace
}  // namespace rft::model
