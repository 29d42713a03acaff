"""The TRL and verl adapters, called the way those trainers call reward functions.

TRL's GRPOTrainer calls each reward function with keyword arguments only:
``reward_func(prompts=prompts, completions=completions, completion_ids=ids, **columns)``
(recent versions add ``trainer_state``), where columns are the dataset's other columns, one value
per completion, and uses ``reward_func.__name__`` to log it. In the conversational format,
prompts are lists of messages and each completion is ``[{"role": "assistant", "content": ...}]``.
verl calls ``compute_score(data_source=..., solution_str=..., ground_truth=..., extra_info=...)``
per sample, or with plural names and lists from its batch reward manager.
"""

import os

import pytest

import rft
import rft.trl
import rft.verl

COMPLETIONS = ["6 * 7 = 42\n#### 42", "It is \\boxed{41}.", "I think 42"]
ANSWERS = ["42", "42", "42"]


@pytest.fixture
def grader(root, cache_env):
    return rft.load(os.path.join(root, "examples", "gsm8k.reward"), reward="gsm8k")


def test_trl_standard_format(grader):
    func = rft.trl.reward_func(grader)
    prompts = ["What is 6 * 7?"] * 3
    rewards = func(prompts=prompts, completions=COMPLETIONS, completion_ids=[[1, 2]] * 3,
                   answer=ANSWERS, trainer_state=object())
    assert func.__name__ == "gsm8k"
    assert isinstance(rewards, list) and all(isinstance(r, float) for r in rewards)
    assert rewards == grader.grade(COMPLETIONS, prompts, answer=ANSWERS).total
    assert func.last_result.components["correct"] == [1.0, 0.0, 1.0]


def test_trl_conversational_format(grader):
    func = rft.trl.reward_func(grader, name="math")
    prompts = [[{"role": "system", "content": "Be brief."},
                {"role": "user", "content": "What is 6 * 7?"}]] * 3
    completions = [[{"role": "assistant", "content": c}] for c in COMPLETIONS]
    rewards = func(prompts=prompts, completions=completions, answer=ANSWERS)
    assert func.__name__ == "math"
    assert rewards == grader.grade(COMPLETIONS, ["What is 6 * 7?"] * 3, answer=ANSWERS).total


def test_trl_components_reuse_the_totals_grading(grader):
    seen = []
    funcs = rft.trl.reward_funcs(grader, on_result=seen.append)
    assert [f.__name__ for f in funcs] == ["gsm8k"] + ["gsm8k/" + c for c in grader.components]
    prompts, completions = ["q"] * 3, list(COMPLETIONS)
    totals = funcs[0](prompts=prompts, completions=completions, answer=ANSWERS)
    correct = funcs[1](prompts=prompts, completions=completions, answer=ANSWERS)
    assert correct == [1.0, 0.0, 1.0]
    assert len(seen) == 1 and seen[0].total == totals  # graded once for both
    # Another batch, even with the same texts, is graded afresh.
    assert funcs[1](prompts=["q"] * 3, completions=["no answer"] * 3, answer=ANSWERS) == [0.0] * 3


def test_verl_single_and_batch(grader):
    compute_score = rft.verl.compute_score(grader, ground_truth_field="answer")
    one = compute_score(data_source="gsm8k", solution_str=COMPLETIONS[0], ground_truth="42",
                        extra_info={"split": "train", "index": 3})
    assert set(one) == {"score"} | set(grader.components)
    assert one["correct"] == 1.0
    assert one["score"] == grader.grade([COMPLETIONS[0]], [""], answer=["42"]).total[0]
    batch = compute_score(data_sources=["gsm8k"] * 3, solution_strs=COMPLETIONS,
                          ground_truths=ANSWERS, extra_infos=[None] * 3)
    assert [b["correct"] for b in batch] == [1.0, 0.0, 1.0]


def test_as_text():
    assert rft.trl.as_text("plain") == "plain"
    messages = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"},
                {"role": "user", "content": "c"}]
    assert rft.trl.as_text(messages, "assistant") == "b"
    assert rft.trl.as_text(messages, "user") == "c"
    assert rft.trl.as_text([{"role": "assistant", "content": [{"type": "text", "text": "x"},
                                                              {"type": "text", "text": "y"}]}]) == "xy"
    assert rft.trl.as_text([], "assistant") == ""


def test_trl_refuses_columns_of_the_wrong_length_and_missing_ones(grader):
    func = rft.trl.reward_func(grader)
    prompts = ["What is 6 * 7?"] * 3
    with pytest.raises(ValueError, match="dataset column `answer` has 2 values for 3 completions"):
        func(prompts=prompts, completions=COMPLETIONS, answer=ANSWERS[:2])
    # A dataset whose column is `solution`: the reward function says so instead of paying 0.
    with pytest.raises(ValueError) as e:
        func(prompts=prompts, completions=COMPLETIONS, completion_ids=[[1]] * 3, solution=ANSWERS,
             trainer_state=object())
    message = str(e.value)
    assert "missing field `answer`" in message and "the columns given are `solution`" in message
    assert "TRL passes every dataset column but the prompt" in message
    with pytest.raises(ValueError, match="did you mean `answers`"):
        func(prompts=prompts, completions=COMPLETIONS, answers=ANSWERS)
    with pytest.raises(TypeError, match="completions must be a list"):
        func(prompts="q", completions="6 * 7 = 42", answer=ANSWERS)


def test_verl_names_the_missing_field(grader):
    compute_score = rft.verl.compute_score(grader, ground_truth_field="solution")
    with pytest.raises(ValueError) as e:
        compute_score(data_source="gsm8k", solution_str=COMPLETIONS[0], ground_truth="42",
                      extra_info={"split": "train"})
    message = str(e.value)
    assert "missing field `answer`" in message, message
    assert "the columns given are `solution`, `split`" in message, message
    assert "verl gives ground_truth as `solution` (compute_score's ground_truth_field)" in message
    rows = rft.verl.compute_score(grader, ground_truth_field="anwser")
    with pytest.raises(ValueError, match="did you mean `anwser`"):
        rows(data_source="gsm8k", solution_str=COMPLETIONS[0], ground_truth="42")
