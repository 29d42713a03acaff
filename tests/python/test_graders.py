"""rft's Python module against the rft command: the same specs, row for row."""

import os
import subprocess
import threading
import time

import pytest

import rft
from conftest import read_jsonl, rft_grade

# (spec, reward, data) of the example specs with datasets.
EXAMPLES = [
    ("gsm8k.reward", "gsm8k", "gsm8k.jsonl"),
    ("json_extraction.reward", "extraction", "extraction.jsonl"),
    ("support.reward", "support", "support.jsonl"),
    ("instructions.reward", "instructions", "instructions.jsonl"),
]


def columns_of(rows, names):
    return {name: [row.get(name) for row in rows] for name in names if any(name in r for r in rows)}


def grade_rows(grader, rows):
    fields = sorted({k for r in rows for k in r} - {"prompt", "completion"})
    return grader.grade([r["completion"] for r in rows], prompts=[r.get("prompt", "") for r in rows],
                        threads=2, **columns_of(rows, fields))


@pytest.mark.parametrize("spec,reward,data", EXAMPLES)
def test_matches_rft_grade_row_for_row(root, rft_bin, cache_env, spec, reward, data):
    spec_path = os.path.join(root, "examples", spec)
    data_path = os.path.join(root, "examples", "data", data)
    expected = rft_grade(rft_bin, spec_path, reward, data_path, str(cache_env / "out.jsonl"))
    rows = read_jsonl(data_path)
    assert len(expected) == len(rows)
    grader = rft.load(spec_path, reward=reward)
    # A row that rft grade rejects is refused by the module too, naming the same field.
    for row, want in zip(rows, expected):
        if "error" in want:
            with pytest.raises(ValueError, match=want["error"].split(":")[0].replace("`", ".")):
                grade_rows(grader, [row])
    kept = [i for i, want in enumerate(expected) if "error" not in want]
    rows = [rows[i] for i in kept]
    expected = [expected[i] for i in kept]
    got = grade_rows(grader, rows)
    assert len(got) == len(expected) > 0
    for i, want in enumerate(expected):
        assert got.total[i] == want["total"], "row %d" % i
        for name, value in want["components"].items():
            assert got.components[name][i] == value, "row %d, %s" % (i, name)
        assert got.flags[i] == want["flags"], "row %d" % i


@pytest.mark.parametrize("engine", ["interp", "aot"])
def test_engines_agree_with_the_jit(root, cache_env, engine):
    spec = os.path.join(root, "examples", "gsm8k.reward")
    rows = read_jsonl(os.path.join(root, "examples", "data", "gsm8k.jsonl"))
    jit = grade_rows(rft.load(spec, reward="gsm8k"), rows)
    other = grade_rows(rft.load(spec, reward="gsm8k", engine=engine), rows)
    assert other.total == jit.total
    assert other.components == jit.components


def test_shared_object_from_rft_compile(root, rft_bin, cache_env):
    spec = os.path.join(root, "examples", "gsm8k.reward")
    so = str(cache_env / "gsm8k.so")
    subprocess.run([rft_bin, "compile", spec, "-o", so], check=True, capture_output=True)
    aot = rft.load_aot(so)
    assert aot.reward == "gsm8k"
    rows = read_jsonl(os.path.join(root, "examples", "data", "gsm8k.jsonl"))
    assert grade_rows(aot, rows).total == grade_rows(rft.load(spec, reward="gsm8k"), rows).total
    with pytest.raises(rft.SpecError, match="no reward named `nope`"):
        rft.load_aot(so, reward="nope")
    with pytest.raises(ValueError, match="field `answer`"):
        aot.grade(["#### 4"], answer=[4])
    with pytest.raises(rft.SpecError, match="is not a shared object"):
        rft.load_aot(spec)


def test_a_shared_object_whose_reward_calls_judges_is_refused(root, rft_bin, cache_env):
    # The object carries the reward's code, not its judges' settings: grading it would ask dead
    # judges for every row.
    spec = os.path.join(root, "examples", "support.reward")
    so = str(cache_env / "support.so")
    subprocess.run([rft_bin, "compile", spec, "-o", so], check=True, capture_output=True)
    with pytest.raises(rft.SpecError, match=r"reward `support` calls judges \(`polite`\)"):
        rft.load_aot(so, reward="support")


def test_components_and_numpy(root, cache_env):
    grader = rft.load(os.path.join(root, "examples", "gsm8k.reward"), reward="gsm8k")
    assert grader.components[0] == "correct"
    result = grader.grade(["6 * 7 = 42\n#### 42", "no idea"], answer=["42", "42"])
    assert result.components["correct"] == [1.0, 0.0]
    assert result.total[0] > result.total[1]
    np = pytest.importorskip("numpy")
    total, components = result.to_numpy()
    assert total.dtype == np.float64 and total.shape == (2,)
    assert components["correct"].tolist() == [1.0, 0.0]


def test_extra_columns_are_ignored_and_bad_rows_are_named(root, cache_env):
    grader = rft.load(os.path.join(root, "examples", "gsm8k.reward"), reward="gsm8k")
    result = grader.grade(["#### 3"], answer=["3"], source=["gsm8k"], difficulty=[2])
    assert result.components["correct"] == [1.0]
    with pytest.raises(ValueError, match="item row 1: field `answer`"):
        grader.grade(["#### 3", "#### 4"], answer=["3", 4])
    with pytest.raises(ValueError, match="column `answer` has 1 values for 2 completions"):
        grader.grade(["a", "b"], answer=["3"])
    with pytest.raises(ValueError, match="2 prompts for 1 completions"):
        grader.grade(["a"], prompts=["p", "q"], answer=["1"])


def test_spec_errors_carry_the_diagnostics(tmp_path):
    spec = tmp_path / "broken.reward"
    spec.write_text("reward r {\n  total = len(completion) + undefined_name\n}\n")
    with pytest.raises(rft.SpecError) as e:
        rft.load(str(spec), reward="r")
    message = str(e.value)
    assert "broken.reward:2:" in message and "error[E" in message and "undefined_name" in message
    assert isinstance(e.value, ValueError)


def test_unknown_reward_suggests_a_name(root):
    with pytest.raises(rft.SpecError, match="did you mean `gsm8k`"):
        rft.load(os.path.join(root, "examples", "gsm8k.reward"), reward="gsm8")


def test_unknown_engine_names_the_engines(root):
    spec = os.path.join(root, "examples", "gsm8k.reward")
    with pytest.raises(rft.SpecError, match=r"unknown engine `llvm`; the engines are jit, aot or interp"):
        rft.load(spec, "gsm8k", engine="llvm")


def test_explain(root, cache_env):
    grader = rft.load(os.path.join(root, "examples", "gsm8k.reward"), reward="gsm8k")
    out = grader.explain("so \\boxed{12}", prompt="", answer="12")
    assert out["reward"] == "gsm8k"
    assert out["components"]["correct"] == 1.0
    assert out["lets"]["pred"] == '"12"'
    with pytest.raises(ValueError, match="field `answer`"):
        grader.explain("x")


def test_the_gil_is_released_while_grading(root, cache_env):
    grader = rft.load(os.path.join(root, "examples", "instructions.reward"), reward="instructions")
    n = 40000
    text = "the moon rose late over the quiet hills.\n\nit lit the field. " * 20
    columns = dict(keywords=[["moon"]] * n, forbidden=[["sun"]] * n, max_words=[300] * n,
                   paragraphs=[2] * n, lowercase=[True] * n, title=[False] * n)
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    thread = threading.Thread(target=ticker)
    thread.start()
    try:
        start = time.perf_counter()
        grader.grade([text] * n, threads=1, **columns)
        end = time.perf_counter()
    finally:
        stop.set()
        thread.join()
    # Python work (building the rows) happens at both ends of the call; in the middle only the
    # native grading runs, and another Python thread can run only if the GIL was released.
    margin = (end - start) * 0.25
    during = [t for t in ticks if start + margin < t < end - margin]
    assert end - start > 0.05, "the batch was too small to tell"
    assert len(during) >= 3, "no Python thread ran during %.2f s of grading" % (end - start)


def test_parallel_callers_get_the_same_results(root, cache_env):
    grader = rft.load(os.path.join(root, "examples", "gsm8k.reward"), reward="gsm8k")
    rows = read_jsonl(os.path.join(root, "examples", "data", "gsm8k.jsonl"))
    want = grade_rows(grader, rows).total
    results = []

    def work():
        results.append(grade_rows(grader, rows).total)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [want] * 4


def test_missing_columns_raise_and_name_the_column(root, cache_env, tmp_path):
    for engine in ("jit", "interp"):
        grader = rft.load(os.path.join(root, "examples", "gsm8k.reward"), reward="gsm8k",
                          engine=engine)
        assert grader.item_fields == {"answer": "str"}
        # No item column at all: not a 0 with flags, an error naming the field.
        with pytest.raises(ValueError, match="missing field `answer`: reward `gsm8k` reads it "
                                             "from an item column, and the columns given are none"):
            grader.grade(["#### 42"])
        with pytest.raises(ValueError, match="missing field `answer` \\(did you mean `answr`\\?\\)"):
            grader.grade(["#### 42"], answr=["42"])
        # A dataset that calls it `solution`: refused rather than graded to 0.
        with pytest.raises(ValueError, match="the columns given are `solution`"):
            grader.grade(["#### 42"], solution=["42"])
    # The native module refuses a row without the field by itself as well.
    with pytest.raises(ValueError, match="item row 0: missing field `answer`"):
        grader._native.grade(["#### 42"], None, None, 0, None)
    # An optional field may be left out.
    spec = tmp_path / "opt.reward"
    spec.write_text("item { hint: str? }\nreward r {\n  total = if item.hint is none then 1 else 0\n}\n")
    assert rft.load(str(spec), reward="r").grade(["x"]).total == [1.0]


def test_a_string_is_not_a_list_of_completions(root, cache_env):
    grader = rft.load(os.path.join(root, "examples", "gsm8k.reward"), reward="gsm8k")
    with pytest.raises(TypeError, match="completions must be a list of strings, one per "
                                        "completion, not a single str"):
        grader.grade("#### 42", answer=["42"] * 7)
    with pytest.raises(TypeError, match="prompts must be a list"):
        grader.grade(["#### 42"], prompts="What is 6 * 7?", answer=["42"])
    assert grader.grade(("#### 42",), answer=("42",)).components["correct"] == [1.0]


def test_numbers_beyond_the_double_range_are_the_rows_error(root, cache_env):
    grader = rft.load(os.path.join(root, "examples", "gsm8k.reward"), reward="gsm8k")
    with pytest.raises(ValueError, match="item row 1: an integer beyond the double range "
                                         "\\(400 digits\\); pass it as a string"):
        grader.grade(["#### 1", "#### 2"], answer=["1", "2"], id=[1, int("9" * 400)])
    # 64 bits and beyond, within the double range, are numbers as in a JSONL row.
    assert grader.grade(["#### 1"], answer=["1"], id=[2 ** 70]).total[0] > 1


def test_truncated_reaches_the_spec(tmp_path, cache_env):
    spec = tmp_path / "cut.reward"
    spec.write_text("reward r {\n  component cut = truncated\n  total = if truncated then 0 else 1\n}\n")
    for engine in ("jit", "interp", "aot"):
        grader = rft.load(str(spec), reward="r", engine=engine)
        result = grader.grade(["a", "b", "c"], truncated=[True, False, True])
        assert result.total == [0.0, 1.0, 0.0], engine
        assert result.components["cut"] == [1.0, 0.0, 1.0], engine
        assert grader.grade(["a"]).total == [1.0], "not given: not truncated"
        with pytest.raises(ValueError, match="truncated has 1 values for 2 completions"):
            grader.grade(["a", "b"], truncated=[True])
    assert rft.load(str(spec), reward="r").explain("a", truncated=True)["total"] == 0.0
    # A spec whose item reads `truncated` (as std.safety's does) gets the same values there.
    spec2 = tmp_path / "item.reward"
    spec2.write_text("item { truncated: bool? }\n"
                     "reward r {\n  total = if item.truncated ?? false then 0 else 1\n}\n")
    assert rft.load(str(spec2), reward="r").grade(["a", "b"], truncated=[True, False]).total == [0.0, 1.0]


def test_monitors_are_logged_beside_the_components(tmp_path, rft_bin, cache_env):
    spec = tmp_path / "mon.reward"
    spec.write_text("reward r {\n  component long = len(completion) > 3\n"
                    "  monitor chars = len(completion)\n  total = long\n}\n")
    so = str(tmp_path / "mon.so")
    subprocess.run([rft_bin, "compile", str(spec), "-o", so], check=True, capture_output=True)
    graders = [rft.load(str(spec), reward="r", engine=e) for e in ("jit", "interp", "aot")]
    for grader in graders + [rft.load_aot(so)]:
        assert grader.monitors == ["chars"]
        result = grader.grade(["four", "ab"])
        assert result.total == [1.0, 0.0]
        assert result.components == {"long": [1.0, 0.0]}
        assert result.monitors == {"chars": [4.0, 2.0]}
    explained = graders[0].explain("four")
    assert explained["monitors"] == {"chars": 4.0} and explained["components"] == {"long": 1.0}
