// The fixed parts of report.html (report.cc): its style sheet and the script that draws the
// charts. Both are inlined into the page, which must work offline and from file://.
#pragma once

namespace rft::train {

// The page's CSS (no external fonts: system font stacks only).
extern const char kReportStyle[];

// The chart script. It reads the JSON in <script type="application/json" id="report-data">:
//   {"charts": [{"id": "reward_mean", "title": "...", "y_label": "...",
//                "series": [{"name": "train", "kind": "train", "points": [[step, value], ...]},
//                           ...]}, ...], ...}
// and draws each chart into #charts as <svg class="chart" data-series="ID"> with axes
// (line.axis), tick labels (text.tick), one <path class="series" data-name="NAME" d="M...">
// per series, circle.point markers for eval series, and a g.legend. It sets
// body[data-charts-drawn] to the number drawn, and writes any error into <pre id="errors">.
extern const char kReportScript[];

}  // namespace rft::train
