"""A run folder (``runs/<protocol>-<seed>/``): its outcome, metrics, saved weights and
recordings, as pandas tables and numpy arrays (docs/outcome.md, docs/python.md)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

import numpy as np
import pandas as pd

from . import weights as _weights
from ._select import OpRef, select_op
from .recordings import Rates, Recordings, Spikes, State
from .tables import METRICS_COLUMNS, read_metrics_csv

OUTCOME_FILE = "outcome.json"
# Sleep ops count steps in `amount`; other ops count samples, moves or nothing.
_STEP_KINDS = ("nrem", "rem")


def _num(v: Any) -> float:
    """A value of outcome.json as a float: serde writes NaN and infinities as null."""
    return math.nan if v is None else float(v)


def load_run(path: Union[str, Path]) -> "Run":
    """Loads the run folder ``path`` (or the ``outcome.json`` in it)."""
    return Run(path)


class Run:
    """One run of a protocol. The outcome's parts are attributes; weights and recordings
    are read from disk when asked for."""

    def __init__(self, path: Union[str, Path]):
        path = Path(path)
        if path.name == OUTCOME_FILE and path.is_file():
            path = path.parent
        file = path / OUTCOME_FILE
        if not file.exists():
            partial = path.with_name(path.name + ".partial") / OUTCOME_FILE
            hint = f" (an unfinished run left {partial})" if partial.exists() else ""
            raise FileNotFoundError(f"{file} does not exist: not a somnia run folder{hint}")
        self.path = path
        with open(file, encoding="utf-8") as f:
            #: The whole outcome.json, as parsed.
            self.outcome: Dict[str, Any] = json.load(f)
        if not isinstance(self.outcome, dict) or "schema" not in self.outcome:
            raise ValueError(f"{file} is not a somnia outcome (no `schema`)")
        self._recordings: Optional[Recordings] = None
        self._weights_index: Optional[pd.DataFrame] = None

    def __repr__(self) -> str:
        o = self.outcome
        return (f"<somnia run {o.get('protocol')!r} seed {o.get('seed')} "
                f"({o.get('status')}) at {str(self.path)!r}>")

    # --- the outcome's scalars -------------------------------------------------------

    @property
    def schema(self) -> int:
        return int(self.outcome["schema"])

    @property
    def protocol(self) -> str:
        return self.outcome.get("protocol", "")

    @property
    def seed(self) -> int:
        return int(self.outcome.get("seed", 0))

    @property
    def status(self) -> str:
        """``complete``, ``error`` or ``interrupted``."""
        return self.outcome.get("status", "")

    @property
    def error(self) -> Optional[Dict[str, Any]]:
        """``{code, message}`` of a run that stopped on an error, else ``None``."""
        return self.outcome.get("error")

    @property
    def timing(self) -> Dict[str, Any]:
        """Wall times in seconds (``total_seconds``, ``load_seconds``, ``ops``): the only
        part of an outcome that differs between two runs of one seed."""
        return self.outcome.get("timing", {})

    @property
    def provenance(self) -> Optional[Dict[str, Any]]:
        """How the run was made (the build, command line, ``--set`` overrides, data files
        read), or ``None`` for an outcome written before somnia recorded it."""
        p = self.outcome.get("provenance")
        return p if p else None

    @property
    def passed(self) -> bool:
        """True when the run completed and every expectation passed (exit status 0)."""
        return self.status == "complete" and all(
            e.get("passed", False) for e in self.outcome.get("expectations", []))

    # --- the outcome's tables ----------------------------------------------------------

    @property
    def metrics(self) -> pd.DataFrame:
        """The timeline: one row per measured value, in the order measured, with the
        columns of metrics.csv (``op, after, label, measure, metric, group, task, value``).
        A measurement without a label, a value without a group: ``""``."""
        rows = self.outcome.get("timeline", [])
        df = pd.DataFrame(
            [[r.get("op"), r.get("after", ""), r.get("label") or "", r.get("measure"),
              r.get("metric"), r.get("group") or "", r.get("task"), _num(r.get("value"))]
             for r in rows],
            columns=METRICS_COLUMNS,
        )
        return df.astype({"op": "Int64", "measure": "Int64", "value": float})

    def metrics_csv(self) -> pd.DataFrame:
        """``metrics.csv`` as written (the same rows as :attr:`metrics`)."""
        return read_metrics_csv(self.path / "metrics.csv")

    @property
    def final(self) -> Dict[str, Dict[str, float]]:
        """``final[metric][key]``: the last value of each metric for each task, group
        (``"pairs"``), ``"all"``, projection or population."""
        return {m: {k: _num(v) for k, v in keys.items()}
                for m, keys in self.outcome.get("final", {}).items()}

    @property
    def expectations(self) -> pd.DataFrame:
        """One row per ``expect``: ``text, value, bound, passed, note`` and where it is in
        the source (``file, line, column``)."""
        rows = []
        for e in self.outcome.get("expectations", []):
            span = e.get("span") or {}
            rows.append({
                "text": e.get("text", ""), "value": _num(e.get("value")),
                "bound": _num(e.get("bound")), "passed": bool(e.get("passed", False)),
                "note": e.get("note") or "", "file": span.get("file", ""),
                "line": span.get("line"), "column": span.get("column"),
            })
        cols = ["text", "value", "bound", "passed", "note", "file", "line", "column"]
        return pd.DataFrame(rows, columns=cols).astype({"line": "Int64", "column": "Int64"})

    @property
    def ops(self) -> pd.DataFrame:
        """One row per op as run: ``op`` (its index), ``kind``, ``name``, ``amount``
        (samples trained, steps simulated or moves made), ``seconds`` (wall time), and
        what the op reported, as Python objects: ``spikes`` (population → count),
        ``loss`` (per epoch), ``weights`` (histograms), ``forage``."""
        secs = self.timing.get("ops", [])
        rows = []
        for k, o in enumerate(self.outcome.get("ops", [])):
            rows.append({
                "op": o.get("index"), "kind": o.get("kind"), "name": o.get("name"),
                "amount": o.get("amount"),
                "seconds": _num(secs[k]) if k < len(secs) else math.nan,
                "spikes": o.get("spikes"), "loss": o.get("loss"),
                "weights": o.get("weights"), "forage": o.get("forage"),
            })
        cols = ["op", "kind", "name", "amount", "seconds", "spikes", "loss", "weights", "forage"]
        return pd.DataFrame(rows, columns=cols).astype({"op": "Int64", "amount": "Int64"})

    def op(self, op: OpRef) -> Dict[str, Any]:
        """One op of outcome.json as parsed, by index (``2``) or call (``"consolidate#0"``)."""
        ops = self.ops
        row = select_op(ops, op, "ops")
        if len(row) != 1:
            raise LookupError(f"{op!r} names several ops; pass an index")
        return self.outcome["ops"][int(row.index[0])]

    @property
    def spike_counts(self) -> pd.DataFrame:
        """The spikes each population fired in each spiking op (``ops[].spikes``), one
        row per op and population: ``op, name, kind, population, spikes``."""
        rows = [(o.get("index"), o.get("name"), o.get("kind"), pop, n)
                for o in self.outcome.get("ops", [])
                for pop, n in (o.get("spikes") or {}).items()]
        df = pd.DataFrame(rows, columns=["op", "name", "kind", "population", "spikes"])
        return df.astype({"op": "Int64", "spikes": "Int64"})

    @property
    def weight_histograms(self) -> pd.DataFrame:
        """The weight histograms around each sleep phase (``ops[].weights``), one row per
        op, projection and side (``when``: ``before`` or ``after``), with ``min, max, mean,
        std`` and ``counts`` (40 equal bins; :func:`numpy.linspace` ``(min, max,
        len(counts) + 1)`` gives the edges)."""
        rows = []
        for o in self.outcome.get("ops", []):
            for w in o.get("weights") or []:
                for side in ("before", "after"):
                    h = w.get(side) or {}
                    rows.append({
                        "op": o.get("index"), "name": o.get("name"),
                        "projection": w.get("projection"), "when": side,
                        "min": _num(h.get("min")), "max": _num(h.get("max")),
                        "mean": _num(h.get("mean")), "std": _num(h.get("std")),
                        "counts": np.asarray(h.get("counts", []), dtype=np.int64),
                    })
        cols = ["op", "name", "projection", "when", "min", "max", "mean", "std", "counts"]
        return pd.DataFrame(rows, columns=cols).astype({"op": "Int64"})

    # --- weights/ -------------------------------------------------------------------------

    @property
    def weights_index(self) -> pd.DataFrame:
        """``weights/index.csv`` (empty when the run saved no weights)."""
        if self._weights_index is None:
            self._weights_index = _weights.read_index(self.path)
        return self._weights_index

    @property
    def weight_points(self) -> List[str]:
        """Where weights were saved: ``start``, ``end``, ``op007-consolidate-2``, …"""
        return _weights.points(self.weights_index)

    def weights(self, when: _weights.When = "end") -> Dict[str, np.ndarray]:
        """Projection (``"x->h1"``) → its float32 matrix ``(post, pre)``, saved at
        ``when``: ``"start"``, ``"end"``, an op index, a call (``"consolidate#2"``)."""
        rows = _weights.select(self.weights_index, when)
        return _weights.load(self.path, rows)

    def biases(self, when: _weights.When = "end") -> Dict[str, Optional[np.ndarray]]:
        """Projection → its bias vector ``(post,)`` saved at ``when`` (``None`` for a
        projection without biases)."""
        rows = _weights.select(self.weights_index, when)
        return _weights.load(self.path, rows, bias=True)

    # --- recordings/ ----------------------------------------------------------------------

    def _recorded(self) -> Recordings:
        if self._recordings is None:
            steps = {int(o["index"]): int(o["amount"]) for o in self.outcome.get("ops", [])
                     if o.get("kind") in _STEP_KINDS and o.get("amount") is not None}
            self._recordings = Recordings(self.path, steps)
        return self._recordings

    @property
    def recordings(self) -> pd.DataFrame:
        """``recordings/index.csv``: one row per recorded file (empty when the protocol
        records nothing)."""
        return self._recorded().index

    def spikes(self, population: str, op: Optional[OpRef] = None,
               recording: Optional[int] = None) -> Spikes:
        """``(t, i)``: the spikes of ``population`` in op ``op`` (an index or a call,
        ``"consolidate#0"``; may be left out when one op was recorded). ``recording``
        picks one of several spike recorders on the population (its index in the
        protocol)."""
        return self._recorded().spikes(population, op, recording)

    def rates(self, population: str, op: Optional[OpRef] = None,
              recording: Optional[int] = None) -> Rates:
        """``(t_bin_starts, hz)``: the population's binned mean rate in op ``op``."""
        return self._recorded().rates(population, op, recording)

    def state(self, population: str, variable: str = "v", op: Optional[OpRef] = None,
              recording: Optional[int] = None) -> State:
        """``(t, neurons, values)``: a state variable (``v``, ``threshold``, ``theta``,
        ``ge``, ``gi``) of the recorded neurons at every step of op ``op``; ``values`` is
        steps × neurons."""
        return self._recorded().state(population, variable, op, recording)
