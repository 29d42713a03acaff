// report.html as text: the embedded chart data, escaping of completions, empty metrics and a run
// without evaluations. tests/train/report_browser_test.sh checks that a browser draws it.
#include "runtime/train/report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/train/report_fixture.h"

namespace rft::train {
namespace {

namespace fs = std::filesystem;
using report_fixture::kTrickyCompletion;
using report_fixture::SampleRun;

struct TempDir {
  fs::path path =
      fs::temp_directory_path() / ("rft_report_test_" + std::to_string(getpid()) + "_" +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

// The JSON of <script type="application/json" id="report-data">.
nlohmann::json embedded_data(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"report-data\">";
  size_t start = html.find(open);
  EXPECT_NE(start, std::string::npos);
  if (start == std::string::npos) return nullptr;
  start += open.size();
  size_t end = html.find("</script>", start);
  return nlohmann::json::parse(html.substr(start, end - start));
}

const nlohmann::json* find_chart(const nlohmann::json& data, const std::string& id) {
  for (const auto& chart : data["charts"]) {
    if (chart["id"] == id) return &chart;
  }
  return nullptr;
}

TEST(ReportTest, EmbedsTheChartDataOfEveryCurve) {
  TempDir dir;
  SampleRun run;
  report_fixture::make_sample_run(dir.path.string(), 20, run);
  std::string path = dir / "report.html";
  ASSERT_TRUE(write_report(run.input, path).ok());
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  std::string html = read_file(path);

  nlohmann::json data = embedded_data(html);
  ASSERT_TRUE(data["charts"].is_array());
  EXPECT_EQ(data["charts"].size(), static_cast<size_t>(report_fixture::kSampleCharts));
  size_t series = 0;
  for (const auto& chart : data["charts"]) series += chart["series"].size();
  EXPECT_EQ(series, static_cast<size_t>(report_fixture::kSampleSeries));

  const nlohmann::json* reward = find_chart(data, "reward_mean");
  ASSERT_NE(reward, nullptr);
  ASSERT_EQ((*reward)["series"].size(), 2u);
  EXPECT_EQ((*reward)["series"][0]["name"], "train");
  EXPECT_EQ((*reward)["series"][0]["points"].size(), 20u);
  EXPECT_EQ((*reward)["series"][0]["points"][0][0], 1);
  EXPECT_EQ((*reward)["series"][1]["name"], "eval");
  EXPECT_EQ((*reward)["series"][1]["points"].size(), 5u);  // steps 0, 5, 10, 15, 20
  EXPECT_DOUBLE_EQ((*reward)["series"][1]["points"][1][1].get<double>(), 0.4);

  for (const char* id :
       {"component.correct", "component.format", "pass_rate", "completion_length", "loss", "kl"}) {
    EXPECT_NE(find_chart(data, id), nullptr) << id;
  }
  EXPECT_EQ((*find_chart(data, "kl"))["series"].size(), 1u);  // eval lines have no KL

  // The page around the data: the job, the table, the hyperparameters, the script.
  EXPECT_NE(html.find("<title>rft report: " + dir.path.string()), std::string::npos);
  EXPECT_NE(html.find("models/tiny &lt;base&gt;"), std::string::npos);  // the model, escaped
  EXPECT_NE(html.find("<code>gsm8k</code>"), std::string::npos);
  EXPECT_NE(html.find("<table class=\"evals\">"), std::string::npos);
  EXPECT_NE(html.find("<th>mean reward</th><td class=\"num\">0.300</td><td class=\"num\">0.700"
                      "<span class=\"change up\">+0.400</span>"),
            std::string::npos);
  EXPECT_NE(html.find("<th>pass rate</th>"), std::string::npos);
  // A monitor: beside the components, its change shown with no direction better.
  EXPECT_NE(html.find("<th>raw_length (monitor)</th><td class=\"num\">120.000</td><td "
                      "class=\"num\">100.000<span class=\"change\">-20.000</span>"),
            std::string::npos);
  ASSERT_NE(find_chart(data, "monitor.raw_length"), nullptr);
  EXPECT_EQ((*find_chart(data, "monitor.raw_length"))["series"].size(), 2u);       // train and eval
  EXPECT_NE(html.find("<span class=\"change\">-10.0</span>"), std::string::npos);  // length
  EXPECT_NE(html.find("<pre class=\"hyperparameters\">"), std::string::npos);
  EXPECT_NE(html.find("<pre id=\"errors\"></pre>"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // SVG's namespace only
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<script src"), std::string::npos);
}

TEST(ReportTest, EscapesMarkupInCompletions) {
  TempDir dir;
  SampleRun run;
  report_fixture::make_sample_run(dir.path.string(), 5, run);
  std::string path = dir / "report.html";
  ASSERT_TRUE(write_report(run.input, path).ok());
  std::string html = read_file(path);

  // Exactly two script elements end: the data and the chart script. A "</script>" in a
  // completion, in the table or in the embedded JSON, would make a third.
  EXPECT_EQ(count(html, "</script>"), 2u);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("x &lt;/script&gt;&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;"),
            std::string::npos);
  // Side by side by line: line 0's base and tuned completions are in one row.
  size_t row = html.find("<tr data-line=\"0\">");
  ASSERT_NE(row, std::string::npos);
  size_t row_end = html.find("</tr>", row);
  std::string line0 = html.substr(row, row_end - row);
  EXPECT_NE(line0.find("What is 2+3?"), std::string::npos);
  EXPECT_NE(line0.find("x &lt;/script&gt;"), std::string::npos);
  EXPECT_NE(line0.find("\\boxed{5}"), std::string::npos);

  // The embedded evaluation (eval_to_json) holds the completion, and it parses back intact.
  nlohmann::json data = embedded_data(html);
  EXPECT_EQ(data["evals"]["models"][0]["samples"][0]["completion"], kTrickyCompletion);
}

TEST(ReportTest, EmptyMetricsAndNoEvaluation) {
  TempDir dir;
  SampleRun run;
  report_fixture::make_sample_run(dir.path.string(), 5, run);
  std::ofstream(run.input.metrics_path, std::ios::trunc).close();
  run.input.evals.clear();
  std::string path = dir / "report.html";
  ASSERT_TRUE(write_report(run.input, path).ok());
  std::string html = read_file(path);
  EXPECT_TRUE(embedded_data(html)["charts"].empty());
  EXPECT_NE(html.find("No metrics in"), std::string::npos);
  EXPECT_NE(html.find("No evaluation was run."), std::string::npos);
  EXPECT_EQ(html.find("<table"), std::string::npos);
}

TEST(ReportTest, MissingMetricsFileAndNoJob) {
  TempDir dir;
  ReportInput input;  // no job, no components, no evaluations
  input.metrics_path = dir / "absent.jsonl";
  std::string path = dir / "report.html";
  ASSERT_TRUE(write_report(input, path).ok());
  std::string html = read_file(path);
  EXPECT_NE(html.find("No metrics in"), std::string::npos);
  EXPECT_EQ(html.find("Hyperparameters"), std::string::npos);
}

TEST(ReportTest, SftMetricsDrawLossOnly) {
  TempDir dir;
  std::string metrics = dir / "metrics.jsonl";
  {
    std::ofstream out(metrics);
    for (int step = 1; step <= 3; ++step) {
      out << nlohmann::json{{"kind", "train"}, {"step", step}, {"loss", 2.0 / step}, {"lr", 1e-5}}
          << "\n";
    }
    out << "{\"kind\":\"train\",\"step\":4,\"lo";  // a torn last line
  }
  ReportInput input;
  input.metrics_path = metrics;
  std::string path = dir / "report.html";
  ASSERT_TRUE(write_report(input, path).ok());
  nlohmann::json data = embedded_data(read_file(path));
  ASSERT_EQ(data["charts"].size(), 1u);
  EXPECT_EQ(data["charts"][0]["id"], "loss");
  EXPECT_EQ(data["charts"][0]["series"][0]["points"].size(), 3u);
}

TEST(ReportTest, UnwritablePathIsAnError) {
  ReportInput input;
  Expected<void> written = write_report(input, "/nonexistent-dir/report.html");
  ASSERT_FALSE(written.ok());
  const std::string& error = written.error();
  EXPECT_NE(error.find("cannot write `/nonexistent-dir/report.html.partial`"), std::string::npos)
      << error;
}

}  // namespace
}  // namespace rft::train
