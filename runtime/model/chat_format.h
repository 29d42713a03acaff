// Chat formatting built in, for the two families rft trains: ChatML (Qwen) and Llama-3. The
// model's own Jinja chat_template is not run; its markers select the format
// (detect_chat_template), and format_chat writes what that template writes for plain
// conversations.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace rft::model {

enum class ChatFormat {
  // <|im_start|>role\ncontent<|im_end|>\n ... and "<|im_start|>assistant\n" to prompt a reply.
  kChatMl,
  // ChatML as Qwen3's template writes it: the last assistant turn after the last user turn
  // carries a <think>...</think> block (empty when the content has none), earlier assistant
  // turns lose theirs, "tool" turns are wrapped in <tool_response>, and enable_thinking=false
  // adds an empty think block to the generation prompt.
  kQwen3,
  // <|begin_of_text|><|start_header_id|>role<|end_header_id|>\n\ncontent<|eot_id|> ... with the
  // content trimmed, and "<|start_header_id|>assistant<|end_header_id|>\n\n" to prompt a reply.
  kLlama3,
};

struct ChatTemplate {
  ChatFormat format = ChatFormat::kChatMl;
  // ChatML only: the system message used when the conversation has none (the Qwen2 / Qwen2.5
  // templates carry one, e.g. "You are a helpful assistant."); empty: none.
  std::string default_system;
  // Llama-3 only: the text that starts the conversation.
  std::string bos_token = "<|begin_of_text|>";
};

struct ChatMessage {
  std::string role;  // "system", "user", "assistant", or "tool" (ChatML formats)
  std::string content;
};

struct ChatOptions {
  bool add_generation_prompt = true;  // end with the header that makes the model reply
  bool enable_thinking = true;        // kQwen3: false adds an empty <think></think> block
};

// The template a tokenizer_config.json chat_template (Jinja source) stands for, recognized by its
// markers, or nullopt when it is none of the known formats. Deliberately strict: templates of
// the same families that write something else (Llama 3.1's dated system header, QwQ's open
// <think>) give nullopt rather than a format that differs from what the model was trained on.
std::optional<ChatTemplate> detect_chat_template(std::string_view jinja_source);

// `messages` written in the template's format. Pure; never fails.
std::string format_chat(const ChatTemplate& chat_template, std::span<const ChatMessage> messages,
                        const ChatOptions& options = {});

std::string_view chat_format_name(ChatFormat format);

}  // namespace rft::model
