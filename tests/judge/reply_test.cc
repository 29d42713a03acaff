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

JudgeSpec group(const char* how, JudgeSpec s = scale(1, 10)) {
  s.group = how;
  return s;
}

struct GroupCase {
  const char* reply;
  std::optional<std::vector<double>> scores;
};

void expect_group(const JudgeSpec& spec, size_t n, std::initializer_list<GroupCase> cases) {
  for (const GroupCase& c : cases) {
    std::string why;
    std::optional<std::vector<double>> got = parse_group_reply(spec, c.reply, n, &why);
    if (!c.scores) {
      EXPECT_FALSE(got) << c.reply;
      EXPECT_FALSE(why.empty()) << c.reply;
      continue;
    }
    ASSERT_TRUE(got) << c.reply << ": " << why;
    ASSERT_EQ(got->size(), n) << c.reply;
    for (size_t k = 0; k < n; ++k) EXPECT_DOUBLE_EQ((*got)[k], (*c.scores)[k]) << c.reply << " #" << k;
  }
}

TEST(GroupReply, Rankings) {
  using V = std::vector<double>;
  expect_group(group("rank"), 3,
               {{"2 > 1 > 3", V{0.5, 1, 0}},
                {"Ranking (best first): 3, 1, 2", V{0.5, 0, 1}},
                {"[2, 3, 1]", V{0, 1, 0.5}},
                {"```json\n[\"3\", \"2\", \"1\"]\n```", V{0, 0.5, 1}},
                // Numbers after "answer" are the ones that count: list numbering is not.
                {"1. Answer 3\n2. Answer 1\n3. Answer 2", V{0.5, 0, 1}},
                {"<think>1 > 2 > 3?</think>Answer #2, then answer #3", V{0, 1, 0.5}},
                {"3 > 2", V{0, 0.5, 1}},  // the last one is implied
                {"2 > 2 > 1 > 3", V{0.5, 1, 0}},  // repeats count once
                {"They are all good.", std::nullopt},
                {"2", std::nullopt},
                {"7 > 8 > 9", std::nullopt}});
  expect_group(group("rank"), 4, {{"4 > 3 > 2 > 1", V{0, 1.0 / 3, 2.0 / 3, 1}}});
}

TEST(GroupReply, ScoresPerAnswer) {
  using V = std::vector<double>;
  expect_group(group("score"), 3,
               {{"Answer 1: 10\nAnswer 2: 1\nAnswer 3: 5.5", V{1, 0, 0.5}},
                {"- Response 2: 4/10\n- Response 1: 7/10\n- Response 3: 1/10",
                 V{6.0 / 9, 3.0 / 9, 0}},
                {"#1 = 10\n#2 = 10\n#3 = 1", V{1, 1, 0}},
                {"1. 10\n2. 1\n3. 1", V{1, 0, 0}},
                {"[1, 10, 1]", V{0, 1, 0}},
                {"{\"1\": 4, \"2\": 7, \"3\": 10}", V{1.0 / 3, 2.0 / 3, 1}},
                {"10, 1, 10", V{1, 0, 1}},
                {"Answer 1: 10\nAnswer 2: 3", std::nullopt},  // one answer unscored
                {"Answer 1: 10\nAnswer 2: 3\nAnswer 3: 42", std::nullopt},  // off the scale
                {"[1, 2]", std::nullopt}});
  expect_group(group("score", labels()), 2,
               {{"Answer 1: yes\nAnswer 2: partly", V{1, 0.5}},
                {"[\"no\", \"yes\"]", V{0, 1}},
                {"Answer 1: maybe\nAnswer 2: yes", std::nullopt}});
}

TEST(GroupReply, JsonPath) {
  using V = std::vector<double>;
  JudgeSpec rank = group("rank");
  rank.json_field = "ranking";
  expect_group(rank, 3,
               {{"{\"ranking\": [3, 1, 2], \"why\": \"...\"}", V{0.5, 0, 1}},
                {"{\"ranking\": \"3 > 1 > 2\"}", std::nullopt},
                {"{\"order\": [3, 1, 2]}", std::nullopt}});
  JudgeSpec scores = group("score");
  scores.json_field = "scores";
  expect_group(scores, 2, {{"Here: {\"scores\": [10, 1]}", V{1, 0}},
                           {"{\"scores\": {\"1\": 1, \"2\": 10}}", V{0, 1}}});
}

}  // namespace
}  // namespace rft::judge
