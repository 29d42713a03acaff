"""Runs the ```python examples of docs/python.md and the README.

The blocks of one document run in order in one namespace, from the repository root. TRL cannot
be installed here, so a stand-in `trl` module is provided whose GRPOTrainer calls each reward
function once the way TRL's does (keyword arguments, dataset columns, completion_ids) and checks
what it returns; `dataset` and `model` are defined for the examples.
"""

import os
import re
import sys
import types

import pytest

FENCE = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


class GRPOConfig:
    def __init__(self, reward_weights=None, **_):
        self.reward_weights = reward_weights


class GRPOTrainer:
    calls = 0

    def __init__(self, model=None, reward_funcs=None, train_dataset=None, args=None, **_):
        funcs = reward_funcs if isinstance(reward_funcs, list) else [reward_funcs]
        batch = train_dataset
        if args is not None and args.reward_weights is not None:
            assert len(args.reward_weights) == len(funcs)
        for func in funcs:
            assert isinstance(func.__name__, str) and func.__name__
            columns = {k: v for k, v in batch.items() if k != "prompt"}
            rewards = func(prompts=batch["prompt"], completions=batch["completion"],
                           completion_ids=[[0]] * len(batch["prompt"]), **columns)
            assert len(rewards) == len(batch["prompt"])
            assert all(isinstance(r, float) for r in rewards)
            GRPOTrainer.calls += 1


def blocks(path):
    with open(path, encoding="utf-8") as f:
        return FENCE.findall(f.read())


@pytest.mark.parametrize("doc", ["docs/python.md", "README.md"])
def test_python_examples_run(root, cache_env, monkeypatch, doc):
    code = blocks(os.path.join(root, doc))
    if doc == "docs/python.md":
        assert len(code) >= 5
    if not code:
        pytest.skip("no python examples")
    fake = types.ModuleType("trl")
    fake.GRPOTrainer, fake.GRPOConfig = GRPOTrainer, GRPOConfig
    monkeypatch.setitem(sys.modules, "trl", fake)
    monkeypatch.chdir(root)
    GRPOTrainer.calls = 0
    namespace = {
        "GRPOTrainer": GRPOTrainer, "GRPOConfig": GRPOConfig, "model": "a-model",
        "dataset": {"prompt": ["What is 6 * 7?", "What is 2 + 2?"],
                    "completion": ["#### 42", "\\boxed{5}"], "answer": ["42", "4"]},
    }
    for i, block in enumerate(code):
        try:
            exec(compile(block, "%s: python block %d" % (doc, i + 1), "exec"), namespace)
        except ModuleNotFoundError as e:
            if e.name == "torch":
                continue  # the OpenRLHF example needs torch
            raise
    if "reward_func" in namespace and callable(namespace["reward_func"]) and "torch" in sys.modules:
        out = namespace["reward_func"](["What is 6 * 7?#### 42"], ["What is 6 * 7?"], ["42"])
        assert float(out[0]) == namespace["grader"].grade(["#### 42"], ["What is 6 * 7?"],
                                                          answer=["42"]).total[0]
    if any("GRPOTrainer(" in b for b in code):
        assert GRPOTrainer.calls > 0
