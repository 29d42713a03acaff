#include "runtime/model/tokenizer/bpe.h"

#include <cstdio>
#include <queue>

#include "runtime/grader/utf8.h"
#include "runtime/model/tokenizer/byte_level.h"

namespace rft::model {

BpeModel::BpeModel(const std::unordered_map<std::string, int32_t>& vocab,
                   std::vector<BpeMerge> merges, BpeOptions options)
    : options_(options) {
  merges_.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const BpeMerge& m = merges[rank];
    // A repeated pair takes its last rank, as in Hugging Face tokenizers.
    merges_[pair_key(m.left, m.right)] = {static_cast<int32_t>(rank), m.merged};
  }
  for (int b = 0; b < 256; ++b) {
    std::string ch;
    grader::encode_utf8(byte_level_char(static_cast<uint8_t>(b)), ch);
    const auto it = vocab.find(ch);
    byte_ids_[b] = it == vocab.end() ? -1 : it->second;
    if (options_.byte_fallback && byte_ids_[b] < 0) {
      std::vector<int32_t> ids;
      for (char u : ch) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>",
                      static_cast<unsigned>(static_cast<uint8_t>(u)));
        const auto f = vocab.find(name);
        if (f == vocab.end()) {
          ids.clear();
          break;
        }
        ids.push_back(f->second);
      }
      fallback_ids_[b] = std::move(ids);
    }
  }
  if (options_.ignore_merges) {
    for (const auto& [token, id] : vocab) {
      if (std::optional<std::string> bytes = from_byte_level(token))
        whole_words_.emplace(*bytes, id);
    }
  }
}

const BpeModel::MergeTarget* BpeModel::find_merge(int32_t left, int32_t right) const {
  const auto it = merges_.find(pair_key(left, right));
  return it == merges_.end() ? nullptr : &it->second;
}

void BpeModel::encode_word(std::string_view word, std::vector<int32_t>& out) const {
  if (word.empty()) return;
  if (word.size() == 1 && byte_ids_[static_cast<uint8_t>(word[0])] >= 0) {
    out.push_back(byte_ids_[static_cast<uint8_t>(word[0])]);
    return;
  }
  const bool cacheable = word.size() < kMaxCachedWord;
  if (cacheable) {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (const auto it = cache_.find(word); it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  const size_t first = out.size();
  const auto whole = options_.ignore_merges ? whole_words_.find(word) : whole_words_.end();
  if (whole != whole_words_.end()) {
    out.push_back(whole->second);
  } else {
    merge_word(word, out);
  }
  if (!cacheable) return;
  std::lock_guard<std::mutex> lock(cache_mu_);
  // A full cache starts over: simpler than LRU, and the common words come back at once.
  if (cache_.size() >= kCacheCapacity) cache_.clear();
  cache_.emplace(std::string(word), std::vector<int32_t>(out.begin() + first, out.end()));
}

void BpeModel::initial_symbols(std::string_view word, std::vector<int32_t>& ids) const {
  // An unknown character waits here until a known one (or the end) shows whether it fuses with
  // the next unknown one.
  bool pending_unk = false;
  for (char ch : word) {
    const auto b = static_cast<uint8_t>(ch);
    const int32_t id = byte_ids_[b];
    if (id < 0 && !fallback_ids_[b].empty()) {
      if (pending_unk) ids.push_back(*options_.unk_id);
      pending_unk = false;
      ids.insert(ids.end(), fallback_ids_[b].begin(), fallback_ids_[b].end());
    } else if (id < 0) {
      if (!options_.unk_id) continue;  // dropped, as Hugging Face tokenizers does
      if (pending_unk && !options_.fuse_unk) ids.push_back(*options_.unk_id);
      pending_unk = true;
    } else {
      if (pending_unk) ids.push_back(*options_.unk_id);
      pending_unk = false;
      ids.push_back(id);
    }
  }
  if (pending_unk) ids.push_back(*options_.unk_id);
}

// Hugging Face tokenizers' Word::merge_all: a min-heap of candidate merges ordered by (rank,
// position); an entry is applied only if the pair at its position still merges to the same
// token, so stale entries cost nothing but a pop.
void BpeModel::merge_word(std::string_view word, std::vector<int32_t>& out) const {
  struct Symbol {
    int32_t id;
    int32_t prev;
    int32_t next;
    bool alive;
  };
  struct Candidate {
    int32_t rank;
    int32_t pos;
    int32_t merged;
    bool operator>(const Candidate& o) const {
      return rank != o.rank ? rank > o.rank : pos > o.pos;
    }
  };

  std::vector<int32_t> ids;
  ids.reserve(word.size());
  initial_symbols(word, ids);
  const auto n = static_cast<int32_t>(ids.size());
  std::vector<Symbol> symbols(ids.size());
  for (int32_t i = 0; i < n; ++i) symbols[i] = {ids[i], i - 1, i + 1 < n ? i + 1 : -1, true};

  std::vector<Candidate> heap_storage;
  heap_storage.reserve(ids.size());
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> queue(
      std::greater<>{}, std::move(heap_storage));
  auto push_candidate = [&](int32_t pos) {
    const Symbol& s = symbols[pos];
    if (s.next < 0) return;
    if (const MergeTarget* m = find_merge(s.id, symbols[s.next].id)) {
      queue.push({m->rank, pos, m->merged});
    }
  };
  for (int32_t i = 0; i + 1 < n; ++i) push_candidate(i);

  while (!queue.empty()) {
    const Candidate top = queue.top();
    queue.pop();
    Symbol& left = symbols[top.pos];
    if (!left.alive || left.next < 0) continue;
    Symbol& right = symbols[left.next];
    const MergeTarget* m = find_merge(left.id, right.id);
    if (m == nullptr || m->merged != top.merged) continue;  // stale entry
    left.id = top.merged;
    right.alive = false;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = top.pos;
    if (left.prev >= 0) push_candidate(left.prev);
    push_candidate(top.pos);
  }
  for (const Symbol& s : symbols) {
    if (s.alive) out.push_back(s.id);
  }
}

}  // namespace rft::model
