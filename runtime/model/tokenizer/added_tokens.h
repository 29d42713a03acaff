// Added tokens (tokenizer.json's added_tokens: <|im_start|>, <|eot_id|>, <think>, ...): found in
// the text before normalization and pre-tokenization, leftmost first and longest at a position,
// and encoded as their own ids. lstrip/rstrip/single_word follow Hugging Face tokenizers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rft::model {

struct AddedToken {
  int32_t id = 0;
  std::string content;
  bool special = false;      // skipped by decode(skip_special_tokens)
  bool lstrip = false;       // also swallows the whitespace before it
  bool rstrip = false;       // also swallows the whitespace after it
  bool single_word = false;  // only matches when no letter or digit touches it
  bool normalized = true;    // matched in the normalized text rather than the raw text
};

// A run of text: plain text when id < 0, else one added token (whose span may include the
// whitespace that lstrip/rstrip swallowed).
struct TextPiece {
  std::string_view text;
  int32_t id = -1;
};

// Finds a fixed set of added tokens in text. Immutable; safe to share between threads.
class AddedTokenMatcher {
 public:
  AddedTokenMatcher() = default;
  explicit AddedTokenMatcher(std::vector<AddedToken> tokens);

  bool empty() const { return tokens_.empty(); }

  // Appends the pieces of `text` to `out`: plain runs (never empty) and tokens, in order.
  void split(std::string_view text, std::vector<TextPiece>& out) const;

  // Appends the id of each token found in `text` to `ids`, and calls encode_run(run) for each
  // plain run between them, so that the ids come out in text order.
  template <typename EncodeRun>
  void encode(std::string_view text, std::vector<int32_t>& ids, EncodeRun encode_run) const {
    if (empty()) {
      encode_run(text);
      return;
    }
    std::vector<TextPiece> pieces;
    split(text, pieces);
    for (const TextPiece& piece : pieces) {
      if (piece.id >= 0) {
        ids.push_back(piece.id);
      } else {
        encode_run(piece.text);
      }
    }
  }

 private:
  // A byte trie over the tokens' contents; node 0 is the root.
  struct Node {
    std::vector<std::pair<uint8_t, int32_t>> children;  // byte -> node
    int32_t token = -1;                                 // index in tokens_ of a token ending here
  };
  int32_t child(int32_t node, uint8_t byte) const;
  // The longest token starting at `pos`: {index in tokens_, end}, or {-1, pos}.
  std::pair<int32_t, size_t> longest_at(std::string_view text, size_t pos) const;

  std::vector<AddedToken> tokens_;
  std::vector<Node> trie_;
  bool first_byte_[256] = {};
};

}  // namespace rft::model
