#!/usr/bin/env python3
"""Planned cost against measured wall time, for every shipped protocol.

For each plan of each file, reads `somnia plan --json`'s estimate (`estimate.seconds`), runs
the plan with `somnia run` and reads the outcome's `timing.total_seconds`, and prints a
markdown table of estimate, measurement and ratio. Exits 1 when a ratio falls outside
[1/2, 2], the bound issue 14 sets.

    cargo build --release
    python3 benches/estimates.py                 # every protocol, example, benchmark protocol
    python3 benches/estimates.py protocols/src_split_mnist.sleep

Measurements are cached in target/estimates/measured.json by file, protocol and source hash,
so a change to the cost model is rechecked without rerunning (`--remeasure` reruns). Runs one
plan at a time; run it on a quiet machine: the numbers are wall times.
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def files():
    out = []
    for pattern in ("protocols/*.sleep", "examples/*.sleep", "benches/protocols/*.sleep"):
        out += sorted(glob.glob(os.path.join(ROOT, pattern)))
    return [os.path.relpath(f, ROOT) for f in out]


def plans(somnia, path):
    out = subprocess.run(
        [somnia, "plan", "--json", path], cwd=ROOT, capture_output=True, text=True
    )
    if out.returncode != 0:
        sys.exit(f"somnia plan {path} failed:\n{out.stderr}")
    return json.loads(out.stdout)["plans"]


def measure(somnia, path, protocol):
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(tmp, "run")
        run = subprocess.run(
            [somnia, "run", path, "-p", protocol, "--out", folder, "-q",
             "--checkpoint-every", "off"],
            cwd=ROOT, capture_output=True, text=True,
        )
        if run.returncode not in (0, 1):
            sys.exit(f"somnia run {path} -p {protocol} failed:\n{run.stderr}")
        with open(os.path.join(folder, "outcome.json")) as f:
            outcome = json.load(f)
    return {
        "source_hash": outcome["source_hash"],
        "total_seconds": outcome["timing"]["total_seconds"],
        "load_seconds": outcome["timing"]["load_seconds"],
        "ops": [
            {"kind": o["kind"], "name": o["name"], "seconds": s}
            for o, s in zip(outcome["ops"], outcome["timing"]["ops"])
        ],
    }


def listed(ops):
    """The plan's ops in the order estimate.op_seconds lists them, with their kinds."""
    for op in ops:
        yield op
        if op["op"] == "until":
            yield from listed(op["body"])


def kind_of(op):
    return op.get("kind", op["op"]) if op["op"] == "sleep" else op["op"]


def print_kinds(key, plan, m):
    est, got = {}, {}
    for op, s in zip(listed(plan["ops"]), plan["estimate"]["op_seconds"]):
        if op["op"] != "until":
            est[kind_of(op)] = est.get(kind_of(op), 0.0) + s
    for o in m["ops"]:
        got[o["kind"]] = got.get(o["kind"], 0.0) + o["seconds"]
    est["startup"] = plan["estimate"]["startup_seconds"]
    got["startup"] = m["total_seconds"] - sum(o["seconds"] for o in m["ops"])
    parts = [f"{k} {human(est.get(k, 0))}/{human(got.get(k, 0))}" for k in sorted(set(est) | set(got))]
    print(f"{key}: " + ", ".join(parts), file=sys.stderr)


def human(s):
    if s >= 60:
        return f"{s / 60:.1f} min"
    if s >= 1:
        return f"{s:.1f} s"
    return f"{s * 1000:.0f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", help="protocol files (default: every shipped one)")
    parser.add_argument("--somnia", default=os.path.join(ROOT, "target/release/somnia"))
    parser.add_argument("--cache", default=os.path.join(ROOT, "target/estimates/measured.json"))
    parser.add_argument("--remeasure", action="store_true", help="ignore cached measurements")
    parser.add_argument("--kinds", action="store_true",
                        help="also compare estimate and measurement per kind of op")
    args = parser.parse_args()

    cache = {}
    if os.path.exists(args.cache) and not args.remeasure:
        with open(args.cache) as f:
            cache = json.load(f)

    rows = []
    for path in args.files or files():
        for plan in plans(args.somnia, path):
            key = f"{path}:{plan['protocol']}"
            m = cache.get(key)
            if m is None or m["source_hash"] != plan["source_hash"]:
                print(f"running {key} …", file=sys.stderr, flush=True)
                m = measure(args.somnia, path, plan["protocol"])
                cache[key] = m
                os.makedirs(os.path.dirname(args.cache), exist_ok=True)
                with open(args.cache, "w") as f:
                    json.dump(cache, f, indent=1)
            est = plan["estimate"]["seconds"]
            rows.append((path, plan["protocol"], est, m["total_seconds"]))
            if args.kinds:
                print_kinds(key, plan, m)

    print("| file | protocol | estimate | measured | estimate / measured |")
    print("|---|---|---:|---:|---:|")
    worst = 1.0
    for path, protocol, est, got in rows:
        ratio = est / got if got > 0 else float("inf")
        worst = max(worst, ratio, 1 / ratio if ratio > 0 else float("inf"))
        print(f"| {path} | {protocol} | {human(est)} | {human(got)} | {ratio:.2f} |")
    print(f"\nworst factor: {worst:.2f}× ({len(rows)} plans)")
    return 0 if worst <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
