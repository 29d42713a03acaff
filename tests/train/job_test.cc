// Job files: defaults, path resolution, every kind of error with its exact message and line, and
// job_to_yaml reading back as the same job.
#include "runtime/train/job.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "tests/train/train_test_util.h"

namespace rft::train {
namespace {

// Lines 1-8; a hyperparameter added by `with_hyper` is on line 9.
constexpr const char* kJob =
    "model: base\n"
    "data:\n"
    "  train: train.jsonl\n"
    "reward:\n"
    "  spec: arith.reward\n"
    "  name: exact\n"
    "output_dir: runs/demo\n"
    "hyperparameters:\n";

std::string with_hyper(const std::string& lines) {
  return kJob + lines;
}

Expected<JobConfig> parse(const std::string& text, bool require_reward = true) {
  return parse_job(text, "job.yaml", "/jobs", require_reward);
}

std::string error_of(const std::string& text, bool require_reward = true) {
  Expected<JobConfig> r = parse(text, require_reward);
  return r.ok() ? "(parsed)" : r.error();
}

TEST(Job, DefaultsAndResolvedPaths) {
  Expected<JobConfig> r = parse(kJob);
  ASSERT_TRUE(r.ok()) << r.error();
  JobConfig expected;
  expected.path = "job.yaml";
  expected.model = "/jobs/base";
  expected.train_data = "/jobs/train.jsonl";
  expected.spec = "/jobs/arith.reward";
  expected.reward = "exact";  // a name, not a path
  expected.output_dir = "/jobs/runs/demo";
  EXPECT_EQ(*r, expected);
  EXPECT_EQ(r->eval_data, "");
  EXPECT_EQ(r->engine, EngineKind::kJit);
  EXPECT_EQ(r->batch_size, 16);
  EXPECT_EQ(r->samples_per_prompt, 8);
  EXPECT_EQ(r->loss_aggregation, LossAggregation::kGrpo);
}

TEST(Job, EveryKeyIsRead) {
  Expected<JobConfig> r = parse(
      "model: /models/qwen/\n"
      "data: {train: ../data/train.jsonl, eval: ./eval.jsonl}\n"
      "reward: {spec: arith.reward, name: exact, engine: interp, pass_component: correct}\n"
      "output_dir: out\n"
      "hyperparameters:\n"
      "  epochs: 3\n  max_steps: 100\n  batch_size: 4\n  samples_per_prompt: 6\n"
      "  learning_rate: 2e-6\n  warmup_steps: 5\n  warmup_ratio: 0.1\n  lr_schedule: linear\n"
      "  min_lr_ratio: 0.1\n  weight_decay: 0.01\n  adam_beta1: 0.8\n  adam_beta2: 0.99\n"
      "  adam_epsilon: 1e-6\n  max_prompt_length: 128\n  max_new_tokens: 64\n"
      "  temperature: 0.7\n  top_p: 0.95\n  top_k: 50\n  beta: 0.04\n"
      "  clip_epsilon_low: 0.1\n  clip_epsilon_high: 0.28\n  loss_aggregation: dr_grpo\n"
      "  reward_scaling: none\n  inner_epochs: 2\n  gradient_accumulation: 4\n"
      "  max_grad_norm: 0.5\n  eval_interval: 10\n  eval_samples: 50\n  eval_temperature: 0.2\n"
      "  save_interval: 20\n  keep_last: 3\n  seed: 18446744073709551615\n  threads: 2\n"
      "  device: cuda:1\n  dtype: bfloat16\n  stop_at_eval_score: 0.9\n");
  ASSERT_TRUE(r.ok()) << r.error();
  const JobConfig& j = *r;
  EXPECT_EQ(j.model, "/models/qwen/");  // absolute: kept
  EXPECT_EQ(j.train_data, "/data/train.jsonl");
  EXPECT_EQ(j.eval_data, "/jobs/eval.jsonl");
  EXPECT_EQ(j.engine, EngineKind::kInterp);
  EXPECT_EQ(j.pass_component, "correct");
  EXPECT_EQ(j.output_dir, "/jobs/out");
  EXPECT_EQ(j.epochs, 3);
  EXPECT_EQ(j.max_steps, 100);
  EXPECT_EQ(j.batch_size, 4);
  EXPECT_EQ(j.samples_per_prompt, 6);
  EXPECT_EQ(j.learning_rate, 2e-6);
  EXPECT_EQ(j.warmup_steps, 5);
  EXPECT_EQ(j.warmup_ratio, 0.1);
  EXPECT_EQ(j.lr_schedule, LrSchedule::kLinear);
  EXPECT_EQ(j.min_lr_ratio, 0.1);
  EXPECT_EQ(j.weight_decay, 0.01);
  EXPECT_EQ(j.adam_beta1, 0.8);
  EXPECT_EQ(j.adam_beta2, 0.99);
  EXPECT_EQ(j.adam_epsilon, 1e-6);
  EXPECT_EQ(j.max_prompt_length, 128);
  EXPECT_EQ(j.max_new_tokens, 64);
  EXPECT_EQ(j.temperature, 0.7);
  EXPECT_EQ(j.top_p, 0.95);
  EXPECT_EQ(j.top_k, 50);
  EXPECT_EQ(j.beta, 0.04);
  EXPECT_EQ(j.clip_epsilon_low, 0.1);
  EXPECT_EQ(j.clip_epsilon_high, 0.28);
  EXPECT_EQ(j.loss_aggregation, LossAggregation::kDrGrpo);
  EXPECT_EQ(j.reward_scaling, RewardScaling::kNone);
  EXPECT_EQ(j.inner_epochs, 2);
  EXPECT_EQ(j.gradient_accumulation, 4);
  EXPECT_EQ(j.max_grad_norm, 0.5);
  EXPECT_EQ(j.eval_interval, 10);
  EXPECT_EQ(j.eval_samples, 50);
  EXPECT_EQ(j.eval_temperature, 0.2);
  EXPECT_EQ(j.save_interval, 20);
  EXPECT_EQ(j.keep_last, 3);
  EXPECT_EQ(j.seed, 18446744073709551615u);
  EXPECT_EQ(j.threads, 2);
  EXPECT_EQ(j.device, "cuda:1");
  EXPECT_EQ(j.dtype, "bfloat16");
  EXPECT_EQ(j.stop_at_eval_score, 0.9);
}

TEST(Job, MonitorSection) {
  Expected<JobConfig> r = parse(
      "model: m\ndata: {train: t}\noutput_dir: o\nreward: {spec: s, name: n}\n"
      "monitor:\n  stop_on_alarm: true\n  window: 5\n  length_correlation: 0.6\n"
      "  length_growth: 0.5\n  component_share: 0.7\n  entropy_floor: 0.05\n"
      "  eval_window: 2\n  min_reward_rise: 0.1\n");
  ASSERT_TRUE(r.ok()) << r.error();
  MonitorOptions want;
  want.stop_on_alarm = true;
  want.window = 5;
  want.length_correlation = 0.6;
  want.length_growth = 0.5;
  want.component_share = 0.7;
  want.entropy_floor = 0.05;
  want.eval_window = 2;
  want.min_reward_rise = 0.1;
  EXPECT_EQ(r->monitor, want);
  Expected<JobConfig> off = parse(
      "model: m\ndata: {train: t}\noutput_dir: o\nreward: {spec: s, name: n}\n"
      "monitor: {enabled: false}\n");
  ASSERT_TRUE(off.ok()) << off.error();
  EXPECT_FALSE(off->monitor.enabled);
  EXPECT_EQ(error_of("model: m\ndata: {train: t}\noutput_dir: o\nreward: {spec: s, name: n}\n"
                     "monitor:\n  windw: 5\n",
                     true),
            "job.yaml:6: unknown key `windw` in `monitor`; did you mean `window`?");
  EXPECT_EQ(error_of("model: m\ndata: {train: t}\noutput_dir: o\nreward: {spec: s, name: n}\n"
                     "monitor:\n  component_share: 1.5\n",
                     true),
            "job.yaml:6: `monitor.component_share`: must be in [0, 1], found `1.5`");
}

TEST(Job, Verifier) {
  Expected<JobConfig> same = parse(
      "model: m\ndata: {train: t, eval: e}\noutput_dir: o\n"
      "reward: {spec: s.reward, name: n, verifier: strict}\n");
  ASSERT_TRUE(same.ok()) << same.error();
  EXPECT_EQ(same->verifier, "strict");
  EXPECT_EQ(same->verifier_spec, "");
  Expected<JobConfig> other = parse(
      "model: m\ndata: {train: t, eval: e}\noutput_dir: o\n"
      "reward: {spec: s.reward, name: n, verifier: strict, verifier_spec: held/out.reward}\n");
  ASSERT_TRUE(other.ok()) << other.error();
  EXPECT_EQ(other->verifier_spec, "/jobs/held/out.reward");
  EXPECT_EQ(error_of("model: m\ndata: {train: t}\noutput_dir: o\n"
                     "reward: {spec: s, name: n, verifier_spec: v.reward}\n",
                     true),
            "job.yaml:4: `reward.verifier` is missing");
  EXPECT_EQ(error_of("model: m\ndata: {train: t}\noutput_dir: o\n"
                     "reward:\n  spec: s\n  name: n\n  verifier: strict\n",
                     true),
            "job.yaml:7: `reward.verifier` grades the evaluations, but there is no `data.eval`");
  // `rft sft` may name no reward, but then it has nothing to hold a verifier beside.
  EXPECT_EQ(error_of("model: m\ndata: {train: t, eval: e}\noutput_dir: o\n"
                     "reward: {verifier: strict}\n",
                     false),
            "job.yaml:4: `reward.name` is missing");
}

TEST(Job, SftNeedsNoRewardAndMaySampleOnce) {
  Expected<JobConfig> r = parse(
      "model: base\ndata:\n  train: t.jsonl\noutput_dir: out\n"
      "hyperparameters:\n  samples_per_prompt: 1\n",
      /*require_reward=*/false);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->spec, "");
  EXPECT_EQ(r->samples_per_prompt, 1);
}

TEST(Job, JudgeEndpointsAndCache) {
  Expected<JobConfig> r = parse(
      "model: m\ndata: {train: t}\noutput_dir: o\n"
      "reward:\n  spec: s.reward\n  name: n\n"
      "  allow_endpoints:\n    - https://api.example.com/v1\n    - HTTP://judge.lan:8000\n"
      "  judge_cache: false\n");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->allow_endpoints,
            (std::vector<std::string>{"https://api.example.com/v1", "HTTP://judge.lan:8000"}));
  EXPECT_FALSE(r->judge_cache);
  // By default only this machine's endpoints, and the cache.
  Expected<JobConfig> d = parse(kJob);
  ASSERT_TRUE(d.ok()) << d.error();
  EXPECT_TRUE(d->allow_endpoints.empty());
  EXPECT_TRUE(d->judge_cache);
  Expected<JobConfig> none = parse(
      "model: m\ndata: {train: t}\noutput_dir: o\n"
      "reward: {spec: s, name: n, allow_endpoints: []}\n");
  ASSERT_TRUE(none.ok()) << none.error();
  EXPECT_TRUE(none->allow_endpoints.empty());
}

struct ErrorCase {
  const char* what;
  std::string yaml;
  std::string message;
  bool require_reward = true;
};

class JobErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(JobErrors, Message) {
  EXPECT_EQ(error_of(GetParam().yaml, GetParam().require_reward), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    All, JobErrors,
    ::testing::Values(
        // Choices.
        ErrorCase{"enum", with_hyper("  loss_aggregation: dpo\n"),
                  "job.yaml:9: `loss_aggregation`: `dpo` is not one of grpo, dapo, dr_grpo"},
        ErrorCase{"scaling", with_hyper("  reward_scaling: std\n"),
                  "job.yaml:9: `reward_scaling`: `std` is not one of group, batch, none"},
        ErrorCase{"schedule", with_hyper("  lr_schedule: step\n"),
                  "job.yaml:9: `lr_schedule`: `step` is not one of cosine, linear, constant"},
        ErrorCase{"engine",
                  "model: m\ndata: {train: t}\noutput_dir: o\nreward:\n  spec: s\n"
                  "  name: n\n  engine: llvm\n",
                  "job.yaml:7: `reward.engine`: `llvm` is not one of jit, aot, interp"},
        ErrorCase{"judge cache",
                  "model: m\ndata: {train: t}\noutput_dir: o\nreward:\n  spec: s\n"
                  "  name: n\n  judge_cache: maybe\n",
                  "job.yaml:7: `reward.judge_cache`: `maybe` is not one of true, false"},
        // Judge endpoints: a list of URLs, each entry reported on its own line.
        ErrorCase{"endpoints not a list",
                  "model: m\ndata: {train: t}\noutput_dir: o\nreward:\n  spec: s\n"
                  "  name: n\n  allow_endpoints: https://api.example.com/v1\n",
                  "job.yaml:7: `reward.allow_endpoints`: expected a list, found "
                  "`https://api.example.com/v1`"},
        ErrorCase{"endpoint not a URL",
                  "model: m\ndata: {train: t}\noutput_dir: o\nreward:\n  spec: s\n"
                  "  name: n\n  allow_endpoints:\n    - https://ok.example.com\n"
                  "    - api.example.com\n",
                  "job.yaml:9: `reward.allow_endpoints`: `api.example.com` is not an http:// or "
                  "https:// URL"},
        ErrorCase{"endpoint a mapping",
                  "model: m\ndata: {train: t}\noutput_dir: o\nreward:\n  spec: s\n"
                  "  name: n\n  allow_endpoints:\n    - {url: x}\n",
                  "job.yaml:8: `reward.allow_endpoints`: expected a string in the list, found "
                  "a mapping"},
        ErrorCase{"endpoints no value",
                  "model: m\ndata: {train: t}\noutput_dir: o\nreward:\n  spec: s\n"
                  "  name: n\n  allow_endpoints:\n",
                  "job.yaml:7: `reward.allow_endpoints` has no value"},
        ErrorCase{"device", with_hyper("  device: gpu\n"),
                  "job.yaml:9: `device`: `gpu` is not one of cpu, cuda, cuda:N"},
        ErrorCase{"device index", with_hyper("  device: cuda:x\n"),
                  "job.yaml:9: `device`: `cuda:x` is not one of cpu, cuda, cuda:N"},
        ErrorCase{"dtype", with_hyper("  dtype: float16\n"),
                  "job.yaml:9: `dtype`: `float16` is not one of float32, bfloat16"},
        // Types.
        ErrorCase{"integer", with_hyper("  batch_size: abc\n"),
                  "job.yaml:9: `batch_size`: expected an integer, found `abc`"},
        ErrorCase{"fraction for integer", with_hyper("  epochs: 1.5\n"),
                  "job.yaml:9: `epochs`: expected an integer, found `1.5`"},
        ErrorCase{"number", with_hyper("  learning_rate: fast\n"),
                  "job.yaml:9: `learning_rate`: expected a number, found `fast`"},
        ErrorCase{"infinite", with_hyper("  beta: inf\n"),
                  "job.yaml:9: `beta`: expected a number, found `inf`"},
        ErrorCase{"too large", with_hyper("  epochs: 99999999999\n"),
                  "job.yaml:9: `epochs`: `99999999999` is out of range"},
        ErrorCase{"list", with_hyper("  batch_size: [1, 2]\n"),
                  "job.yaml:9: `batch_size`: expected a single value, found a list"},
        ErrorCase{"mapping for a path", "model: {dir: m}\ndata: {train: t}\noutput_dir: o\n",
                  "job.yaml:1: `model`: expected a string, found a mapping", false},
        ErrorCase{"no value", with_hyper("  epochs:\n"), "job.yaml:9: `epochs` has no value"},
        ErrorCase{"empty required string", "model: ''\ndata: {train: t}\noutput_dir: o\n",
                  "job.yaml:1: `model` has no value", false},
        // Ranges.
        ErrorCase{"learning rate", with_hyper("  learning_rate: 0\n"),
                  "job.yaml:9: `learning_rate`: must be > 0, found `0`"},
        ErrorCase{"batch size", with_hyper("  batch_size: 0\n"),
                  "job.yaml:9: `batch_size`: must be >= 1, found `0`"},
        ErrorCase{"GRPO group", with_hyper("  samples_per_prompt: 1\n"),
                  "job.yaml:9: `samples_per_prompt`: must be >= 2, found `1`"},
        ErrorCase{"SFT samples",
                  "model: m\ndata: {train: t}\noutput_dir: o\n"
                  "hyperparameters: {samples_per_prompt: 0}\n",
                  "job.yaml:4: `samples_per_prompt`: must be >= 1, found `0`", false},
        ErrorCase{"top_p above", with_hyper("  top_p: 1.5\n"),
                  "job.yaml:9: `top_p`: must be in (0, 1], found `1.5`"},
        ErrorCase{"top_p zero", with_hyper("  top_p: 0\n"),
                  "job.yaml:9: `top_p`: must be in (0, 1], found `0`"},
        ErrorCase{"temperature", with_hyper("  temperature: -0.5\n"),
                  "job.yaml:9: `temperature`: must be >= 0, found `-0.5`"},
        ErrorCase{"clip", with_hyper("  clip_epsilon_high: -1\n"),
                  "job.yaml:9: `clip_epsilon_high`: must be >= 0, found `-1`"},
        ErrorCase{"beta", with_hyper("  beta: -0.1\n"),
                  "job.yaml:9: `beta`: must be >= 0, found `-0.1`"},
        ErrorCase{"threads", with_hyper("  threads: -1\n"),
                  "job.yaml:9: `threads`: must be >= 0, found `-1`"},
        ErrorCase{"warmup ratio", with_hyper("  warmup_ratio: 1\n"),
                  "job.yaml:9: `warmup_ratio`: must be in [0, 1), found `1`"},
        ErrorCase{"keep last", with_hyper("  keep_last: 0\n"),
                  "job.yaml:9: `keep_last`: must be >= 1, found `0`"},
        ErrorCase{"seed", with_hyper("  seed: -1\n"),
                  "job.yaml:9: `seed`: must be >= 0, found `-1`"},
        // Keys.
        ErrorCase{"typo", with_hyper("  learning_rat: 1e-5\n"),
                  "job.yaml:9: unknown key `learning_rat` in `hyperparameters`; did you mean "
                  "`learning_rate`?"},
        ErrorCase{"top-level typo", "modle: m\ndata: {train: t}\noutput_dir: o\n",
                  "job.yaml:1: unknown key `modle`; did you mean `model`?\n"
                  "job.yaml: `model` is missing",
                  false},
        // The same "did you mean" as the checker's (runtime/common/suggest.h): two swapped
        // letters are one edit, and a prefix of a key is a likely typo.
        ErrorCase{"swapped letters", "model: m\ndtaa: {train: t}\noutput_dir: o\n",
                  "job.yaml:2: unknown key `dtaa`; did you mean `data`?\n"
                  "job.yaml: `data.train` is missing",
                  false},
        ErrorCase{"prefix", with_hyper("  temp: 0.7\n"),
                  "job.yaml:9: unknown key `temp` in `hyperparameters`; did you mean "
                  "`temperature`?"},
        ErrorCase{"unknown, nothing close", with_hyper("  frobnicate: 1\n"),
                  "job.yaml:9: unknown key `frobnicate` in `hyperparameters`"},
        ErrorCase{"misplaced", std::string(kJob) + "epochs: 2\n",
                  "job.yaml:9: unknown key `epochs`; `epochs` belongs under `hyperparameters:`"},
        ErrorCase{"misplaced in a section", "model: m\ndata: {train: t, output_dir: o}\n",
                  "job.yaml:2: unknown key `output_dir` in `data`; `output_dir` belongs at the "
                  "top level\njob.yaml: `output_dir` is missing",
                  false},
        ErrorCase{"section keys", "model: m\ndata: {train: t, validation: v}\noutput_dir: o\n",
                  "job.yaml:2: unknown key `validation` in `data`; the keys are train, eval",
                  false},
        ErrorCase{"twice", with_hyper("  epochs: 1\n  epochs: 2\n"),
                  "job.yaml:10: `epochs` appears twice (first on line 9)"},
        ErrorCase{"section not a mapping", "model: m\ndata: train.jsonl\noutput_dir: o\n",
                  "job.yaml:2: `data`: expected a mapping of keys, found `train.jsonl`\n"
                  "job.yaml:2: `data.train` is missing",
                  false},
        // Missing keys.
        ErrorCase{"nothing required", "hyperparameters:\n  epochs: 1\n",
                  "job.yaml: `model` is missing\njob.yaml: `data.train` is missing\n"
                  "job.yaml: `reward.spec` is missing\njob.yaml: `reward.name` is missing\n"
                  "job.yaml: `output_dir` is missing"},
        ErrorCase{"train missing", "model: m\ndata:\n  eval: e\noutput_dir: o\n",
                  "job.yaml:2: `data.train` is missing", false},
        ErrorCase{"SFT reward half given",
                  "model: m\ndata: {train: t}\noutput_dir: o\n"
                  "reward:\n  spec: s.reward\n",
                  "job.yaml:4: `reward.name` is missing", false},
        // Documents.
        ErrorCase{"empty", "",
                  "job.yaml: the job file is empty; it needs `model`, `data.train` and "
                  "`output_dir`"},
        ErrorCase{"not a mapping", "- model\n- data\n",
                  "job.yaml:1: expected a mapping of keys (model, data, reward, output_dir, "
                  "hyperparameters), found a list"},
        ErrorCase{"malformed", "model: m\ndata:\n  train: [t\noutput_dir: o\n",
                  "job.yaml:4: not valid YAML: end of sequence flow not found"},
        ErrorCase{"several at once", with_hyper("  batch_size: 0\n  top_p: 2\n  dtype: fp8\n"),
                  "job.yaml:9: `batch_size`: must be >= 1, found `0`\n"
                  "job.yaml:10: `top_p`: must be in (0, 1], found `2`\n"
                  "job.yaml:11: `dtype`: `fp8` is not one of float32, bfloat16"}),
    [](const ::testing::TestParamInfo<ErrorCase>& param) {
      std::string name;
      for (const char* c = param.param.what; *c != '\0'; ++c) {
        name += std::isalnum(static_cast<unsigned char>(*c)) != 0 ? *c : '_';
      }
      return name;
    });

TEST(Job, LoadResolvesAgainstTheFilesFolder) {
  testutil::TempDir dir;
  std::string path = dir.write("jobs/job.yaml", kJob);
  Expected<JobConfig> r = load_job(path, true);
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->path, path);
  EXPECT_EQ(r->model, dir.path() + "/jobs/base");
  EXPECT_EQ(r->train_data, dir.path() + "/jobs/train.jsonl");
}

TEST(Job, LoadNamesTheFileInErrors) {
  testutil::TempDir dir;
  std::string path = dir.write("job.yaml", with_hyper("  top_k: -3\n"));
  Expected<JobConfig> r = load_job(path, true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), path + ":9: `top_k`: must be >= 0, found `-3`");
}

TEST(Job, MissingFile) {
  Expected<JobConfig> r = load_job("/nonexistent/job.yaml", true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "cannot read job file `/nonexistent/job.yaml`: No such file or directory");
}

TEST(Job, ToYamlReadsBackAsTheSameJob) {
  JobConfig j;
  j.path = "job.yaml";
  j.model = "/models/my model";  // needs quoting
  j.train_data = "/data/\"quoted\".jsonl";
  j.eval_data = "/data/null";
  j.spec = "/specs/true";
  j.reward = "null";
  j.engine = EngineKind::kAot;
  j.pass_component = "123";
  j.allow_endpoints = {"https://api.example.com/v1", "http://judge:8000/a,b"};
  j.judge_cache = false;
  j.output_dir = "/runs/a:b";
  j.epochs = 2, j.max_steps = 7, j.batch_size = 3, j.samples_per_prompt = 4;
  j.learning_rate = 1e-5, j.warmup_steps = 2, j.warmup_ratio = 0.05;
  j.lr_schedule = LrSchedule::kConstant, j.min_lr_ratio = 0.1, j.weight_decay = 0.1;
  j.adam_beta1 = 0.85, j.adam_beta2 = 0.95, j.adam_epsilon = 1e-8;
  j.max_prompt_length = 100, j.max_new_tokens = 50, j.temperature = 0.9, j.top_p = 0.9;
  j.top_k = 20, j.beta = 0.001, j.clip_epsilon_low = 0.2, j.clip_epsilon_high = 0.28;
  j.loss_aggregation = LossAggregation::kDapo, j.reward_scaling = RewardScaling::kBatch;
  j.inner_epochs = 2, j.gradient_accumulation = 2, j.max_grad_norm = 0;
  j.eval_interval = 5, j.eval_samples = 10, j.eval_temperature = 0.3;
  j.save_interval = 5, j.keep_last = 4, j.seed = 1ull << 63, j.threads = 1;
  j.device = "cuda", j.dtype = "bfloat16", j.stop_at_eval_score = 1.0 / 3;
  std::string yaml = job_to_yaml(j);
  Expected<JobConfig> back = parse(yaml);
  ASSERT_TRUE(back.ok()) << back.error() << "\n" << yaml;
  EXPECT_EQ(*back, j) << yaml;
  EXPECT_NE(yaml.find("  learning_rate: 1.0e-05\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("  name: \"null\"\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("  allow_endpoints: [\"https://api.example.com/v1\", "
                      "\"http://judge:8000/a,b\"]\n"),
            std::string::npos)
      << yaml;
}

TEST(Job, ToYamlOfDefaultsWritesEveryKey) {
  JobConfig j;
  j.path = "job.yaml";
  j.model = "m", j.train_data = "t", j.output_dir = "o";
  std::string yaml = job_to_yaml(j);
  // An SFT job without a reward reads back as itself; so does every default.
  Expected<JobConfig> back = parse_job(yaml, "job.yaml", "", /*require_reward=*/false);
  ASSERT_TRUE(back.ok()) << back.error() << "\n" << yaml;
  EXPECT_EQ(*back, j);
  EXPECT_EQ(yaml,
            "# rft job: every setting, defaults included (docs/training.md)\n"
            "model: m\n"
            "data:\n  train: t\n  eval: \"\"\n"
            "reward:\n  spec: \"\"\n  name: \"\"\n  engine: jit\n  pass_component: \"\"\n"
            "  allow_endpoints: []\n  judge_cache: true\n  max_judge_failures: 0.5\n"
            "  verifier: \"\"\n  verifier_spec: \"\"\n"
            "output_dir: o\n"
            "hyperparameters:\n"
            "  epochs: 1\n  max_steps: 0\n  batch_size: 16\n  samples_per_prompt: 8\n"
            "  learning_rate: 1.0e-05\n  warmup_steps: 0\n  warmup_ratio: 0.0\n"
            "  lr_schedule: cosine\n  min_lr_ratio: 0.0\n  weight_decay: 0.0\n"
            "  adam_beta1: 0.9\n  adam_beta2: 0.999\n  adam_epsilon: 1.0e-08\n"
            "  max_prompt_length: 512\n  max_new_tokens: 256\n  temperature: 1.0\n"
            "  top_p: 1.0\n  top_k: 0\n  beta: 0.0\n  clip_epsilon_low: 0.2\n"
            "  clip_epsilon_high: 0.2\n  loss_aggregation: grpo\n  reward_scaling: group\n"
            "  inner_epochs: 1\n  gradient_accumulation: 1\n  max_grad_norm: 1.0\n"
            "  mask_truncated_completions: false\n"
            "  eval_interval: 0\n  eval_samples: 0\n  eval_temperature: 0.0\n"
            "  save_interval: 0\n  keep_last: 2\n  seed: 0\n  threads: 0\n  device: cpu\n"
            "  dtype: float32\n  stop_at_eval_score: 0.0\n  collective_timeout: 300.0\n"
            "monitor:\n  enabled: true\n  stop_on_alarm: false\n  window: 10\n"
            "  length_correlation: 0.5\n  length_growth: 0.25\n  component_share: 0.8\n"
            "  entropy_floor: 0.1\n  eval_window: 3\n  min_reward_rise: 0.02\n");
}

TEST(Job, Names) {
  EXPECT_EQ(loss_aggregation_name(LossAggregation::kDrGrpo), "dr_grpo");
  EXPECT_EQ(reward_scaling_name(RewardScaling::kBatch), "batch");
  EXPECT_EQ(lr_schedule_name(LrSchedule::kLinear), "linear");
}

}  // namespace
}  // namespace rft::train
