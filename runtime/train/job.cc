#include "runtime/train/job.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <sstream>

#include "runtime/common/suggest.h"

namespace rft::train {
namespace {

namespace fs = std::filesystem;

constexpr double kInf = std::numeric_limits<double>::infinity();

// Shortest text that reads back as the same double ("1e-05", "0.2", "3").
std::string format_double(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

// A number's allowed range, stated in messages as ">= 1", "> 0" or "in [0, 1)".
struct Range {
  double lo = -kInf, hi = kInf;
  bool lo_open = false, hi_open = false;

  bool contains(double v) const {
    return (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
  }
  std::string describe() const {
    if (hi == kInf) return (lo_open ? "> " : ">= ") + format_double(lo);
    return "in " + std::string(lo_open ? "(" : "[") + format_double(lo) + ", " + format_double(hi) +
           (hi_open ? ")" : "]");
  }
};
Range at_least(double lo) {
  return {lo, kInf, false, false};
}
Range above(double lo) {
  return {lo, kInf, true, false};
}
Range any() {
  return {};
}

// One key of the job file: where it sits, how its scalar is read into a JobConfig, and how it
// is written back. `read` returns "" or what is wrong with the value (after "`key`: ").
struct Field {
  std::string_view section;  // "", "data", "reward" or "hyperparameters"
  std::string_view key;
  std::function<std::string(const std::string&, JobConfig&)> read;
  std::function<std::string(const JobConfig&)> write;  // the YAML scalar
  bool is_string = false;  // optional strings may be "" (unset); numbers and choices may not
  bool required = false;
  bool is_list = false;  // a YAML list: `read` is called for each entry
};

template <typename E>
using Names = std::vector<std::pair<E, std::string_view>>;

const Names<LossAggregation>& loss_aggregation_names() {
  static const Names<LossAggregation> names = {{LossAggregation::kGrpo, "grpo"},
                                               {LossAggregation::kDapo, "dapo"},
                                               {LossAggregation::kDrGrpo, "dr_grpo"}};
  return names;
}
const Names<RewardScaling>& reward_scaling_names() {
  static const Names<RewardScaling> names = {{RewardScaling::kGroup, "group"},
                                             {RewardScaling::kBatch, "batch"},
                                             {RewardScaling::kNone, "none"}};
  return names;
}
const Names<LrSchedule>& lr_schedule_names() {
  static const Names<LrSchedule> names = {{LrSchedule::kCosine, "cosine"},
                                          {LrSchedule::kLinear, "linear"},
                                          {LrSchedule::kConstant, "constant"}};
  return names;
}

template <typename E>
std::string_view name_of(const Names<E>& names, E value) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  return names.front().second;
}

// A YAML double-quoted scalar (also a JSON string) that reads back as `s`.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// Strings are written plain when YAML reads them back as the same string, else double-quoted.
std::string yaml_string(const std::string& s) {
  static const char* const kWords[] = {"null", "true", "false", "yes", "no", "on", "off", "y", "n"};
  bool plain = !s.empty() && (std::isalpha(static_cast<unsigned char>(s[0])) != 0 || s[0] == '_' ||
                              s[0] == '/' || s[0] == '.');
  for (char c : s) {
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) != 0 ||
                      std::string_view("_./:+-").find(c) != std::string_view::npos);
  }
  std::string lower = s;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* w : kWords) plain = plain && lower != w;
  return plain ? s : quoted(s);
}

// The value a field reads and writes: a member pointer (&JobConfig::epochs) or a function of the
// job that returns a reference (a member of a nested section's struct).
template <typename Access>
using FieldType = std::remove_cvref_t<std::invoke_result_t<Access, JobConfig&>>;

template <typename Access>
Field integer(std::string_view key, Access member, Range range) {
  using T = FieldType<Access>;
  auto read = [member, range](const std::string& s, JobConfig& job) -> std::string {
    T v{};
    if (std::is_unsigned_v<T> && !s.empty() && s[0] == '-') {
      return "must be >= 0, found `" + s + "`";
    }
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc::result_out_of_range) return "`" + s + "` is out of range";
    if (ec != std::errc() || end != s.data() + s.size()) {
      return "expected an integer, found `" + s + "`";
    }
    if (!range.contains(static_cast<double>(v))) {
      return "must be " + range.describe() + ", found `" + s + "`";
    }
    std::invoke(member, job) = v;
    return {};
  };
  auto write = [member](const JobConfig& job) { return std::to_string(std::invoke(member, job)); };
  return {"hyperparameters", key, read, write};
}

template <typename Access>
Field real(std::string_view key, Access member, Range range) {
  auto read = [member, range](const std::string& s, JobConfig& job) -> std::string {
    char* end = nullptr;
    double v = s.empty() ? 0 : std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v)) {
      return "expected a number, found `" + s + "`";
    }
    if (!range.contains(v)) return "must be " + range.describe() + ", found `" + s + "`";
    std::invoke(member, job) = v;
    return {};
  };
  auto write = [member](const JobConfig& job) {
    // "1.0e-05" rather than "1e-05", which YAML 1.1 readers (PyYAML) take for a string.
    std::string t = format_double(std::invoke(member, job));
    if (t.find('.') == std::string::npos) t.insert(std::min(t.find('e'), t.size()), ".0");
    return t;
  };
  return {"hyperparameters", key, read, write};
}

// A value from a fixed list: an enum (`names` in declaration order) or a string.
template <typename T, typename Access>
Field choice(std::string_view section, std::string_view key, Access member, Names<T> names) {
  auto read = [member, names](const std::string& s, JobConfig& job) -> std::string {
    std::string allowed;
    for (const auto& [value, name] : names) {
      if (s == name) {
        std::invoke(member, job) = value;
        return {};
      }
      allowed += (allowed.empty() ? "" : ", ") + std::string(name);
    }
    return "`" + s + "` is not one of " + allowed;
  };
  auto write = [member, names](const JobConfig& job) {
    return std::string(name_of(names, std::invoke(member, job)));
  };
  return {section, key, read, write};
}

// A string; paths are resolved against `base_dir` when relative.
Field text(std::string_view section, std::string_view key, std::string JobConfig::*member,
           bool is_path, bool required, const std::string& base_dir) {
  auto read = [member, is_path, base_dir](const std::string& s, JobConfig& job) -> std::string {
    fs::path p(s);
    job.*member = is_path && !s.empty() && p.is_relative() && !base_dir.empty()
                      ? (fs::path(base_dir) / p).lexically_normal().string()
                      : s;
    return {};
  };
  auto write = [member](const JobConfig& job) { return yaml_string(job.*member); };
  Field f{section, key, read, write};
  f.is_string = true;
  f.required = required;
  return f;
}

// A list of http(s) URLs (judge endpoints), written as a flow list of quoted strings.
Field url_list(std::string_view section, std::string_view key,
               std::vector<std::string> JobConfig::*member) {
  auto read = [member](const std::string& s, JobConfig& job) -> std::string {
    std::string scheme = s.substr(0, s.find("://") + 3);
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (scheme != "http://" && scheme != "https://") {
      return "`" + s + "` is not an http:// or https:// URL";
    }
    (job.*member).push_back(s);
    return {};
  };
  auto write = [member](const JobConfig& job) {
    std::string out;
    for (const std::string& s : job.*member) out += (out.empty() ? "" : ", ") + quoted(s);
    return "[" + out + "]";
  };
  Field f{section, key, read, write};
  f.is_list = true;
  return f;
}

Field device_field() {
  auto read = [](const std::string& s, JobConfig& job) -> std::string {
    bool ok = s == "cpu" || s == "cuda" ||
              (s.size() > 5 && s.compare(0, 5, "cuda:") == 0 &&
               s.find_first_not_of("0123456789", 5) == std::string::npos);
    if (!ok) return "`" + s + "` is not one of cpu, cuda, cuda:N";
    job.device = s;
    return {};
  };
  return {"hyperparameters", "device", read, [](const JobConfig& job) { return job.device; }};
}

Field in_section(std::string_view section, Field f) {
  f.section = section;
  return f;
}

// A member of the job's `monitor:` section.
template <typename T>
auto in_monitor(T MonitorOptions::*member) {
  return [member](auto& job) -> auto& {
    return job.monitor.*member;
  };
}

// Every key, in the order job_to_yaml writes them.
std::vector<Field> job_fields(const std::string& base_dir, bool require_reward) {
  using J = JobConfig;
  const Names<bool> yes_no = {{true, "true"}, {false, "false"}};
  Names<EngineKind> engines;
  for (const auto& [name, kind] : kEngineKinds) engines.emplace_back(kind, name);
  const bool r = require_reward;
  return {
      text("", "model", &J::model, true, true, base_dir),
      text("data", "train", &J::train_data, true, true, base_dir),
      text("data", "eval", &J::eval_data, true, false, base_dir),
      text("reward", "spec", &J::spec, true, r, base_dir),
      text("reward", "name", &J::reward, false, r, base_dir),
      choice<EngineKind>("reward", "engine", &J::engine, engines),
      text("reward", "pass_component", &J::pass_component, false, false, base_dir),
      url_list("reward", "allow_endpoints", &J::allow_endpoints),
      choice<bool>("reward", "judge_cache", &J::judge_cache, {{true, "true"}, {false, "false"}}),
      in_section("reward",
                 real("max_judge_failures", &J::max_judge_failures, {0, 1, false, false})),
      text("reward", "verifier", &J::verifier, false, false, base_dir),
      text("reward", "verifier_spec", &J::verifier_spec, true, false, base_dir),
      text("", "output_dir", &J::output_dir, true, true, base_dir),
      integer("epochs", &J::epochs, at_least(1)),
      integer("max_steps", &J::max_steps, at_least(0)),
      integer("batch_size", &J::batch_size, at_least(1)),
      // GRPO's advantage compares the samples of one prompt; SFT does not sample.
      integer("samples_per_prompt", &J::samples_per_prompt, at_least(require_reward ? 2 : 1)),
      real("learning_rate", &J::learning_rate, above(0)),
      integer("warmup_steps", &J::warmup_steps, at_least(0)),
      real("warmup_ratio", &J::warmup_ratio, {0, 1, false, true}),
      choice<LrSchedule>("hyperparameters", "lr_schedule", &J::lr_schedule, lr_schedule_names()),
      real("min_lr_ratio", &J::min_lr_ratio, {0, 1, false, false}),
      real("weight_decay", &J::weight_decay, at_least(0)),
      real("adam_beta1", &J::adam_beta1, {0, 1, false, true}),
      real("adam_beta2", &J::adam_beta2, {0, 1, false, true}),
      real("adam_epsilon", &J::adam_epsilon, above(0)),
      integer("max_prompt_length", &J::max_prompt_length, at_least(1)),
      integer("max_new_tokens", &J::max_new_tokens, at_least(1)),
      real("temperature", &J::temperature, at_least(0)),
      real("top_p", &J::top_p, {0, 1, true, false}),
      integer("top_k", &J::top_k, at_least(0)),
      real("beta", &J::beta, at_least(0)),
      real("clip_epsilon_low", &J::clip_epsilon_low, at_least(0)),
      real("clip_epsilon_high", &J::clip_epsilon_high, at_least(0)),
      choice<LossAggregation>("hyperparameters", "loss_aggregation", &J::loss_aggregation,
                              loss_aggregation_names()),
      choice<RewardScaling>("hyperparameters", "reward_scaling", &J::reward_scaling,
                            reward_scaling_names()),
      integer("inner_epochs", &J::inner_epochs, at_least(1)),
      integer("gradient_accumulation", &J::gradient_accumulation, at_least(1)),
      real("max_grad_norm", &J::max_grad_norm, at_least(0)),
      choice<bool>("hyperparameters", "mask_truncated_completions", &J::mask_truncated_completions,
                   {{true, "true"}, {false, "false"}}),
      integer("eval_interval", &J::eval_interval, at_least(0)),
      integer("eval_samples", &J::eval_samples, at_least(0)),
      real("eval_temperature", &J::eval_temperature, at_least(0)),
      integer("save_interval", &J::save_interval, at_least(0)),
      integer("keep_last", &J::keep_last, at_least(1)),
      integer("seed", &J::seed, any()),
      integer("threads", &J::threads, at_least(0)),
      device_field(),
      choice<std::string>("hyperparameters", "dtype", &J::dtype,
                          {{"float32", "float32"}, {"bfloat16", "bfloat16"}}),
      real("stop_at_eval_score", &J::stop_at_eval_score, at_least(0)),
      real("collective_timeout", &J::collective_timeout, above(0)),
      choice<bool>("monitor", "enabled", in_monitor(&MonitorOptions::enabled), yes_no),
      choice<bool>("monitor", "stop_on_alarm", in_monitor(&MonitorOptions::stop_on_alarm), yes_no),
      in_section("monitor", integer("window", in_monitor(&MonitorOptions::window), at_least(1))),
      in_section("monitor",
                 real("length_correlation", in_monitor(&MonitorOptions::length_correlation),
                      {-1, 1, false, false})),
      in_section("monitor",
                 real("length_growth", in_monitor(&MonitorOptions::length_growth), at_least(0))),
      in_section("monitor", real("component_share", in_monitor(&MonitorOptions::component_share),
                                 {0, 1, false, false})),
      in_section("monitor", real("entropy_floor", in_monitor(&MonitorOptions::entropy_floor),
                                 {0, 1, false, false})),
      in_section("monitor",
                 integer("eval_window", in_monitor(&MonitorOptions::eval_window), at_least(1))),
      in_section("monitor", real("min_reward_rise", in_monitor(&MonitorOptions::min_reward_rise),
                                 at_least(0))),
  };
}

constexpr std::string_view kSections[] = {"data", "reward", "hyperparameters", "monitor"};

std::string describe_node(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return "`" + node.Scalar() + "`";
    default:
      return "nothing";
  }
}

class JobParser {
 public:
  JobParser(const std::string& name, const std::string& base_dir, bool require_reward)
      : name_(name),
        require_reward_(require_reward),
        fields_(job_fields(base_dir, require_reward)) {}

  Expected<JobConfig> parse(const std::string& text) {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      error(e.mark, "not valid YAML: " + e.msg);
      return finish();
    }
    if (root.IsNull()) {
      error_no_line("the job file is empty; it needs `model`, `data.train` and `output_dir`");
      return finish();
    }
    if (!root.IsMap()) {
      error(root.Mark(),
            "expected a mapping of keys (model, data, reward, output_dir, "
            "hyperparameters), found " +
                describe_node(root));
      return finish();
    }
    std::map<std::string, YAML::Mark> present;  // "model", "data.train", ... and the sections
    for (const auto& [key, value] : entries(root, "")) {
      std::string k = key.Scalar();
      present.emplace(k, key.Mark());
      if (std::find(std::begin(kSections), std::end(kSections), k) != std::end(kSections)) {
        if (value.IsNull()) continue;  // an empty section
        if (!value.IsMap()) {
          error(key.Mark(),
                "`" + k + "`: expected a mapping of keys, found " + describe_node(value));
          continue;
        }
        for (const auto& [sub, subvalue] : entries(value, k)) {
          const Field& f = *find(k, sub.Scalar());
          present.emplace(dotted(f), sub.Mark());
          read(f, sub, subvalue);
        }
      } else {
        read(*find("", k), key, value);
      }
    }
    // A missing key is reported on the line of its section, if that is there.
    auto missing = [&](const Field& f) {
      auto s = present.find(std::string(f.section));
      std::string message = "`" + dotted(f) + "` is missing";
      if (s != present.end()) return error(s->second, message);
      error_no_line(message);
    };
    for (const Field& f : fields_) {
      if (f.required && present.count(dotted(f)) == 0) missing(f);
    }
    // `rft sft` grades (for evaluation) only when the job names a reward: a spec and a name.
    if (!require_reward_ && job_.spec.empty() != job_.reward.empty()) {
      missing(*find("reward", job_.spec.empty() ? "spec" : "name"));
    }
    // A verifier is graded beside the trained reward, so it needs one.
    if (!job_.verifier_spec.empty() && job_.verifier.empty()) missing(*find("reward", "verifier"));
    if (!job_.verifier.empty() && job_.reward.empty()) missing(*find("reward", "name"));
    // And it grades the evaluations only: without an eval set it would never run.
    if (!job_.verifier.empty() && job_.eval_data.empty()) {
      auto at = present.find("reward.verifier");
      const std::string why =
          "`reward.verifier` grades the evaluations, but there is no `data.eval`";
      if (at != present.end()) {
        error(at->second, why);
      } else {
        error_no_line(why);
      }
    }
    return finish();
  }

 private:
  // The keys of `map` that are known in `section`; unknown and repeated keys are reported.
  std::vector<std::pair<YAML::Node, YAML::Node>> entries(const YAML::Node& map,
                                                         const std::string& section) {
    std::vector<std::pair<YAML::Node, YAML::Node>> out;
    std::map<std::string, int> seen;  // key -> line
    for (const auto& entry : map) {
      const YAML::Node key = entry.first;
      std::string k = key.IsScalar() ? key.Scalar() : describe_node(key);
      if (auto [first, inserted] = seen.emplace(k, key.Mark().line + 1); !inserted) {
        error(key.Mark(),
              "`" + k + "` appears twice (first on line " + std::to_string(first->second) + ")");
        continue;
      }
      bool is_section = section.empty() && std::find(std::begin(kSections), std::end(kSections),
                                                     k) != std::end(kSections);
      if (key.IsScalar() && (is_section || find(section, k) != nullptr)) {
        out.emplace_back(key, entry.second);
        continue;
      }
      error(key.Mark(), unknown_key(k, section));
    }
    return out;
  }

  std::string unknown_key(const std::string& k, const std::string& section) const {
    std::string where = section.empty() ? "" : " in `" + section + "`";
    std::string msg = "unknown key `" + k + "`" + where;
    for (const Field& f : fields_) {  // a known key in the wrong place
      if (f.key == k && f.section != section) {
        return msg + "; `" + k + "` belongs " +
               (f.section.empty() ? "at the top level" : "under `" + std::string(f.section) + ":`");
      }
    }
    std::vector<std::string> names;
    for (const Field& f : fields_) {
      if (f.section == section) names.emplace_back(f.key);
    }
    if (section.empty()) names.insert(names.end(), std::begin(kSections), std::end(kSections));
    if (std::string hint = did_you_mean(k, names); !hint.empty()) return msg + "; " + hint;
    if (!section.empty() && section != "hyperparameters") {
      std::string keys;
      for (const std::string& n : names) keys += (keys.empty() ? "" : ", ") + n;
      return msg + "; the keys are " + keys;
    }
    return msg;
  }

  // "model", "data.train", ...; hyperparameters go by their own names.
  static std::string dotted(const Field& f) {
    return f.section.empty() || f.section == "hyperparameters"
               ? std::string(f.key)
               : std::string(f.section) + "." + std::string(f.key);
  }

  const Field* find(std::string_view section, std::string_view key) const {
    for (const Field& f : fields_) {
      if (f.section == section && f.key == key) return &f;
    }
    return nullptr;
  }

  void read(const Field& f, const YAML::Node& key, const YAML::Node& value) {
    std::string name = dotted(f);
    bool empty = value.IsScalar() && value.Scalar().empty();
    if (value.IsNull() || (empty && (!f.is_string || f.required))) {
      error(key.Mark(), "`" + name + "` has no value");
      return;
    }
    if (f.is_list) return read_list(f, key, value);
    if (!value.IsScalar()) {
      error(key.Mark(), "`" + name + "`: expected " +
                            (f.is_string ? "a string" : "a single value") + ", found " +
                            describe_node(value));
      return;
    }
    if (std::string why = f.read(value.Scalar(), job_); !why.empty()) {
      error(key.Mark(), "`" + name + "`: " + why);
    }
  }

  // Each entry of a list is a string checked by the field, reported on its own line.
  void read_list(const Field& f, const YAML::Node& key, const YAML::Node& value) {
    std::string name = dotted(f);
    if (!value.IsSequence()) {
      error(key.Mark(), "`" + name + "`: expected a list, found " + describe_node(value));
      return;
    }
    for (const YAML::Node& entry : value) {
      if (!entry.IsScalar() || entry.Scalar().empty()) {
        error(entry.Mark(), "`" + name + "`: expected a string in the list, found " +
                                (entry.IsScalar() ? "an empty one" : describe_node(entry)));
      } else if (std::string why = f.read(entry.Scalar(), job_); !why.empty()) {
        error(entry.Mark(), "`" + name + "`: " + why);
      }
    }
  }

  void error(const YAML::Mark& mark, const std::string& message) {
    if (mark.line < 0) return error_no_line(message);
    errors_.push_back(name_ + ":" + std::to_string(mark.line + 1) + ": " + message);
  }
  void error_no_line(const std::string& message) { errors_.push_back(name_ + ": " + message); }

  Expected<JobConfig> finish() {
    if (errors_.empty()) {
      job_.path = name_;
      return job_;
    }
    std::string all;
    for (const std::string& e : errors_) all += (all.empty() ? "" : "\n") + e;
    return failure(all);
  }

  std::string name_;
  bool require_reward_;
  std::vector<Field> fields_;
  JobConfig job_;
  std::vector<std::string> errors_;
};

}  // namespace

Expected<JobConfig> parse_job(const std::string& yaml_text, const std::string& name,
                              const std::string& base_dir, bool require_reward) {
  try {
    return JobParser(name, base_dir, require_reward).parse(yaml_text);
  } catch (const std::exception& e) {  // yaml-cpp's node API may throw on odd documents
    return failure(name + ": cannot read the job: " + e.what());
  }
}

Expected<JobConfig> load_job(const std::string& path, bool require_reward) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return failure("cannot read job file `" + path + "`: it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return failure("cannot read job file `" + path + "`: " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  // Absolute, so that the job written next to the checkpoints still finds its files.
  fs::path dir = fs::absolute(fs::path(path), ec).parent_path();
  return parse_job(text.str(), path, ec ? fs::path(path).parent_path().string() : dir.string(),
                   require_reward);
}

std::string job_to_yaml(const JobConfig& job) {
  std::vector<Field> fields = job_fields("", true);
  std::string out = "# rft job: every setting, defaults included (docs/training.md)\n";
  std::string_view section = "-";
  for (const Field& f : fields) {
    if (f.section != section) {
      section = f.section;
      if (!section.empty()) out += std::string(section) + ":\n";
    }
    out += (section.empty() ? "" : "  ") + std::string(f.key) + ": " + f.write(job) + "\n";
  }
  return out;
}

std::string_view loss_aggregation_name(LossAggregation a) {
  return name_of(loss_aggregation_names(), a);
}
std::string_view reward_scaling_name(RewardScaling s) {
  return name_of(reward_scaling_names(), s);
}
std::string_view lr_schedule_name(LrSchedule s) {
  return name_of(lr_schedule_names(), s);
}

}  // namespace rft::train
