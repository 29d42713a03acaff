// Reading judge replies as scores: numbers on a scale, labels, JSON.
#include "runtime/judge/reply.h"

#include <gtest/gtest.h>

namespace rft::judge {
namespace {

JudgeSpec scale(double lo, double hi) {
  JudgeSpec s;
  s.scale_lo = lo;
  s.scale_hi = hi;
  return s;
}

JudgeSpec labels() {
  JudgeSpec s;
  s.labels = {{"yes", 1}, {"partly", 0.5}, {"no", 0}};
  return s;
}

struct Case {
  const char* reply;
  std::optional<double> score;
};

void expect_cases(const JudgeSpec& spec, std::initializer_list<Case> cases) {
  for (const Case& c : cases) {
    std::string why;
    std::optional<double> got = parse_reply(spec, c.reply, &why);
    if (!c.score) {
      EXPECT_FALSE(got) << c.reply << " read as " << *got;
      EXPECT_FALSE(why.empty()) << c.reply;
    } else {
      ASSERT_TRUE(got) << c.reply << ": " << why;
      EXPECT_DOUBLE_EQ(*got, *c.score) << c.reply;
    }
  }
}

TEST(Reply, ScaleIsNormalized) {
  expect_cases(scale(1, 10), {{"7", 6.0 / 9},
                              {"Score: 10", 1},
                              {"  1\n", 0},
                              {"**8**/10", 7.0 / 9},
                              {"I'd say 5.5 out of 10.", 0.5},
                              {"<think>maybe 2, maybe 9</think>\n9", 8.0 / 9},
                              // How the scale was written is not the score.
                              {"On a scale of 1 to 10: 8", 7.0 / 9},
                              {"Scale 1-10. My rating: 4", 3.0 / 9},
                              {"8 out of 10", 7.0 / 9},
                              {"10/10", 1},
                              {"3-4", 2.0 / 9}});
  expect_cases(scale(-1, 1), {{"-1", 0}, {"0.5", 0.75}, {"score-1", 1}});
}

TEST(Reply, ScaleRejectsWhatItCannotRead) {
  expect_cases(scale(1, 10), {{"eleven", std::nullopt},
                              {"11", std::nullopt},
                              {"0", std::nullopt},
                              {"", std::nullopt},
                              {"<think>7</think>", std::nullopt}});
}

TEST(Reply, Labels) {
  expect_cases(labels(), {{"yes", 1},
                          {"Partly.", 0.5},
                          {"\"NO\"", 0},
                          {"The answer is no; yes would be wrong", 0},
                          {"Yes, but no", 1},
                          {"yesterday", std::nullopt},
                          {"nothing", std::nullopt},
                          {"maybe", std::nullopt}});
}

TEST(Reply, LabelsPreferTheLongestAtOnePlace) {
  JudgeSpec s;
  s.labels = {{"good", 1}, {"good enough", 0.6}};
  expect_cases(s, {{"good enough, I think", 0.6}, {"good", 1}});
}

TEST(Reply, JsonNumbersAndLabels) {
  JudgeSpec s = scale(0, 4);
  s.json_field = "verdict.score";
  expect_cases(s, {{R"({"verdict": {"score": 3}})", 0.75},
                   {"```json\n{\"verdict\": {\"score\": \"2\"}}\n```", 0.5},
                   {R"(Here: {"verdict": {"score": 4}} done)", 1},
                   {R"({"verdict": {"score": 5}})", std::nullopt},
                   {R"({"verdict": {}})", std::nullopt},
                   {R"({"verdict": {"score": [1]}})", std::nullopt},
                   {"not json", std::nullopt}});
  JudgeSpec l = labels();
  l.json_field = "items.1";
  expect_cases(l, {{R"({"items": ["no", "partly"]})", 0.5},
                   {R"({"items": ["no"]})", std::nullopt},
                   {R"({"items": [1, 2]})", std::nullopt}});
}

TEST(Reply, QuotesLongRepliesShortly) {
  std::string why;
  std::string reply(500, 'x');
  EXPECT_FALSE(parse_reply(scale(1, 10), reply, &why));
  EXPECT_LT(why.size(), 160u) << why;
  EXPECT_NE(why.find("..."), std::string::npos);
}

}  // namespace
}  // namespace rft::judge
