#!/usr/bin/env python3
"""Run the authors' C++ simulator (spirit143, Golden et al. 2022) on a stage
sequence with scaled lengths and report per-stage performance and timing.

Build it first:  SPIRIT_SRC=/tmp/spirit benches/peers/golden/build.sh

  python3 benches/peers/golden/run.py --unsupervised 100 --train 300 --test 50 \
      --seeds 1,2,3 --arm sequential,interleaved --jobs 2

Arms (stage names exactly as in classes/stageManager.h:44-89):
  sequential : unsupervised U; freezeInputHiddenWeights; train1 T; test1 E; test2 E;
               train2 T; test1 E; test2 E          (= stageConfigs/train1Train2Train1
               minus the last train1, i.e. the paper's "train1 then train2" arm)
  interleaved: same, with interleavedSleepTrain2 T instead of train2
               (= stageConfigs/InterleavedNoiseTrainTask2.config, the makefile's
               `interleavedSleepTrain2` target; T aeons alternate 1 aeon task-2
               training / 1 aeon sleep, so only T/2 aeons are task-2 training)

Stage lengths are in aeons (StageManager::aeonHandler decrements
durationRemaining once per aeon, stageManager.cpp:117-124); 1 aeon = 100 epochs
(spirit.cpp:69), 1 epoch = 600 steps = one move (timeStructure.h:14).

Performance = the C++'s own number: Critter::getInstantaneousFoodAverage(), the
mean of a 100-slot ring of the last task-relevant particles eaten (1 rewarded,
0 punished; irrelevant particles are not entered), reset to all-0.5 at every stage
change (stageManager.cpp:104, critter.cpp:15-36). It is logged once per aeon as
column 5 of happiness.out.<seed> (spirit.cpp:270-277). The line for aeon k is
written at the start of aeon k, i.e. it shows the state after aeon k-1; a stage
starting at aeon S (stagesStartTimes) with D aeons owns lines S+1..S+D and line
S+D is its end-of-stage value. We also count rewarded/punished particles per
stage from eatenFood.out.<seed> (environment.cpp:324-335).

Timing: the happiness line is flushed (std::endl) when each aeon starts; we poll
the file and timestamp new lines, so wall time per aeon = difference of arrival
times (resolution ~ --poll seconds). Run with --jobs 1 for timing.

Stdlib only. Output: one JSON file per (arm, seed) in --out, and a combined JSON
on stdout.
"""
import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
DEFAULT_SRC = os.path.join(ROOT, "target", "peers", "spirit3", "src")

CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
STEPS_PER_EPOCH = 600
EPOCHS_PER_AEON = 100
STEPS_PER_AEON = STEPS_PER_EPOCH * EPOCHS_PER_AEON

TRAIN2_STAGE = {"sequential": "train2", "interleaved": "interleavedSleepTrain2"}


def stage_list(arm, U, T, E):
    return [
        ("unsupervised", U),
        ("freezeInputHiddenWeights", None),
        ("train1", T),
        ("test1", E),
        ("test2", E),
        (TRAIN2_STAGE[arm], T),
        ("test1", E),
        ("test2", E),
    ]


def write_config(path, stages):
    with open(path, "w") as f:
        for name, d in stages:
            f.write(f"{name}\t{d}\n" if d is not None else f"{name}\n")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def describe_network(path):
    """Counts of connections by (pre layer, post layer, sign) and connected output cells."""
    c = Counter()
    out_cells = set()
    hid_out = Counter()
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) != 7:
                continue
            rz, ry, rx, oz, oy, ox, w = p
            w = float(w)
            c[(int(rz), int(oz), "exc" if w > 0 else "inh")] += 1
            if oz == "2":
                out_cells.add((int(ox), int(oy)))
                if w > 0:
                    hid_out[(int(ox), int(oy))] += 1
    return {
        "file": path,
        "sha256": sha256(path),
        "layers": {"input": "7x7=49", "hidden": "28x28=784",
                   "output": "9x9=81, read as 3x3 direction groups of 3x3 cells (centre group ignored)"},
        "connections": {f"{a}->{b} {s}": n for (a, b, s), n in sorted(c.items())},
        "connected_output_cells_xy": sorted(out_cells),
        "exc_fan_in_per_connected_output_cell": sorted(set(hid_out.values())),
        "generator": "sin_network_parametrized -r_direction_i 1 -r_direction_j 1 -network 1.conn; "
                     "grep -v '^0.*-' (makefile target networkSweep); default glibc seed (no srand)",
    }


def read_happiness(path):
    rows = {}
    if not os.path.exists(path):
        return rows
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) >= 7:
                rows[int(p[0])] = {
                    "happy": float(p[1]), "judgement": float(p[2]), "perf": float(p[4]),
                    "hidden_spikes": int(p[5]), "output_spikes": int(p[6]),
                }
    return rows


def read_stage_starts(path):
    out = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) == 2:
                out.append((p[0], int(p[1])))
    return out


def read_eaten(path):
    out = []
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) >= 3:
                out.append((int(p[0]), int(p[1]), int(p[2])))  # ctime, pattern, env_state
    return out


class Run:
    def __init__(self, args, arm, seed):
        self.arm, self.seed = arm, seed
        self.stages = stage_list(arm, args.unsupervised, args.train, args.test)
        tag = f"{arm}_seed{seed}"
        self.dir = os.path.join(args.out, tag)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.config = os.path.join(self.dir, "stages.config")
        write_config(self.config, self.stages)
        self.logdir = os.path.join(self.dir, "out")
        self.cmd = [args.bin, "-output_location", self.logdir, "-init_network", args.network,
                    "-init_stages", self.config, "-suffix", str(seed)] + args.extra
        self.happy = os.path.join(self.logdir, f"happiness.out.{seed}")
        self.arrivals = {}  # aeon -> wall time of the happiness line
        self.cpu = {}  # aeon -> process CPU seconds (utime+stime) when the line arrived
        self._buf = ""
        self._pos = 0

    def start(self):
        self.stdout = open(os.path.join(self.dir, "stdout.txt"), "w")
        self.stderr = open(os.path.join(self.dir, "stderr.txt"), "w")
        self.t0 = time.time()
        self.proc = subprocess.Popen(self.cmd, stdout=self.stdout, stderr=self.stderr)
        self.rusage = None
        self.load_start = os.getloadavg()

    def reap(self):
        """Non-blocking wait4: returns True when the process has ended (keeps its rusage)."""
        pid, status, ru = os.wait4(self.proc.pid, os.WNOHANG)
        if pid == 0:
            return False
        self.rusage = ru
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        self.load_end = os.getloadavg()
        return True

    def cpu_seconds(self):
        try:
            with open(f"/proc/{self.proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / CLK_TCK
        except (OSError, IndexError, ValueError):
            return None

    def poll_lines(self):
        now = time.time()
        cpu = self.cpu_seconds()
        try:
            with open(self.happy) as f:
                f.seek(self._pos)
                data = f.read()
                self._pos = f.tell()
        except FileNotFoundError:
            return
        self._buf += data
        while "\n" in self._buf:
            line, self._buf = self._buf.split("\n", 1)
            p = line.split()
            if p:
                self.arrivals.setdefault(int(p[0]), now - self.t0)
                if cpu is not None:
                    self.cpu.setdefault(int(p[0]), cpu)

    def finish(self, keep_logs):
        self.t_end = time.time() - self.t0
        ru = self.rusage
        self.cpu_total = (ru.ru_utime + ru.ru_stime) if ru else None
        self.stdout.close()
        self.stderr.close()
        try:
            res = self.analyse()
        except (OSError, AssertionError, KeyError, StopIteration) as e:
            res = {"arm": self.arm, "seed": self.seed, "returncode": self.proc.returncode,
                   "command": " ".join(self.cmd), "error": f"analysis failed: {e!r}",
                   "wall_s_total": self.t_end, "cpu_s_total": self.cpu_total,
                   "summary": {}}
        if not keep_logs:
            for fn in os.listdir(self.logdir):
                if fn.startswith("output.conn.") or fn.startswith("spike_times.out"):
                    os.remove(os.path.join(self.logdir, fn))
        return res

    def analyse(self):
        rc = self.proc.returncode
        rows = read_happiness(self.happy)
        sfile = os.path.join(self.logdir, f"stagesStartTimes.{self.seed}")
        if os.path.exists(sfile):
            starts = read_stage_starts(sfile)
            complete = True
        else:  # unfinished run: the C++ writes stagesStartTimes only at exit
            starts, t = [], 0
            for name, d in self.stages:
                starts.append((name, t))
                t += d or 0
            complete = False
        eaten = read_eaten(os.path.join(self.logdir, f"eatenFood.out.{self.seed}"))
        arr = self.arrivals
        stages = []
        for idx, ((name, d), (lname, S)) in enumerate(zip(self.stages, starts)):
            assert name == lname, (name, lname)
            if d is None:
                continue
            lines = [rows[k]["perf"] for k in range(S + 1, S + d + 1) if k in rows]
            if not lines and not complete:
                stages.append({"index": idx, "stage": name, "start_aeon": S, "aeons": d,
                               "aeons_done": 0, "perf_end": None, "perf_mean": None,
                               "frac_rewarded": None})
                continue
            lo, hi = S * STEPS_PER_AEON, (S + d) * STEPS_PER_AEON
            ev = [e for e in eaten if lo <= e[0] < hi]
            rew = sum(1 for e in ev if e[2] > 0)
            pun = sum(1 for e in ev if e[2] < 0)
            irr = sum(1 for e in ev if e[2] == 0)
            st = {
                "index": idx, "stage": name, "start_aeon": S, "aeons": d,
                "aeons_done": len(lines),
                "perf_end": rows[S + d]["perf"] if (S + d) in rows else None,
                "perf_last": lines[-1] if lines else None,
                "perf_mean": statistics.fmean(lines) if lines else None,
                "perf_mean_2nd_half": statistics.fmean(lines[len(lines) // 2:]) if lines else None,
                "eaten_rewarded": rew, "eaten_punished": pun, "eaten_irrelevant": irr,
                "frac_rewarded": rew / (rew + pun) if rew + pun else None,
            }
            if S in arr and (S + d) in arr:
                w = arr[S + d] - arr[S]
                st["wall_s"] = w
                st["s_per_aeon"] = w / d
                per = [arr[S + k + 1] - arr[S + k] for k in range(d) if S + k in arr and S + k + 1 in arr]
                if name.startswith("interleavedSleep"):
                    # durationCompleted even -> task-2 training aeon, odd -> sleep aeon
                    tr = per[0::2]
                    sl = per[1::2]
                    st["s_per_aeon_train_part"] = statistics.fmean(tr) if tr else None
                    st["s_per_aeon_sleep_part"] = statistics.fmean(sl) if sl else None
            cp = self.cpu
            if S in cp and (S + d) in cp:
                st["cpu_s"] = cp[S + d] - cp[S]
                st["cpu_s_per_aeon"] = (cp[S + d] - cp[S]) / d
                if name.startswith("interleavedSleep"):
                    per = [cp[S + k + 1] - cp[S + k] for k in range(d) if S + k in cp and S + k + 1 in cp]
                    st["cpu_s_per_aeon_train_part"] = statistics.fmean(per[0::2]) if per[0::2] else None
                    st["cpu_s_per_aeon_sleep_part"] = statistics.fmean(per[1::2]) if per[1::2] else None
            stages.append(st)

        def pick(i):
            return next((s for s in stages if s["index"] == i), {})
        summ = {
            "task1_after_train1": pick(3).get("perf_end"),
            "task2_after_train1": pick(4).get("perf_end"),
            "task1_after_train2": pick(6).get("perf_end"),
            "task2_after_train2": pick(7).get("perf_end"),
            "task1_after_train1_mean": pick(3).get("perf_mean"),
            "task2_after_train1_mean": pick(4).get("perf_mean"),
            "task1_after_train2_mean": pick(6).get("perf_mean"),
            "task2_after_train2_mean": pick(7).get("perf_mean"),
            "task1_after_train1_frac": pick(3).get("frac_rewarded"),
            "task1_after_train2_frac": pick(6).get("frac_rewarded"),
            "task2_after_train2_frac": pick(7).get("frac_rewarded"),
        }
        total_aeons = max(rows) if rows else None
        return {
            "arm": self.arm, "seed": self.seed, "returncode": rc, "complete": complete,
            "command": " ".join(self.cmd),
            "stages_config": [f"{n} {d}" if d is not None else n for n, d in self.stages],
            "stages": stages, "summary": summ,
            "wall_s_total": self.t_end,
            "cpu_s_total": self.cpu_total,
            "loadavg_1_5_15_at_start": self.load_start,
            "loadavg_1_5_15_at_end": self.load_end,
            "aeons_simulated": total_aeons,  # = sum of lengths + 1 trailing aeon (see RESULTS.md)
            "s_per_aeon_total": self.t_end / total_aeons if total_aeons and self.t_end else None,
            "cpu_s_per_aeon_total": self.cpu_total / total_aeons if total_aeons and self.cpu_total else None,
            "curve": {k: rows[k]["perf"] for k in sorted(rows)},
        }


def analyse_existing(run_dir):
    run_dir = os.path.abspath(run_dir)
    arm, seed = os.path.basename(run_dir.rstrip("/")).rsplit("_seed", 1)
    r = Run.__new__(Run)
    r.arm, r.seed, r.dir = arm, int(seed), run_dir
    r.stages = []
    with open(os.path.join(run_dir, "stages.config")) as f:
        for line in f:
            p = line.split()
            if p:
                r.stages.append((p[0], int(p[1]) if len(p) > 1 else None))
    r.logdir = os.path.join(run_dir, "out")
    r.happy = os.path.join(r.logdir, f"happiness.out.{r.seed}")
    r.cmd = ["(analysed from files)", run_dir]
    r.arrivals, r.cpu = {}, {}

    class P:  # minimal stand-in for the Popen object
        returncode = None
    r.proc = P()
    r.t_end, r.cpu_total = None, None
    r.load_start = r.load_end = None
    res = r.analyse()
    res["note"] = "analysed from files; no per-stage timing"
    return res


def _f(x, nd=3):
    return "–" if x is None else (f"{x:.{nd}f}" if isinstance(x, float) else str(x))


def print_table(paths):
    res = []
    for p in paths:
        with open(p) as f:
            d = json.load(f)
        res.extend(d if isinstance(d, list) else [d])
    print("| arm | seed | stage | aeons | perf_end | perf_mean | rewarded/punished | frac_rewarded | wall s/aeon | CPU s/aeon |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in res:
        for st in r["stages"]:
            print(f"| {r['arm']} | {r['seed']} | {st['index']}:{st['stage']} | "
                  f"{st.get('aeons_done', st['aeons'])}/{st['aeons']} | {_f(st.get('perf_end'))} | "
                  f"{_f(st.get('perf_mean'))} | {st.get('eaten_rewarded', '–')}/{st.get('eaten_punished', '–')} | "
                  f"{_f(st.get('frac_rewarded'))} | {_f(st.get('s_per_aeon'))} | {_f(st.get('cpu_s_per_aeon'))} |")


def machine():
    model = ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu_model": model, "platform": platform.platform()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--unsupervised", type=int, help="aeons")
    ap.add_argument("--train", type=int, help="aeons (train1 and train2 / interleavedSleepTrain2)")
    ap.add_argument("--test", type=int, help="aeons (each test1/test2)")
    ap.add_argument("--seeds", default="1", help="comma list; passed as -suffix (srand seed)")
    ap.add_argument("--arm", default="sequential", help="sequential, interleaved, or both comma-separated")
    ap.add_argument("--jobs", type=int, default=1, help="parallel processes (use 1 for timing)")
    ap.add_argument("--src", default=DEFAULT_SRC)
    ap.add_argument("--bin", default=None)
    ap.add_argument("--network", default=None, help="default: <src>/networkConnectivity/1.conn (paper)")
    ap.add_argument("--out", default=None)
    ap.add_argument("--poll", type=float, default=0.02)
    ap.add_argument("--keep-logs", action="store_true", help="keep output.conn.* and spike_times.out.*")
    ap.add_argument("--no-curve", action="store_true", help="omit per-aeon curve from JSON")
    ap.add_argument("--analyse", nargs="+", metavar="RUN_DIR",
                    help="only (re-)analyse existing run dirs <out>/<arm>_seed<seed> (also unfinished ones); "
                         "no timing except the process CPU read now if it is still running")
    ap.add_argument("--table", nargs="+", metavar="JSON",
                    help="print a markdown table of per-stage results from run.py JSON files")
    ap.add_argument("extra", nargs="*", help="extra spirit143 args after --, e.g. -- -applyPunishment 1")
    args = ap.parse_args()
    args.bin = os.path.abspath(args.bin or os.path.join(args.src, "spirit143"))
    args.network = os.path.abspath(args.network or os.path.join(args.src, "networkConnectivity", "1.conn"))
    if not os.path.exists(args.bin):
        sys.exit(f"{args.bin} missing: run benches/peers/golden/build.sh first")
    if args.table:
        print_table(args.table)
        return
    if args.analyse:
        out = [analyse_existing(d) for d in args.analyse]
        json.dump(out, sys.stdout, indent=1)
        print()
        return
    if None in (args.unsupervised, args.train, args.test):
        ap.error("--unsupervised, --train and --test are required")
    arms = ["sequential", "interleaved"] if args.arm == "both" else args.arm.split(",")
    for a in arms:
        if a not in TRAIN2_STAGE:
            sys.exit(f"unknown arm {a}")
    seeds = [int(s) for s in args.seeds.split(",") if s]
    args.out = os.path.abspath(args.out or os.path.join(
        ROOT, "target", "peers", "spirit3", "runs", f"U{args.unsupervised}_T{args.train}_E{args.test}"))
    os.makedirs(args.out, exist_ok=True)

    pending = [Run(args, a, s) for a in arms for s in seeds]
    running, results = [], []
    while pending or running:
        while pending and len(running) < args.jobs:
            r = pending.pop(0)
            r.start()
            running.append(r)
            print(f"started {r.arm} seed {r.seed}: {' '.join(r.cmd)}", file=sys.stderr)
        time.sleep(args.poll)
        for r in list(running):
            r.poll_lines()
            if r.reap():
                r.poll_lines()
                res = r.finish(args.keep_logs)
                res["machine"] = machine()
                res["jobs_in_parallel"] = args.jobs
                res["network"] = describe_network(args.network)
                if args.no_curve:
                    res.pop("curve")
                with open(os.path.join(args.out, f"{r.arm}_seed{r.seed}.json"), "w") as f:
                    json.dump(res, f, indent=1)
                s = res["summary"]
                print(f"done {r.arm} seed {r.seed} rc={res['returncode']} {res['wall_s_total']:.1f}s "
                      f"T1|train1={s.get('task1_after_train1')} T2|train1={s.get('task2_after_train1')} "
                      f"T1|train2={s.get('task1_after_train2')} T2|train2={s.get('task2_after_train2')}",
                      file=sys.stderr)
                results.append(res)
                running.remove(r)
    json.dump(results, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
