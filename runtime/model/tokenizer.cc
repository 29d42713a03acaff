#include "runtime/model/tokenizer.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/grader/utf8.h"
#include "runtime/model/tokenizer/parts.h"

namespace rft::model {

namespace fs = std::filesystem;

namespace {

// The contents of `path`, or nullopt when it cannot be read.
std::optional<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(text).str();
}

// `dir`/`name` when it is a regular file.
std::optional<fs::path> file_in(const fs::path& dir, const char* name) {
  std::error_code ec;
  fs::path p = dir / name;
  if (fs::is_regular_file(p, ec)) return p;
  return std::nullopt;
}

}  // namespace

Expected<Tokenizer> Tokenizer::load(const std::string& path) {
  std::error_code ec;
  const fs::path given(path);
  if (!fs::exists(given, ec)) {
    return failure(path + ": no such file or directory");
  }
  const bool is_dir = fs::is_directory(given, ec);
  const fs::path dir = is_dir ? given : given.parent_path();
  const fs::path json_path = is_dir ? given / "tokenizer.json" : given;
  if (is_dir && !fs::is_regular_file(json_path, ec)) {
    return failure(path + ": no tokenizer.json in this directory");
  }
  const std::optional<std::string> json = read_file(json_path);
  if (!json) return failure(json_path.string() + ": cannot read the file");

  std::string config, config_name, jinja;
  if (const std::optional<fs::path> c = file_in(dir, "tokenizer_config.json")) {
    const std::optional<std::string> text = read_file(*c);
    if (!text) return failure(c->string() + ": cannot read the file");
    config = *text;
    config_name = c->string();
  }
  if (const std::optional<fs::path> j = file_in(dir, "chat_template.jinja")) {
    const std::optional<std::string> text = read_file(*j);
    if (!text) return failure(j->string() + ": cannot read the file");
    jinja = *text;
  }
  try {
    return Tokenizer(load_tokenizer_parts(*json, json_path.string(), config, config_name, jinja));
  } catch (const TokenizerLoadError& e) {
    return failure(e.message);
  }
}

Expected<Tokenizer> Tokenizer::from_json(std::string_view tokenizer_json,
                                         std::string_view config_json, std::string_view name) {
  try {
    return Tokenizer(
        load_tokenizer_parts(tokenizer_json, name, config_json, "tokenizer_config.json", {}));
  } catch (const TokenizerLoadError& e) {
    return failure(e.message);
  }
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_special_tokens) const {
  const TokenizerParts& p = *parts_;
  std::vector<int32_t> ids;
  ids.reserve(text.size() / 4 + 4);  // about 4 bytes per token in most text
  if (add_special_tokens) ids = p.prefix_ids;
  p.raw_added.encode(text, ids, [&](std::string_view run) { encode_plain(run, ids); });
  if (add_special_tokens) ids.insert(ids.end(), p.suffix_ids.begin(), p.suffix_ids.end());
  return ids;
}

std::vector<int32_t> Tokenizer::encode_prompt(std::string_view text) const {
  const TokenizerParts& p = *parts_;
  std::vector<int32_t> ids = encode(text, /*add_special_tokens=*/true);
  const size_t prefix = p.prefix_ids.size();
  if (prefix > 0 && ids.size() >= 2 * prefix &&
      std::equal(p.prefix_ids.begin(), p.prefix_ids.end(), ids.begin() + static_cast<std::ptrdiff_t>(prefix))) {
    ids.erase(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(prefix));
  }
  return ids;
}

std::string Tokenizer::normalize(std::string_view text) const {
  std::string out(text);
  for (NormalizationForm form : parts_->normalizers) out = model::normalize(form, out);
  return out;
}

// Text between the raw-text added tokens: normalize, then find the normalized added tokens.
void Tokenizer::encode_plain(std::string_view text, std::vector<int32_t>& ids) const {
  const TokenizerParts& p = *parts_;
  std::string normalized;
  if (!p.normalizers.empty()) {
    normalized = normalize(text);
    text = normalized;
  }
  p.normalized_added.encode(text, ids, [&](std::string_view run) { encode_normalized(run, ids); });
}

// Pre-tokenize and BPE-encode normalized text. The Split steps nest: each splits every piece of
// the step before, streaming, so no list of all words is ever built.
void Tokenizer::encode_normalized(std::string_view text, std::vector<int32_t>& ids) const {
  const TokenizerParts& p = *parts_;
  const PreTokenizer& pre = p.pre_tokenizer;
  auto encode_word = [&](std::string_view word) {
    if (!pre.byte_level_split) {
      p.bpe->encode_word(word, ids);
      return;
    }
    for (size_t pos = 0; pos < word.size();) {
      const size_t end = pretoken_end(SplitPattern::kGpt2, word, pos);
      p.bpe->encode_word(word.substr(pos, end - pos), ids);
      pos = end;
    }
  };
  auto byte_level = [&](std::string_view piece) {
    if (piece.empty()) return;
    if (pre.add_prefix_space && piece[0] != ' ') {
      encode_word(" " + std::string(piece));
    } else {
      encode_word(piece);
    }
  };
  auto split = [&](auto& self, std::string_view piece, size_t step) -> void {
    if (step == pre.splits.size()) {
      byte_level(piece);
      return;
    }
    for (size_t pos = 0; pos < piece.size();) {
      const size_t end = pretoken_end(pre.splits[step], piece, pos);
      self(self, piece.substr(pos, end - pos), step + 1);
      pos = end;
    }
  };
  split(split, text, 0);
}

std::string Tokenizer::decode_bytes(std::span<const int32_t> ids, bool skip_special_tokens) const {
  const TokenizerParts& p = *parts_;
  std::string out;
  for (int32_t id : ids) {
    if (id < 0 || id >= vocab_size()) continue;
    if (skip_special_tokens && p.special[id]) continue;
    out += p.token_bytes[id];
  }
  return out;
}

std::string Tokenizer::decode(std::span<const int32_t> ids, bool skip_special_tokens) const {
  return grader::sanitize_utf8(decode_bytes(ids, skip_special_tokens), nullptr);
}

std::optional<int32_t> Tokenizer::token_to_id(std::string_view token) const {
  const auto it = parts_->ids.find(std::string(token));
  if (it == parts_->ids.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string_view> Tokenizer::id_to_token(int32_t id) const {
  if (id < 0 || id >= vocab_size() || parts_->tokens[id].empty()) return std::nullopt;
  return parts_->tokens[id];
}

std::string_view Tokenizer::token_bytes(int32_t id) const {
  if (id < 0 || id >= vocab_size()) return {};
  return parts_->token_bytes[id];
}

bool Tokenizer::is_special(int32_t id) const {
  return id >= 0 && id < vocab_size() && parts_->special[id];
}

int32_t Tokenizer::vocab_size() const {
  return static_cast<int32_t>(parts_->tokens.size());
}

std::optional<int32_t> Tokenizer::bos_id() const {
  return parts_->bos_id;
}
std::optional<int32_t> Tokenizer::eos_id() const {
  return parts_->eos_id;
}
std::optional<int32_t> Tokenizer::pad_id() const {
  return parts_->pad_id;
}

const std::optional<ChatTemplate>& Tokenizer::chat_template() const {
  return parts_->chat_template;
}

Expected<std::string> Tokenizer::apply_chat_template(std::span<const ChatMessage> messages,
                                                     const ChatOptions& options) const {
  if (!parts_->chat_template) {
    return failure(
        "the tokenizer has no chat template that rft recognizes (ChatML or Llama-3); choose a "
        "format explicitly with format_chat");
  }
  return format_chat(*parts_->chat_template, messages, options);
}

}  // namespace rft::model
