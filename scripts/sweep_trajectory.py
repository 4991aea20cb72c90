#!/usr/bin/env python3
"""Per-point trajectories of one metric across a sweep (standard library only).

usage: scripts/sweep_trajectory.py SWEEP_DIR METRIC [TASK_OR_SUBJECT]

Reads SWEEP_DIR/sweep.csv (long form: one row per value each run measured, docs/outcome.md)
and prints, for each point of the grid, the metric's value at each measurement (in order)
as mean ± sd over the seeds, followed by the ratio of the last value to the first.
"""
import csv
import statistics
import sys
from collections import defaultdict
from pathlib import Path


def axes_of(header):
    """The swept constants: `name,name_unit` column pairs after `point,seed`."""
    axes, i = [], 2
    while i + 1 < len(header) and header[i + 1] == header[i] + "_unit":
        axes.append(header[i])
        i += 2
    return axes


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    root, metric = Path(sys.argv[1]), sys.argv[2]
    subject = sys.argv[3] if len(sys.argv) > 3 else None
    with open(root / "sweep.csv", newline="") as f:
        reader = csv.DictReader(f)
        axes = axes_of(reader.fieldnames)
        rows = list(reader)
    # point → seed → the metric's values in the order measured
    series = defaultdict(lambda: defaultdict(list))
    for r in rows:
        point = tuple(f"{r[a]} {r[a + '_unit']}".strip().removesuffix(" 1") for a in axes)
        seeds = series[point]
        seeds[r["seed"]]  # every run counts, also one that never measured the metric
        if r["metric"] == metric and (subject is None or r["task"] == subject):
            seeds[r["seed"]].append(float(r["value"]))
    for point, by_seed in series.items():
        runs = list(by_seed.values())
        n = min(len(v) for v in runs)
        cells = []
        for i in range(n):
            xs = [v[i] for v in runs]
            sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
            cells.append(f"{statistics.mean(xs):.4g}±{sd:.2g}")
        ratios = [v[n - 1] / v[0] for v in runs if n and v[0]]
        label = ", ".join(f"{a} {p}" for a, p in zip(axes, point))
        print(f"{label} (n={len(runs)}): " + " ".join(cells)
              + (f"  last/first {statistics.mean(ratios):.3f}" if ratios else ""))


if __name__ == "__main__":
    main()
