#!/usr/bin/env python3
"""The authors' C++ (Golden et al. 2022) and somnia on the same stage sequence, side by side.

    python3 benches/peers/golden/side_by_side.py --unsupervised 100 --train 750 --test 20 \
            --seed 1 --arm sequential,interleaved

For each arm it runs `somnia run benches/peers/golden/paper.sleep -p ARM` with the lengths set
(or reads an existing outcome with `--somnia-out DIR`, which holds `<arm>/outcome.json`), reads
the C++ run of `run.py` (target/peers/spirit3/runs/U<u>_T<t>_E<e>/<arm>_seed<s>.json, run it
first with the same lengths), and prints per stage: the pairs eaten (rewarded/punished), the
fraction rewarded, and the time per aeon on both sides. The C++ column is CPU seconds of its
process; the somnia column is the wall time of each op as recorded in outcome.json (somnia
runs one op on one core). Python 3 standard library only.
"""

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


def run_somnia(args, arm, out):
    cmd = [
        args.somnia, "run", os.path.join(HERE, "paper.sleep"), "-p", arm, "-q", "--force",
        "--seed", str(args.seed), "--out", out,
        "--set", f"U={args.unsupervised}aeons", "--set", f"T={args.train}aeons",
        "--set", f"E={args.test}aeons",
    ]
    start = time.time()
    before = os.times()
    subprocess.run(cmd, check=False, cwd=ROOT)
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return time.time() - start, cpu


def somnia_stages(outcome, test):
    """(stage, aeons, rewarded, punished, seconds) per stage of the C++'s sequence."""
    ops, times = outcome["ops"], outcome["timing"]["ops"]
    stages = []

    def add(name, aeons, r, p, s):
        stages.append({"stage": name, "aeons": aeons, "rewarded": r, "punished": p, "seconds": s})

    tests_seen = 0
    second = {"r": 0, "p": 0, "s": 0.0, "moves": 0, "train": 0.0, "sleep": 0.0, "n_train": 0, "n_sleep": 0}
    for op, t in zip(ops, times):
        name = op["name"].split("#")[0]
        f = op.get("forage")
        if name == "explore":
            add("unsupervised", f["moves"] / 100, 0, 0, t)
        elif name == "train_1":
            add("train1", f["moves"] / 100, f["rewarded"], f["punished"], t)
        elif op["kind"] == "measure":
            # Two foraging tests per measure; the record holds their values only, so the
            # counts come from the metric rows (see below) and the time is split evenly.
            tests_seen += 1
            stage = "after train1" if tests_seen == 1 else "after train2"
            if tests_seen == 2:
                add("train2" if second["n_sleep"] == 0 else "interleavedSleepTrain2",
                    second["moves"] / 100, second["r"], second["p"], second["s"])
            add(f"tests {stage}", 2 * test, None, None, t)
        else:
            second["r"] += f["rewarded"]
            second["p"] += f["punished"]
            second["s"] += t
            second["moves"] += f["moves"]
            if op["kind"] == "wake":
                second["train"] += t
                second["n_train"] += 1
            else:
                second["sleep"] += t
                second["n_sleep"] += 1
    return stages, second


def metric_rows(outcome_dir):
    rows = {}
    with open(os.path.join(outcome_dir, "metrics.csv")) as f:
        header = f.readline().strip().split(",")
        for line in f:
            v = dict(zip(header, line.strip().split(",")))
            if v.get("metric") == "foraging":
                rows[(v["label"], v["task"])] = float(v["value"])
    return rows


def fmt(x, spec="{:.3f}"):
    return "–" if x is None else spec.format(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--unsupervised", type=int, default=100)
    ap.add_argument("--train", type=int, default=750)
    ap.add_argument("--test", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--arm", default="sequential,interleaved")
    ap.add_argument("--somnia", default=os.path.join(ROOT, "target", "release", "somnia"))
    ap.add_argument("--somnia-out", help="read existing somnia outcomes from DIR/<arm>/ instead of running")
    ap.add_argument("--cpp-dir", help="the C++ runs (default target/peers/spirit3/runs/U_T_E)")
    ap.add_argument("--json", help="write the merged tables here")
    args = ap.parse_args()
    tag = f"U{args.unsupervised}_T{args.train}_E{args.test}"
    cpp_dir = args.cpp_dir or os.path.join(ROOT, "target", "peers", "spirit3", "runs", tag)
    merged = {}
    for arm in args.arm.split(","):
        out = os.path.join(args.somnia_out, arm) if args.somnia_out else os.path.join(
            ROOT, "target", "peers", "somnia", tag, f"{arm}_seed{args.seed}")
        if not args.somnia_out:
            wall, cpu = run_somnia(args, arm, out)
            print(f"somnia {arm}: {wall:.0f} s wall, {cpu:.0f} s CPU", file=sys.stderr)
        with open(os.path.join(out, "outcome.json")) as f:
            outcome = json.load(f)
        stages, second = somnia_stages(outcome, args.test)
        tests = metric_rows(out)
        cpp = None
        path = os.path.join(cpp_dir, f"{arm}_seed{args.seed}.json")
        if os.path.exists(path):
            with open(path) as f:
                cpp = json.load(f)["stages"]
        cpp_by = {}
        if cpp:
            tests_n = 0
            for s in cpp:
                name = s["stage"]
                if name.startswith("test"):
                    tests_n += 1
                    name = f"{name} after {'train1' if tests_n <= 2 else 'train2'}"
                cpp_by[name] = s
        print(f"\n{arm}, seed {args.seed}, {tag}")
        print("| stage | aeons | somnia R/P | somnia frac | C++ R/P | C++ frac | somnia s/aeon | C++ CPU s/aeon |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        rows = []
        for s in stages:
            if s["stage"].startswith("tests"):
                after = s["stage"].split("after ")[1]
                label = "learnt_1" if after == "train1" else "after_2"
                for task, cname in (("test_1", "test1"), ("test_2", "test2")):
                    c = cpp_by.get(f"{cname} after {after}")
                    row = {"stage": f"{cname} after {after}", "aeons": args.test,
                           "somnia_frac": tests.get((label, task)),
                           "cpp_R": c and c["eaten_rewarded"], "cpp_P": c and c["eaten_punished"],
                           "cpp_frac": c and c["frac_rewarded"],
                           "somnia_s_per_aeon": s["seconds"] / (2 * args.test),
                           "cpp_cpu_s_per_aeon": c and c["cpu_s_per_aeon"]}
                    rows.append(row)
                continue
            c = cpp_by.get(s["stage"])
            r, p = s["rewarded"], s["punished"]
            rows.append({"stage": s["stage"], "aeons": s["aeons"], "somnia_R": r, "somnia_P": p,
                         "somnia_frac": r / (r + p) if r + p else None,
                         "cpp_R": c and c["eaten_rewarded"], "cpp_P": c and c["eaten_punished"],
                         "cpp_frac": c and c["frac_rewarded"],
                         "somnia_s_per_aeon": s["seconds"] / s["aeons"] if s["aeons"] else None,
                         "cpp_cpu_s_per_aeon": c and c["cpu_s_per_aeon"]})
        for r in rows:
            srp = f"{r['somnia_R']}/{r['somnia_P']}" if "somnia_R" in r else "–"
            crp = f"{r['cpp_R']}/{r['cpp_P']}" if r.get("cpp_R") is not None else "–"
            print(f"| {r['stage']} | {r['aeons']:g} | {srp} | {fmt(r['somnia_frac'])} | {crp} | "
                  f"{fmt(r['cpp_frac'])} | {fmt(r['somnia_s_per_aeon'])} | {fmt(r['cpp_cpu_s_per_aeon'])} |")
        if second["n_sleep"]:
            print(f"(somnia {arm}: train aeons {second['train'] / second['n_train']:.3f} s, "
                  f"sleep aeons {second['sleep'] / second['n_sleep']:.3f} s)")
        merged[arm] = rows
    if args.json:
        with open(args.json, "w") as f:
            json.dump(merged, f, indent=1)


if __name__ == "__main__":
    main()
