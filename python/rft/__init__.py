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
from rft._native import did_you_mean as _did_you_mean  # noqa: E402
from rft._native import load as _load  # noqa: E402
from rft._native import load_aot as _load_aot  # noqa: E402

__all__ = ["Grader", "GradeResult", "SpecError", "load", "load_aot"]


class GradeResult:
    """The grades of one batch: `total`, `components` (name -> values), `monitors` (name ->
    values: what the spec's `monitor` lines log, never part of the total) and `flags`, as lists
    in the order of the completions. `to_numpy()` gives the numbers as numpy arrays."""

    def __init__(self, raw: Dict[str, Any]):
        self.total: List[float] = raw["total"]
        self.components: Dict[str, List[float]] = raw["components"]
        self.monitors: Dict[str, List[float]] = raw["monitors"]
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


def _texts(what: str, values: Any) -> List[Any]:
    # A str is a sequence too: graded as it is, each character would be one completion.
    if isinstance(values, (str, bytes)):
        raise TypeError("%s must be a list of strings, one per completion, not a single %s "
                        "(wrap one text in a list)" % (what, type(values).__name__))
    return list(values)


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

    @property
    def monitors(self) -> List[str]:
        """The monitor names, in declaration order: values logged beside the components that
        never enter the total."""
        return list(self._native.monitors)

    @property
    def item_fields(self) -> Dict[str, str]:
        """The spec's item fields: name -> type as the spec spells it (``"str"``, ``"num?"``);
        a type ending in ``?`` is optional."""
        return dict(self._native.item_fields)

    def missing_columns(self, given: Sequence[str], where: str = "") -> Optional[str]:
        """The error message for the required item fields absent from the columns `given`
        (naming each, with "did you mean" among `given`), or None when none is missing. The
        adapters call it with the columns their trainer passed; `where` adds a hint."""
        given = list(given)
        missing = [name for name, type_ in self._native.item_fields
                   if not type_.endswith("?") and name not in given]
        if not missing:
            return None
        parts = []
        for name in missing:
            hint = _did_you_mean(name, given)
            parts.append("`%s`%s" % (name, " (%s)" % hint if hint else ""))
        message = "missing field%s %s: reward `%s` reads %s from an item column, and the " \
            "columns given are %s" % (
                "s" if len(missing) > 1 else "", ", ".join(parts), self.reward,
                "them" if len(missing) > 1 else "it",
                ", ".join("`%s`" % g for g in sorted(given)) if given else "none")
        return message + (where and "; " + where)

    def grade(self, completions: Sequence[str], prompts: Optional[Sequence[str]] = None,
              threads: int = 0, truncated: Optional[Sequence[bool]] = None,
              **item_columns: Sequence[Any]) -> GradeResult:
        """Grades completions[i] with prompts[i] and the i-th value of every item column.

        `truncated[i]` says that completion i was cut off at the token limit: the spec reads it
        as `truncated` (false when not given). A spec whose item declares a `truncated` field
        gets the same values there.

        Columns the spec's `item` does not declare are ignored, so a dataset's extra columns can
        be passed as they are. `threads=0` uses every core. Raises ValueError when a required
        item column is missing (naming it, with "did you mean" among the columns given), when a
        column's length is not the number of completions, and for a row whose item fields do not
        fit the spec (with the row's index); TypeError when `completions` or `prompts` is a
        single string rather than a sequence of them."""
        completions = _texts("completions", completions)
        if prompts is not None:
            prompts = _texts("prompts", prompts)
        n = len(completions)
        if truncated is not None:
            if isinstance(truncated, (str, bytes)) or not hasattr(truncated, "__len__"):
                raise TypeError("truncated must be a list of bools, one per completion")
            truncated = [bool(t) for t in truncated]
            if len(truncated) != n:
                raise ValueError("truncated has %d values for %d completions" % (len(truncated), n))
            if "truncated" in self.item_fields and "truncated" not in item_columns:
                item_columns["truncated"] = truncated
        missing = self.missing_columns(list(item_columns))
        if missing is not None:
            raise ValueError(missing)
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
                                 items, threads, truncated)
        return GradeResult(raw)

    def judge_counters(self) -> Dict[str, int]:
        """What the reward's judges did since loading: ``calls`` (scores asked for),
        ``cache_hits``, ``misses`` (sent to an endpoint), ``skipped`` (judge components that
        gating kept from being called) and ``errors`` (the judge's on_error was used). Empty for
        a reward that calls no judge."""
        return dict(self._native.judge_counters())

    def explain(self, completion: str, prompt: str = "", truncated: bool = False,
                **item: Any) -> Dict[str, Any]:
        """How one sample scores: total, components, monitors, every `let` and the flags."""
        if truncated and "truncated" in self.item_fields and "truncated" not in item:
            item["truncated"] = True
        return self._native.explain(completion, prompt, item, bool(truncated))

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
