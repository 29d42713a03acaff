"""rft graders for Python trainers.

A `.reward` spec is compiled once to native code and grades whole batches on native threads,
with the GIL released::

    import rft
    g = rft.load("math.reward", reward="gsm8k")
    result = g.grade(["... #### 42"], prompts=["What is 6*7?"], answer=["42"])
    result.total            # [1.0]
    result.components       # {"correct": [1.0], ...}

Item fields (the spec's ``item { ... }``) are passed as keyword columns, one value per completion.
`rft.trl` and `rft.verl` adapt a grader to those trainers' reward-function interfaces.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Sequence

# An installed package carries the standard library of templates (`import std.math`); a build
# tree uses the repository's.
_BUNDLED_STDLIB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stdlib")
if os.path.isdir(_BUNDLED_STDLIB):
    os.environ.setdefault("RFT_STDLIB", _BUNDLED_STDLIB)

from rft._native import SpecError  # noqa: E402
from rft._native import load as _load  # noqa: E402
from rft._native import load_aot as _load_aot  # noqa: E402

__all__ = ["Grader", "GradeResult", "SpecError", "load", "load_aot"]


class GradeResult:
    """The grades of one batch: `total`, `components` (name -> values) and `flags`, as lists in
    the order of the completions. `to_numpy()` gives the numbers as numpy arrays."""

    def __init__(self, raw: Dict[str, Any]):
        self.total: List[float] = raw["total"]
        self.components: Dict[str, List[float]] = raw["components"]
        self.flags: List[List[str]] = raw["flags"]

    def __len__(self) -> int:
        return len(self.total)

    def to_numpy(self):
        """(total, {component: values}) as float64 numpy arrays; needs numpy."""
        import numpy as np

        return (np.asarray(self.total, dtype=np.float64),
                {k: np.asarray(v, dtype=np.float64) for k, v in self.components.items()})

    def __repr__(self) -> str:
        return "GradeResult(n=%d, components=%s)" % (len(self.total), list(self.components))


class Grader:
    """One reward of a spec, compiled. Thread-safe: grade from as many threads as you like."""

    def __init__(self, native):
        self._native = native

    @property
    def reward(self) -> str:
        """The reward's name."""
        return self._native.reward

    @property
    def components(self) -> List[str]:
        """The component names, in declaration order."""
        return list(self._native.components)

    def grade(self, completions: Sequence[str], prompts: Optional[Sequence[str]] = None,
              threads: int = 0, **item_columns: Sequence[Any]) -> GradeResult:
        """Grades completions[i] with prompts[i] and the i-th value of every item column.

        Columns the spec's `item` does not declare are ignored, so a dataset's extra columns can
        be passed as they are. `threads=0` uses every core. Raises ValueError for a row whose
        item fields do not fit the spec (with the row's index)."""
        completions = list(completions)
        n = len(completions)
        items = None
        if item_columns:
            columns = {}
            for name, values in item_columns.items():
                values = list(values)
                if len(values) != n:
                    raise ValueError("column `%s` has %d values for %d completions"
                                     % (name, len(values), n))
                columns[name] = values
            items = [{name: values[i] for name, values in columns.items()} for i in range(n)]
        raw = self._native.grade(completions, None if prompts is None else list(prompts),
                                 items, threads)
        return GradeResult(raw)

    def judge_counters(self) -> Dict[str, int]:
        """What the reward's judges did since loading: ``calls`` (scores asked for),
        ``cache_hits``, ``misses`` (sent to an endpoint), ``skipped`` (judge components that
        gating kept from being called) and ``errors`` (the judge's on_error was used). Empty for
        a reward that calls no judge."""
        return dict(self._native.judge_counters())

    def explain(self, completion: str, prompt: str = "", **item: Any) -> Dict[str, Any]:
        """How one sample scores: total, components, every `let` and the flags."""
        return self._native.explain(completion, prompt, item)

    def __repr__(self) -> str:
        return "rft.Grader(reward=%r, components=%r)" % (self.reward, self.components)


def load(spec: str, reward: str, engine: str = "jit", cache: bool = True,
         allow_endpoints: Optional[Sequence[str]] = None, judge_cache: bool = True) -> Grader:
    """Loads `reward` from the `.reward` file `spec` and compiles it (engine "jit"; "interp"
    runs the reference interpreter, "aot" a shared object). Raises SpecError, a ValueError whose
    message is rft's rendered diagnostics, when the spec does not check.

    Judges send prompts and completions only to endpoints on this machine and to those listed in
    `allow_endpoints` (a URL allows every URL under it); a judge with any other endpoint raises
    SpecError here, before anything is sent. `judge_cache=False` asks the judges anew instead of
    reusing their cached replies."""
    if isinstance(allow_endpoints, str):
        raise TypeError("allow_endpoints is a list of URLs, not a string: use [%r]" % allow_endpoints)
    return Grader(_load(str(spec), reward, engine, cache, list(allow_endpoints or []), judge_cache))


def load_aot(path: str, reward: Optional[str] = None) -> Grader:
    """Loads a reward from a shared object built by `rft compile` (the only reward in it when
    `reward` is not given)."""
    return Grader(_load_aot(str(path), reward))
