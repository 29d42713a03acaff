// The JIT's lifecycle (compile cache, unloading, separate specs), the grader ABI checks, and
// judges called from native code. Results are compared with the reference interpreter.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "compiler/codegen/codegen.h"
#include "compiler/grading/batch.h"
#include "tests/compiler/spec_fixture.h"

namespace rft {
namespace {

namespace fs = std::filesystem;
using testing::Spec;

constexpr const char* kSpec = R"rft(
item { answer: str }
reward r {
  let n = num(capture(completion, r"answer: (-?\d+)"))
  component correct = n == num(item.answer)
  component short = len(completion) < 40
  total = correct + 0.5 * short
}
)rft";

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("rft-codegen-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

std::unique_ptr<codegen::Jit> make_jit() {
  auto jit = codegen::Jit::create();
  if (!jit) {
    ADD_FAILURE() << jit.error();
    return nullptr;
  }
  return std::move(jit).value();
}

// The loaded grader, or null with the failure reported.
std::unique_ptr<codegen::JitGrader> load(codegen::Jit& jit, const Program& program,
                                         const codegen::JitOptions& options) {
  auto g = jit.load(program, options);
  if (!g) {
    ADD_FAILURE() << g.error();
    return nullptr;
  }
  return std::move(g).value();
}

Grade grade_native(const codegen::JitGrader& g, const std::string& reward,
                            std::string_view completion, const nlohmann::json& row,
                            rft_judge_fn judge = nullptr, void* user = nullptr) {
  const rft_reward_info* info = g.find(reward);
  EXPECT_NE(info, nullptr);
  if (info == nullptr) return {};
  grader::Context ctx;
  rft_ctx_set_judge(ctx.handle(), judge, user);
  return NativeEngine(*info).grade(Sample{{}, completion, &row}, ctx);
}

TEST(Jit, SecondLoadComesFromTheCacheAndAgrees) {
  TempDir dir;
  Spec spec(kSpec);
  auto jit = make_jit();
  codegen::JitOptions options;
  options.cache_dir = dir.path.string();
  auto cold = load(*jit, *spec.program, options);
  ASSERT_TRUE(cold);
  EXPECT_FALSE(cold->from_cache());
  auto warm = load(*jit, *spec.program, options);
  ASSERT_TRUE(warm);
  EXPECT_TRUE(warm->from_cache());
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()), 1);

  nlohmann::json row = {{"answer", "12"}};
  Grade expected = spec.grade("answer: 12", row);
  for (const auto* g : {cold.get(), warm.get()}) {
    Grade got = grade_native(*g, "r", "answer: 12", row);
    EXPECT_EQ(got.total, expected.total);
    EXPECT_EQ(got.components, expected.components);
    EXPECT_EQ(got.flags, expected.flags);
  }
  EXPECT_EQ(expected.total, 1.5);
}

// A cache entry carries a SHA-256 of its object, checked before loading: one that was replaced,
// cut short or has a single flipped byte is never loaded (a damaged object can crash the
// process) but compiled again, with a note on stderr, and the next load is a cache hit again.
TEST(Jit, ADamagedCacheEntryIsRecompiled) {
  TempDir dir;
  Spec spec(kSpec);
  auto jit = make_jit();
  codegen::JitOptions options;
  options.cache_dir = dir.path.string();
  ASSERT_TRUE(load(*jit, *spec.program, options));
  ASSERT_EQ(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()), 1);
  const fs::path entry = fs::directory_iterator(dir.path)->path();
  const std::string good = [&] {
    std::ifstream in(entry, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  const std::vector<std::pair<const char*, std::string>> damages = {
      {"replaced", "not an object file"},
      {"truncated", good.substr(0, good.size() / 2)},
      {"one byte flipped",
       [&] {
         std::string s = good;
         s[s.size() / 3] = static_cast<char>(s[s.size() / 3] ^ 0x40);
         return s;
       }()},
  };
  for (const auto& [what, bytes] : damages) {
    SCOPED_TRACE(what);
    std::ofstream(entry, std::ios::binary | std::ios::trunc) << bytes;
    ::testing::internal::CaptureStderr();
    auto g = load(*jit, *spec.program, options);
    std::string note = ::testing::internal::GetCapturedStderr();
    ASSERT_TRUE(g);
    EXPECT_FALSE(g->from_cache());
    EXPECT_NE(note.find("the compile cache entry `" + entry.string() +
                        "` is damaged; compiling the spec again"),
              std::string::npos)
        << note;
    EXPECT_EQ(grade_native(*g, "r", "answer: 3", {{"answer", "3"}}).total, 1.5);
    auto again = load(*jit, *spec.program, options);
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->from_cache());
  }
}

TEST(Jit, SpecsLoadSideBySideAndUnloadIndependently) {
  Spec a("reward r {\n  total = 1\n}\n");
  Spec b("reward r {\n  total = 2\n}\n");
  auto jit = make_jit();
  codegen::JitOptions options;
  options.use_cache = false;
  auto ga = load(*jit, *a.program, options);
  auto gb = load(*jit, *b.program, options);
  ASSERT_TRUE(ga && gb);
  EXPECT_EQ(grade_native(*ga, "r", "", {}).total, 1);
  EXPECT_EQ(grade_native(*gb, "r", "", {}).total, 2);
  ga.reset();  // frees a's code; b keeps working
  EXPECT_EQ(grade_native(*gb, "r", "", {}).total, 2);
  for (int i = 0; i < 3; ++i) {  // reloading after unloading
    auto again = load(*jit, *a.program, options);
    ASSERT_TRUE(again);
    EXPECT_EQ(grade_native(*again, "r", "", {}).total, 1);
  }
}

// The library entry point for training loops: a whole batch in one call, on several threads,
// results in sample order and equal to grading one by one with the interpreter.
TEST(Batch, GradeBatchKeepsOrderAndAgreesWithTheInterpreter) {
  Spec spec(kSpec);
  auto jit = make_jit();
  codegen::JitOptions options;
  options.use_cache = false;
  auto g = load(*jit, *spec.program, options);
  ASSERT_TRUE(g);
  std::vector<std::string> completions;
  std::vector<nlohmann::json> rows;
  for (int i = 0; i < 500; ++i) {
    completions.push_back("answer: " + std::to_string(i % 7) + std::string(i % 50, 'x'));
    rows.push_back({{"answer", std::to_string(i % 5)}});
  }
  rows[17] = nlohmann::json::object();  // a row without its field: flagged, total on_invalid
  std::vector<Sample> samples;
  for (size_t i = 0; i < rows.size(); ++i) samples.push_back({{}, completions[i], &rows[i]});
  NativeEngine native(*g->find("r"));
  InterpEngine reference(*spec.interp, *spec.program->find_reward("r"));
  std::vector<Grade> got = grade_batch(native, samples, 4);
  std::vector<Grade> want = grade_batch(reference, samples, 1);
  ASSERT_EQ(got.size(), samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    EXPECT_EQ(got[i].total, want[i].total) << i;
    EXPECT_EQ(got[i].components, want[i].components) << i;
    EXPECT_EQ(got[i].flags, want[i].flags) << i;
  }
  EXPECT_EQ(got[0].total, 1.5);  // "answer: 0" against "0", short
  EXPECT_TRUE(testing::has_flag(got[17], "bad_item:answer"));
}

TEST(Jit, InfoBlockDescribesTheRewards) {
  Spec spec(kSpec);
  auto jit = make_jit();
  codegen::JitOptions options;
  options.use_cache = false;
  auto g = load(*jit, *spec.program, options);
  ASSERT_TRUE(g);
  const rft_grader_info* info = g->info();
  EXPECT_EQ(info->abi_version, RFT_GRADER_ABI_VERSION);
  EXPECT_EQ(std::string(info->source_hash), codegen::source_hash(*spec.program));
  EXPECT_EQ(std::string(info->source_hash).size(), 64u);
  ASSERT_EQ(info->n_rewards, 1u);
  const rft_reward_info& r = info->rewards[0];
  EXPECT_STREQ(r.name, "r");
  ASSERT_EQ(r.n_components, 2u);
  EXPECT_STREQ(r.components[0], "correct");
  EXPECT_STREQ(r.components[1], "short");
  ASSERT_EQ(r.n_item_fields, 1u);
  EXPECT_STREQ(r.item_fields[0], "answer");
  EXPECT_STREQ(r.item_types[0], "str");
}

TEST(GraderAbi, AnotherVersionIsRefusedWithAReason) {
  rft_grader_info info{};
  info.abi_version = RFT_GRADER_ABI_VERSION + 1;
  char why[256] = "";
  EXPECT_NE(rft_grader_check(&info, why, sizeof why), 0);
  EXPECT_NE(std::string(why).find("recompile it with `rft compile`"), std::string::npos) << why;
  info.abi_version = RFT_GRADER_ABI_VERSION;
  EXPECT_EQ(rft_grader_check(&info, why, sizeof why), 0);
  char none[256] = "";
  EXPECT_EQ(rft_grader_open("/nonexistent/grader.so", none, sizeof none), nullptr);
  EXPECT_NE(std::string(none).find("cannot load"), std::string::npos) << none;
}

// Judges: the native code renders the same prompt as the interpreter and passes it to the
// context's callback; a failing judge falls back to on_error with a flag.
struct Recorder : interp::JudgeProvider {
  std::string last;
  std::optional<double> score(const ast::JudgeDecl&, const std::string& prompt) override {
    last = prompt;
    return 0.8;
  }
};

int record_judge(void* user, const char* judge, const char* prompt, uint64_t len, double* score) {
  auto* seen = static_cast<std::string*>(user);
  *seen = std::string(judge) + ":" + std::string(prompt, len);
  *score = 0.8;
  return 0;
}

TEST(Jit, JudgesGetTheSamePromptAndGatingSkipsThem) {
  Spec spec(R"rft(
item { topic: str }
judge kind(text: str) {
  model = "judge"
  prompt = "Topic {item.topic}. Is this kind? {text} {{literal}}"
  scale = 0..1
  on_error = 0.25
}
reward r {
  component ok = !contains(completion, "rude")
  component tone = kind(completion + "!")
  total = if ok then tone else -1
}
)rft");
  auto jit = make_jit();
  codegen::JitOptions options;
  options.use_cache = false;
  auto g = load(*jit, *spec.program, options);
  ASSERT_TRUE(g);
  nlohmann::json row = {{"topic", "tea"}};

  Recorder recorder;
  Grade expected = spec.grade("thanks", row, &recorder);
  std::string seen;
  Grade got = grade_native(*g, "r", "thanks", row, record_judge, &seen);
  EXPECT_EQ(got.total, expected.total);
  EXPECT_EQ(got.components, expected.components);
  EXPECT_EQ(seen, "kind:" + recorder.last);
  EXPECT_EQ(recorder.last, "Topic tea. Is this kind? thanks! {literal}");

  // No callback: on_error and a flag, as in the interpreter without a provider.
  got = grade_native(*g, "r", "thanks", row);
  expected = spec.grade("thanks", row);
  EXPECT_EQ(got.total, 0.25);
  EXPECT_EQ(got.flags, expected.flags);
  EXPECT_TRUE(testing::has_flag(got, "judge_error:kind"));

  // Gated off: the judge is not called and the component is flagged as skipped.
  seen.clear();
  got = grade_native(*g, "r", "rude", row, record_judge, &seen);
  EXPECT_EQ(seen, "");
  EXPECT_EQ(got.total, -1);
  EXPECT_EQ(got.flags, spec.grade("rude", row).flags);
  EXPECT_TRUE(testing::has_flag(got, "skipped:tone"));
}

TEST(Jit, RefusesAProgramWithErrors) {
  auto program = load_program_from_string("bad.reward", "reward r {\n  total = nosuch\n}\n");
  ASSERT_FALSE(program->ok());
  auto jit = make_jit();
  auto loaded = jit->load(*program, codegen::JitOptions{});
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().find("errors"), std::string::npos) << loaded.error();
}

TEST(Aot, CompileToFileWritesObjectsAndRefusesBadPaths) {
  TempDir dir;
  Spec spec(kSpec);
  std::string obj = (dir.path / "g.o").string();
  Expected<void> written = codegen::compile_to_file(*spec.program, {}, obj);
  ASSERT_TRUE(written) << written.error();
  std::ifstream in(obj, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  EXPECT_EQ(std::string(magic, 4), "\x7f" "ELF");
  EXPECT_FALSE(fs::exists(obj + ".partial"));
  Expected<void> refused = codegen::compile_to_file(*spec.program, {}, "/nonexistent/dir/g.so");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().find("/nonexistent/dir/g.so"), std::string::npos) << refused.error();
}

}  // namespace
}  // namespace rft
