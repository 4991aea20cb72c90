"""Naming an op the way somnia does: by its index (``ops[].index``, ``2``) or by its call
(``"consolidate#0"``); a phase name (``"consolidate"``) is accepted when the rows asked
about hold a single call of it. Shared by recordings and weights, so both read ``op=`` alike.
"""

from __future__ import annotations

from numbers import Integral
from typing import Union

import pandas as pd

OpRef = Union[int, str]


def describe_ops(rows: pd.DataFrame) -> str:
    """``2 (consolidate#0), 6 (consolidate#1)``: the ops of ``rows``, for messages."""
    pairs = rows[["op", "name"]].drop_duplicates().itertuples(index=False)
    return ", ".join(f"{op} ({name})" for op, name in pairs)


def select_op(rows: pd.DataFrame, op: OpRef | None, what: str) -> pd.DataFrame:
    """The rows of ``rows`` (columns ``op``, ``name``) that belong to the op ``op``.

    ``op=None`` is allowed when the rows span a single op. Raises ``LookupError`` naming
    the ops there are, so a wrong guess says what to ask for instead.
    """
    if rows.empty:
        raise LookupError(f"no {what} in this run")
    if op is None:
        if rows["op"].nunique() == 1:
            return rows
        raise LookupError(f"{what} were recorded in ops {describe_ops(rows)}: pass op=")
    if isinstance(op, Integral) and not isinstance(op, bool):
        chosen = rows[rows["op"] == int(op)]
    elif isinstance(op, str):
        chosen = rows[rows["name"] == op]
        if chosen.empty and "#" not in op:
            chosen = rows[rows["name"].str.split("#").str[0] == op]
            if chosen["op"].nunique() > 1:
                raise LookupError(
                    f"phase {op!r} has several calls with {what}: {describe_ops(chosen)}; "
                    f"pass one of them (op=2 or op='{op}#0')"
                )
    else:
        raise TypeError(f"op must be an op index or a call name, not {type(op).__name__}")
    if chosen.empty:
        raise LookupError(f"no {what} in op {op!r}; there are some in ops {describe_ops(rows)}")
    return chosen
