"""rft graders as verl reward functions.

verl's reward managers call ``compute_score(data_source, solution_str, ground_truth,
extra_info)`` once per sample (the batch manager calls it with the plural names and lists). A
result that is a dict has its "score" used as the reward and its other keys logged::

    import rft, rft.verl
    compute_score = rft.verl.compute_score(rft.load("math.reward", reward="gsm8k"),
                                           ground_truth_field="answer")

The grader's item is made of `ground_truth` (under `ground_truth_field`) and the fields of
`extra_info`; the prompt is ``extra_info["prompt"]`` when that is a string.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from rft import Grader

__all__ = ["compute_score"]


def _row(ground_truth: Any, extra_info: Optional[Dict[str, Any]], field: str) -> Dict[str, Any]:
    row = dict(extra_info or {})
    row[field] = ground_truth
    return row


def compute_score(grader: Grader, ground_truth_field: str = "answer", threads: int = 0):
    """A verl `compute_score` that returns ``{"score": total, <component>: value, ...}``."""

    def grade(solutions: Sequence[str], ground_truths: Sequence[Any],
              extra_infos: Sequence[Optional[Dict[str, Any]]]) -> List[Dict[str, float]]:
        rows = [_row(g, e, ground_truth_field) for g, e in zip(ground_truths, extra_infos)]
        prompts = [r.get("prompt") if isinstance(r.get("prompt"), str) else "" for r in rows]
        fields = sorted({k for r in rows for k in r})
        columns = {k: [r.get(k) for r in rows] for k in fields if k != "prompt"}
        missing = grader.missing_columns(
            list(columns), "verl gives ground_truth as `%s` (compute_score's ground_truth_field)"
            " and the other fields from extra_info" % ground_truth_field)
        if missing is not None:
            raise ValueError(missing)
        result = grader.grade(list(solutions), prompts, threads=threads, **columns)
        out = []
        for i, total in enumerate(result.total):
            scores = {"score": total}
            for name, values in list(result.components.items()) + list(result.monitors.items()):
                scores[name] = values[i]
            out.append(scores)
        return out

    def func(data_source=None, solution_str=None, ground_truth=None, extra_info=None,
             data_sources=None, solution_strs=None, ground_truths=None, extra_infos=None,
             **_ignored):
        if solution_strs is not None:  # verl's batch reward manager
            n = len(solution_strs)
            return grade(solution_strs, ground_truths if ground_truths is not None else [None] * n,
                         extra_infos if extra_infos is not None else [None] * n)
        if solution_str is None:
            raise TypeError("compute_score called without solution_str")
        return grade([solution_str], [ground_truth], [extra_info])[0]

    func.__name__ = "compute_score"
    func.grader = grader
    return func
