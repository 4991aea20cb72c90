//! Recorders: what a protocol's `record` setting keeps of the network's activity during its
//! spiking phases (spike trains, population rates, state traces), written beside the outcome
//! as numpy files (docs/outcome.md, "Recordings").

use super::{Builtin, Kind, Range, Ty, builtin, param};
use crate::units::Dim;

const POP: Ty = Ty::Population;
const DURING: Ty = Ty::OneOf(&[Ty::Phase, Ty::List(&Ty::Phase)]);
const DURING_DOC: &str =
    "the phases recorded (each of their calls); every spiking phase of the run if left out";

/// The help of a recorder written in a phase's `record` (input rates for a replay): it
/// belongs to the protocol.
pub const RECORDER_PLACE: &str =
    "recorders (`spikes`, `rates`, `state`) go in the protocol: `record spikes(h, during = nap)`";

pub const RECORDERS: &[Builtin] = &[
    builtin("spikes", Kind::Recorder, "every spike of a population: its time and neuron index (as Brian2's SpikeMonitor `t`, `i`)", &[
        param("population", POP, "the population recorded"),
        param("during", DURING, DURING_DOC).optional(),
    ]),
    builtin("rates", Kind::Recorder, "a population's mean firing rate in consecutive bins (as Brian2's PopulationRateMonitor, binned)", &[
        param("population", POP, "the population recorded"),
        param("bin", Ty::Num(Dim::TIME), "the bin width (rounded to whole steps, at least one)").num(0.01).range(Range::Positive),
        param("during", DURING, DURING_DOC).optional(),
    ]),
    builtin("state", Kind::Recorder, "a state variable of some neurons at every step (as Brian2's StateMonitor), after the step's update and reset", &[
        param("population", POP, "the population recorded (a simulated one, not an input)"),
        param("variable", Ty::Symbol(&["v", "threshold", "theta", "ge", "gi"]), "`v`: the membrane potential; `threshold`: the firing threshold with its adaptation; `theta`: the adaptation alone; `ge`: the excitatory synaptic variable (the current of `current`/`current_ei` synapses, the conductance of `conductance` ones); `gi`: the inhibitory one").sym("v"),
        param("neurons", Ty::List(&Ty::Num(Dim::NONE)), "the indices of the neurons recorded (0-based); every neuron if left out").optional(),
        param("during", DURING, DURING_DOC).optional(),
    ]),
];
