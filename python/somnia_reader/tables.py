"""Reading somnia's CSV files with the types their columns have.

somnia writes an empty cell for "none" (no label, no group, no bin). Text columns keep it
as ``""`` rather than NaN, because pandas drops NaN keys from ``groupby`` by default and a
measurement without a label would silently vanish from a grouped table. Number columns
read an empty cell as NaN, and whole-number columns that may be empty use pandas' nullable
``Int64``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd

#: metrics.csv's columns, in order (docs/outcome.md, "metrics.csv").
METRICS_COLUMNS = ["op", "after", "label", "measure", "metric", "group", "task", "value"]


def read_csv(
    path: Path,
    ints: Iterable[str] = (),
    floats: Iterable[str] = (),
    bools: Iterable[str] = (),
) -> pd.DataFrame:
    """Reads ``path`` with every column as text, then converts the columns named.

    Text stays text (``"NA"`` is a fine task name), ``ints`` become ``Int64`` (empty cells
    ``<NA>``), ``floats`` float64 (empty cells and ``NaN`` NaN, ``inf`` infinity) and
    ``bools`` the nullable ``boolean`` (``true``/``false``, empty ``<NA>``).
    """
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return convert(df, ints=ints, floats=floats, bools=bools)


def convert(
    df: pd.DataFrame,
    ints: Iterable[str] = (),
    floats: Iterable[str] = (),
    bools: Iterable[str] = (),
) -> pd.DataFrame:
    """Converts the named columns of an all-text table (those present)."""
    for c in ints:
        if c in df:
            df[c] = pd.to_numeric(df[c].mask(df[c] == "")).astype("Int64")
    for c in floats:
        if c in df:
            # Python's float reads somnia's shortest round-trip text back to the same
            # f64 (and `NaN`, `inf`); pandas' own parser may miss by an ulp.
            df[c] = df[c].map(_float).astype(float)
    for c in bools:
        if c in df:
            df[c] = df[c].map(_BOOLS).astype("boolean")
    return df


def _float(cell: str) -> float:
    return float(cell) if cell != "" else math.nan


_BOOLS: Mapping[str, object] = {"true": True, "false": False, "": pd.NA}


def read_metrics_csv(path: str | Path) -> pd.DataFrame:
    """A run's ``metrics.csv`` (or the file in the folder ``path``) as a DataFrame with
    the columns ``op, after, label, measure, metric, group, task, value``."""
    path = Path(path)
    if path.is_dir():
        path = path / "metrics.csv"
    return read_csv(path, ints=["op", "measure"], floats=["value"])
