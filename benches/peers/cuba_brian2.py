"""CUBA (Brette et al. 2007, Brian2's own example) in Brian2's C++ standalone mode.

4000 LIF neurons (3200 excitatory, 800 inhibitory), current-based exponential synapses,
connection probability 0.02, dt 0.1 ms, 1 s of biological time. Prints one JSON line:
the standalone run time (the C++ simulation loop, Brian2's own measurement), the spike
count and the mean rate. The whole-process time is measured by the driver around the
process. Usage: python cuba_brian2.py [--seed N] [--dir BUILD_DIR]
"""
import argparse
import json
import os
import tempfile

from brian2 import (NeuronGroup, SpikeMonitor, Synapses, defaultclock, device, ms, mV,
                    run, second, seed, set_device, prefs)

ap = argparse.ArgumentParser()
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "somnia-peer-cuba-brian2"))
a = ap.parse_args()

set_device("cpp_standalone", directory=a.dir)
prefs.devices.cpp_standalone.openmp_threads = 0  # one thread, like the somnia run
seed(a.seed)
defaultclock.dt = 0.1 * ms

taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
Vt, Vr, El = -50 * mV, -60 * mV, -49 * mV
eqs = """
dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
dge/dt = -ge/taue : volt
dgi/dt = -gi/taui : volt
"""
P = NeuronGroup(4000, eqs, threshold="v>Vt", reset="v = Vr", refractory=5 * ms, method="exact")
P.v = "Vr + rand() * (Vt - Vr)"
P.ge = 0 * mV
P.gi = 0 * mV
we = (60 * 0.27 / 10) * mV
wi = (-20 * 4.5 / 10) * mV
Ce = Synapses(P, P, on_pre="ge += we")
Ci = Synapses(P, P, on_pre="gi += wi")
Ce.connect("i<3200", p=0.02)
Ci.connect("i>=3200", p=0.02)
spikes = SpikeMonitor(P, record=False)

run(1 * second)

n = int(spikes.num_spikes)
print(json.dumps({
    "tool": "brian2",
    "workload": "cuba",
    "seed": a.seed,
    "run_seconds": float(device._last_run_time),
    "spikes": {"all": n},
    "rate_hz": {"all": n / 4000 / 1.0},
}))
