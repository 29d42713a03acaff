// safetensors: a file built byte by byte from the format's description reads back right; what
// rft writes reads back; every kind of damage is an error that names the file and the problem.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "runtime/model/safetensors.h"

namespace rft::model {
namespace {

namespace fs = std::filesystem;

class SafetensorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rft_safetensors_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // A file made of a header length, a header and data, exactly as given.
  std::string raw(const std::string& name, const std::string& header, const std::string& data,
                  uint64_t header_len = UINT64_MAX) {
    if (header_len == UINT64_MAX) header_len = header.size();
    std::ofstream out(path(name), std::ios::binary);
    for (int i = 0; i < 8; ++i) out.put(static_cast<char>(header_len >> (8 * i)));
    out << header << data;
    return path(name);
  }

  fs::path dir_;
};

std::string bytes_of(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

TEST_F(SafetensorsTest, ReadsAFileBuiltFromTheFormatDescription) {
  std::string data = bytes_of({1.5f, -2.0f}) + std::string("\x00\x3c\x80\x3f", 4);
  std::string p = raw("a.safetensors",
                      R"({"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],)"
                      R"("data_offsets":[0,8]},"h":{"dtype":"BF16","shape":[1,2],"data_offsets":[8,12]}})",
                      data);
  Expected<SafetensorsFile> f = SafetensorsFile::open(p);
  ASSERT_TRUE(f.ok()) << f.error();
  ASSERT_EQ(f->tensors().size(), 2u);
  const TensorView* w = f->find("w");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->dtype, DType::kF32);
  EXPECT_EQ(w->shape, (std::vector<int64_t>{2}));
  float vals[2];
  std::memcpy(vals, w->data.data(), 8);
  EXPECT_EQ(vals[0], 1.5f);
  EXPECT_EQ(vals[1], -2.0f);
  const TensorView* h = f->find("h");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->dtype, DType::kBF16);
  EXPECT_EQ(h->numel(), 2);
  EXPECT_EQ(f->metadata().at("format"), "pt");
  EXPECT_EQ(f->tensors()[0].name, "w");  // file order, by offset
}

TEST_F(SafetensorsTest, WriteThenReadRoundTrips) {
  std::vector<float> a = {1, 2, 3, 4, 5, 6};
  std::string half("\x00\x3c\x00\xc0", 4);  // f16 1.0, -2.0
  std::vector<TensorView> tensors = {
      {"layers.0.weight", DType::kF32, {2, 3}, std::as_bytes(std::span(a))},
      {"scale", DType::kF16, {2}, std::as_bytes(std::span(half.data(), half.size()))},
      {"empty", DType::kBF16, {0, 4}, {}},
  };
  Expected<size_t> n = write_safetensors(path("m.safetensors"), tensors, {{"format", "pt"}});
  ASSERT_TRUE(n.ok()) << n.error();
  EXPECT_EQ(*n, fs::file_size(path("m.safetensors")));
  EXPECT_FALSE(fs::exists(path("m.safetensors.tmp")));
  Expected<SafetensorsFile> f = SafetensorsFile::open(path("m.safetensors"));
  ASSERT_TRUE(f.ok()) << f.error();
  // The data starts 8-byte aligned, as the format recommends.
  EXPECT_EQ(reinterpret_cast<uintptr_t>(f->tensors()[0].data.data()) % 8, 0u);
  for (const auto& t : tensors) {
    const TensorView* r = f->find(t.name);
    ASSERT_NE(r, nullptr) << t.name;
    EXPECT_EQ(r->dtype, t.dtype);
    EXPECT_EQ(r->shape, t.shape);
    ASSERT_EQ(r->data.size(), t.data.size());
    EXPECT_EQ(std::memcmp(r->data.data(), t.data.data(), t.data.size()), 0);
  }
  EXPECT_EQ(f->metadata().at("format"), "pt");
}

TEST_F(SafetensorsTest, DamageIsAnErrorNamingTheProblem) {
  std::string ok_header = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  std::string data = bytes_of({1, 2});
  struct Case {
    std::string file;
    std::string expected;
  };
  std::vector<Case> cases = {
      {raw("trunc_data", ok_header, data.substr(0, 5)), "fall outside the 5 data bytes"},
      {raw("trunc_header", ok_header, "", ok_header.size() + 100), "truncated: the header needs"},
      {raw("huge_len", "", "", 1ull << 60), "is implausible"},
      {raw("not_json", "{oops", ""), "the header is not a JSON object"},
      {raw("dtype", R"({"w":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}})", "xx"),
       "unsupported dtype `F8_E4M3`"},
      {raw("shape", R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", data),
       "8 bytes do not hold 3 F32 values"},
      {raw("overlap",
           R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
           data),
       "overlapping"},
      {raw("gap", R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", data), "gap"},
      {raw("tail", ok_header, data + "junk"), "4 bytes after the last tensor"},
      {raw("negative", R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,8]}})", data),
       "not a non-negative integer"},
      {raw("deep", std::string(10000, '[') , ""), "nested too deeply"},
  };
  {
    std::ofstream(path("short")) << "abc";
    cases.push_back({path("short"), "truncated: 3 bytes"});
  }
  cases.push_back({path("missing"), "No such file"});
  for (const auto& c : cases) {
    Expected<SafetensorsFile> f = SafetensorsFile::open(c.file);
    ASSERT_FALSE(f.ok()) << c.file;
    EXPECT_NE(f.error().find(c.file + ": "), std::string::npos) << f.error();
    EXPECT_NE(f.error().find(c.expected), std::string::npos) << c.file << ": " << f.error();
  }
}

TEST_F(SafetensorsTest, ShardedCheckpointFollowsItsIndex) {
  std::vector<float> a = {1, 2}, b = {3};
  ASSERT_TRUE(write_safetensors(path("model-00001-of-00002.safetensors"),
                                std::vector<TensorView>{{"a", DType::kF32, {2}, std::as_bytes(std::span(a))}})
                  .ok());
  ASSERT_TRUE(write_safetensors(path("model-00002-of-00002.safetensors"),
                                std::vector<TensorView>{{"b", DType::kF32, {1}, std::as_bytes(std::span(b))}})
                  .ok());
  std::ofstream(path("model.safetensors.index.json"))
      << R"({"metadata":{"total_size":12},"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}})";
  Expected<Checkpoint> ckpt = Checkpoint::open(dir_.string());
  ASSERT_TRUE(ckpt.ok()) << ckpt.error();
  EXPECT_EQ(ckpt->names(), (std::vector<std::string>{"a", "b"}));
  ASSERT_NE(ckpt->find("b"), nullptr);
  float v = 0;
  std::memcpy(&v, ckpt->find("b")->data.data(), 4);
  EXPECT_EQ(v, 3.0f);

  std::ofstream(path("model.safetensors.index.json"))
      << R"({"weight_map":{"a":"model-00001-of-00002.safetensors","c":"model-00002-of-00002.safetensors"}})";
  Expected<Checkpoint> bad = Checkpoint::open(dir_.string());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().find("lists `c` in model-00002-of-00002.safetensors, which has no such tensor"),
            std::string::npos)
      << bad.error();

  std::ofstream(path("model.safetensors.index.json"))
      << R"({"weight_map":{"a":"model-00009-of-00009.safetensors"}})";
  Expected<Checkpoint> missing = Checkpoint::open(dir_.string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("model-00009-of-00009.safetensors: No such file"), std::string::npos)
      << missing.error();
}

TEST_F(SafetensorsTest, WriteRefusesDataThatDoesNotMatchTheShape) {
  std::vector<float> a = {1, 2};
  Expected<size_t> n = write_safetensors(
      path("x.safetensors"),
      std::vector<TensorView>{{"a", DType::kF32, {3}, std::as_bytes(std::span(a))}});
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.error().find("tensor `a` has 8 bytes"), std::string::npos) << n.error();
  EXPECT_FALSE(fs::exists(path("x.safetensors")));
}

}  // namespace
}  // namespace rft::model
