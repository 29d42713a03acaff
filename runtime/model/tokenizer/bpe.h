// The BPE model of a byte-level tokenizer: turns one pre-tokenized word (raw bytes) into token
// ids by applying the ranked merges, the same way Hugging Face tokenizers' BPE does (its merge
// loop, ignore_merges, byte_fallback, unk_token and fuse_unk included).
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rft::model {

struct BpeOptions {
  bool ignore_merges = false;     // a word that is itself a token is taken whole, before merging
  bool byte_fallback = false;     // a character not in the vocabulary becomes <0xXX> tokens
  std::optional<int32_t> unk_id;  // the unknown token, if any; else unknown characters drop
  bool fuse_unk = false;          // consecutive unknown characters give one unknown token
};

// One merge rule, as ids: `left` + `right` -> `merged`. Its rank is its index in the list.
struct BpeMerge {
  int32_t left;
  int32_t right;
  int32_t merged;
};

// Immutable after construction; encode_word is safe to call from several threads (its word
// cache has a lock).
class BpeModel {
 public:
  // `vocab` maps tokens (in the byte-level alphabet) to ids; `merges` are ranked, first = best.
  BpeModel(const std::unordered_map<std::string, int32_t>& vocab, std::vector<BpeMerge> merges,
           BpeOptions options);

  // Appends the ids of `word` (raw bytes; empty appends nothing) to `out`. O(n log n) in the
  // word's length; words shorter than 256 bytes are cached.
  void encode_word(std::string_view word, std::vector<int32_t>& out) const;

 private:
  struct MergeTarget {
    int32_t rank;
    int32_t merged;
  };
  static uint64_t pair_key(int32_t left, int32_t right) {
    return (uint64_t{static_cast<uint32_t>(left)} << 32) | static_cast<uint32_t>(right);
  }
  const MergeTarget* find_merge(int32_t left, int32_t right) const;
  // The word's symbols before merging (one per byte, or fallback / unknown tokens).
  void initial_symbols(std::string_view word, std::vector<int32_t>& ids) const;
  void merge_word(std::string_view word, std::vector<int32_t>& out) const;

  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using WordMap = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

  BpeOptions options_;
  std::unordered_map<uint64_t, MergeTarget> merges_;
  std::array<int32_t, 256> byte_ids_{};  // id of each byte's byte-level character, or -1
  // byte_fallback: the ids of the UTF-8 bytes of each byte's character as <0xXX>, or empty.
  std::array<std::vector<int32_t>, 256> fallback_ids_;
  WordMap whole_words_;  // ignore_merges: the byte string of every token -> its id

  static constexpr size_t kMaxCachedWord = 256;
  static constexpr size_t kCacheCapacity = size_t{1} << 17;
  mutable std::mutex cache_mu_;
  mutable std::unordered_map<std::string, std::vector<int32_t>, StringHash, std::equal_to<>> cache_;
};

}  // namespace rft::model
