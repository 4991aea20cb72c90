"""sleep-400 in Brian2's C++ standalone mode, the same work as benches/protocols/sleep400.sleep.

The STDP-400 network (stdp400_brian2.py) for 10 s of input noise: every input fires Poisson
at 2 Hz × (1 + 0.5 sin 2π·1 Hz·t), STDP on, dt 0.5 ms, one thread. Prints one JSON line (see
README.md). Usage: python sleep400_brian2.py [--seed N] [--dir BUILD_DIR]
"""
import argparse
import json
import os
import tempfile

from brian2 import (Network, PoissonGroup, defaultclock, device, ms, prefs, second, seed,
                    set_device)

from dc_network_brian2 import build

ap = argparse.ArgumentParser()
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "somnia-peer-sleep400-brian2"))
a = ap.parse_args()

set_device("cpp_standalone", directory=a.dir)
prefs.devices.cpp_standalone.openmp_threads = 0
seed(a.seed)
defaultclock.dt = 0.5 * ms

inp = PoissonGroup(784, rates="2*Hz*(1 + 0.5*sin(2*pi*1*Hz*t))")

objects, monitors = build(inp)

seconds = 10.0
# Explicit: `run` would only collect the objects named in this frame.
Network(inp, *objects, *monitors.values()).run(seconds * second)

n = {k: int(m.num_spikes) for k, m in monitors.items()}
print(json.dumps({
    "tool": "brian2",
    "workload": "sleep400",
    "seed": a.seed,
    "run_seconds": float(device._last_run_time),
    "spikes": n,
    "rate_hz": {"px": n["px"] / 784 / seconds, "exc": n["exc"] / 400 / seconds,
                "inh": n["inh"] / 400 / seconds},
}))
