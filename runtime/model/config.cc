#include "runtime/model/config.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace rft::model {
namespace {

using nlohmann::json;

struct Reader {
  const json& j;
  std::string name;
  std::string error;

  bool fail(const std::string& msg) {
    if (error.empty()) error = name + ": " + msg;
    return false;
  }
  // A positive integer field; `fallback` when absent (0 means required).
  int64_t positive(const char* key, int64_t fallback = 0) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
      if (fallback != 0) return fallback;
      fail(std::string("`") + key + "` is missing");
      return 1;  // keeps the arithmetic below safe; the error is reported
    }
    if (!it->is_number_integer() || it->get<int64_t>() <= 0) {
      fail(std::string("`") + key + "` must be a positive integer, found " + it->dump());
      return fallback == 0 ? 1 : fallback;
    }
    return it->get<int64_t>();
  }
  double number(const char* key, double fallback) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    if (!it->is_number() || it->get<double>() <= 0) {
      fail(std::string("`") + key + "` must be a positive number, found " + it->dump());
      return fallback;
    }
    return it->get<double>();
  }
  bool flag(const char* key, bool fallback) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    if (!it->is_boolean()) {
      fail(std::string("`") + key + "` must be true or false, found " + it->dump());
      return fallback;
    }
    return it->get<bool>();
  }
  std::string text(const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  }
};

bool read_rope_scaling(Reader& r, RopeScaling& out) {
  auto it = r.j.find("rope_scaling");
  if (it == r.j.end() || it->is_null()) return true;
  if (!it->is_object()) return r.fail("`rope_scaling` must be an object or null");
  Reader s{*it, r.name + " (rope_scaling)", {}};
  std::string kind = s.text("rope_type");
  if (kind.empty()) kind = s.text("type");
  if (kind == "linear") {
    out.kind = RopeScaling::Kind::kLinear;
    out.factor = s.number("factor", 1);
  } else if (kind == "llama3") {
    out.kind = RopeScaling::Kind::kLlama3;
    out.factor = s.number("factor", 1);
    out.low_freq_factor = s.number("low_freq_factor", 1);
    out.high_freq_factor = s.number("high_freq_factor", 4);
    out.original_max_position_embeddings = s.positive("original_max_position_embeddings");
  } else if (kind != "default") {
    return r.fail("rope_scaling type `" + kind + "` is not supported (supported: linear, llama3)");
  }
  if (!s.error.empty() && r.error.empty()) r.error = s.error;
  return s.error.empty();
}

bool read_token_ids(Reader& r, ModelConfig& c) {
  auto bos = r.j.find("bos_token_id");
  if (bos != r.j.end() && bos->is_number_integer()) c.bos_token_id = bos->get<int64_t>();
  auto eos = r.j.find("eos_token_id");
  if (eos == r.j.end() || eos->is_null()) return true;
  if (eos->is_number_integer()) {
    c.eos_token_ids.push_back(eos->get<int64_t>());
  } else if (eos->is_array()) {
    for (const auto& e : *eos) {
      if (!e.is_number_integer()) return r.fail("`eos_token_id` holds a non-integer");
      c.eos_token_ids.push_back(e.get<int64_t>());
    }
  } else {
    return r.fail("`eos_token_id` must be an integer or a list of integers");
  }
  return true;
}

}  // namespace

std::string_view family_name(Family f) {
  switch (f) {
    case Family::kLlama: return "llama";
    case Family::kQwen2: return "qwen2";
    case Family::kQwen3: return "qwen3";
  }
  return "?";
}

std::string model_config_json(const ModelConfig& c) {
  json j;
  j["architectures"] = json::array({c.architecture.empty()
                                        ? (c.family == Family::kLlama   ? "LlamaForCausalLM"
                                           : c.family == Family::kQwen2 ? "Qwen2ForCausalLM"
                                                                        : "Qwen3ForCausalLM")
                                        : c.architecture});
  j["model_type"] = std::string(family_name(c.family));
  j["vocab_size"] = c.vocab_size;
  j["hidden_size"] = c.hidden_size;
  j["intermediate_size"] = c.intermediate_size;
  j["num_hidden_layers"] = c.num_hidden_layers;
  j["num_attention_heads"] = c.num_attention_heads;
  j["num_key_value_heads"] = c.num_key_value_heads;
  j["head_dim"] = c.head_dim;
  j["max_position_embeddings"] = c.max_position_embeddings;
  j["rms_norm_eps"] = c.rms_norm_eps;
  j["rope_theta"] = c.rope_theta;
  j["hidden_act"] = "silu";
  if (c.rope_scaling.kind == RopeScaling::Kind::kLinear) {
    j["rope_scaling"] = {{"rope_type", "linear"}, {"factor", c.rope_scaling.factor}};
  } else if (c.rope_scaling.kind == RopeScaling::Kind::kLlama3) {
    j["rope_scaling"] = {{"rope_type", "llama3"},
                         {"factor", c.rope_scaling.factor},
                         {"low_freq_factor", c.rope_scaling.low_freq_factor},
                         {"high_freq_factor", c.rope_scaling.high_freq_factor},
                         {"original_max_position_embeddings",
                          c.rope_scaling.original_max_position_embeddings}};
  }
  j["tie_word_embeddings"] = c.tie_word_embeddings;
  if (c.family == Family::kLlama) j["attention_bias"] = c.qkv_bias;
  if (c.bos_token_id) j["bos_token_id"] = *c.bos_token_id;
  if (c.eos_token_ids.size() == 1) {
    j["eos_token_id"] = c.eos_token_ids[0];
  } else if (!c.eos_token_ids.empty()) {
    j["eos_token_id"] = c.eos_token_ids;
  }
  if (!c.torch_dtype.empty()) j["torch_dtype"] = c.torch_dtype;
  return j.dump(2) + "\n";
}

Expected<ModelConfig> parse_model_config(std::string_view json_text, std::string_view name) {
  json j = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return failure(std::string(name) + ": not a JSON object");
  }
  Reader r{j, std::string(name), {}};
  ModelConfig c;
  auto archs = j.find("architectures");
  if (archs != j.end() && archs->is_array() && !archs->empty() && (*archs)[0].is_string()) {
    c.architecture = (*archs)[0].get<std::string>();
  }
  std::string type = r.text("model_type");
  if (type == "llama" || c.architecture == "LlamaForCausalLM") {
    c.family = Family::kLlama;
  } else if (type == "qwen2" || c.architecture == "Qwen2ForCausalLM") {
    c.family = Family::kQwen2;
  } else if (type == "qwen3" || c.architecture == "Qwen3ForCausalLM") {
    c.family = Family::kQwen3;
  } else {
    return failure(r.name + ": model_type `" + type + "` (" +
                   (c.architecture.empty() ? "no architecture" : c.architecture) +
                   ") is not supported; rft runs llama, qwen2 and qwen3 checkpoints");
  }
  std::string act = r.text("hidden_act");
  if (!act.empty() && act != "silu") r.fail("hidden_act `" + act + "` is not supported (only silu)");
  if (r.flag("mlp_bias", false)) r.fail("`mlp_bias` true is not supported");
  if (r.flag("use_sliding_window", false)) r.fail("`use_sliding_window` true is not supported");

  c.vocab_size = r.positive("vocab_size");
  c.hidden_size = r.positive("hidden_size");
  c.intermediate_size = r.positive("intermediate_size");
  c.num_hidden_layers = r.positive("num_hidden_layers");
  c.num_attention_heads = r.positive("num_attention_heads");
  if (!r.error.empty()) return failure(r.error);
  c.num_key_value_heads = r.positive("num_key_value_heads", c.num_attention_heads);
  int64_t default_head_dim =
      c.hidden_size % c.num_attention_heads == 0 ? c.hidden_size / c.num_attention_heads : 0;
  c.head_dim = r.positive("head_dim", default_head_dim == 0 ? -1 : default_head_dim);
  if (c.head_dim < 0) r.fail("`hidden_size` is not a multiple of `num_attention_heads`; give `head_dim`");
  if (c.num_attention_heads % c.num_key_value_heads != 0) {
    r.fail("`num_attention_heads` (" + std::to_string(c.num_attention_heads) +
           ") must be a multiple of `num_key_value_heads` (" +
           std::to_string(c.num_key_value_heads) + ")");
  }
  c.max_position_embeddings = r.positive("max_position_embeddings", 2048);
  c.rms_norm_eps = r.number("rms_norm_eps", 1e-6);
  c.rope_theta = r.number("rope_theta", 10000);
  c.tie_word_embeddings = r.flag("tie_word_embeddings", false);
  c.qkv_bias = c.family == Family::kQwen2 ? true : r.flag("attention_bias", false);
  c.qk_norm = c.family == Family::kQwen3;
  c.torch_dtype = r.text("torch_dtype");
  read_rope_scaling(r, c.rope_scaling);
  read_token_ids(r, c);
  if (!r.error.empty()) return failure(r.error);
  return c;
}

Expected<ModelConfig> load_model_config(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p = fs::is_directory(path, ec) ? fs::path(path) / "config.json" : fs::path(path);
  std::ifstream in(p, std::ios::binary);
  if (!in) return failure(p.string() + ": cannot read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_model_config(ss.str(), p.string());
}

}  // namespace rft::model
