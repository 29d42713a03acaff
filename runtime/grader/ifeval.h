// Google's IFEval checker (instruction_following_eval: instructions.py, instructions_util.py and
// evaluation_lib.py), re-implemented verdict for verdict, quirks included. Behind std.ifeval.
//
// Python semantics are kept where the reference leans on them: str.strip()/isspace() white space,
// Unicode \w and \b, str.lower() full case mapping, str.isupper()/islower(), NLTK's English Punkt
// sentence tokenizer with its pretrained parameters, NLTK's word_tokenize. Language detection
// is CLD2 where Google calls langdetect (docs/stdlib.md lists where the two can differ).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rft::grader::ifeval {

// The 25 instruction ids of Google's registry, in its order.
std::span<const std::string_view> instruction_ids();

// check_following of instruction `id` built with `kwargs` (a JSON object: the registry's
// parameter names; null members count as absent, as evaluation_lib drops them). None, with the
// reason in *error, when the id is unknown or a parameter is missing or out of range (where
// Google would pick a random value or raise).
std::optional<bool> check(std::string_view id, std::string_view response,
                          const nlohmann::json& kwargs, std::string* error);

// The benchmark's verdict for one instruction: strict is check() on a response that is not
// blank; loose also tries the response without its first line, its last line or both, and each
// of these with every '*' removed, and passes when any does.
std::optional<bool> follows(std::string_view id, std::string_view response,
                            const nlohmann::json& kwargs, bool loose, std::string* error);

// The helpers, as Google's code computes them.
size_t count_words(std::string_view text);                      // RegexpTokenizer(r"\w+")
size_t count_sentences(std::string_view text);                  // punkt english.pickle
std::vector<std::string> sent_tokenize(std::string_view text);  // nltk.sent_tokenize
std::vector<std::string> word_tokenize(std::string_view text);  // nltk.word_tokenize
// The language CLD2 finds, as a langdetect code ("en", "zh-cn", "he"), "" when the text has no
// letters (langdetect raises there) and "un" when CLD2 cannot tell.
std::string detect_language(std::string_view text);

}  // namespace rft::grader::ifeval
