"""``sweep.csv``: every run of a sweep (docs/outcome.md).

Two shapes exist. The long form (current somnia) has one row per value each run measured:
``point, seed``, each swept constant as ``name`` (a number in SI base units, or the
text of a boolean, symbol or string) and ``name_unit``, then ``status, expectations_passed, folder`` and metrics.csv's columns
``op, after, label, measure, metric, group, task, value`` with the value's ``unit``. The
wide form (older somnia) has one row per run: ``point``, the constants as written
(``100 steps``), ``seed, status, expectations_passed, folder``, then one ``metric[key]``
column per final value. :func:`load_sweep` reads either; :func:`finals` gives both the
same shape.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Union

import pandas as pd

from .tables import convert

SWEEP_FILE = "sweep.csv"
_RUN_COLUMNS = ["status", "expectations_passed", "folder"]
_MEASURED = ["op", "after", "label", "measure", "metric", "group", "task", "value", "unit"]


def load_sweep(path: Union[str, Path]) -> pd.DataFrame:
    """The sweep in the folder ``path`` (or the ``sweep.csv`` file ``path``) as a
    DataFrame, with its form (``"long"`` or ``"wide"``), its swept constants and its
    folder in ``df.attrs["form"]``, ``["axes"]`` and ``["path"]``. Each run's own folder is
    ``df.attrs["path"] / folder``."""
    path = Path(path)
    file = path / SWEEP_FILE if path.is_dir() else path
    raw = pd.read_csv(file, dtype=str, keep_default_na=False)
    cols = list(raw.columns)
    if {"metric", "value"} <= set(cols):
        axes = [c for c in cols[cols.index("seed") + 1: cols.index("status")]
                if not c.endswith("_unit")]
        # A number is in SI base units; a boolean, symbol or string axis (a dataset's
        # name) stays text.
        numeric = [a for a in axes if _all_numbers(raw[a])]
        df = convert(raw, ints=["point", "seed", "op", "measure"],
                     floats=numeric + ["value"], bools=["expectations_passed"])
        form = "long"
    else:
        axes = cols[cols.index("point") + 1: cols.index("seed")]
        values = [c for c in cols[cols.index("folder") + 1:]]
        df = convert(raw, ints=["point", "seed"], floats=values,
                     bools=["expectations_passed"])
        form = "wide"
    df.attrs.update(form=form, axes=axes, path=file.parent)
    return df


def _all_numbers(cells: pd.Series) -> bool:
    try:
        [float(c) for c in cells if c != ""]
    except ValueError:
        return False
    return True


def finals(sweep: pd.DataFrame) -> pd.DataFrame:
    """The final value of every metric and key of every run, as the runs' outcomes have
    them in ``final`` (a group's value under the group's key and under ``all``): one row
    per run, metric and key, with the columns ``point, seed``, the swept constants,
    ``status, expectations_passed, folder, metric, key, value``. Works on both forms."""
    axes: List[str] = sweep.attrs.get("axes", [])
    if sweep.attrs.get("form") == "wide":
        run_cols = ["point"] + axes + ["seed"] + _RUN_COLUMNS
        long = sweep.melt(id_vars=run_cols, var_name="column", value_name="value")
        split = long["column"].str.extract(r"^(?P<metric>[^\[]+)\[(?P<key>.*)\]$")
        long = pd.concat([long.drop(columns="column"), split], axis=1)
        # An empty cell: the run has no such value.
        long = long.dropna(subset=["value"])
    else:
        run_cols = ["point", "seed"] + [c for c in sweep.columns
                                        if c not in _MEASURED + ["point", "seed"]]
        measured = sweep.dropna(subset=["op"])
        # As the outcome's `final`: a task's value under the task, a group's under the
        # group and under `all`.
        by_task = measured.assign(key=measured["task"])
        groups = measured[(measured["task"] == "all") & (measured["group"] != "")]
        by_group = groups.assign(key=groups["group"])
        long = pd.concat([by_task, by_group]).sort_index(kind="stable")
        long = long.drop_duplicates(subset=["point", "seed", "metric", "key"], keep="last")
        long = long[run_cols + ["metric", "key", "value"]]
    order = ["point", "seed"] + [c for c in run_cols if c not in ("point", "seed")]
    out = long[order + ["metric", "key", "value"]]
    return out.sort_values(["point", "seed", "metric", "key"], kind="stable").reset_index(drop=True)
