"""STDP-400 in Brian2's C++ standalone mode, the same work as benches/protocols/stdp400.sleep.

784 Poisson inputs (rate = pixel/255 × 63.75 Hz) → 400 conductance-based LIF neurons with
adaptive thresholds (Diehl & Cook's equations) and pair STDP on the input weights
(exponential traces, +0.01 × pre trace on a post spike, −0.0001 × post trace on a pre
spike, clipped to [0, 1]); 400 inhibitory neurons, one-to-one excitation (10.4) and
all-but-self inhibition (17): winner-take-all. 100 images of benches/protocols/data/mnist100-x.npy × (350 ms shown +
150 ms rest), dt 0.5 ms, one thread. Prints one JSON line (see README.md).
Usage: python stdp400_brian2.py [--seed N] [--samples 100] [--dir BUILD_DIR]
"""
import argparse
import json
import os
import tempfile

import numpy as np
from brian2 import (Hz, Network, PoissonGroup, TimedArray, defaultclock, device, ms, prefs, seed,
                    set_device)

from dc_network_brian2 import build

ap = argparse.ArgumentParser()
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--samples", type=int, default=100)
ap.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "somnia-peer-stdp400-brian2"))
a = ap.parse_args()

# The images benches/protocols/stdp400.sleep shows (the first 100 of data/mnist-10k).
here = os.path.dirname(os.path.abspath(__file__))
images = np.load(os.path.join(here, "..", "protocols", "data", "mnist100-x.npy"))
images = images.reshape(-1, 784)[: a.samples].astype(float)

set_device("cpp_standalone", directory=a.dir)
prefs.devices.cpp_standalone.openmp_threads = 0
seed(a.seed)
np.random.seed(a.seed)
defaultclock.dt = 0.5 * ms

# Rates in 50 ms slots: 7 slots (350 ms) showing an image, 3 slots (150 ms) of rest.
slots = np.zeros((10 * a.samples, 784))
for k, img in enumerate(images):
    slots[10 * k: 10 * k + 7] = img / 255.0 * 63.75
stimulus = TimedArray(slots * Hz, dt=50 * ms)
inp = PoissonGroup(784, rates="stimulus(t, i)")

objects, monitors = build(inp)

seconds = 0.5 * a.samples
# Explicit: `run` would only collect the objects named in this frame.
Network(inp, *objects, *monitors.values()).run(seconds * 1000 * ms)

n = {k: int(m.num_spikes) for k, m in monitors.items()}
print(json.dumps({
    "tool": "brian2",
    "workload": "stdp400",
    "seed": a.seed,
    "run_seconds": float(device._last_run_time),
    "spikes": n,
    "rate_hz": {"px": n["px"] / 784 / seconds, "exc": n["exc"] / 400 / seconds,
                "inh": n["inh"] / 400 / seconds},
}))
