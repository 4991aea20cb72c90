"""A comparison's results: ``compare.json`` and ``compare.csv`` beside its arms' runs
(``<arm>-seed<N>/``), written by ``somnia compare`` (docs/outcome.md).

compare.json holds the whole table with the expectations and the runs; compare.csv the
same numbers in long form, one statistic a row (``compare, metric, key, unit, kind, arm,
against, statistic, value, n, few_seeds``; ``kind`` is ``arm`` or ``difference``). JSON
has no NaN or infinity: an undefined value (an effect size over one pair) and an infinite
one (every pair differs by the same amount) are both ``null`` there, NaN here; compare.csv
tells them apart (an empty cell, ``inf``), so the tables are read from it when it is there.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

import pandas as pd

from .run import Run
from .tables import read_csv

COMPARE_JSON = "compare.json"
COMPARE_CSV = "compare.csv"

ARM_COLUMNS = ["metric", "key", "unit", "arm", "n", "mean", "std", "ci_low", "ci_high",
               "few_seeds"]
DIFFERENCE_COLUMNS = ["metric", "key", "unit", "arm", "against", "n_pairs", "mean", "std",
                      "ci_low", "ci_high", "effect_size", "few_seeds"]
_ARM_STATS = ["mean", "std", "ci_low", "ci_high"]
_DIFFERENCE_STATS = _ARM_STATS + ["effect_size"]


def load_compare(path: Union[str, Path]) -> "Compare":
    """The comparison in the folder ``path`` (or its ``compare.json``/``compare.csv``)."""
    return Compare(path)


def _num(v: Any) -> float:
    return math.nan if v is None else float(v)


def arms_from_json(doc: Dict[str, Any]) -> pd.DataFrame:
    """Each arm's statistics, one row per metric, key and arm."""
    rows = [{"metric": m["metric"], "key": m["key"], "unit": m.get("unit", ""),
             "arm": a["arm"], "n": a["n"], **{s: _num(a.get(s)) for s in _ARM_STATS},
             "few_seeds": bool(a.get("few_seeds", False))}
            for m in doc.get("metrics", []) for a in m.get("arms", [])]
    return pd.DataFrame(rows, columns=ARM_COLUMNS).astype({"n": "Int64"})


def differences_from_json(doc: Dict[str, Any]) -> pd.DataFrame:
    """Each arm against the baseline, paired by seed: one row per metric, key and arm."""
    rows = [{"metric": m["metric"], "key": m["key"], "unit": m.get("unit", ""),
             "arm": d["arm"], "against": d["against"], "n_pairs": d["n_pairs"],
             **{s: _num(d.get(s)) for s in _DIFFERENCE_STATS},
             "few_seeds": bool(d.get("few_seeds", False))}
            for m in doc.get("metrics", []) for d in m.get("differences", [])]
    return pd.DataFrame(rows, columns=DIFFERENCE_COLUMNS).astype({"n_pairs": "Int64"})


def read_table(file: Path) -> pd.DataFrame:
    """compare.csv as written, typed."""
    return read_csv(file, ints=["n"], floats=["value"], bools=["few_seeds"])


def _wide(table: pd.DataFrame, kind: str, keys: List[str]) -> pd.DataFrame:
    """The statistics of ``kind`` rows as columns, one row per ``keys``, in the order the
    file lists them."""
    records: Dict[tuple, Dict[str, Any]] = {}
    for r in table[table["kind"] == kind].to_dict("records"):
        key = tuple(r[k] for k in keys)
        rec = records.setdefault(key, {**{k: r[k] for k in keys},
                                       "n": r["n"], "few_seeds": r["few_seeds"]})
        rec[r["statistic"]] = r["value"]
    if not records:
        return pd.DataFrame(columns=keys + ["n", "few_seeds"])
    return pd.DataFrame(list(records.values()))


def arms_from_csv(table: pd.DataFrame) -> pd.DataFrame:
    keys = ["metric", "key", "unit", "arm"]
    df = _wide(table, "arm", keys)
    df = df.reindex(columns=ARM_COLUMNS)
    return df.astype({"n": "Int64", "few_seeds": bool, **{s: float for s in _ARM_STATS}})


def differences_from_csv(table: pd.DataFrame) -> pd.DataFrame:
    keys = ["metric", "key", "unit", "arm", "against"]
    df = _wide(table, "difference", keys).rename(columns={"n": "n_pairs"})
    df = df.reindex(columns=DIFFERENCE_COLUMNS)
    return df.astype({"n_pairs": "Int64", "few_seeds": bool,
                      **{s: float for s in _DIFFERENCE_STATS}})


class Compare:
    """One ``somnia compare`` output folder."""

    def __init__(self, path: Union[str, Path]):
        path = Path(path)
        if path.is_file():
            path = path.parent
        self.path = path
        json_file, csv_file = path / COMPARE_JSON, path / COMPARE_CSV
        if not json_file.exists() and not csv_file.exists():
            raise FileNotFoundError(
                f"neither {COMPARE_JSON} nor {COMPARE_CSV} in {path}: not a comparison's "
                f"folder, or one written by a somnia that did not write them yet")
        #: compare.json as parsed (``{}`` when only compare.csv is there).
        self.document: Dict[str, Any] = {}
        if json_file.exists():
            with open(json_file, encoding="utf-8") as f:
                self.document = json.load(f)
        #: compare.csv, typed (``None`` when only compare.json is there).
        self.table: Optional[pd.DataFrame] = read_table(csv_file) if csv_file.exists() else None
        if self.table is not None:
            self.arms = arms_from_csv(self.table)
            self.differences = differences_from_csv(self.table)
        else:
            self.arms = arms_from_json(self.document)
            self.differences = differences_from_json(self.document)

    def __repr__(self) -> str:
        return f"<somnia compare {self.name!r}: {' vs '.join(self.arm_names)} at {str(self.path)!r}>"

    @property
    def name(self) -> str:
        """``a vs b``."""
        if "compare" in self.document:
            return self.document["compare"]
        return self.table["compare"].iloc[0] if self.table is not None and len(self.table) else ""

    @property
    def arm_names(self) -> List[str]:
        """The arms, the baseline first."""
        if "arms" in self.document:
            return list(self.document["arms"])
        return list(dict.fromkeys(self.arms["arm"]))

    @property
    def baseline(self) -> str:
        """The arm the others are compared with (the first)."""
        return self.document.get("baseline") or (self.arm_names[0] if self.arm_names else "")

    @property
    def seeds(self) -> List[int]:
        return list(self.document.get("seeds", []))

    @property
    def few_seeds(self) -> bool:
        """Some interval rests on fewer values or pairs than somnia trusts (5)."""
        return bool(self.document.get("few_seeds", self.arms["few_seeds"].any()))

    @property
    def interval(self) -> Dict[str, Any]:
        """How the confidence intervals were computed (level, method, resamples)."""
        return dict(self.document.get("interval", {}))

    @property
    def effect_size_definition(self) -> str:
        return self.document.get("effect_size", "")

    @property
    def expectations(self) -> pd.DataFrame:
        """The comparison's expectations: ``text, value, bound, passed, note`` and their
        place in the source."""
        rows = []
        for e in self.document.get("expectations", []):
            span = e.get("span") or {}
            rows.append({"text": e.get("text", ""), "value": _num(e.get("value")),
                         "bound": _num(e.get("bound")), "passed": bool(e.get("passed")),
                         "note": e.get("note") or "", "file": span.get("file", ""),
                         "line": span.get("line"), "column": span.get("column")})
        cols = ["text", "value", "bound", "passed", "note", "file", "line", "column"]
        return pd.DataFrame(rows, columns=cols).astype({"line": "Int64", "column": "Int64"})

    @property
    def runs(self) -> pd.DataFrame:
        """Every arm × seed: ``arm, seed, folder, status`` (``not_run`` when it never
        started)."""
        df = pd.DataFrame(self.document.get("runs", []), columns=["arm", "seed", "folder", "status"])
        return df.astype({"seed": "Int64"})

    def run(self, arm: str, seed: int) -> Run:
        """The run of ``arm`` on ``seed``, from its folder beside compare.json."""
        runs = self.runs
        hit = runs[(runs["arm"] == arm) & (runs["seed"] == seed)]
        if not len(hit):
            known = ", ".join(f"{a} seed {s}" for a, s in zip(runs["arm"], runs["seed"]))
            raise LookupError(f"{self.path}: no run of arm {arm!r} on seed {seed} (runs: {known})")
        return Run(self.path / hit["folder"].iloc[0])
