#include "runtime/serve/grading.h"

#include <cmath>
#include <string>
#include <vector>

#include "compiler/ast/type.h"
#include "compiler/grading/grader.h"
#include "compiler/interp/item.h"
#include "compiler/program/analysis.h"
#include "runtime/grader/json.h"

namespace rft::serve {
namespace {

using Json = nlohmann::ordered_json;

Unexpected<ApiError> bad(std::string message, std::string param,
                         std::string code = "invalid_value") {
  ApiError e;
  e.message = std::move(message);
  e.param = std::move(param);
  e.code = std::move(code);
  return failure(std::move(e));
}

// Graders never return NaN or inf; should one, the JSON stays valid (null).
Json number(double x) {
  return std::isfinite(x) ? Json(x) : Json();
}

}  // namespace

Grading::Grading(const GraderEngine& grader, std::string spec, int threads)
    : grader_(grader), spec_(std::move(spec)), threads_(threads) {}

Json Grading::describe() const {
  const ast::RewardDecl& r = grader_.reward();
  auto values = [](const std::vector<std::unique_ptr<ast::ComponentDecl>>& list) {
    Json out = Json::array();
    for (const auto& c : list) {
      out.push_back({{"name", c->name},
                     {"type", types::to_string(c->type)},
                     {"judge", program::calls_judge(*c)}});
    }
    return out;
  };
  Json judges = Json::array();
  for (const ast::JudgeDecl* j : r.judges_used) judges.push_back(j->name);
  Json item = Json::array();
  if (const ast::ItemDecl* decl = grader_.item()) {
    for (const auto& f : decl->fields) {
      item.push_back({{"name", f.name}, {"type", types::to_string(f.type)}});
    }
  }
  return {{"object", "grader"},
          {"spec", spec_},
          {"reward", r.name},
          {"components", values(r.components)},
          {"monitors", values(r.monitors)},
          {"judges", std::move(judges)},
          {"item", std::move(item)}};
}

Expected<Json, ApiError> Grading::grade(std::string_view body) const {
  Expected<nlohmann::json> read = grader::read_json_document(body);
  if (!read) {
    return bad("The request body must be a JSON object: " + read.error() + ".", "", "invalid_json");
  }
  const nlohmann::json& req = *read;
  if (!req.is_object()) return bad("The request body must be a JSON object.", "", "invalid_json");
  auto samples_it = req.find("samples");
  if (samples_it == req.end()) {
    return bad("Missing required parameter: 'samples'.", "samples", "missing_required_parameter");
  }
  const nlohmann::json& samples = *samples_it;
  if (!samples.is_array())
    return bad("Invalid 'samples': expected an array.", "samples", "invalid_type");
  if (samples.size() > kMaxSamples) {
    return bad(
        "Invalid 'samples': at most " + std::to_string(kMaxSamples) + " samples per request.",
        "samples", "array_above_max_length");
  }

  // Rows as the grader reads them: the item's fields at the top level, as in a dataset row.
  std::vector<nlohmann::json> rows(samples.size());
  std::vector<std::string> errors(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    const nlohmann::json& s = samples[i];
    const std::string at = "samples[" + std::to_string(i) + "]";
    if (!s.is_object()) return bad("Invalid '" + at + "': expected an object.", at, "invalid_type");
    auto completion = s.find("completion");
    if (completion == s.end() || !completion->is_string()) {
      return bad("Invalid '" + at + ".completion': expected a string.", at + ".completion",
                 completion == s.end() ? "missing_required_parameter" : "invalid_type");
    }
    auto prompt = s.find("prompt");
    if (prompt != s.end() && !prompt->is_string() && !prompt->is_null()) {
      return bad("Invalid '" + at + ".prompt': expected a string.", at + ".prompt", "invalid_type");
    }
    auto item = s.find("item");
    if (item != s.end() && !item->is_object() && !item->is_null()) {
      return bad("Invalid '" + at + ".item': expected an object.", at + ".item", "invalid_type");
    }
    rows[i] = item != s.end() && item->is_object() ? *item : nlohmann::json::object();
    std::string why;
    for (const std::string& p : grader_.check_item(rows[i])) why += (why.empty() ? "" : "; ") + p;
    errors[i] = why;
  }

  std::vector<Sample> batch;
  std::vector<size_t> which;
  for (size_t i = 0; i < samples.size(); ++i) {
    if (!errors[i].empty()) continue;
    const nlohmann::json& s = samples[i];
    auto prompt = s.find("prompt");
    std::string_view p = prompt != s.end() && prompt->is_string()
                             ? std::string_view(prompt->get_ref<const std::string&>())
                             : std::string_view();
    batch.push_back(Sample{p, s.at("completion").get_ref<const std::string&>(), &rows[i],
                                   interp::row_truncated(s)});
    which.push_back(i);
  }
  std::vector<Grade> graded = grader_.grade(batch, threads_);

  const ValueNames names = grader_.value_names();
  auto named = [](const std::vector<std::string>& keys, const std::vector<double>& values) {
    Json out = Json::object();
    for (size_t c = 0; c < keys.size() && c < values.size(); ++c) {
      out[keys[c]] = number(values[c]);
    }
    return out;
  };
  Json results = Json::array();
  for (size_t i = 0; i < samples.size(); ++i) results.push_back({{"index", i}});
  for (size_t k = 0; k < graded.size(); ++k) {
    const Grade& g = graded[k];
    Json& out = results[which[k]];
    out["total"] = number(g.total);
    out["components"] = named(names.components, g.components);
    if (!names.monitors.empty()) out["monitors"] = named(names.monitors, g.monitors);
    out["flags"] = g.flags;
  }
  for (size_t i = 0; i < samples.size(); ++i) {
    if (!errors[i].empty()) results[i]["error"] = errors[i];
  }
  return Json{{"object", "list"},
              {"reward", grader_.reward().name},
              {"components", names.components},
              {"monitors", names.monitors},
              {"data", std::move(results)}};
}

}  // namespace rft::serve
