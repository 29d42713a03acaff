// What a loaded Tokenizer holds: the pipeline that tokenizer.json describes, reduced to the steps
// rft implements, plus the id tables. Built by load_tokenizer_parts (load.cc), read by
// tokenizer.cc; never changed after loading.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/model/chat_format.h"
#include "runtime/model/tokenizer/added_tokens.h"
#include "runtime/model/tokenizer/bpe.h"
#include "runtime/model/tokenizer/pretokenize.h"
#include "runtime/model/tokenizer/unicode.h"

namespace rft::model {

struct PreTokenizer {
  std::vector<SplitPattern> splits;  // Split steps, applied in order, each to every piece
  bool add_prefix_space = false;     // ByteLevel: a space before each piece that lacks one
  bool byte_level_split = false;     // ByteLevel use_regex: a final GPT-2 split
};

struct TokenizerParts {
  std::vector<NormalizationForm> normalizers;  // applied in order
  PreTokenizer pre_tokenizer;
  std::unique_ptr<BpeModel> bpe;
  AddedTokenMatcher raw_added;         // added tokens with normalized = false
  AddedTokenMatcher normalized_added;  // the others, matched after normalization
  // The post-processor, for a single sequence: ids before and after it.
  std::vector<int32_t> prefix_ids;
  std::vector<int32_t> suffix_ids;

  // By id: the token as written in tokenizer.json (empty: no token has this id), the bytes it
  // decodes to, and whether it is a special added token.
  std::vector<std::string> tokens;
  std::vector<std::string> token_bytes;
  std::vector<bool> special;
  std::unordered_map<std::string, int32_t> ids;  // token -> id; added tokens win

  std::optional<int32_t> bos_id, eos_id, pad_id;
  std::optional<ChatTemplate> chat_template;
};

// Thrown inside the loader only; Tokenizer::load turns it into a Result.
struct TokenizerLoadError {
  std::string message;
};

// Builds the parts from the JSON texts (`config_json` may be empty). `name` and `config_name`
// stand for the files in messages; `chat_template_jinja` (may be empty) overrides the config's
// chat_template. Throws TokenizerLoadError.
std::unique_ptr<TokenizerParts> load_tokenizer_parts(std::string_view tokenizer_json,
                                                     std::string_view name,
                                                     std::string_view config_json,
                                                     std::string_view config_name,
                                                     std::string_view chat_template_jinja);

}  // namespace rft::model
