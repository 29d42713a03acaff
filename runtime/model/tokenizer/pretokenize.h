// Pre-tokenization: splitting text into the words that BPE encodes one by one. tokenizer.json
// gives the split as a regex, but the regexes of GPT-2, Llama-3 and Qwen2/Qwen3 use lookahead
// and Unicode classes that RE2 cannot run, so each known regex has a hand-written splitter that
// does exactly what the regex engine's leftmost-first alternation would. An unknown regex is an
// error at load time (recognize_split_pattern), never a silently different split.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace rft::model {

enum class SplitPattern {
  // 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
  // (also the ByteLevel pre-tokenizer's own split when its use_regex is true)
  kGpt2,
  // (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|
  // \s*[\r\n]+|\s+(?!\S)|\s+   (also OpenAI's cl100k_base)
  kLlama3,
  // as kLlama3 with \p{N} (one digit per word) instead of \p{N}{1,3}
  kQwen2,
};

// The splitter for a tokenizer.json Split pattern's regex, or nullopt when it is not one of the
// known patterns.
std::optional<SplitPattern> recognize_split_pattern(std::string_view regex);

// The regex that `pattern` implements (for messages and tests).
std::string_view split_pattern_regex(SplitPattern pattern);

// The end of the piece of `text` that starts at `pos` (< text.size()): the regex's match there
// ("Isolated" behaviour; every character is matched by some alternative, so pieces cover the
// text). Bytes that are not well-formed UTF-8 count as characters of no class. Splitting a whole
// text this way is linear in its length.
size_t pretoken_end(SplitPattern pattern, std::string_view text, size_t pos);

// All the pieces of `text`, in order.
std::vector<std::string_view> split_pretokens(SplitPattern pattern, std::string_view text);

}  // namespace rft::model
