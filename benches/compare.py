#!/usr/bin/env python3
"""Side-by-side benchmark driver (issue 7): runs somnia and the peer simulators alternately on
the same machine, several times, and prints a table of median run and whole-process times,
the somnia/Brian2 ratios, and spike counts and rates side by side (so we know both did the
same work: rates should agree within 10 %).

Needs `benches/peers/setup.sh` once (Brian2 and NEST in their own venvs) and builds somnia in
release mode. Standard library only. Usage:

    python3 benches/compare.py [--runs 3] [--seed 1] [--only stdp400,sleep400,cuba]

Brian2 builds in a fresh folder each run. Run time: somnia's ops (the outcome's `timing.ops`, data loading excluded), Brian2's C++
standalone loop, NEST's `Simulate`. Whole process: wall time of the process, measured here.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS = os.path.join(ROOT, "benches", "peers")
SOMNIA = os.path.join(ROOT, "target", "release", "somnia")

# Population sizes and biological seconds per workload, for rates from spike counts.
WORKLOADS = {
    # somnia's CUBA network has two layers (exc 3200, inh 800); the peers count one group.
    "cuba": {"sizes": {"all": 4000}, "seconds": 1.0, "somnia": "benches/protocols/cuba.sleep",
             "brian2": "cuba_brian2.py", "nest": "cuba_nest.py", "all": ["exc", "inh"]},
    "stdp400": {"sizes": {"px": 784, "exc": 400, "inh": 400}, "seconds": 50.0,
                "somnia": "benches/protocols/stdp400.sleep", "brian2": "stdp400_brian2.py",
                "nest": None},
    "sleep400": {"sizes": {"px": 784, "exc": 400, "inh": 400}, "seconds": 10.0,
                 "somnia": "benches/protocols/sleep400.sleep", "brian2": "sleep400_brian2.py",
                 "nest": None},
}


def timed(cmd):
    t = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    whole = time.perf_counter() - t
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
    return p, whole


def run_somnia(w, seed):
    out = tempfile.mkdtemp(prefix="somnia-bench-")
    _, whole = timed([SOMNIA, "run", WORKLOADS[w]["somnia"], "--seed", str(seed), "--out", out,
                      "--force", "-q"])
    with open(os.path.join(out, "outcome.json")) as f:
        o = json.load(f)
    spikes = {}
    for op in o["ops"]:
        for pop, n in op.get("spikes", {}).items():
            spikes[pop] = spikes.get(pop, 0) + n
    if "all" in WORKLOADS[w]:
        spikes["all"] = sum(spikes.get(p, 0) for p in WORKLOADS[w]["all"])
    return {"run_seconds": sum(o["timing"]["ops"]), "whole": whole, "spikes": spikes}


def run_peer(tool, w, seed):
    script = WORKLOADS[w][tool]
    py = os.path.join(PEERS, f".venv-{tool}", "bin", "python")
    cmd = [py, os.path.join(PEERS, script), "--seed", str(seed)]
    if tool == "brian2":
        # A fresh build folder: the whole process includes code generation and compilation,
        # as for a user running a new model (Brian2 reuses a folder's compiled code).
        cmd += ["--dir", tempfile.mkdtemp(prefix="somnia-bench-brian2-")]
    p, whole = timed(cmd)
    line = [l for l in p.stdout.splitlines() if l.startswith("{")][-1]
    r = json.loads(line)
    return {"run_seconds": r["run_seconds"], "whole": whole, "spikes": r["spikes"]}


def rates(w, spikes):
    sizes, secs = WORKLOADS[w]["sizes"], WORKLOADS[w]["seconds"]
    return {k: spikes.get(k, 0) / n / secs for k, n in sizes.items() if k in spikes}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", default="cuba,stdp400,sleep400")
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    rows = []
    for w in a.only.split(","):
        tools = [t for t in ("somnia", "brian2", "nest") if WORKLOADS[w][t]]
        results = {t: [] for t in tools}
        for _ in range(a.runs):  # alternate the tools, so drifts in the machine hit all
            for t in tools:
                r = run_somnia(w, a.seed) if t == "somnia" else run_peer(t, w, a.seed)
                results[t].append(r)
                print(f"{w} {t}: run {r['run_seconds']:.3f} s, whole {r['whole']:.2f} s",
                      file=sys.stderr)
        med = {t: {k: statistics.median(r[k] for r in rs) for k in ("run_seconds", "whole")}
               for t, rs in results.items()}
        rows.append((w, med, {t: rs[0]["spikes"] for t, rs in results.items()}))

    print(f"\nmedians of {a.runs} runs, seed {a.seed}\n")
    print("| workload | somnia run / whole | Brian2 run / whole | NEST run / whole "
          "| somnia/Brian2 run | somnia/Brian2 whole | rates (Hz) somnia · Brian2 |")
    print("|---|---|---|---|---|---|---|")
    for w, med, spikes in rows:
        def cell(t):
            return f"{med[t]['run_seconds']:.3f} s / {med[t]['whole']:.2f} s" if t in med else "—"

        def ratio(k):
            if "somnia" in med and "brian2" in med:
                return f"{med['somnia'][k] / med['brian2'][k]:.2f}"
            return "—"
        rs = {t: rates(w, s) for t, s in spikes.items()}
        shown = ", ".join(
            f"{k} {rs.get('somnia', {}).get(k, float('nan')):.3g} · {rs.get('brian2', {}).get(k, float('nan')):.3g}"
            for k in WORKLOADS[w]["sizes"])
        print(f"| {w} | {cell('somnia')} | {cell('brian2')} | {cell('nest')} | {ratio('run_seconds')} "
              f"| {ratio('whole')} | {shown} |")


if __name__ == "__main__":
    main()
