// The one row reader (grader::read_json_document, interp::read_sample_row) that rft grade,
// explain, train, eval, serve and Python read rows with: numbers beyond the double range in any
// field, at any depth, are that row's error, never an exception; fuzzed with random rows and
// random byte edits of rows, and through grade_jsonl, where a bad row leaves its neighbours
// graded.
#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "compiler/grading/batch.h"
#include "compiler/interp/item.h"
#include "runtime/grader/json.h"
#include "tests/compiler/spec_fixture.h"

namespace rft {
namespace {

using testing::Spec;

std::string reason(std::string_view text) {
  std::string error;
  EXPECT_NO_THROW({
    Expected<nlohmann::json> row = grader::read_json_document(text);
    error = row ? "ok" : row.error();
  }) << text.substr(0, 200);
  return error;
}

const std::vector<std::string> kOutOfRange = {
    "1e999",
    "-1e999",
    "1E400",
    "1.5e+309",
    "-2.5E309",
    std::string(400, '9'),
    "-" + std::string(400, '7'),
    "1" + std::string(320, '0') + ".5",
};
const std::vector<std::string> kInRange = {
    "0",
    "-0",
    "1e308",
    "-1.7976931348623157e308",
    "4.9e-324",
    "1e-999",  // underflow is 0
    "18446744073709551615",
    "-9223372036854775808",
    "123456789012345678901234567890",
};

TEST(RowReader, NumbersBeyondTheDoubleRangeAreTheRowsError) {
  for (const std::string& n : kOutOfRange) {
    for (const std::string& row :
         {n, "{\"completion\": \"x\", \"extra\": " + n + "}", "{\"a\": [1, {\"b\": [" + n + "]}]}",
          "[" + n + ", 1]",
          "{\"" + std::string("k") + "\": {\"deep\": {\"deeper\": " + n + "}}}"}) {
      std::string why = reason(row);
      EXPECT_NE(why.find("a number beyond the double range"), std::string::npos)
          << row << ": " << why;
      EXPECT_LT(why.size(), 200u) << "the message holds the whole number: " << why;
    }
  }
  EXPECT_EQ(reason("{\"x\": 1e999}"),
            "a number beyond the double range (`1e999`); write it as a string");
  for (const std::string& n : kInRange) {
    EXPECT_EQ(reason("{\"completion\": \"x\", \"n\": " + n + "}"), "ok") << n;
  }
  // As a string, the same digits are just text.
  EXPECT_EQ(reason("{\"completion\": \"x\", \"n\": \"1e999\"}"), "ok");
}

TEST(RowReader, OtherBadRowsKeepTheirMessages) {
  EXPECT_EQ(reason(std::string(300, '[')), "the row is nested deeper than 256 levels");
  EXPECT_EQ(reason("{\"completion\": \"\xff\"}"), "invalid UTF-8 at byte 17");
  EXPECT_EQ(reason("{\"completion\": ")
                .rfind("not valid JSON: [json.exception.parse_error.101] "
                       "parse error at line 1",
                       0),
            0u);
  nlohmann::json row;
  EXPECT_EQ(interp::read_sample_row("{\"completion\": \"x\", \"truncated\": 1}", {}, row),
            "`truncated` is a number, not a boolean");
  EXPECT_EQ(interp::read_sample_row("{\"completion\": \"x\", \"finish_reason\": 3}", {}, row),
            "`finish_reason` is a number, not a string");
  EXPECT_EQ(interp::read_sample_row("{\"completion\": \"x\", \"finish_reason\": \"length\"}",
                                    {}, row),
            "");
  EXPECT_TRUE(interp::row_truncated(row));
  EXPECT_EQ(interp::read_sample_row("{\"completion\": \"x\", \"truncated\": false, "
                                    "\"finish_reason\": \"length\"}",
                                    {}, row),
            "");
  EXPECT_FALSE(interp::row_truncated(row)) << "an explicit `truncated` wins";
  // A missing field names a close column of the row, if it has one.
  Spec spec("item { answer: str }\nreward r { total = len(item.answer) }");
  const interp::ItemFields item = interp::item_fields(spec.program->roots.front()->item.get());
  EXPECT_EQ(interp::read_sample_row("{\"completion\": \"x\", \"answr\": \"4\"}", item, row),
            "missing field `answer` (did you mean `answr`?)");
  EXPECT_EQ(interp::read_sample_row("{\"completion\": \"x\", \"solution\": \"4\"}", item, row),
            "missing field `answer`");
}

// A random JSON value; `hostile` numbers (beyond the double range) are put in with probability
// 1/3 per number, and *planted is set when one was.
std::string random_value(std::mt19937& rng, int depth, bool* planted) {
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  switch (depth > 3 ? pick(4) : pick(6)) {
    case 0: {
      if (pick(3) == 0) {
        *planted = true;
        return kOutOfRange[pick(kOutOfRange.size())];
      }
      return kInRange[pick(kInRange.size())];
    }
    case 1:
      return pick(2) ? "true" : "null";
    case 2:
      return "\"s" + std::to_string(pick(1000)) + "\"";
    case 3:
      return std::to_string(static_cast<int>(pick(2000)) - 1000) + ".25";
    case 4: {
      std::string out = "[";
      for (size_t i = 0, n = pick(4); i < n; ++i) {
        out += (i ? "," : "") + random_value(rng, depth + 1, planted);
      }
      return out + "]";
    }
    default: {
      std::string out = "{";
      for (size_t i = 0, n = pick(4); i < n; ++i) {
        out += std::string(i ? "," : "") + "\"f" + std::to_string(i) +
               "\":" + random_value(rng, depth + 1, planted);
      }
      return out + "}";
    }
  }
}

TEST(RowReader, FuzzedRowsAreGradedOrTheirOwnError) {
  Spec spec(R"rft(item { answer: str }
reward r {
  component exact = completion == item.answer
  total = exact
})rft");
  const ast::Module* owner = nullptr;
  const ast::RewardDecl* reward = spec.program->find_reward("r", &owner);
  InterpEngine engine(*spec.interp, *reward);
  const interp::ItemFields item = interp::item_fields(owner->item.get());
  const ValueNames names{{"exact"}, {}};
  std::mt19937 rng(20261207);
  std::string input;
  std::vector<int> expect;  // per row: 1 graded, 0 out-of-range error, -1 either (byte edits)
  for (int i = 0; i < 3000; ++i) {
    bool planted = false;
    std::string extra = random_value(rng, 0, &planted);
    std::string row = "{\"completion\": \"42\", \"answer\": \"42\", \"meta\": " + extra + "}";
    if (i % 5 == 4) {
      // Random byte edits: anything may come of them except a crash.
      for (int k = 0; k < 3; ++k) {
        row[std::uniform_int_distribution<size_t>(0, row.size() - 1)(rng)] =
            "9e]\"{,\\:x"[std::uniform_int_distribution<int>(0, 8)(rng)];
      }
      expect.push_back(-1);
    } else {
      expect.push_back(planted ? 0 : 1);
    }
    // Every row through the reader on its own, too.
    nlohmann::json parsed;
    std::string why;
    ASSERT_NO_THROW(why = interp::read_sample_row(row, item, parsed)) << row;
    if (expect.back() == 0) {
      EXPECT_NE(why.find("beyond the double range"), std::string::npos) << row << ": " << why;
    }
    if (expect.back() == 1) {
      EXPECT_EQ(why, "") << row;
    }
    input += row + "\n";
  }
  std::istringstream in(input);
  std::ostringstream out;
  BatchOptions options;
  options.threads = 2;
  options.chunk_rows = 257;
  BatchSummary s;
  ASSERT_NO_THROW(s = grade_jsonl(names, item, engine, in, out, options));
  std::istringstream lines(out.str());
  std::string line;
  size_t n = 0, graded = 0;
  while (std::getline(lines, line)) {
    nlohmann::json j = nlohmann::json::parse(line);
    ASSERT_EQ(j["line"], n + 1) << line;
    if (expect[n] == 1) {
      EXPECT_EQ(j.value("total", -1.0), 1.0) << line;
    } else if (expect[n] == 0) {
      EXPECT_NE(j.value("error", "").find("beyond the double range"), std::string::npos) << line;
    }
    graded += j.contains("total");
    ++n;
  }
  EXPECT_EQ(n, expect.size());
  EXPECT_EQ(s.rows, expect.size());
  EXPECT_EQ(s.rows - s.errors, graded);
  // The planted rows are a good share of the rows, and so are the clean ones.
  EXPECT_GT(std::count(expect.begin(), expect.end(), 0), 150);
  EXPECT_GT(std::count(expect.begin(), expect.end(), 1), 1000);
}

}  // namespace
}  // namespace rft
