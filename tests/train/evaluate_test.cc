// Evaluation with a fake model (fixed completions) and a reward with hand-known scores: the means,
// the pass rate, batching, the samples kept, the table and the JSON.
#include "runtime/train/evaluate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "runtime/train/seeds.h"
#include "tests/train/train_test_util.h"

namespace rft::train {
namespace {

// The prompt of line 8 (a chat) as the ChatML template writes it.
constexpr const char* kChatPrompt = "<|im_start|>user\np5<|im_end|>\n<|im_start|>assistant\n";

// Answers each prompt with a fixed completion; new_tokens is the completion's length in bytes.
class FakeGenerator : public model::TextGenerator {
 public:
  FakeGenerator(std::map<std::string, std::string> completions, bool chatml)
      : completions_(std::move(completions)), tokenizer_(testutil::byte_tokenizer(chatml)) {}

  std::vector<model::TextResult> generate(
      const std::vector<std::string>& prompts, const model::TextOptions& o,
      const std::function<void(size_t, std::string_view)>&) override {
    batches.push_back(prompts.size());
    options.push_back(o);
    std::vector<model::TextResult> out;
    for (const std::string& p : prompts) {
      const std::string& text = completions_.at(p);
      out.push_back(
          {text, "length", static_cast<int64_t>(p.size()), static_cast<int64_t>(text.size())});
    }
    return out;
  }
  std::string describe() const override { return "fake"; }
  const model::Tokenizer& tokenizer() const override { return tokenizer_; }

  std::vector<size_t> batches;
  std::vector<model::TextOptions> options;

 private:
  std::map<std::string, std::string> completions_;
  model::Tokenizer tokenizer_;
};

// Five rows on lines 2, 3, 5, 6 and 8; the last is a chat.
Dataset five_rows() {
  Dataset d;
  d.path = "rows.jsonl";
  const char* prompts[] = {"p1", "p2", "p3", "p4"};
  const char* answers[] = {"4", "6", "8", "10", "12"};
  const size_t lines[] = {2, 3, 5, 6, 8};
  for (size_t i = 0; i < 5; ++i) {
    Example e;
    e.line = lines[i];
    if (i < 4) {
      e.prompt = prompts[i];
    } else {
      e.messages = {{"user", "p5"}};
    }
    e.row = {{"answer", answers[i]}};
    d.examples.push_back(e);
  }
  return d;
}

std::map<std::string, std::string> base_completions() {
  return {{"p1", "4"}, {"p2", "no"}, {"p3", ""}, {"p4", "10"}, {kChatPrompt, "x"}};
}
std::map<std::string, std::string> tuned_completions() {
  return {{"p1", "4"}, {"p2", "6"}, {"p3", "8"}, {"p4", "10"}, {kChatPrompt, "wrong"}};
}

// correct = the completion is the answer; short = at most one byte; total = correct + short / 2;
// an empty completion raises a flag.
struct CountingGrader {
  int calls = 0;
  std::vector<std::string> prompts;
  GradeFn fn() {
    return [this](const std::vector<Rollout>& rollouts) {
      ++calls;
      std::vector<Score> scores;
      for (const Rollout& r : rollouts) {
        prompts.push_back(r.prompt);
        double correct = r.completion == r.example->row["answer"].get<std::string>() ? 1 : 0;
        double brief = r.completion.size() <= 1 ? 1 : 0;
        scores.push_back({correct + 0.5 * brief, {correct, brief}, r.completion.empty() ? 1u : 0u});
      }
      return scores;
    };
  }
};

const std::vector<std::string> kComponents = {"correct", "short"};

ModelEval evaluate(FakeGenerator& gen, CountingGrader& grader, const EvalOptions& o,
                   const std::string& label,
                   std::vector<std::pair<size_t, size_t>>* progress = nullptr) {
  Dataset data = five_rows();
  EvalSetup setup{grader.fn(), kComponents, 0};
  Expected<ModelEval> r = evaluate_model(gen, data, setup, o, [&](size_t done, size_t total) {
    if (progress != nullptr) progress->emplace_back(done, total);
  });
  EXPECT_TRUE(r.ok()) << r.error();
  if (!r.ok()) return {};
  r->label = label;
  r->model = "/models/" + label;
  return std::move(r).value();
}

EvalOptions options() {
  EvalOptions o;
  o.batch = 2;
  o.samples_shown = 2;
  o.seed = 10;
  o.max_new_tokens = 16;
  o.temperature = 0.5;
  o.top_p = 0.9;
  o.threads = 1;
  return o;
}

TEST(Evaluate, MeansPassRateLengthAndFlags) {
  FakeGenerator gen(base_completions(), /*chatml=*/true);
  CountingGrader grader;
  std::vector<std::pair<size_t, size_t>> progress;
  ModelEval e = evaluate(gen, grader, options(), "base", &progress);
  EXPECT_EQ(e.rows, 5u);
  // Totals 1.5, 0, 0.5, 1, 0.5; correct 1, 0, 0, 1, 0; short 1, 0, 1, 0, 1; lengths 1, 2, 0, 2, 1.
  EXPECT_DOUBLE_EQ(e.reward_mean, 0.7);
  ASSERT_EQ(e.component_means.size(), 2u);
  EXPECT_DOUBLE_EQ(e.component_means[0], 0.4);
  EXPECT_DOUBLE_EQ(e.component_means[1], 0.6);
  EXPECT_DOUBLE_EQ(e.pass_rate, 0.4);
  EXPECT_DOUBLE_EQ(e.mean_length, 1.2);
  EXPECT_EQ(e.flagged, 1u);
  EXPECT_GE(e.seconds, 0);

  // Batches of two, graded once each, a seed per row and every batch padded to the widest
  // prompt (the chat's 8 + 3 + 1 + 7 + 3 + 10 bytes and its 4 special tokens); options passed through.
  EXPECT_EQ(gen.batches, (std::vector<size_t>{2, 2, 1}));
  EXPECT_EQ(grader.calls, 3);
  ASSERT_EQ(gen.options.size(), 3u);
  EXPECT_EQ(gen.options[0].row_seeds, (std::vector<uint64_t>{row_seed(10, 0), row_seed(10, 1)}));
  EXPECT_EQ(gen.options[1].row_seeds, (std::vector<uint64_t>{row_seed(10, 2), row_seed(10, 3)}));
  EXPECT_EQ(gen.options[2].row_seeds, (std::vector<uint64_t>{row_seed(10, 4)}));
  const int64_t widest = static_cast<int64_t>(gen.tokenizer().encode_prompt(kChatPrompt).size());
  EXPECT_GT(widest, 2);
  for (const model::TextOptions& o : gen.options) EXPECT_EQ(o.min_width, widest);
  EXPECT_EQ(gen.options[0].max_new_tokens, 16);
  EXPECT_EQ(gen.options[0].temperature, 0.5);
  EXPECT_EQ(gen.options[0].top_p, 0.9);
  EXPECT_EQ(gen.options[0].threads, 1);
  EXPECT_EQ(progress, (std::vector<std::pair<size_t, size_t>>{{2, 5}, {4, 5}, {5, 5}}));
  // The chat row is graded with the prompt the model saw.
  EXPECT_EQ(grader.prompts.back(), kChatPrompt);

  ASSERT_EQ(e.samples.size(), 2u);
  EXPECT_EQ(e.samples[0].line, 2u);
  EXPECT_EQ(e.samples[0].prompt, "p1");
  EXPECT_EQ(e.samples[0].completion, "4");
  EXPECT_EQ(e.samples[0].total, 1.5);
  EXPECT_EQ(e.samples[1].line, 3u);
  EXPECT_EQ(e.samples[1].completion, "no");
  EXPECT_EQ(e.samples[1].total, 0);
}

// A held-out verifier grades the same completions: its mean and pass rate go beside the trained
// reward's, in the table and the JSON, and it never changes the trained reward's numbers.
TEST(Evaluate, AVerifierGradesTheSameCompletions) {
  FakeGenerator gen(base_completions(), /*chatml=*/true);
  CountingGrader grader, strict;
  Dataset data = five_rows();
  EvalSetup setup{grader.fn(), kComponents, 0};
  // The verifier pays only the correct answers (1, 0, 0, 1, 0) and passes on its `correct`.
  GradeFn inner = strict.fn();
  setup.verify = [inner](const std::vector<Rollout>& rollouts) {
    std::vector<Score> scores = inner(rollouts);
    for (Score& s : scores) s.total = s.components[0];
    return scores;
  };
  setup.verify_pass_component = 0;
  Expected<ModelEval> e = evaluate_model(gen, data, setup, options());
  ASSERT_TRUE(e.ok()) << e.error();
  EXPECT_DOUBLE_EQ(e->reward_mean, 0.7);
  ASSERT_TRUE(e->verifier_mean && e->verifier_pass_rate);
  EXPECT_DOUBLE_EQ(*e->verifier_mean, 0.4);
  EXPECT_DOUBLE_EQ(*e->verifier_pass_rate, 0.4);
  EXPECT_EQ(strict.calls, grader.calls);
  EXPECT_EQ(strict.prompts, grader.prompts);
  e->label = "base";
  const std::string table = format_eval_table({*e}, kComponents);
  EXPECT_NE(table.find("verifier            0.40\n"), std::string::npos) << table;
  EXPECT_NE(table.find("verifier pass rate  0.40\n"), std::string::npos) << table;
  nlohmann::json j = eval_to_json({*e}, kComponents);
  EXPECT_EQ(j["models"][0]["verifier"], (nlohmann::json{{"reward_mean", 0.4}, {"pass_rate", 0.4}}));

  Expected<ModelEval> without =
      evaluate_model(gen, data, EvalSetup{grader.fn(), kComponents, 0}, options());
  ASSERT_TRUE(without.ok());
  EXPECT_FALSE(without->verifier_mean);
  EXPECT_EQ(format_eval_table({*without}, kComponents).find("verifier"), std::string::npos);
}

// The reward's monitors are averaged beside the components, by name, in the table and the JSON,
// and never touch the trained reward's numbers.
TEST(Evaluate, MonitorsAreAveragedByName) {
  FakeGenerator gen(base_completions(), /*chatml=*/true);
  CountingGrader grader;
  Dataset data = five_rows();
  GradeFn inner = grader.fn();
  // One monitor: the completion's length in bytes (1, 2, 0, 2, 1).
  EvalSetup setup{[inner](const std::vector<Rollout>& rollouts) {
                    std::vector<Score> scores = inner(rollouts);
                    for (size_t i = 0; i < scores.size(); ++i) {
                      scores[i].monitors = {static_cast<double>(rollouts[i].completion.size())};
                    }
                    return scores;
                  },
                  kComponents,
                  0,
                  {"bytes"}};
  Expected<ModelEval> e = evaluate_model(gen, data, setup, options());
  ASSERT_TRUE(e.ok()) << e.error();
  EXPECT_DOUBLE_EQ(e->reward_mean, 0.7);
  ASSERT_EQ(e->monitor_means.size(), 1u);
  EXPECT_EQ(e->monitor_means[0].first, "bytes");
  EXPECT_DOUBLE_EQ(e->monitor_means[0].second, 1.2);
  e->label = "base";
  ModelEval tuned = *e;
  tuned.label = "tuned";
  tuned.monitor_means[0].second = 2.4;
  const std::string table = format_eval_table({*e, tuned}, kComponents);
  EXPECT_NE(table.find("bytes (monitor)  1.20  2.40 (+1.20, +100%)\n"), std::string::npos) << table;
  nlohmann::json j = eval_to_json({*e}, kComponents);
  EXPECT_EQ(j["models"][0]["monitors"], (nlohmann::json{{"bytes", 1.2}}));
  Expected<ModelEval> without =
      evaluate_model(gen, data, EvalSetup{grader.fn(), kComponents, 0}, options());
  ASSERT_TRUE(without.ok());
  EXPECT_TRUE(without->monitor_means.empty());
  EXPECT_FALSE(eval_to_json({*without}, kComponents)["models"][0].contains("monitors"));
}

// A row's seed is its own: evaluating one row per batch asks for the very seeds of batches of
// two, and no two rows share one.
TEST(Evaluate, EachRowHasItsOwnSeedWhateverTheBatch) {
  FakeGenerator by_two(base_completions(), true), by_one(base_completions(), true);
  CountingGrader grader;
  EvalOptions o = options();
  evaluate(by_two, grader, o, "base");
  o.batch = 1;
  evaluate(by_one, grader, o, "base");
  auto seeds = [](const FakeGenerator& g) {
    std::vector<uint64_t> all;
    for (const model::TextOptions& x : g.options) all.insert(all.end(), x.row_seeds.begin(), x.row_seeds.end());
    return all;
  };
  EXPECT_EQ(by_one.batches, (std::vector<size_t>{1, 1, 1, 1, 1}));
  std::vector<uint64_t> two = seeds(by_two), one = seeds(by_one);
  EXPECT_EQ(one, two);
  std::sort(two.begin(), two.end());
  EXPECT_EQ(std::adjacent_find(two.begin(), two.end()), two.end());
  EXPECT_EQ(two.size(), 5u);
}

TEST(Evaluate, Limit) {
  FakeGenerator gen(base_completions(), true);
  CountingGrader grader;
  EvalOptions o = options();
  o.limit = 3;
  ModelEval e = evaluate(gen, grader, o, "base");
  EXPECT_EQ(e.rows, 3u);
  EXPECT_EQ(gen.batches, (std::vector<size_t>{2, 1}));
  EXPECT_DOUBLE_EQ(e.reward_mean, 2.0 / 3);  // 1.5, 0, 0.5
}

TEST(Evaluate, ChatWithoutATemplateFailsBeforeGenerating) {
  FakeGenerator gen(base_completions(), /*chatml=*/false);
  CountingGrader grader;
  Dataset data = five_rows();
  Expected<ModelEval> r = evaluate_model(gen, data, {grader.fn(), kComponents, 0}, options());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(),
            "rows.jsonl: line 8: the row is a chat (`messages`), but the model's tokenizer has no "
            "chat template that rft recognizes (ChatML or Llama-3); give the prompt as `prompt` "
            "text instead");
  EXPECT_TRUE(gen.batches.empty());
}

TEST(Evaluate, TableComparesWithTheFirstModel) {
  FakeGenerator base_gen(base_completions(), true), tuned_gen(tuned_completions(), true);
  CountingGrader grader;
  std::vector<ModelEval> evals = {evaluate(base_gen, grader, options(), "base"),
                                  evaluate(tuned_gen, grader, options(), "tuned")};
  // Tuned: totals 1.5, 1.5, 1.5, 1, 0; correct 4/5; short 3/5; lengths 1, 1, 1, 2, 5.
  EXPECT_EQ(format_eval_table(evals, kComponents),
            "             base  tuned\n"
            "mean reward  0.70  1.10 (+0.40, +57%)\n"
            "correct      0.40  0.80 (+0.40, +100%)\n"
            "short        0.60  0.60 (+0.00, +0%)\n"
            "pass rate    0.40  0.80 (+0.40, +100%)\n"
            "mean length  1.2   2.0 (+0.8, +67%)\n"
            "flagged      1     0 (-1, -100%)\n");

  nlohmann::json j = eval_to_json(evals, kComponents);
  EXPECT_EQ(j["components"], nlohmann::json({"correct", "short"}));
  ASSERT_EQ(j["models"].size(), 2u);
  const nlohmann::json& t = j["models"][1];
  EXPECT_EQ(t["model"], "/models/tuned");
  EXPECT_EQ(t["label"], "tuned");
  EXPECT_EQ(t["rows"], 5);
  EXPECT_DOUBLE_EQ(t["reward_mean"].get<double>(), 1.1);
  EXPECT_DOUBLE_EQ(t["components"]["correct"].get<double>(), 0.8);
  EXPECT_DOUBLE_EQ(t["components"]["short"].get<double>(), 0.6);
  EXPECT_DOUBLE_EQ(t["pass_rate"].get<double>(), 0.8);
  EXPECT_DOUBLE_EQ(t["mean_length"].get<double>(), 2.0);
  EXPECT_EQ(t["flagged"], 0);
  ASSERT_EQ(t["samples"].size(), 2u);
  EXPECT_EQ(t["samples"][1],
            nlohmann::json({{"line", 3}, {"prompt", "p2"}, {"completion", "6"}, {"total", 1.5}}));
  EXPECT_TRUE(t.contains("seconds"));
}

TEST(Evaluate, TableWithoutPassComponentsOrAZeroBaseline) {
  ModelEval a, b;
  a.label = "a";
  b.label = "checkpoint-2";
  b.reward_mean = 0.5;
  b.mean_length = 3;
  b.pass_rate = 0.25;  // only the second has a pass rate: no change is shown
  EXPECT_EQ(format_eval_table({a, b}, {}),
            "             a     checkpoint-2\n"
            "mean reward  0.00  0.50 (+0.50)\n"
            "pass rate    -     0.25\n"
            "mean length  0.0   3.0 (+3.0)\n"
            "flagged      0     0 (+0)\n");
  b.pass_rate = -1;
  EXPECT_EQ(format_eval_table({b}, {}),
            "             checkpoint-2\n"
            "mean reward  0.50\n"
            "mean length  3.0\n"
            "flagged      0\n");
  nlohmann::json j = eval_to_json({b}, {});
  EXPECT_FALSE(j["models"][0].contains("pass_rate"));
}

}  // namespace
}  // namespace rft::train
