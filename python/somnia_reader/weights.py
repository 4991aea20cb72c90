"""``weights/``: the matrices ``somnia run --save-weights`` writes (docs/outcome.md).

``weights/index.csv`` has one row per matrix: ``when`` (the folder: ``start``, ``end`` or
``op007-consolidate-2``), ``op`` (empty for start and end), ``name`` (the call, or
``start``/``end``), ``projection`` (``x->h1``), ``file`` (relative to ``weights/``),
``rows``, ``cols``. Each matrix is float32 ``(post, pre)``; a projection with biases has a
``.bias.npy`` beside its matrix (not in the index).
"""

from __future__ import annotations

from numbers import Integral
from pathlib import Path
from typing import Dict, Optional, Union

import numpy as np
import pandas as pd

from ._select import describe_ops
from .tables import read_csv

WEIGHTS_DIR = "weights"
INDEX_COLUMNS = ["when", "op", "name", "projection", "file", "rows", "cols"]

When = Union[int, str]


def read_index(run_dir: Path) -> pd.DataFrame:
    """``weights/index.csv``, or an empty table with its columns when the run saved none."""
    path = run_dir / WEIGHTS_DIR / "index.csv"
    if not path.exists():
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in INDEX_COLUMNS})
    return read_csv(path, ints=["op", "rows", "cols"])


def _dtype(column: str) -> str:
    return "Int64" if column in ("op", "rows", "cols") else "object"


def select(index: pd.DataFrame, when: When) -> pd.DataFrame:
    """The rows saved at ``when``: ``"start"``, ``"end"``, an op index (``7``), a call
    (``"consolidate#2"``), a phase with a single saved call (``"consolidate"``) or a
    folder name (``"op007-consolidate-2"``)."""
    if index.empty:
        raise LookupError("this run saved no weights (run it with --save-weights)")
    if isinstance(when, Integral) and not isinstance(when, bool):
        rows = index[index["op"] == int(when)]
    elif isinstance(when, str):
        rows = index[(index["when"] == when) | (index["name"] == when)]
        if rows.empty and "#" not in when:
            rows = index[index["name"].str.split("#").str[0] == when]
    else:
        raise TypeError(f"when must be start, end, an op index or a call, not {when!r}")
    if rows.empty:
        raise LookupError(f"no weights saved at {when!r}; saved: {', '.join(points(index))}")
    if rows["when"].nunique() > 1:
        raise LookupError(
            f"weights were saved at several points matching {when!r}: "
            f"{describe_ops(rows.dropna(subset=['op']))}; pass an op index"
        )
    return rows


def points(index: pd.DataFrame) -> list:
    """The folders weights were saved into, in the order saved."""
    return list(dict.fromkeys(index["when"]))


def load(
    run_dir: Path, rows: pd.DataFrame, bias: bool = False
) -> Dict[str, Optional[np.ndarray]]:
    """Projection → matrix (or its bias vector with ``bias=True``, ``None`` for a
    projection without biases) for the rows of one saving point."""
    out: Dict[str, Optional[np.ndarray]] = {}
    for r in rows.itertuples(index=False):
        path = run_dir / WEIGHTS_DIR / r.file
        if bias:
            b = path.with_name(path.name[: -len(".npy")] + ".bias.npy")
            out[r.projection] = np.load(b) if b.exists() else None
            continue
        w = np.load(path)
        if w.shape != (r.rows, r.cols):
            raise ValueError(f"{path}: shape {w.shape}, the index says ({r.rows}, {r.cols})")
        out[r.projection] = w
    return out
