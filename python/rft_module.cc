// rft._native: graders for Python. A spec is compiled once (JIT, or loaded from a shared object
// built by `rft compile`) and grades whole batches on native threads with the GIL released.
// The Python package (python/rft/__init__.py) wraps this with keyword item columns, numpy
// arrays and the adapters for TRL and verl.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "compiler/ast/type.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/grading/grader.h"
#include "compiler/interp/interpreter.h"
#include "compiler/interp/item.h"
#include "runtime/common/suggest.h"
#include "runtime/grader/convert.h"
#include "runtime/grader/value_ops.h"
#include "runtime/judge/provider.h"

namespace py = pybind11;

namespace rft::python {
namespace {

// Raised for a spec that does not load: the message is rft's rendered diagnostics.
PyObject* g_spec_error = nullptr;

[[noreturn]] void throw_spec_error(const std::string& message) {
  PyErr_SetString(g_spec_error, message.c_str());
  throw py::error_already_set();
}

// A Python value (a dataset column entry) as JSON, the form in which graders read item fields.
nlohmann::json to_json(py::handle v, int depth = 0) {
  if (depth > 256) throw py::value_error("item value nested deeper than 256 levels");
  if (v.is_none()) return nullptr;
  if (py::isinstance<py::bool_>(v)) return v.cast<bool>();
  if (py::isinstance<py::int_>(v)) {
    // Beyond 64 bits a Python int becomes a double, as JSON readers do; beyond the double
    // range it is refused, as the JSONL reader refuses 1e999 (grader::read_json_document).
    try {
      return v.cast<long long>();
    } catch (const py::cast_error&) {
    }
    const double x = PyLong_AsDouble(v.ptr());
    if (x == -1.0 && PyErr_Occurred()) {
      PyErr_Clear();
      throw py::value_error("an integer beyond the double range (" +
                            std::to_string(py::str(v).cast<std::string>().size()) +
                            " digits); pass it as a string");
    }
    return x;
  }
  if (py::isinstance<py::float_>(v)) return v.cast<double>();
  if (py::isinstance<py::str>(v)) return v.cast<std::string>();
  if (py::isinstance<py::dict>(v)) {
    nlohmann::json out = nlohmann::json::object();
    for (auto [key, value] : v.cast<py::dict>()) {
      out[py::str(key).cast<std::string>()] = to_json(value, depth + 1);
    }
    return out;
  }
  if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
    nlohmann::json out = nlohmann::json::array();
    for (py::handle item : v) out.push_back(to_json(item, depth + 1));
    return out;
  }
  // numpy scalars and anything else with a number protocol.
  if (py::hasattr(v, "item")) return to_json(v.attr("item")(), depth + 1);
  throw py::type_error("cannot pass a value of type " +
                       py::str(v.get_type().attr("__name__")).cast<std::string>() +
                       " to a grader; use str, int, float, bool, None, list or dict");
}

class Grader {
 public:
  // From a spec, compiled in process (or interpreted).
  // Judges may send data to loopback endpoints and to those in `allow_endpoints` only: any other
  // is refused here, before anything is graded.
  static std::unique_ptr<Grader> load(const std::string& spec, const std::string& reward,
                                      const std::string& engine, bool cache,
                                      const std::vector<std::string>& allow_endpoints,
                                      bool judge_cache) {
    std::optional<EngineKind> kind = parse_engine_kind(engine);
    if (!kind) throw_spec_error("unknown engine `" + engine + "`; the engines are " + engine_choices());
    LoadedReward loaded = rft::load_reward(spec, reward);
    if (!loaded.program->ok()) {
      throw_spec_error(render_all(loaded.program->diags, loaded.program->sources, false));
    }
    if (loaded.reward == nullptr) throw_spec_error(loaded.missing);
    judge::ServiceOptions judges;
    judges.allowed_endpoints = allow_endpoints;
    judges.use_cache = judge_cache;
    judges.allow_how = "by adding to rft.load's allow_endpoints:";
    Expected<std::unique_ptr<GraderEngine>> g =
        GraderEngine::create(std::move(loaded), *kind, cache, &judges);
    if (!g) throw_spec_error(g.error());
    auto out = std::unique_ptr<Grader>(new Grader());
    out->name_ = (*g)->reward().name;
    out->names_ = (*g)->value_names();
    out->spec_ = std::move(g).value();
    return out;
  }

  // From a shared object built by `rft compile`.
  static std::unique_ptr<Grader> load_aot(const std::string& path,
                                          const std::optional<std::string>& reward) {
    Expected<std::unique_ptr<SharedGrader>> g = SharedGrader::open(path, reward.value_or(""));
    if (!g) throw_spec_error(g.error());
    auto out = std::unique_ptr<Grader>(new Grader());
    out->name_ = (*g)->name();
    out->names_ = (*g)->value_names();
    out->shared_ = std::move(g).value();
    return out;
  }

  const std::string& name() const { return name_; }
  const std::vector<std::string>& components() const { return names_.components; }
  const std::vector<std::string>& monitors() const { return names_.monitors; }

  // The item's fields as (name, type) pairs, the type spelled as in the spec ("str", "num?").
  std::vector<std::pair<std::string, std::string>> item_fields() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const interp::ItemField& f : spec_ ? spec_->item_fields() : shared_->item_fields()) {
      out.emplace_back(f.name, f.type);
    }
    return out;
  }

  // Grades completions[i] with prompts[i] and items[i] (dicts of item fields). Returns
  // {"total": [...], "components": {name: [...]}, "monitors": {name: [...]}, "flags": [[...],
  // ...]}.
  py::dict grade(const std::vector<std::string>& completions,
                 const std::optional<std::vector<std::string>>& prompts,
                 const std::optional<py::sequence>& items, int threads,
                 const std::optional<std::vector<bool>>& truncated) const {
    const size_t n = completions.size();
    if (truncated.has_value() && truncated->size() != n) {
      throw py::value_error("got " + std::to_string(truncated->size()) + " truncated flags for " +
                            std::to_string(n) + " completions");
    }
    if (prompts.has_value() && prompts->size() != n) {
      throw py::value_error("got " + std::to_string(prompts->size()) + " prompts for " +
                            std::to_string(n) + " completions");
    }
    if (items.has_value() && items->size() != n) {
      throw py::value_error("got " + std::to_string(items->size()) + " item rows for " +
                            std::to_string(n) + " completions");
    }
    // Without item rows every row is empty, and still checked: a spec whose item has required
    // fields refuses to grade rather than score every completion without them.
    std::vector<nlohmann::json> rows(n, nlohmann::json::object());
    for (size_t i = 0; i < n; ++i) {
      if (items.has_value()) {
        py::handle row = (*items)[i];
        if (!py::isinstance<py::dict>(row)) throw py::type_error("item rows must be dicts");
        try {
          rows[i] = to_json(row);
        } catch (const py::value_error& e) {
          throw py::value_error("item row " + std::to_string(i) + ": " + e.what());
        }
      }
      std::vector<std::string> problems = check_item(rows[i]);
      if (!problems.empty()) {
        std::string message = "item row " + std::to_string(i) + ": " + problems[0];
        for (size_t k = 1; k < problems.size(); ++k) message += "; " + problems[k];
        throw py::value_error(message);
      }
    }
    std::vector<Sample> samples(n);
    for (size_t i = 0; i < n; ++i) {
      samples[i] =
          Sample{prompts.has_value() ? std::string_view((*prompts)[i]) : std::string_view(),
                         completions[i], &rows[i], truncated.has_value() && (*truncated)[i]};
    }
    std::vector<Grade> results;
    {
      py::gil_scoped_release release;
      results = spec_ != nullptr ? spec_->grade(samples, threads)
                                 : grade_batch(shared_->engine(), samples, threads);
    }
    for (const Grade& r : results) {
      judge_skips_ += static_cast<long>(interp::skipped_by_gating(r));
    }
    std::vector<double> totals(n);
    py::list flags;
    for (size_t i = 0; i < n; ++i) {
      totals[i] = results[i].total;
      flags.append(py::cast(results[i].flags));
    }
    // {name: [value per row]} for the components or the monitors.
    auto columns = [&](const std::vector<std::string>& names, std::vector<double> Grade::*values) {
      py::dict by_name;
      for (size_t c = 0; c < names.size(); ++c) {
        std::vector<double> column(n);
        for (size_t i = 0; i < n; ++i) column[i] = (results[i].*values)[c];
        by_name[py::str(names[c])] = column;
      }
      return by_name;
    };
    py::dict out;
    out["total"] = totals;
    out["components"] = columns(names_.components, &Grade::components);
    out["monitors"] = columns(names_.monitors, &Grade::monitors);
    out["flags"] = flags;
    return out;
  }

  // What the judges did so far: {"calls", "cache_hits", "misses", "skipped", "errors"}, where
  // "skipped" counts judge components that gating kept from being called. Empty when the reward
  // calls no judge.
  py::dict judge_counters() const {
    py::dict out;
    const judge::JudgeService* j = spec_ != nullptr ? spec_->judges() : nullptr;
    if (j == nullptr) return out;
    judge::JudgeCounters c = j->counters();
    out["calls"] = c.calls;
    out["cache_hits"] = c.cache_hits;
    out["misses"] = c.misses;
    out["skipped"] = judge_skips_.load();
    out["errors"] = c.errors;
    return out;
  }

  // Every let, component and monitor of one sample with its value, as `rft explain` shows them.
  py::dict explain(const std::string& completion, const std::string& prompt,
                   const std::optional<py::dict>& item, bool truncated) const {
    if (spec_ == nullptr) {
      throw py::value_error("explain needs the spec: load it with rft.load, not rft.load_aot");
    }
    nlohmann::json row = item.has_value() ? to_json(*item) : nlohmann::json::object();
    std::vector<std::string> problems = check_item(row);
    if (!problems.empty()) throw py::value_error("item: " + problems[0]);
    interp::Interpreter interp(spec_->program());
    grader::Context ctx;
    Grade r =
        interp.grade(spec_->reward(), Sample{prompt, completion, &row, truncated}, ctx,
                     nullptr, /*record_bindings=*/true);
    py::dict components, monitors;
    for (size_t c = 0; c < names_.components.size(); ++c) {
      components[py::str(names_.components[c])] = r.components[c];
    }
    for (size_t m = 0; m < names_.monitors.size(); ++m) {
      monitors[py::str(names_.monitors[m])] = r.monitors[m];
    }
    py::dict lets;
    for (const auto& b : r.bindings) {
      if (b.kind == "let") lets[py::str(b.name)] = b.evaluated ? py::object(py::str(b.value)) : py::none();
    }
    py::dict out;
    out["reward"] = name_;
    out["total"] = r.total;
    out["components"] = components;
    out["monitors"] = monitors;
    out["lets"] = lets;
    out["flags"] = py::cast(r.flags);
    return out;
  }

 private:
  Grader() = default;

  std::vector<std::string> check_item(const nlohmann::json& row) const {
    if (spec_ != nullptr) return spec_->check_item(row);
    return interp::validate_item(row, shared_->item_fields());  // a shared object names its fields
  }

  std::string name_;
  ValueNames names_;
  std::unique_ptr<GraderEngine> spec_;  // from a spec
  mutable std::atomic<long> judge_skips_{0};  // judge components skipped by gating
  std::unique_ptr<SharedGrader> shared_;  // from a shared object
};

}  // namespace
}  // namespace rft::python

PYBIND11_MODULE(_native, m) {
  using rft::python::Grader;
  m.doc() = "rft graders: .reward specs compiled to native code";
  static py::exception<std::runtime_error> spec_error(m, "SpecError", PyExc_ValueError);
  rft::python::g_spec_error = spec_error.ptr();

  py::class_<Grader>(m, "Grader")
      .def_property_readonly("reward", &Grader::name, "The reward's name.")
      .def_property_readonly("components", &Grader::components,
                             "The component names, in declaration order.")
      .def_property_readonly("monitors", &Grader::monitors,
                             "The monitor names (values logged, never in the total).")
      .def_property_readonly("item_fields", &Grader::item_fields,
                             "The item's fields as (name, type) pairs.")
      .def("grade", &Grader::grade, py::arg("completions"), py::arg("prompts") = py::none(),
           py::arg("items") = py::none(), py::arg("threads") = 0, py::arg("truncated") = py::none(),
           "Grades a batch; returns {'total', 'components', 'monitors', 'flags'}.")
      .def("explain", &Grader::explain, py::arg("completion"), py::arg("prompt") = "",
           py::arg("item") = py::none(), py::arg("truncated") = false,
           "Every let, component and monitor of one sample.")
      .def("judge_counters", &Grader::judge_counters,
           "The judges' counters so far (calls, cache_hits, misses, skipped, errors).");

  m.def("load", &Grader::load, py::arg("spec"), py::arg("reward"), py::arg("engine") = "jit",
        py::arg("cache") = true, py::arg("allow_endpoints") = std::vector<std::string>(),
        py::arg("judge_cache") = true, "Loads a reward from a .reward spec and compiles it.");
  m.def("did_you_mean", &rft::did_you_mean, py::arg("name"), py::arg("candidates"),
        "\"did you mean `x`?\" for the candidate closest to `name`, or an empty string.");
  m.def("load_aot", &Grader::load_aot, py::arg("path"), py::arg("reward") = py::none(),
        "Loads a reward from a shared object built by `rft compile`.");
}
