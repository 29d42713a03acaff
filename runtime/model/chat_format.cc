#include "runtime/model/chat_format.h"

#include "runtime/grader/utf8.h"
#include "runtime/model/tokenizer/unicode.h"

namespace rft::model {

namespace {

constexpr std::string_view kImStart = "<|im_start|>";
constexpr std::string_view kImEnd = "<|im_end|>";

// Python's str.isspace, which Jinja's trim filter uses: White_Space plus U+001C..U+001F.
bool is_python_space(char32_t cp) {
  return is_white_space(cp) || (cp >= 0x1C && cp <= 0x1F);
}

// Jinja's `s | trim`.
std::string_view trim(std::string_view s) {
  size_t start = 0;
  while (start < s.size()) {
    const grader::CodePoint c = grader::decode_utf8(s, start);
    if (!c.valid || !is_python_space(c.cp)) break;
    start += c.len;
  }
  size_t end = start;  // end of the last non-space character
  for (size_t pos = start; pos < s.size();) {
    const grader::CodePoint c = grader::decode_utf8(s, pos);
    pos += c.len;
    if (!c.valid || !is_python_space(c.cp)) end = pos;
  }
  return s.substr(start, end - start);
}

std::string_view lstrip_newlines(std::string_view s) {
  while (!s.empty() && s.front() == '\n') s.remove_prefix(1);
  return s;
}

std::string_view rstrip_newlines(std::string_view s) {
  while (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  return s;
}

bool is_tool_response(std::string_view content) {
  return content.starts_with("<tool_response>") && content.ends_with("</tool_response>");
}

// The literal system prompt in `'<|im_start|>system\n...<|im_end|>\n'` in a ChatML template, or
// empty. Only a plain literal counts: a `'` or `{` before <|im_end|> means the template builds
// the message from the conversation.
std::string default_system_prompt(std::string_view jinja) {
  constexpr std::string_view kOpen = "<|im_start|>system\\n";
  for (size_t pos = jinja.find(kOpen); pos != std::string_view::npos;
       pos = jinja.find(kOpen, pos + 1)) {
    const size_t start = pos + kOpen.size();
    const size_t end = jinja.find(kImEnd, start);
    if (end == std::string_view::npos) break;
    const std::string_view text = jinja.substr(start, end - start);
    if (!text.empty() && text.find_first_of("'\"{}\\+") == std::string_view::npos) {
      return std::string(text);
    }
  }
  return {};
}

void chatml_turn(std::string& out, std::string_view role, std::string_view content) {
  out.append(kImStart).append(role).append("\n").append(content).append(kImEnd).append("\n");
}

void format_chatml(const ChatTemplate& t, std::span<const ChatMessage> messages, std::string& out) {
  if (!t.default_system.empty() && (messages.empty() || messages[0].role != "system")) {
    chatml_turn(out, "system", t.default_system);
  }
  for (const ChatMessage& m : messages) chatml_turn(out, m.role, m.content);
}

// Qwen3's assistant turn: the reasoning between <think> and </think> moves into a think block,
// which only turns after the last user query keep.
void qwen3_assistant_turn(std::string& out, const ChatMessage& m, bool after_last_query,
                          bool last) {
  std::string_view content = m.content;
  std::string_view reasoning;
  if (const size_t first_close = content.find("</think>"); first_close != std::string_view::npos) {
    reasoning = rstrip_newlines(content.substr(0, first_close));
    if (const size_t open = reasoning.rfind("<think>"); open != std::string_view::npos) {
      reasoning = reasoning.substr(open + std::string_view("<think>").size());
    }
    reasoning = lstrip_newlines(reasoning);
    content = lstrip_newlines(content.substr(content.rfind("</think>") + 8));
  }
  out.append(kImStart).append("assistant\n");
  if (after_last_query && (last || !reasoning.empty())) {
    out.append("<think>\n").append(lstrip_newlines(rstrip_newlines(reasoning)));
    out.append("\n</think>\n\n").append(lstrip_newlines(content));
  } else {
    out.append(content);
  }
  out.append(kImEnd).append("\n");
}

void format_qwen3(std::span<const ChatMessage> messages, std::string& out) {
  const size_t n = messages.size();
  size_t last_query = n == 0 ? 0 : n - 1;
  for (size_t i = n; i-- > 0;) {
    if (messages[i].role == "user" && !is_tool_response(messages[i].content)) {
      last_query = i;
      break;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    const ChatMessage& m = messages[i];
    if (m.role == "user" || m.role == "system") {
      chatml_turn(out, m.role, m.content);
    } else if (m.role == "assistant") {
      qwen3_assistant_turn(out, m, i > last_query, i + 1 == n);
    } else if (m.role == "tool") {
      if (i == 0 || messages[i - 1].role != "tool") out.append(kImStart).append("user");
      out.append("\n<tool_response>\n").append(m.content).append("\n</tool_response>");
      if (i + 1 == n || messages[i + 1].role != "tool") out.append(kImEnd).append("\n");
    }
    // Other roles: Qwen3's template writes nothing for them.
  }
}

void llama3_header(std::string& out, std::string_view role) {
  out.append("<|start_header_id|>").append(role).append("<|end_header_id|>\n\n");
}

}  // namespace

std::optional<ChatTemplate> detect_chat_template(std::string_view jinja_source) {
  auto has = [&](std::string_view marker) {
    return jinja_source.find(marker) != std::string_view::npos;
  };
  ChatTemplate t;
  if (has("<|start_header_id|>")) {
    // Llama 3.1 and later always write a system header with dates: not this format.
    if (has("Cutting Knowledge Date")) return std::nullopt;
    t.format = ChatFormat::kLlama3;
    return t;
  }
  if (has(kImStart)) {
    if (!has("<think>")) {
      t.format = ChatFormat::kChatMl;
      t.default_system = default_system_prompt(jinja_source);
      return t;
    }
    // Templates that handle reasoning differently (QwQ opens <think> in the generation prompt)
    // are not Qwen3's.
    if (has("enable_thinking")) {
      t.format = ChatFormat::kQwen3;
      return t;
    }
  }
  return std::nullopt;
}

std::string format_chat(const ChatTemplate& chat_template, std::span<const ChatMessage> messages,
                        const ChatOptions& options) {
  std::string out;
  switch (chat_template.format) {
    case ChatFormat::kChatMl:
      format_chatml(chat_template, messages, out);
      if (options.add_generation_prompt) out.append(kImStart).append("assistant\n");
      break;
    case ChatFormat::kQwen3:
      format_qwen3(messages, out);
      if (options.add_generation_prompt) {
        out.append(kImStart).append("assistant\n");
        if (!options.enable_thinking) out.append("<think>\n\n</think>\n\n");
      }
      break;
    case ChatFormat::kLlama3:
      for (size_t i = 0; i < messages.size(); ++i) {
        if (i == 0) out.append(chat_template.bos_token);
        llama3_header(out, messages[i].role);
        out.append(trim(messages[i].content)).append("<|eot_id|>");
      }
      if (options.add_generation_prompt) llama3_header(out, "assistant");
      break;
  }
  return out;
}

std::string_view chat_format_name(ChatFormat format) {
  switch (format) {
    case ChatFormat::kChatMl:
      return "chatml";
    case ChatFormat::kQwen3:
      return "qwen3";
    case ChatFormat::kLlama3:
      return "llama3";
  }
  return "unknown";
}

}  // namespace rft::model
