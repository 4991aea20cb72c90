#!/usr/bin/env python3
"""What recording costs (issue 18): the STDP-400 benchmark (benches/protocols/stdp400.sleep,
100 Diehl & Cook presentations, 50 s biological) run alternately without recordings and with
`record spikes(exc)` (the arm `recorded`, derived in a scratch copy of the file), several
times; prints the median run time of each (the outcome's `timing.ops`, data loading
excluded) and their ratio. The target is a ratio within 1.10.

    python3 benches/recording_overhead.py [--runs 5] [--record "spikes(exc)"]

Builds nothing: run `cargo build --release` first. Standard library only.
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOMNIA = os.path.join(ROOT, "target", "release", "somnia")
PROTOCOLS = os.path.join(ROOT, "benches", "protocols")


def run(path, protocol, out):
    subprocess.run([SOMNIA, "run", path, "-p", protocol, "--out", out, "--force", "-q"],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(os.path.join(out, "outcome.json")) as f:
        o = json.load(f)
    return sum(o["timing"]["ops"]), o


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--record", default="spikes(exc)")
    a = ap.parse_args()
    with open(os.path.join(PROTOCOLS, "stdp400.sleep")) as f:
        text = f.read()
    text += f"\nprotocol recorded = stdp400 with {{\n  record {a.record}\n}}\n"
    # Beside the original, so its relative data paths resolve.
    fd, path = tempfile.mkstemp(suffix=".sleep", dir=PROTOCOLS)
    times = {"stdp400": [], "recorded": []}
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        with tempfile.TemporaryDirectory() as tmp:
            for k in range(a.runs):
                for p in ("stdp400", "recorded"):
                    t, o = run(path, p, os.path.join(tmp, p))
                    times[p].append(t)
                    spikes = sum(op.get("spikes", {}).get("exc", 0) for op in o["ops"])
                    print(f"run {k + 1} {p:9} {t:.3f} s  (exc spikes {spikes})", flush=True)
    finally:
        os.remove(path)
    base, rec = (statistics.median(times[p]) for p in ("stdp400", "recorded"))
    print(f"\nmedian run time: unrecorded {base:.3f} s, record {a.record} {rec:.3f} s,"
          f" ratio {rec / base:.3f} (target ≤ 1.10)")


if __name__ == "__main__":
    main()
