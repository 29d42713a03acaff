// rft_report_fixture DIR: writes a synthetic run (tests/train/report_fixture.h) and its report
// to DIR/report.html, for tests/train/report_browser_test.sh to open in a headless browser. It
// prints the page's path, then what the page should draw: "charts=7 series=12".
#include <cstdio>
#include <string>

#include "runtime/train/report.h"
#include "tests/train/report_fixture.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: rft_report_fixture DIR\n");
    return 2;
  }
  std::string dir = argv[1];
  rft::train::report_fixture::SampleRun run;
  rft::train::report_fixture::make_sample_run(dir, 40, run);
  rft::Expected<void> written = rft::train::write_report(run.input, dir + "/report.html");
  if (!written) {
    std::fprintf(stderr, "rft_report_fixture: %s\n", written.error().c_str());
    return 1;
  }
  std::printf("%s/report.html\ncharts=%d series=%d\n", dir.c_str(),
              rft::train::report_fixture::kSampleCharts, rft::train::report_fixture::kSampleSeries);
  return 0;
}
