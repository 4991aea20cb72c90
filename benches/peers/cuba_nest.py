"""CUBA (Brette et al. 2007) in NEST 3.10, matched to cuba_brian2.py.

iaf_psc_exp neurons: tau_m 20 ms, E_L -49 mV, V_th -50 mV, V_reset -60 mV, t_ref 5 ms,
exponential currents (tau 5 ms excitatory, 10 ms inhibitory). Brian2's voltage jumps
(we = 1.62 mV, wi = -9 mV entering as g/tau_m) become current amplitudes J = w C_m / tau_m
with C_m = 250 pF: 20.25 pA and -112.5 pA. Pairwise Bernoulli connections, p = 0.02,
dt 0.1 ms, 1 s, one thread. Prints one JSON line like the Brian2 script; `run_seconds` is the
time of nest.Simulate. Usage: python cuba_nest.py [--seed N]
"""
import argparse
import json
import time

ap = argparse.ArgumentParser()
ap.add_argument("--seed", type=int, default=1)
a = ap.parse_args()

import nest  # noqa: E402  (after argument parsing: importing NEST prints a banner)

nest.verbosity = nest.VerbosityLevel.ERROR
nest.ResetKernel()
nest.SetKernelStatus({"resolution": 0.1, "local_num_threads": 1, "rng_seed": a.seed})

C_m, tau_m = 250.0, 20.0
params = {"C_m": C_m, "tau_m": tau_m, "E_L": -49.0, "V_th": -50.0, "V_reset": -60.0,
          "t_ref": 5.0, "tau_syn_ex": 5.0, "tau_syn_in": 10.0, "I_e": 0.0}
P = nest.Create("iaf_psc_exp", 4000, params=params)
P.V_m = nest.random.uniform(-60.0, -50.0)
exc, inh = P[:3200], P[3200:]
J_e = 1.62 * C_m / tau_m
J_i = -9.0 * C_m / tau_m
conn = {"rule": "pairwise_bernoulli", "p": 0.02}
nest.Connect(exc, P, conn, {"weight": J_e, "delay": 0.1})
nest.Connect(inh, P, conn, {"weight": J_i, "delay": 0.1})
rec = nest.Create("spike_recorder")
nest.Connect(P, rec)

t = time.perf_counter()
nest.Simulate(1000.0)
run_seconds = time.perf_counter() - t

n = int(rec.n_events)
print(json.dumps({
    "tool": "nest",
    "workload": "cuba",
    "seed": a.seed,
    "run_seconds": run_seconds,
    "spikes": {"all": n},
    "rate_hz": {"all": n / 4000 / 1.0},
}))
