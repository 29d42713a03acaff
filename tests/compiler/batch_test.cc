// Batch grading: one result line per row, in input order, errors in place, the same output on
// any number of threads.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "compiler/grading/batch.h"
#include "tests/compiler/spec_fixture.h"

namespace rft {
namespace {

using testing::Spec;

std::string grade_text(Spec& spec, const std::string& input, int threads, size_t chunk = 4096,
                       BatchSummary* summary = nullptr) {
  std::istringstream in(input);
  std::ostringstream out;
  BatchOptions options;
  options.threads = threads;
  options.chunk_rows = chunk;
  const ast::Module* owner = nullptr;
  const ast::RewardDecl* reward = spec.program->find_reward("r", &owner);
  InterpEngine engine(*spec.interp, *reward);
  ValueNames names;
  for (const auto& c : reward->components) names.components.push_back(c->name);
  for (const auto& m : reward->monitors) names.monitors.push_back(m->name);
  BatchSummary s =
      grade_jsonl(names, interp::item_fields(owner->item.get()), engine, in, out, options);
  if (summary != nullptr) *summary = s;
  return out.str();
}

const char* kSpec = R"rft(import std.math
item { answer: str }
reward r {
  component correct = math.equivalent(math.final_answer(completion), item.answer)
  component long = len(completion) > 10
  total = correct + 0.5 * long
})rft";

TEST(Batch, OneLinePerRowInOrderWithErrorsInPlace) {
  Spec spec(kSpec);
  std::ifstream f(std::string(RFT_SOURCE_ROOT) + "/tests/data/gsm8k_mixed.jsonl");
  std::stringstream data;
  data << f.rdbuf();
  BatchSummary s;
  std::string out = grade_text(spec, data.str(), 2, 4096, &s);
  EXPECT_EQ(out,
            R"rft({"line":1,"total":1.0,"components":{"correct":1.0,"long":0.0},"flags":[]}
{"line":2,"error":"not valid JSON: [json.exception.parse_error.101] parse error at line 1, column 2: syntax error while parsing value - invalid literal; last read: 'no'"}
{"line":4,"error":"`completion` is a number, not a string"}
{"line":5,"error":"missing field `answer`"}
{"line":6,"error":"the row is an array, not an object"}
{"line":7,"total":1.5,"components":{"correct":1.0,"long":1.0},"flags":[]}
)rft");
  EXPECT_EQ(s.rows, 6u);  // the blank line 3 is not a row
  EXPECT_EQ(s.errors, 4u);
  EXPECT_DOUBLE_EQ(s.total_sum, 2.5);
  EXPECT_EQ(s.names.components, (std::vector<std::string>{"correct", "long"}));
  EXPECT_EQ(s.component_sums, (std::vector<double>{2, 1}));
  EXPECT_TRUE(s.names.monitors.empty());
}

TEST(Batch, MonitorsFollowTheComponents) {
  Spec spec(R"rft(reward r {
    component long = len(completion) > 3
    monitor chars = len(completion)
    monitor exact = completion == "four"
    total = long
  })rft");
  BatchSummary s;
  std::string out =
      grade_text(spec, "{\"completion\": \"four\"}\n{\"completion\": \"ab\"}\n", 1, 4096, &s);
  EXPECT_EQ(
      out,
      R"rft({"line":1,"total":1.0,"components":{"long":1.0},"monitors":{"chars":4.0,"exact":1.0},"flags":[]}
{"line":2,"total":0.0,"components":{"long":0.0},"monitors":{"chars":2.0,"exact":0.0},"flags":[]}
)rft");
  EXPECT_EQ(s.names.monitors, (std::vector<std::string>{"chars", "exact"}));
  EXPECT_EQ(s.monitor_sums, (std::vector<double>{6, 1}));
}

TEST(Batch, HostileRowsAreErrorsNotCrashes) {
  Spec spec(kSpec);
  std::string deep(100000, '[');
  std::string input = deep + "\n" + "{\"completion\": \"\\ud800\", \"answer\": \"1\"}\n" +
                      "{\"completion\": \"" + std::string(1 << 20, 'a') + "\", \"answer\": \"1\"}\n";
  BatchSummary s;
  std::string out = grade_text(spec, input, 2, 4096, &s);
  std::istringstream lines(out);
  std::string l1, l2, l3;
  std::getline(lines, l1);
  std::getline(lines, l2);
  std::getline(lines, l3);
  EXPECT_EQ(l1, R"rft({"line":1,"error":"the row is nested deeper than 256 levels"})rft");
  EXPECT_NE(l2.find(R"rft("line":2,"error":"not valid JSON)rft"), std::string::npos) << l2;
  EXPECT_EQ(l3, R"rft({"line":3,"total":0.5,"components":{"correct":0.0,"long":1.0},"flags":["missing:correct"]})rft");
  EXPECT_EQ(s.errors, 2u);
}

TEST(Batch, SameOutputOnAnyNumberOfThreadsAndChunks) {
  Spec spec(kSpec);
  std::mt19937 rng(7);
  std::string input;
  for (int i = 0; i < 3000; ++i) {
    int answer = static_cast<int>(rng() % 100);
    int said = rng() % 3 == 0 ? answer + 1 : answer;
    std::string filler(rng() % 40, 'x');
    input += "{\"completion\": \"" + filler + " so \\\\boxed{" + std::to_string(said) +
             "}\", \"answer\": \"" + std::to_string(answer) + "\"}\n";
    if (i % 500 == 0) input += "broken row\n";
  }
  std::string one = grade_text(spec, input, 1);
  EXPECT_EQ(grade_text(spec, input, 4), one);
  EXPECT_EQ(grade_text(spec, input, 3, 7), one);
  EXPECT_EQ(std::count(one.begin(), one.end(), '\n'), 3006);
}

}  // namespace
}  // namespace rft
