#include "runtime/judge/reply.h"

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>

namespace rft::judge {
namespace {

bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string quote(std::string_view reply) {
  constexpr size_t kMax = 80;
  std::string s(reply.substr(0, kMax));
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return "\"" + s + (reply.size() > kMax ? "...\"" : "\"");
}

// Reasoning models put their thinking before the answer; only the answer counts.
std::string_view strip_thinking(std::string_view s) {
  size_t end = s.find("</think>");
  return end == std::string_view::npos ? s : s.substr(end + 8);
}

std::optional<double> normalize(const JudgeSpec& spec, double x, std::string_view reply,
                                std::string* why) {
  if (!(x >= spec.scale_lo && x <= spec.scale_hi)) {
    *why = "the judge answered " + quote(reply) + ", outside the scale";
    return std::nullopt;
  }
  return (x - spec.scale_lo) / (spec.scale_hi - spec.scale_lo);
}

struct Number {
  double value;
  size_t start, end;  // bytes of the text
};

// Every number written in the text: integers and decimals, with a minus sign when it does not
// follow a word ("score-1" is 1, "-1" is -1).
std::vector<Number> numbers_in(std::string_view text) {
  std::vector<Number> out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) continue;
    size_t start = i;
    if (i > 0 && text[i - 1] == '-' && (i < 2 || !word_char(text[i - 2]))) start = i - 1;
    size_t end = i;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    if (end + 1 < text.size() && text[end] == '.' &&
        std::isdigit(static_cast<unsigned char>(text[end + 1]))) {
      ++end;
      while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    }
    out.push_back({std::strtod(std::string(text.substr(start, end - start)).c_str(), nullptr),
                   start, end});
    i = end;
  }
  return out;
}

// The text between two numbers, trimmed and lower-cased.
std::string between(std::string_view text, const Number& a, const Number& b) {
  std::string gap = lower(text.substr(a.end, b.start - a.end));
  const size_t first = gap.find_first_not_of(" \t"), last = gap.find_last_not_of(" \t");
  return first == std::string::npos ? "" : gap.substr(first, last - first + 1);
}

// The score in the text: the first number that is not part of how the scale was written. A
// range ("1 to 10", "1-10") and a denominator ("/10", "out of 10") are skipped, so "On a scale
// of 1 to 10: 8" and "8/10" both read 8. When every number is one of those, the first counts.
std::optional<double> read_number(const JudgeSpec& spec, std::string_view text, std::string* why) {
  const std::vector<Number> nums = numbers_in(text);
  if (nums.empty()) {
    *why = "the judge answered " + quote(text) + ", which holds no number";
    return std::nullopt;
  }
  std::vector<bool> skip(nums.size(), false);
  for (size_t k = 0; k + 1 < nums.size(); ++k) {
    const std::string gap = between(text, nums[k], nums[k + 1]);
    if (gap == "to" || gap == "-" || gap == "\xe2\x80\x93") {  // a range: both bounds
      skip[k] = skip[k + 1] = true;
    } else if (gap == "/" || gap == "out of") {  // a denominator
      skip[k + 1] = true;
    }
  }
  for (size_t k = 0; k < nums.size(); ++k) {
    if (!skip[k]) return normalize(spec, nums[k].value, text, why);
  }
  return normalize(spec, nums[0].value, text, why);
}

// The label the text is, or else the label that appears first in it as a whole word (the longest
// one when several start at the same place). Case-insensitive.
std::optional<double> read_label(const JudgeSpec& spec, std::string_view text, std::string* why) {
  std::string t = lower(text);
  const std::string_view edges = " \t\r\n\"'`*.,;:!?()[]";
  size_t b = t.find_first_not_of(edges), e = t.find_last_not_of(edges);
  std::string core = b == std::string::npos ? "" : t.substr(b, e - b + 1);
  for (const auto& [label, score] : spec.labels) {
    if (lower(label) == core) return score;
  }
  size_t best_at = std::string::npos, best_len = 0;
  std::optional<double> best;
  for (const auto& [label, score] : spec.labels) {
    std::string l = lower(label);
    if (l.empty()) continue;
    for (size_t at = t.find(l); at != std::string::npos; at = t.find(l, at + 1)) {
      bool starts = at == 0 || !word_char(t[at - 1]) || !word_char(l.front());
      bool ends = at + l.size() == t.size() || !word_char(t[at + l.size()]) || !word_char(l.back());
      if (!starts || !ends) continue;
      if (at < best_at || (at == best_at && l.size() > best_len)) {
        best_at = at;
        best_len = l.size();
        best = score;
      }
      break;
    }
  }
  if (!best) *why = "the judge answered " + quote(text) + ", which names none of the labels";
  return best;
}

std::optional<double> read_text(const JudgeSpec& spec, std::string_view text, std::string* why) {
  return spec.labels.empty() ? read_number(spec, text, why) : read_label(spec, text, why);
}

// The JSON document in a reply: the whole reply, or the object inside it (models like to wrap
// JSON in a ```json fence or a sentence).
std::optional<nlohmann::json> find_json(std::string_view text) {
  auto parse = [](std::string_view s) -> std::optional<nlohmann::json> {
    nlohmann::json j = nlohmann::json::parse(s, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return std::nullopt;
    return j;
  };
  if (auto j = parse(text)) return j;
  size_t open = text.find('{'), close = text.rfind('}');
  if (open != std::string_view::npos && close != std::string_view::npos && open < close) {
    return parse(text.substr(open, close - open + 1));
  }
  return std::nullopt;
}

// A dotted path: "verdict.score", "scores.0" (a number indexes an array).
const nlohmann::json* at_path(const nlohmann::json& doc, std::string_view path) {
  const nlohmann::json* j = &doc;
  while (!path.empty()) {
    size_t dot = path.find('.');
    std::string key(path.substr(0, dot));
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    if (j->is_object()) {
      auto it = j->find(key);
      if (it == j->end()) return nullptr;
      j = &*it;
    } else if (j->is_array() && !key.empty() &&
               key.find_first_not_of("0123456789") == std::string::npos) {
      size_t i = std::strtoul(key.c_str(), nullptr, 10);
      if (i >= j->size()) return nullptr;
      j = &(*j)[i];
    } else {
      return nullptr;
    }
  }
  return j;
}

// The value at the judge's `json` path in its reply, or nullopt with *why set.
std::optional<nlohmann::json> json_answer(const JudgeSpec& spec, std::string_view text,
                                          std::string* why) {
  std::optional<nlohmann::json> doc = find_json(text);
  if (!doc) {
    *why = "the judge answered " + quote(text) + ", which is not JSON";
    return std::nullopt;
  }
  const nlohmann::json* v = at_path(*doc, spec.json_field);
  if (v == nullptr) {
    *why = "the judge's JSON answer has nothing at `" + spec.json_field + "`";
    return std::nullopt;
  }
  return *v;
}

std::optional<double> read_json(const JudgeSpec& spec, std::string_view text, std::string* why) {
  std::optional<nlohmann::json> answer = json_answer(spec, text, why);
  if (!answer) return std::nullopt;
  const nlohmann::json* v = &*answer;
  if (v->is_number() && spec.labels.empty()) {
    return normalize(spec, v->get<double>(), text, why);
  }
  if (v->is_string()) return read_text(spec, v->get_ref<const std::string&>(), why);
  if (v->is_boolean() && !spec.labels.empty()) return read_label(spec, v->dump(), why);
  *why = "the judge's JSON answer at `" + spec.json_field + "` is " + quote(v->dump()) +
         (spec.labels.empty() ? ", not a number" : ", not a label");
  return std::nullopt;
}

// The JSON array in a reply: the whole reply, or the array inside it.
std::optional<nlohmann::json> find_json_array(std::string_view text) {
  if (auto j = find_json(text); j && j->is_array()) return j;
  size_t open = text.find('['), close = text.rfind(']');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return std::nullopt;
  }
  nlohmann::json j = nlohmann::json::parse(text.substr(open, close - open + 1), nullptr, false);
  if (j.is_discarded() || !j.is_array()) return std::nullopt;
  return j;
}

// Scores from a ranking (answer numbers from 1, best first): 1 for the best down to 0 for the
// worst. The last answer may be left out. nullopt unless it names each answer once.
std::optional<std::vector<double>> from_ranking(std::vector<size_t> order, size_t n,
                                                std::string_view reply, std::string* why) {
  std::vector<bool> seen(n + 1, false);
  std::vector<size_t> kept;
  for (size_t id : order) {
    if (id < 1 || id > n || seen[id]) continue;
    seen[id] = true;
    kept.push_back(id);
  }
  if (kept.size() + 1 == n) {
    for (size_t id = 1; id <= n; ++id) {
      if (!seen[id]) kept.push_back(id);
    }
  }
  if (kept.size() != n) {
    *why = "the judge answered " + quote(reply) + ", which ranks " + std::to_string(kept.size()) +
           " of " + std::to_string(n) + " answers";
    return std::nullopt;
  }
  std::vector<double> scores(n);
  for (size_t r = 0; r < n; ++r) {
    scores[kept[r] - 1] = n == 1 ? 1.0 : 1.0 - static_cast<double>(r) / static_cast<double>(n - 1);
  }
  return scores;
}

std::optional<double> read_json_score(const JudgeSpec& spec, const nlohmann::json& v,
                                      std::string_view reply, std::string* why) {
  if (v.is_number() && spec.labels.empty()) return normalize(spec, v.get<double>(), reply, why);
  if (v.is_string()) return read_text(spec, v.get_ref<const std::string&>(), why);
  if (v.is_boolean() && !spec.labels.empty()) return read_label(spec, v.dump(), why);
  *why = "the judge answered " + quote(reply) + ", where " + quote(v.dump()) + " is " +
         (spec.labels.empty() ? "not a number" : "not a label");
  return std::nullopt;
}

// A group reply in JSON: a ranking (array of answer numbers) or a score per answer (array, or
// object keyed "1".."n").
std::optional<std::vector<double>> read_group_json(const JudgeSpec& spec, const nlohmann::json& v,
                                                   size_t n, std::string_view reply,
                                                   std::string* why) {
  if (spec.group == "rank") {
    if (!v.is_array()) {
      *why = "the judge answered " + quote(reply) + ", which is not a ranking (a list of numbers)";
      return std::nullopt;
    }
    std::vector<size_t> order;
    for (const auto& x : v) {
      double id = x.is_number() ? x.get<double>()
                  : x.is_string() ? std::strtod(x.get_ref<const std::string&>().c_str(), nullptr)
                                  : 0;
      if (id >= 1 && id == static_cast<double>(static_cast<size_t>(id))) {
        order.push_back(static_cast<size_t>(id));
      }
    }
    return from_ranking(std::move(order), n, reply, why);
  }
  std::vector<const nlohmann::json*> items(n, nullptr);
  if (v.is_array() && v.size() == n) {
    for (size_t k = 0; k < n; ++k) items[k] = &v[k];
  } else if (v.is_object()) {
    for (size_t k = 0; k < n; ++k) {
      auto it = v.find(std::to_string(k + 1));
      if (it != v.end()) items[k] = &*it;
    }
  }
  std::vector<double> scores(n);
  for (size_t k = 0; k < n; ++k) {
    if (items[k] == nullptr) {
      *why = "the judge answered " + quote(reply) + ", which has no score for answer " +
             std::to_string(k + 1) + " of " + std::to_string(n);
      return std::nullopt;
    }
    std::optional<double> x = read_json_score(spec, *items[k], reply, why);
    if (!x) return std::nullopt;
    scores[k] = *x;
  }
  return scores;
}

bool is_reference_word(std::string_view w) {
  return w == "answer" || w == "response" || w == "completion" || w == "candidate" || w == "id";
}

// The word just before byte `at` (skipping spaces and `#[("<=`), lower-cased; "#" itself counts.
std::string word_before(std::string_view text, size_t at) {
  size_t e = at;
  while (e > 0 && std::string_view(" \t#[(\"'<=").find(text[e - 1]) != std::string_view::npos) {
    if (text[e - 1] == '#') return "#";
    --e;
  }
  size_t b = e;
  while (b > 0 && std::isalpha(static_cast<unsigned char>(text[b - 1]))) --b;
  return lower(text.substr(b, e - b));
}

std::optional<std::vector<double>> read_rank_text(std::string_view text, size_t n,
                                                  std::string* why) {
  std::vector<size_t> all, referenced;
  for (const Number& x : numbers_in(text)) {
    if (!(x.value >= 1) || x.value != static_cast<double>(static_cast<size_t>(x.value))) continue;
    auto id = static_cast<size_t>(x.value);
    all.push_back(id);
    std::string w = word_before(text, x.start);
    if (w == "#" || is_reference_word(w)) referenced.push_back(id);
  }
  return from_ranking(referenced.empty() ? all : referenced, n, text, why);
}

// One line per answer ("Answer 2: 7/10", "- 3) yes", "#1 = 0.5"), else n bare numbers.
std::optional<std::vector<double>> read_scores_text(const JudgeSpec& spec, std::string_view text,
                                                    size_t n, std::string* why) {
  std::vector<std::optional<double>> scores(n);
  size_t found = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    size_t i = line.find_first_not_of(" \t-*\xe2\x80\xa2>");  // bullets
    if (i == std::string_view::npos) continue;
    std::string l = lower(line);
    for (const char* w : {"answer", "response", "completion", "candidate"}) {
      if (l.compare(i, std::strlen(w), w) == 0) i += std::strlen(w);
    }
    while (i < line.size() && std::string_view(" \t#[<(\"").find(line[i]) != std::string_view::npos) ++i;
    size_t d = i;
    while (d < line.size() && std::isdigit(static_cast<unsigned char>(line[d]))) ++d;
    if (d == i || d - i > 6) continue;
    size_t id = std::strtoul(std::string(line.substr(i, d - i)).c_str(), nullptr, 10);
    while (d < line.size() && std::string_view("]>)\"").find(line[d]) != std::string_view::npos) ++d;
    if (d < line.size() && line[d] == '.' && (d + 1 == line.size() || line[d + 1] == ' ')) {
      ++d;
    } else if (d < line.size() && std::string_view(":=\t ").find(line[d]) != std::string_view::npos) {
      ++d;
    } else if (line.substr(d).starts_with(" -") || line.substr(d).starts_with("\xe2\x80\x93")) {
      d += line[d] == ' ' ? 2 : 3;
    } else {
      continue;
    }
    if (id < 1 || id > n || scores[id - 1]) continue;
    std::string ignored;
    if (std::optional<double> x = read_text(spec, line.substr(d), &ignored)) {
      scores[id - 1] = x;
      ++found;
    }
  }
  if (found == n) {
    std::vector<double> out(n);
    for (size_t k = 0; k < n; ++k) out[k] = *scores[k];
    return out;
  }
  if (spec.labels.empty()) {
    std::vector<Number> nums = numbers_in(text);
    if (nums.size() == n) {
      std::vector<double> out(n);
      for (size_t k = 0; k < n; ++k) {
        std::optional<double> x = normalize(spec, nums[k].value, text, why);
        if (!x) return std::nullopt;
        out[k] = *x;
      }
      return out;
    }
  }
  *why = "the judge answered " + quote(text) + ", which scores " + std::to_string(found) + " of " +
         std::to_string(n) + " answers";
  return std::nullopt;
}

}  // namespace

std::optional<std::vector<double>> parse_group_reply(const JudgeSpec& spec, std::string_view reply,
                                                     size_t n, std::string* why) {
  std::string_view text = strip_thinking(reply);
  if (!spec.json_field.empty()) {
    std::optional<nlohmann::json> answer = json_answer(spec, text, why);
    if (!answer) return std::nullopt;
    return read_group_json(spec, *answer, n, text, why);
  }
  // A JSON array (a ranking, or a score each) or object (a score per answer number).
  for (auto doc : {find_json_array(text), find_json(text)}) {
    std::string ignored;
    if (!doc || !(doc->is_array() || doc->is_object())) continue;
    if (auto scores = read_group_json(spec, *doc, n, text, &ignored)) return scores;
  }
  return spec.group == "rank" ? read_rank_text(text, n, why) : read_scores_text(spec, text, n, why);
}

std::optional<double> parse_reply(const JudgeSpec& spec, std::string_view reply, std::string* why) {
  std::string_view text = strip_thinking(reply);
  return spec.json_field.empty() ? read_text(spec, text, why) : read_json(spec, text, why);
}

}  // namespace rft::judge
