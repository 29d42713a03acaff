// The strings that the tokenizer cross-check encodes with rft and with the reference
// implementations: hand-picked cases by category plus random strings from a fixed seed, so the
// corpus is the same on every run and machine.
#pragma once

#include <string>
#include <vector>

namespace rft::model::testing {

// Valid UTF-8 only (the references take JavaScript strings); at least 1000 strings.
std::vector<std::string> tokenizer_corpus();

}  // namespace rft::model::testing
