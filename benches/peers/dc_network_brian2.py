"""The 784 → 400 network of the STDP-400 and sleep-400 workloads in Brian2, shared by
stdp400_brian2.py and sleep400_brian2.py (the same network as benches/protocols/*400.sleep).

400 conductance-based LIF neurons with Diehl & Cook's equations and adaptive thresholds,
integrated with `exponential_euler` (v exact for the step's conductances, conductances decayed
exactly, as somnia does); pair STDP on the input weights with exponential traces; 400
inhibitory neurons, one-to-one excitation (10.4) and all-but-self inhibition (17).
"""
from brian2 import NeuronGroup, SpikeMonitor, Synapses, ms, mV, second  # noqa: F401


def build(inp):
    """The network driven by `inp` (784 neurons) and spike monitors of the three groups;
    returns every object so the caller keeps them alive for `run`."""
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
    # somnia updates populations in flow order (input, exc, inh) within a step: exc reads the
    # inhibitory spikes of the step before, so inhibition arrives one step later than in
    # Brian2, where every spike of a step is delivered in that step. One dt of delay here
    # makes the two the same model.
    i2e.delay = 0.5 * ms
    monitors = {
        "px": SpikeMonitor(inp, record=False),
        "exc": SpikeMonitor(exc, record=False),
        "inh": SpikeMonitor(inh, record=False),
    }
    return [exc, inh, afferent, e2i, i2e], monitors
