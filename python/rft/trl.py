"""rft graders as TRL reward functions.

TRL's GRPOTrainer calls each reward function as ``func(prompts=..., completions=..., **columns)``
with every dataset column other than the prompt as a keyword list (plus ``completion_ids`` and,
in recent versions, ``trainer_state``), and logs its mean under ``func.__name__``::

    import rft, rft.trl
    grader = rft.load("math.reward", reward="gsm8k")
    trainer = GRPOTrainer(model=..., reward_funcs=rft.trl.reward_func(grader), ...)

Both of TRL's dataset formats work: plain text (prompts and completions are strings) and
conversational (each is a list of ``{"role": ..., "content": ...}`` messages; the grader sees the
completion's assistant text and the prompt's last user message).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence

from rft import GradeResult, Grader

__all__ = ["reward_func", "reward_funcs", "as_text"]


def as_text(value: Any, role: Optional[str] = None) -> str:
    """The text of a plain string or of a conversation: the content of its last message with
    `role` (any role when None); an empty string when there is none."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        content = value.get("content", "")
        if isinstance(content, list):  # multimodal content parts
            return "".join(p.get("text", "") for p in content if isinstance(p, dict))
        return content if isinstance(content, str) else str(content)
    if isinstance(value, (list, tuple)):
        for message in reversed(value):
            if role is None or (isinstance(message, dict) and message.get("role") == role):
                return as_text(message)
        return ""
    raise TypeError("expected a string or a list of messages, got %s" % type(value).__name__)


# Keyword arguments of TRL's that are not dataset columns.
_NOT_COLUMNS = ("completion_ids", "trainer_state")


def _grade(grader: Grader, threads: int, prompts: Optional[Sequence[Any]],
           completions: Sequence[Any], columns: Dict[str, Any]) -> GradeResult:
    for what, values in (("completions", completions), ("prompts", prompts)):
        if isinstance(values, str):
            raise TypeError("the reward function's %s must be a list, one per completion, not a "
                            "single str" % what)
    texts = [as_text(c, "assistant") for c in completions]
    prompt_texts = [as_text(p, "user") for p in prompts] if prompts is not None else None
    items = {}
    for k, v in columns.items():
        if k in _NOT_COLUMNS or not isinstance(v, (list, tuple)):
            continue
        if len(v) != len(texts):
            raise ValueError("dataset column `%s` has %d values for %d completions"
                             % (k, len(v), len(texts)))
        items[k] = v
    missing = grader.missing_columns(list(items), "TRL passes every dataset column but the prompt"
                                                  " to the reward function: rename the column in"
                                                  " the dataset or the field in the spec's item")
    if missing is not None:
        raise ValueError(missing)
    return grader.grade(texts, prompt_texts, threads=threads, **items)


def reward_func(grader: Grader, name: Optional[str] = None, threads: int = 0,
                on_result: Optional[Callable[[GradeResult], None]] = None):
    """A TRL reward function returning each completion's total. ``func.last_result`` holds the
    last batch's `GradeResult` (every component and flag) for logging, and `on_result`, if
    given, is called with it after each batch."""

    def func(prompts=None, completions=None, **kwargs) -> List[float]:
        if completions is None:
            raise TypeError("reward function called without completions")
        result = _grade(grader, threads, prompts, completions, kwargs)
        func.last_result = result
        func.last_batch = (prompts, completions)
        if on_result is not None:
            on_result(result)
        return list(result.total)

    func.__name__ = name or grader.reward
    func.last_result = None
    func.last_batch = None
    func.grader = grader
    return func


def reward_funcs(grader: Grader, threads: int = 0,
                 on_result: Optional[Callable[[GradeResult], None]] = None):
    """The total's reward function followed by one per component (named
    ``<reward>/<component>``). TRL calls its reward functions in order on the same batch, so the
    components reuse the total's grading of it (recognized by identity of the prompt and
    completion lists) instead of grading again. Give the components a reward weight of 0 to have
    TRL log them without changing the reward:
    ``GRPOConfig(reward_weights=[1.0] + [0.0] * len(grader.components))``."""
    total = reward_func(grader, threads=threads, on_result=on_result)
    funcs = [total]
    for component in grader.components:
        def func(prompts=None, completions=None, _component=component, **kwargs) -> List[float]:
            last = total.last_batch
            if last is not None and last[0] is prompts and last[1] is completions:
                result = total.last_result
            else:
                result = _grade(grader, threads, prompts, completions, kwargs)
            return list(result.components[_component])

        func.__name__ = "%s/%s" % (grader.reward, component)
        funcs.append(func)
    return funcs
