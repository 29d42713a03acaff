// The reply cache: keyed by everything that changes the answer, persistent, atomic.
#include "runtime/judge/cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace rft::judge {
namespace {
namespace fs = std::filesystem;

class CacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rft-judge-cache-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

ChatRequest request() {
  ChatRequest r;
  r.model = "judge";
  r.prompt = "Rate: hello";
  return r;
}

size_t files_in(const fs::path& dir) {
  size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

TEST_F(CacheTest, StoresAndPersistsAcrossInstances) {
  ReplyCache a(dir_.string());
  EXPECT_FALSE(a.get("http://h/v1", request()));
  a.put("http://h/v1", request(), "7");
  ReplyCache b(dir_.string());  // another run
  ASSERT_TRUE(b.get("http://h/v1", request()));
  EXPECT_EQ(*b.get("http://h/v1", request()), "7");
  EXPECT_EQ(*b.get("http://h/v1/", request()), "7");  // the same endpoint
}

TEST_F(CacheTest, KeyCoversEverythingThatChangesTheAnswer) {
  ReplyCache c(dir_.string());
  c.put("http://h/v1", request(), "7");
  ChatRequest r = request();
  EXPECT_FALSE(c.get("http://other/v1", r));
  r.model = "judge-2";
  EXPECT_FALSE(c.get("http://h/v1", r));
  r = request();
  r.prompt += " ";
  EXPECT_FALSE(c.get("http://h/v1", r));
  r = request();
  r.system = "Be strict.";
  EXPECT_FALSE(c.get("http://h/v1", r));
  r = request();
  r.temperature = 0.7;
  EXPECT_FALSE(c.get("http://h/v1", r));
  r = request();
  r.max_tokens = 5;
  EXPECT_FALSE(c.get("http://h/v1", r));
  // Not part of the key: the key, timeouts and retries.
  r = request();
  r.api_key = "secret";
  r.timeout_s = 1;
  r.retries = 0;
  EXPECT_TRUE(c.get("http://h/v1", r));
}

TEST_F(CacheTest, NoKeyIsWrittenToDisk) {
  ReplyCache c(dir_.string());
  ChatRequest r = request();
  r.api_key = "sk-do-not-store-me";
  c.put("http://h/v1", r, "7");
  for (const auto& e : fs::recursive_directory_iterator(dir_)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text.find("sk-do-not-store-me"), std::string::npos);
  }
}

TEST_F(CacheTest, TornOrForeignEntriesAreMisses) {
  ReplyCache c(dir_.string());
  c.put("http://h/v1", request(), "7");
  for (const auto& e : fs::recursive_directory_iterator(dir_)) {
    if (e.is_regular_file()) std::ofstream(e.path()) << "{\"key\": \"x\", \"reply\": \"9\"}";
  }
  EXPECT_FALSE(c.get("http://h/v1", request()));
  for (const auto& e : fs::recursive_directory_iterator(dir_)) {
    if (e.is_regular_file()) std::ofstream(e.path()) << "{\"key\": ";
  }
  EXPECT_FALSE(c.get("http://h/v1", request()));
}

TEST_F(CacheTest, ConcurrentWritersLeaveOneWholeEntry) {
  ReplyCache c(dir_.string());
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) c.put("http://h/v1", request(), "7");
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(files_in(dir_), 1u);  // no temporary file left behind
  EXPECT_EQ(*c.get("http://h/v1", request()), "7");
}

TEST(CacheDir, FollowsTheEnvironment) {
  const char* old = std::getenv("RFT_CACHE_DIR");
  std::string saved = old ? old : "";
  setenv("RFT_CACHE_DIR", "/tmp/somewhere", 1);
  EXPECT_EQ(default_cache_dir(), "/tmp/somewhere/judge");
  if (old) {
    setenv("RFT_CACHE_DIR", saved.c_str(), 1);
  } else {
    unsetenv("RFT_CACHE_DIR");
  }
}

}  // namespace
}  // namespace rft::judge
