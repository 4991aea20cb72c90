"""``recordings/``: what a protocol's ``record`` settings kept during its spiking ops.

``recordings/index.csv`` has one row per file: ``op`` (as ``ops[].index``), ``name`` (the
call, ``consolidate#0``), ``kind``, ``recording`` (the recorder's index in the protocol),
``recorder`` (``spikes``, ``rates`` or ``state``), ``population``, ``variable`` (``t``/``i``
for spikes, ``rate`` for rates, the state variable or ``neurons`` for state), ``file``
(relative to ``recordings/``), ``rows``, ``cols``, ``dt`` (seconds per step), ``bin``
(seconds, rates only) and ``unit``. Times are in seconds from the op's start, step ``s``
at ``s * dt`` (the recorded value is the one after that step's update and reset).
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Mapping, Optional

import numpy as np
import pandas as pd

from ._select import OpRef, select_op
from .tables import read_csv

RECORDINGS_DIR = "recordings"
INDEX_COLUMNS = [
    "op", "name", "kind", "recording", "recorder", "population", "variable",
    "file", "rows", "cols", "dt", "bin", "unit", "steps", "size",
]
_INTS = ["op", "recording", "rows", "cols", "steps", "size"]
_FLOATS = ["dt", "bin"]


def read_index(run_dir: Path) -> pd.DataFrame:
    """``recordings/index.csv``, or an empty table with its columns when nothing was
    recorded."""
    path = run_dir / RECORDINGS_DIR / "index.csv"
    if not path.exists():
        dtypes = {c: "Int64" if c in _INTS else float if c in _FLOATS else object
                  for c in INDEX_COLUMNS}
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})
    return read_csv(path, ints=_INTS, floats=_FLOATS)


class Spikes(tuple):
    """``(t, i)``: spike times in seconds from the op's start (float64) and the neuron
    index of each spike (int32), in the order they happened — Brian2's SpikeMonitor ``t``
    and ``i``. Unpacks as a pair; also has ``.t``, ``.i`` and ``.dt``."""

    def __new__(cls, t: np.ndarray, i: np.ndarray, dt: float):
        self = super().__new__(cls, (t, i))
        self.t, self.i, self.dt = t, i, dt
        return self

    def trains(self, n: Optional[int] = None) -> Dict[int, np.ndarray]:
        """Neuron → its spike times (Brian2's ``spike_trains()``): every neuron that
        spiked, or every neuron ``0..n-1`` (empty arrays for silent ones) given ``n``."""
        neurons = range(n) if n is not None else np.unique(self.i)
        return {int(k): self.t[self.i == k] for k in neurons}


class Rates(tuple):
    """``(t, hz)``: the start of each bin in seconds from the op's start, and the
    population's mean rate over it (spikes / (bin width × neurons), float32 Hz). Unpacks as
    a pair; also has ``.bin`` (the width asked for, s) and ``.widths`` (each bin's width: the
    last one may be shorter; its width comes from the index's ``steps``, and is NaN only in
    an index written before it had that column, for a spiking wake phase)."""

    def __new__(cls, t: np.ndarray, hz: np.ndarray, bin: float, widths: np.ndarray):
        self = super().__new__(cls, (t, hz))
        self.t, self.hz, self.bin, self.widths = t, hz, bin, widths
        return self

    def counts(self, neurons: int) -> np.ndarray:
        """The spikes in each bin, given the population's size (rounded: the rates are
        float32)."""
        return np.rint(self.hz.astype(np.float64) * self.widths * neurons)


class State(tuple):
    """``(t, neurons, values)``: the time of each step (s from the op's start), the
    indices of the neurons recorded, and the variable, steps × neurons (float32, SI units)
    — Brian2's StateMonitor ``t`` and the variable's ``.T``. Unpacks as a triple; also has
    ``.t``, ``.neurons``, ``.values`` and ``.variable``."""

    def __new__(cls, t: np.ndarray, neurons: np.ndarray, values: np.ndarray, variable: str):
        self = super().__new__(cls, (t, neurons, values))
        self.t, self.neurons, self.values, self.variable = t, neurons, values, variable
        return self

    def of(self, neuron: int) -> np.ndarray:
        """The trace of one recorded neuron (by its index in the population)."""
        hits = np.flatnonzero(self.neurons == neuron)
        if hits.size == 0:
            raise LookupError(f"neuron {neuron} was not recorded; recorded: {self.neurons.tolist()}")
        return self.values[:, hits[0]]


class Recordings:
    """The recordings of one run folder; :class:`somnia_reader.Run` hands them out."""

    def __init__(self, run_dir: Path, steps: Mapping[int, int]):
        self.dir = run_dir / RECORDINGS_DIR
        self.index = read_index(run_dir)
        # Steps simulated by each sleep op: the length of the last rate bin.
        self._steps = steps

    def _rows(
        self,
        recorder: str,
        population: str,
        op: OpRef | None,
        recording: Optional[int],
        variable: Optional[str] = None,
    ) -> pd.DataFrame:
        ix = self.index
        rows = ix[(ix["recorder"] == recorder) & (ix["population"] == population)]
        what = f"{recorder} of {population!r}"
        if rows.empty:
            known = sorted(set(zip(ix["recorder"], ix["population"])))
            listed = ", ".join(f"{r}({p})" for r, p in known) or "nothing"
            raise LookupError(f"no {what} were recorded; the run recorded {listed}")
        if variable is not None:
            # A state recorder writes its variable and its neurons: keep both files of
            # the recorders of this variable.
            recorders = rows.loc[rows["variable"] == variable, "recording"]
            if recorders.empty:
                have = sorted(set(rows["variable"]) - {"neurons"})
                raise LookupError(f"no state {variable!r} of {population!r}; recorded: {have}")
            rows = rows[rows["recording"].isin(recorders)]
            what = f"state {variable!r} of {population!r}"
        rows = select_op(rows, op, what)
        if recording is None:
            if rows["recording"].nunique() > 1:
                ids = sorted(rows["recording"].unique().tolist())
                choices = " or ".join(f"recording={k}" for k in ids)
                raise LookupError(
                    f"{len(ids)} recorders kept {what} in op {rows['op'].iloc[0]}: "
                    f"pass {choices} (the recorder's index in the protocol's record settings)"
                )
        else:
            rows = rows[rows["recording"] == recording]
            if rows.empty:
                raise LookupError(f"recording {recording} is not {what} in op {op!r}")
        return rows

    def _load(self, row) -> np.ndarray:
        path = self.dir / row.file
        a = np.load(path)
        if a.shape[0] != row.rows or a.size != row.rows * row.cols:
            raise ValueError(f"{path}: shape {a.shape}, the index says {row.rows} × {row.cols}")
        return a

    def _one(self, rows: pd.DataFrame, variable: str):
        return next(rows[rows["variable"] == variable].itertuples(index=False))

    def spikes(self, population: str, op: OpRef | None = None,
               recording: Optional[int] = None) -> Spikes:
        rows = self._rows("spikes", population, op, recording)
        t, i = self._one(rows, "t"), self._one(rows, "i")
        return Spikes(self._load(t), self._load(i), float(t.dt))

    def rates(self, population: str, op: OpRef | None = None,
              recording: Optional[int] = None) -> Rates:
        rows = self._rows("rates", population, op, recording)
        r = self._one(rows, "rate")
        hz = self._load(r)
        k = hz.shape[0]
        t = np.arange(k) * r.bin
        widths = np.full(k, r.bin)
        # The index says how many steps the op ran (`steps`, since 2026-12-07); older
        # indexes leave it to the outcome (sleep ops only).
        steps = self._steps.get(int(r.op))
        given = getattr(r, "steps", None)
        if given not in (None, "") and float(given) == float(given) and int(float(given)) > 0:
            steps = int(float(given))
        if k:
            # The last bin holds what is left of the op after the whole bins.
            widths[-1] = steps * r.dt - (k - 1) * r.bin if steps is not None else np.nan
        return Rates(t, hz, float(r.bin), widths)

    def state(self, population: str, variable: str = "v", op: OpRef | None = None,
              recording: Optional[int] = None) -> State:
        rows = self._rows("state", population, op, recording, variable=variable)
        v = self._one(rows, variable)
        neurons = self._load(self._one(rows, "neurons"))
        values = self._load(v).reshape(v.rows, v.cols)
        return State(np.arange(v.rows) * v.dt, neurons, values, variable)
