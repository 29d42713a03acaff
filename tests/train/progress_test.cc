// The progress bar, drawn into a temporary file as if it were a terminal, and as a log.
#include "runtime/train/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace rft::train {
namespace {

// A FILE* to draw into and the text drawn so far.
struct Capture {
  std::FILE* file = std::tmpfile();
  ~Capture() { std::fclose(file); }
  std::string text() const {
    std::fflush(file);
    std::string s;
    std::rewind(file);
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, file)) > 0;) s.append(buf, n);
    return s;
  }
};

size_t count(const std::string& s, const std::string& needle) {
  size_t n = 0;
  for (size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1)) ++n;
  return n;
}

TEST(ProgressTest, TerminalLineHasBarCountsTimeAndStatus) {
  Capture out;
  {
    Progress bar("train", 200, out.file, /*tty=*/1);
    bar.update(1);
    bar.update(40, "reward 0.41");  // within 100 ms of the first draw: not drawn yet
    bar.finish();                   // draws it
  }
  std::string all = out.text();
  EXPECT_EQ(count(all, "\r"), 2u) << all;
  std::string s = all.substr(all.rfind('\r'));
  EXPECT_EQ(s.rfind("\rtrain [####....", 0), 0u) << s;
  EXPECT_NE(s.find("] 40/200  20%"), std::string::npos) << s;
  EXPECT_NE(s.find(" 0:00"), std::string::npos) << s;  // elapsed
  EXPECT_NE(s.find("eta "), std::string::npos) << s;
  EXPECT_NE(s.find("  reward 0.41\x1b[K"), std::string::npos) << s;
  EXPECT_EQ(s.back(), '\n');
  EXPECT_EQ(count(all, "\n"), 1u);  // finish() ends the line once; the destructor adds nothing
}

TEST(ProgressTest, TerminalRedrawsAreThrottledButTheLastStepIsShown) {
  Capture out;
  Progress bar("train", 100, out.file, 1);
  for (int i = 1; i < 100; ++i) bar.update(i);
  bar.update(100, "done");
  std::string s = out.text();
  EXPECT_LE(count(s, "\r"), 3u) << s;  // the first draw, the last, at most one between
  EXPECT_NE(s.find("100/100 100%"), std::string::npos) << s;
  EXPECT_NE(s.find("eta 0:00  done"), std::string::npos) << s;
}

TEST(ProgressTest, NoteIsPrintedAboveTheBar) {
  Capture out;
  Progress bar("train", 50, out.file, 1);
  bar.update(10, "reward 0.2");
  bar.note("eval at step 10: pass rate 0.52");
  std::string s = out.text();
  size_t note = s.find("\r\x1b[Keval at step 10: pass rate 0.52\n");
  ASSERT_NE(note, std::string::npos) << s;
  EXPECT_NE(s.find("\rtrain [", note), std::string::npos) << s;  // the bar, redrawn below
  EXPECT_NE(s.find("reward 0.2", note), std::string::npos) << s;
}

TEST(ProgressTest, DestructorEndsAnUnfinishedLine) {
  Capture out;
  { Progress("train", 10, out.file, 1).update(3); }
  std::string s = out.text();
  EXPECT_EQ(s.back(), '\n') << s;
}

TEST(ProgressTest, LogGetsPlainLinesAtMostEveryFewSecondsAndTheFinalOne) {
  Capture out;
  {
    Progress bar("train", 200, out.file, /*tty=*/0);
    for (int i = 1; i < 200; ++i) bar.update(i, "reward 0.41");
    bar.update(200, "reward 0.50");
    bar.finish();  // nothing new to say: no repeated line
  }
  std::string s = out.text();
  EXPECT_EQ(s.find('\r'), std::string::npos) << s;
  EXPECT_EQ(s.find('\x1b'), std::string::npos) << s;
  EXPECT_EQ(count(s, "\n"), 2u) << s;
  EXPECT_EQ(s.rfind("train: 1/200 (0%) 0:00 elapsed, ", 0), 0u) << s;
  EXPECT_NE(s.find(", eta "), std::string::npos) << s;
  EXPECT_NE(s.find("\ntrain: 200/200 (100%) 0:00 elapsed, "), std::string::npos) << s;
  EXPECT_NE(s.find(", reward 0.50\n"), std::string::npos) << s;
}

TEST(ProgressTest, LogNoteAndFinishWithNewStatus) {
  Capture out;
  Progress bar("eval", 10, out.file, 0);
  bar.update(4);  // a first update past 1 continues earlier work: no rate (nor ETA) yet
  bar.note("saved step-4");
  bar.finish("stopped early");
  EXPECT_EQ(out.text(),
            "eval: 4/10 (40%) 0:00 elapsed\n"
            "saved step-4\n"
            "eval: 4/10 (40%) 0:00 elapsed, stopped early\n");
}

TEST(ProgressTest, UnknownTotalShowsCountWithoutBarOrEta) {
  Capture tty, log;
  {
    Progress a("grade", 0, tty.file, 1);
    a.update(5, "3 flagged");
    Progress b("grade", 0, log.file, 0);
    b.update(5, "3 flagged");
  }
  EXPECT_EQ(tty.text().rfind("\rgrade 5 ", 0), 0u) << tty.text();
  EXPECT_EQ(tty.text().find(" ["), std::string::npos) << tty.text();
  EXPECT_EQ(tty.text().find("eta"), std::string::npos) << tty.text();
  EXPECT_EQ(log.text().rfind("grade: 5 0:00 elapsed, ", 0), 0u) << log.text();
  EXPECT_EQ(log.text().find('%'), std::string::npos) << log.text();
  EXPECT_EQ(log.text().find("eta"), std::string::npos) << log.text();
}

TEST(ProgressTest, TotalKnownLater) {
  Capture out;
  Progress bar("train", 0, out.file, 0);
  bar.set_total(8);
  bar.update(1);
  EXPECT_EQ(out.text().rfind("train: 1/8 (12%) 0:00 elapsed", 0), 0u) << out.text();
}

}  // namespace
}  // namespace rft::train
