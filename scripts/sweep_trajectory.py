#!/usr/bin/env python3
"""Per-point trajectories of one metric across a sweep's outcomes (standard library only).

usage: scripts/sweep_trajectory.py SWEEP_DIR METRIC [TASK_OR_SUBJECT]

Reads SWEEP_DIR/sweep.csv and every run's outcome.json, and prints, for each point of the
grid, the metric's value at each measurement (in order) as mean ± sd over the seeds,
followed by the ratio of the last value to the first.
"""
import csv
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    root, metric = Path(sys.argv[1]), sys.argv[2]
    subject = sys.argv[3] if len(sys.argv) > 3 else None
    rows = list(csv.DictReader(open(root / "sweep.csv")))
    axes = [c for c in rows[0] if c not in ("point", "seed", "status", "expectations_passed", "folder") and "[" not in c]
    series = defaultdict(list)
    for r in rows:
        o = json.load(open(root / r["folder"] / "outcome.json"))
        values = [t["value"] for t in o["timeline"]
                  if t["metric"] == metric and (subject is None or t["task"] == subject)]
        series[tuple(r[a] for a in axes)].append(values)
    for point, runs in series.items():
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
