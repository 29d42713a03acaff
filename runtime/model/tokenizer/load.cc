// Reading tokenizer.json and tokenizer_config.json into TokenizerParts. Every field rft does not
// implement is refused with a message naming it, so that a tokenizer is either encoded exactly
// or not at all.
#include <algorithm>

#include "runtime/model/tokenizer/byte_level.h"
#include "runtime/model/tokenizer/json_field.h"
#include "runtime/model/tokenizer/parts.h"

namespace rft::model {

namespace {

using Vocab = std::unordered_map<std::string, int32_t>;

std::string json_quoted(std::string_view s) {
  return nlohmann::json(s).dump();
}

// ---- model ----

Vocab read_vocab(const JsonField& model) {
  const JsonField vocab = model.at("vocab");
  Vocab out;
  out.reserve(vocab.size());
  for (const auto& [token, id] : vocab.object().items()) {
    out.emplace(token,
                JsonField(id, vocab.file(), vocab.path() + "." + json_quoted(token)).token_id());
  }
  return out;
}

int32_t vocab_id(const Vocab& vocab, const std::string& token, const JsonField& where,
                 std::string_view what) {
  const auto it = vocab.find(token);
  if (it == vocab.end()) {
    where.fail(std::string(what) + " uses " + json_quoted(token) + ", which is not in model.vocab");
  }
  return it->second;
}

std::vector<BpeMerge> read_merges(const JsonField& model, const Vocab& vocab) {
  const JsonField merges = model.at("merges");
  std::vector<BpeMerge> out;
  out.reserve(merges.size());
  for (size_t i = 0; i < merges.size(); ++i) {
    const JsonField m = merges.at(i);
    std::string left, right;
    if (m.json().is_string()) {
      // The older "a b" form: exactly one space (Hugging Face tokenizers refuses the rest).
      const std::string& s = m.string();
      const size_t space = s.find(' ');
      if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos) {
        m.fail("merge " + json_quoted(s) + " is not two tokens separated by one space");
      }
      left = s.substr(0, space);
      right = s.substr(space + 1);
    } else {
      if (!m.json().is_array() || m.size() != 2)
        m.fail("a merge must be \"a b\" or [\"a\", \"b\"]");
      left = m.at(0).string();
      right = m.at(1).string();
    }
    const std::string what = "merge " + json_quoted(left + " " + right);
    out.push_back({vocab_id(vocab, left, m, what), vocab_id(vocab, right, m, what),
                   vocab_id(vocab, left + right, m, what + " (merged)")});
  }
  return out;
}

void refuse_unless_empty(const JsonField& model, std::string_view key) {
  const std::optional<JsonField> f = model.get(key);
  if (f && !(f->json().is_string() && f->string().empty())) {
    f->fail("not supported (rft reads byte-level BPE without word prefixes or suffixes)");
  }
}

std::unique_ptr<BpeModel> read_model(const JsonField& root, const std::vector<AddedToken>& added,
                                     Vocab& vocab_out) {
  const JsonField model = root.at("model");
  const std::optional<std::string> type = model.get_string("type");
  if (type && *type != "BPE") {
    model.at("type").fail(json_quoted(*type) + " is not supported (rft reads BPE tokenizers only)");
  }
  if (!type && !model.get("merges")) model.fail("not a BPE model (no type and no merges)");
  if (const std::optional<JsonField> dropout = model.get("dropout")) {
    if (!dropout->json().is_number() || dropout->json().get<double>() != 0.0) {
      dropout->fail("BPE dropout is not supported");
    }
  }
  refuse_unless_empty(model, "continuing_subword_prefix");
  refuse_unless_empty(model, "end_of_word_suffix");

  Vocab vocab = read_vocab(model);
  BpeOptions options;
  options.ignore_merges = model.get_bool("ignore_merges", false);
  options.byte_fallback = model.get_bool("byte_fallback", false);
  options.fuse_unk = model.get_bool("fuse_unk", false);
  if (const std::optional<std::string> unk = model.get_string("unk_token")) {
    if (const auto it = vocab.find(*unk); it != vocab.end()) {
      options.unk_id = it->second;
    } else {
      const auto a = std::find_if(added.begin(), added.end(),
                                  [&](const AddedToken& t) { return t.content == *unk; });
      if (a == added.end()) model.at("unk_token").fail(json_quoted(*unk) + " is not a token");
      options.unk_id = a->id;
    }
  }
  std::vector<BpeMerge> merges = read_merges(model, vocab);
  auto bpe = std::make_unique<BpeModel>(vocab, std::move(merges), options);
  vocab_out = std::move(vocab);
  return bpe;
}

// ---- added tokens ----

std::vector<AddedToken> read_added_tokens(const JsonField& root) {
  std::vector<AddedToken> out;
  const std::optional<JsonField> list = root.get("added_tokens");
  if (!list) return out;
  for (size_t i = 0; i < list->size(); ++i) {
    const JsonField t = list->at(i);
    AddedToken token;
    token.id = t.at("id").token_id();
    token.content = t.at("content").string();
    if (token.content.empty()) t.at("content").fail("an added token cannot be empty");
    token.special = t.get_bool("special", false);
    token.lstrip = t.get_bool("lstrip", false);
    token.rstrip = t.get_bool("rstrip", false);
    token.single_word = t.get_bool("single_word", false);
    // Hugging Face's default: special tokens are matched in the raw text, others normalized.
    token.normalized = t.get_bool("normalized", !token.special);
    out.push_back(std::move(token));
  }
  return out;
}

// ---- normalizer, pre-tokenizer, decoder, post-processor ----

void read_normalizer(const JsonField& n, std::vector<NormalizationForm>& out) {
  const std::string& type = n.at("type").string();
  if (type == "Sequence") {
    const JsonField list = n.at("normalizers");
    for (size_t i = 0; i < list.size(); ++i) read_normalizer(list.at(i), out);
  } else if (type == "NFC") {
    out.push_back(NormalizationForm::kNfc);
  } else if (type == "NFD") {
    out.push_back(NormalizationForm::kNfd);
  } else if (type == "NFKC") {
    out.push_back(NormalizationForm::kNfkc);
  } else if (type == "NFKD") {
    out.push_back(NormalizationForm::kNfkd);
  } else {
    n.at("type").fail(json_quoted(type) +
                      " is not supported (supported: NFC, NFD, NFKC, NFKD and Sequence)");
  }
}

void read_pre_tokenizer_step(const JsonField& step, PreTokenizer& out, bool& seen_byte_level) {
  const std::string& type = step.at("type").string();
  if (seen_byte_level) {
    step.fail("a " + json_quoted(type) + " step after ByteLevel is not supported");
  }
  if (type == "ByteLevel") {
    seen_byte_level = true;
    out.add_prefix_space = step.get_bool("add_prefix_space", false);
    out.byte_level_split = step.get_bool("use_regex", true);
  } else if (type == "Split") {
    const JsonField pattern = step.at("pattern");
    const std::optional<std::string> regex = pattern.get_string("Regex");
    if (!regex) pattern.fail("only a Regex pattern is supported");
    const std::optional<SplitPattern> known = recognize_split_pattern(*regex);
    if (!known) {
      pattern.at("Regex").fail("unknown split pattern " + json_quoted(*regex) +
                               " (rft knows the GPT-2, Llama-3 and Qwen2 patterns)");
    }
    const std::string behavior = step.get_string("behavior").value_or("Isolated");
    if (behavior != "Isolated") {
      step.at("behavior").fail(json_quoted(behavior) + " is not supported (only Isolated)");
    }
    if (step.get_bool("invert", false)) step.at("invert").fail("true is not supported");
    out.splits.push_back(*known);
  } else {
    step.at("type").fail(json_quoted(type) +
                         " is not supported (supported: Sequence of Split and "
                         "ByteLevel)");
  }
}

PreTokenizer read_pre_tokenizer(const JsonField& root) {
  const std::optional<JsonField> p = root.get("pre_tokenizer");
  if (!p) root.fail("pre_tokenizer: missing; rft reads byte-level BPE, which needs ByteLevel");
  PreTokenizer out;
  bool seen_byte_level = false;
  if (p->at("type").string() == "Sequence") {
    const JsonField steps = p->at("pretokenizers");
    for (size_t i = 0; i < steps.size(); ++i) {
      read_pre_tokenizer_step(steps.at(i), out, seen_byte_level);
    }
  } else {
    read_pre_tokenizer_step(*p, out, seen_byte_level);
  }
  if (!seen_byte_level) p->fail("no ByteLevel step; rft reads byte-level BPE tokenizers only");
  return out;
}

void check_decoder(const JsonField& root) {
  const std::optional<JsonField> d = root.get("decoder");
  if (!d) root.fail("decoder: missing; rft decodes byte-level tokens (ByteLevel)");
  const std::string& type = d->at("type").string();
  if (type != "ByteLevel") {
    d->at("type").fail(json_quoted(type) + " is not supported (rft decodes byte-level tokens)");
  }
}

int32_t special_token_id(const JsonField& token,
                         const std::unordered_map<std::string, int32_t>& ids) {
  const std::string& name = token.string();
  const auto it = ids.find(name);
  if (it == ids.end()) token.fail(json_quoted(name) + " is not a token");
  return it->second;
}

// Adds the post-processor's ids around a single sequence to prefix / suffix.
void read_post_processor(const JsonField& p, const std::unordered_map<std::string, int32_t>& ids,
                         std::vector<int32_t>& prefix, std::vector<int32_t>& suffix) {
  const std::string& type = p.at("type").string();
  if (type == "ByteLevel") return;  // offsets only
  if (type == "Sequence") {
    const JsonField list = p.at("processors");
    for (size_t i = 0; i < list.size(); ++i) read_post_processor(list.at(i), ids, prefix, suffix);
    return;
  }
  std::vector<int32_t> before, after;
  if (type == "TemplateProcessing") {
    const JsonField single = p.at("single");
    const JsonField specials = p.at("special_tokens");
    bool seen_sequence = false;
    for (size_t i = 0; i < single.size(); ++i) {
      const JsonField item = single.at(i);
      if (item.get("Sequence")) {
        seen_sequence = true;
        continue;
      }
      const JsonField name = item.at("SpecialToken").at("id");
      const std::optional<JsonField> special = specials.get(name.string());
      if (!special) name.fail(json_quoted(name.string()) + " is not in special_tokens");
      const JsonField id_list = special->at("ids");
      for (size_t k = 0; k < id_list.size(); ++k) {
        (seen_sequence ? after : before).push_back(id_list.at(k).token_id());
      }
    }
  } else if (type == "RobertaProcessing" || type == "BertProcessing") {
    before.push_back(special_token_id(p.at("cls").at(0), ids));
    after.push_back(special_token_id(p.at("sep").at(0), ids));
  } else {
    p.at("type").fail(json_quoted(type) +
                      " is not supported (supported: ByteLevel, "
                      "TemplateProcessing, RobertaProcessing, Sequence)");
  }
  prefix.insert(prefix.begin(), before.begin(), before.end());
  suffix.insert(suffix.end(), after.begin(), after.end());
}

// ---- tokenizer_config.json ----

// bos_token and friends: a string, or an AddedToken object with "content".
std::optional<int32_t> config_token(const JsonField& config, std::string_view key,
                                    const std::unordered_map<std::string, int32_t>& ids) {
  std::optional<JsonField> f = config.get(key);
  if (!f) return std::nullopt;
  if (f->json().is_object()) f = f->at("content");
  return special_token_id(*f, ids);
}

std::string config_chat_template(const JsonField& config) {
  const std::optional<JsonField> t = config.get("chat_template");
  if (!t) return {};
  if (t->json().is_string()) return t->string();
  // The older list form: [{"name": "default", "template": "..."}, {"name": "tool_use", ...}].
  for (size_t i = 0; i < t->size(); ++i) {
    const JsonField entry = t->at(i);
    if (entry.get_string("name").value_or("") == "default") return entry.at("template").string();
  }
  return t->size() > 0 ? t->at(0).at("template").string() : std::string();
}

// ---- id tables ----

void build_id_tables(Vocab vocab, const std::vector<AddedToken>& added, TokenizerParts& parts) {
  int32_t size = 0;
  for (const auto& [token, id] : vocab) size = std::max(size, id + 1);
  for (const AddedToken& t : added) size = std::max(size, t.id + 1);
  parts.tokens.assign(size, {});
  parts.token_bytes.assign(size, {});
  parts.special.assign(size, false);
  auto set = [&](const std::string& token, int32_t id) {
    parts.tokens[id] = token;
    parts.token_bytes[id] = from_byte_level(token).value_or(token);
  };
  for (const auto& [token, id] : vocab) set(token, id);
  parts.ids = std::move(vocab);
  for (const AddedToken& t : added) {  // added tokens win, as in Hugging Face tokenizers
    set(t.content, t.id);
    parts.special[t.id] = t.special;
    parts.ids[t.content] = t.id;
  }
}

}  // namespace

std::unique_ptr<TokenizerParts> load_tokenizer_parts(std::string_view tokenizer_json,
                                                     std::string_view name,
                                                     std::string_view config_json,
                                                     std::string_view config_name,
                                                     std::string_view chat_template_jinja) {
  const nlohmann::json doc = JsonField::parse(tokenizer_json, name);
  const JsonField root(doc, name, "");
  root.object();

  auto parts = std::make_unique<TokenizerParts>();
  std::vector<AddedToken> added = read_added_tokens(root);
  Vocab vocab;
  parts->bpe = read_model(root, added, vocab);
  if (const std::optional<JsonField> n = root.get("normalizer")) {
    read_normalizer(*n, parts->normalizers);
  }
  parts->pre_tokenizer = read_pre_tokenizer(root);
  check_decoder(root);
  build_id_tables(std::move(vocab), added, *parts);
  if (const std::optional<JsonField> p = root.get("post_processor")) {
    read_post_processor(*p, parts->ids, parts->prefix_ids, parts->suffix_ids);
  }

  bool split_special_tokens = false;
  std::string chat_source(chat_template_jinja);
  if (!config_json.empty()) {
    const nlohmann::json config_doc = JsonField::parse(config_json, config_name);
    const JsonField config(config_doc, config_name, "");
    config.object();
    parts->bos_id = config_token(config, "bos_token", parts->ids);
    parts->eos_id = config_token(config, "eos_token", parts->ids);
    parts->pad_id = config_token(config, "pad_token", parts->ids);
    // As transformers' Llama tokenizers do, when tokenizer.json's post-processor adds nothing.
    if (parts->prefix_ids.empty() && parts->suffix_ids.empty()) {
      if (config.get_bool("add_bos_token", false) && parts->bos_id) {
        parts->prefix_ids.push_back(*parts->bos_id);
      }
      if (config.get_bool("add_eos_token", false) && parts->eos_id) {
        parts->suffix_ids.push_back(*parts->eos_id);
      }
    }
    split_special_tokens = config.get_bool("split_special_tokens", false);
    if (chat_source.empty()) chat_source = config_chat_template(config);
  }
  if (!chat_source.empty()) {
    parts->chat_template = detect_chat_template(chat_source);
    if (parts->chat_template && parts->chat_template->format == ChatFormat::kLlama3 &&
        parts->bos_id) {
      parts->chat_template->bos_token = parts->tokens[*parts->bos_id];
    }
  }

  std::vector<AddedToken> raw, normalized;
  for (AddedToken& t : added) {
    if (split_special_tokens && t.special) continue;
    if (t.normalized) {
      // Matched in normalized text (after the raw-text tokens), so in its normalized spelling.
      for (NormalizationForm form : parts->normalizers) t.content = normalize(form, t.content);
      normalized.push_back(std::move(t));
    } else {
      raw.push_back(std::move(t));
    }
  }
  parts->raw_added = AddedTokenMatcher(std::move(raw));
  parts->normalized_added = AddedTokenMatcher(std::move(normalized));
  return parts;
}

}  // namespace rft::model
