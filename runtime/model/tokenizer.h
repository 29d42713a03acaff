// The byte-level BPE tokenizer of Hugging Face checkpoints (GPT-2, Llama-3, Qwen2/Qwen3), read
// from tokenizer.json (and tokenizer_config.json for special tokens and the chat format). Gives
// the same ids as Hugging Face tokenizers; tests/model checks that against reference
// implementations on a large corpus.
//
// What is supported, from tokenizer.json:
//   model: BPE (vocab, merges as "a b" or ["a", "b"], ignore_merges, byte_fallback, unk_token,
//          fuse_unk); normalizer: null, NFC, NFD, NFKC, NFKD or a Sequence of them;
//   pre_tokenizer: ByteLevel, or a Sequence of Split steps (the GPT-2, Llama-3 or Qwen2 regex,
//          Isolated) ending in ByteLevel; decoder: ByteLevel; post_processor: null, ByteLevel,
//          TemplateProcessing, RobertaProcessing or a Sequence of them; added_tokens.
// Anything else is a load error that names the file and field.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/common/expected.h"
#include "runtime/model/chat_format.h"

namespace rft::model {

struct TokenizerParts;

// Immutable once loaded, cheap to copy (copies share the loaded tables), and safe to use from
// several threads at once.
class Tokenizer {
 public:
  // Loads `path`: a tokenizer.json file, or a directory holding tokenizer.json and optionally
  // tokenizer_config.json (special tokens, chat template) and chat_template.jinja. A file next
  // to a tokenizer_config.json picks that up too. Errors name the file and the field. Takes about
  // a second for a 150k-token vocabulary: load once and share copies.
  static Expected<Tokenizer> load(const std::string& path);

  // The same from JSON text held in memory; `config_json` may be empty. `name` stands for the
  // file in messages.
  static Expected<Tokenizer> from_json(std::string_view tokenizer_json,
                                       std::string_view config_json = {},
                                       std::string_view name = "tokenizer.json");

  // The ids of `text` (UTF-8; malformed bytes are encoded as the bytes they are). With
  // add_special_tokens, the post-processor's tokens (e.g. a BOS) are added around them, and
  // tokenizer_config.json's add_bos_token / add_eos_token are honoured when the post-processor
  // adds nothing. Added tokens in the text (<|im_start|>, ...) are always recognized.
  std::vector<int32_t> encode(std::string_view text, bool add_special_tokens = false) const;
  // A prompt's ids: encode(text, true), except that tokens the post-processor would put in front
  // are not added again when the text already starts with them (a chat-formatted prompt carries
  // its own <|begin_of_text|>). What generation, evaluation and training feed the model.
  std::vector<int32_t> encode_prompt(std::string_view text) const;

  // The text of `ids`, with each malformed UTF-8 sequence (e.g. a character cut in two at the
  // end of a partial generation) replaced by U+FFFD, as Hugging Face tokenizers does. Ids that no
  // token has are skipped. (Python transformers' decode may also apply
  // clean_up_tokenization_spaces, e.g. " ." -> "."; rft does not.)
  std::string decode(std::span<const int32_t> ids, bool skip_special_tokens = false) const;
  // The raw bytes of `ids`, with no replacement.
  std::string decode_bytes(std::span<const int32_t> ids, bool skip_special_tokens = false) const;

  // `text` after the tokenizer's normalizer (e.g. NFC for Qwen), which is what decode(encode())
  // gives back for valid UTF-8.
  std::string normalize(std::string_view text) const;

  // Token strings as tokenizer.json writes them (byte-level alphabet: "Ġthe" for " the"). Views
  // stay valid while this tokenizer or a copy of it lives.
  std::optional<int32_t> token_to_id(std::string_view token) const;
  std::optional<std::string_view> id_to_token(int32_t id) const;
  // The bytes token `id` decodes to; empty when there is no such token.
  std::string_view token_bytes(int32_t id) const;
  bool is_special(int32_t id) const;

  // One past the largest id of any token (model vocabulary or added token).
  int32_t vocab_size() const;

  // From tokenizer_config.json (bos_token, eos_token, pad_token); nullopt when unset.
  std::optional<int32_t> bos_id() const;
  std::optional<int32_t> eos_id() const;
  std::optional<int32_t> pad_id() const;

  // The chat format that tokenizer_config.json's chat_template stands for, if recognized.
  const std::optional<ChatTemplate>& chat_template() const;
  // `messages` in the tokenizer's chat format, or an error when it has none that rft knows
  // (then call format_chat with an explicit ChatTemplate). Encode the result with
  // add_special_tokens = false: the text already holds the BOS where the format wants one.
  Expected<std::string> apply_chat_template(std::span<const ChatMessage> messages,
                                            const ChatOptions& options = {}) const;

 private:
  explicit Tokenizer(std::shared_ptr<const TokenizerParts> parts) : parts_(std::move(parts)) {}
  void encode_plain(std::string_view text, std::vector<int32_t>& ids) const;
  void encode_normalized(std::string_view text, std::vector<int32_t>& ids) const;

  std::shared_ptr<const TokenizerParts> parts_;
};

// Turns ids into text while they are generated: push() returns the text that became complete,
// holding back the bytes of a character cut in two until its end arrives; finish() returns what
// is left, with U+FFFD for an unfinished character. Concatenating every returned piece gives
// decode() of all the ids. The tokenizer must outlive the decoder.
class TokenStreamDecoder {
 public:
  explicit TokenStreamDecoder(const Tokenizer& tokenizer, bool skip_special_tokens = false)
      : tokenizer_(&tokenizer), skip_special_tokens_(skip_special_tokens) {}

  std::string push(int32_t id);
  std::string finish();

 private:
  const Tokenizer* tokenizer_;
  bool skip_special_tokens_;
  std::string pending_;  // bytes of an unfinished character
};

}  // namespace rft::model
