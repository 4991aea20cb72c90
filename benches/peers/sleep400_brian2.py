"""sleep-400 in Brian2's C++ standalone mode, the same work as benches/protocols/sleep400.sleep.

The STDP-400 network (stdp400_brian2.py) for 10 s of input noise: every input fires Poisson
at 2 Hz × (1 + 0.5 sin 2π·1 Hz·t), STDP on, dt 0.5 ms, one thread. Prints one JSON line (see
README.md). Usage: python sleep400_brian2.py [--seed N] [--dir BUILD_DIR]
"""
import argparse
import json
import os
import tempfile

from brian2 import (Hz, NeuronGroup, PoissonGroup, SpikeMonitor, Synapses, defaultclock,
                    device, ms, mV, prefs, run, second, seed, set_device)

ap = argparse.ArgumentParser()
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "somnia-peer-sleep400-brian2"))
a = ap.parse_args()

set_device("cpp_standalone", directory=a.dir)
prefs.devices.cpp_standalone.openmp_threads = 0
seed(a.seed)
defaultclock.dt = 0.5 * ms

inp = PoissonGroup(784, rates="2*Hz*(1 + 0.5*sin(2*pi*1*Hz*t))")

exc = NeuronGroup(400, """
dv/dt = ((-65*mV - v) + ge*(0*mV - v) + gi*(-100*mV - v)) / (100*ms) : volt (unless refractory)
dge/dt = -ge / (1*ms) : 1
dgi/dt = -gi / (2*ms) : 1
dtheta/dt = -theta / (10000*second) : volt
""", threshold="v > -52*mV + theta", reset="v = -65*mV; theta += 0.05*mV",
    refractory=5 * ms, method="exponential_euler")
exc.v = -65 * mV
inh = NeuronGroup(400, """
dv/dt = ((-60*mV - v) + ge*(0*mV - v) + gi*(-85*mV - v)) / (10*ms) : volt (unless refractory)
dge/dt = -ge / (1*ms) : 1
dgi/dt = -gi / (2*ms) : 1
""", threshold="v > -40*mV", reset="v = -45*mV", refractory=2 * ms, method="exponential_euler")
inh.v = -60 * mV

afferent = Synapses(inp, exc, """
w : 1
dpre/dt = -pre / (20*ms) : 1 (event-driven)
dpost/dt = -post / (20*ms) : 1 (event-driven)
""", on_pre="""
ge_post += w
pre += 1
w = clip(w - 0.0001 * post, 0, 1)
""", on_post="""
post += 1
w = clip(w + 0.01 * pre, 0, 1)
""")
afferent.connect()
afferent.w = "0.003 + 0.3 * rand()"
e2i = Synapses(exc, inh, on_pre="ge_post += 10.4")
e2i.connect(j="i")
i2e = Synapses(inh, exc, on_pre="gi_post += 17")
i2e.connect(condition="i != j")

s_inp = SpikeMonitor(inp, record=False)
s_exc = SpikeMonitor(exc, record=False)
s_inh = SpikeMonitor(inh, record=False)

seconds = 10.0
run(seconds * second)

n = {"px": int(s_inp.num_spikes), "exc": int(s_exc.num_spikes), "inh": int(s_inh.num_spikes)}
print(json.dumps({
    "tool": "brian2",
    "workload": "sleep400",
    "seed": a.seed,
    "run_seconds": float(device._last_run_time),
    "spikes": n,
    "rate_hz": {"px": n["px"] / 784 / seconds, "exc": n["exc"] / 400 / seconds,
                "inh": n["inh"] / 400 / seconds},
}))
