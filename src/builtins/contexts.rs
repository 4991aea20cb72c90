//! The settings of each kind of block: phases of each kind, `connect` blocks, protocols.

use super::{Kind, Param, PhaseKind, Range, Ty, param};
use crate::units::Dim;

/// The settings one kind of block accepts.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// "a wake phase", "a `connect` block".
    pub name: &'static str,
    pub params: &'static [Param],
}

impl Context {
    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.name == name)
    }
}

const RULES: Ty = Ty::List(&Ty::Rule);
const MODULATORS: Ty = Ty::List(&Ty::Builtin(Kind::Modulator));
const MODEL: Ty = Ty::Builtin(Kind::NeuronModel);

/// The settings of a wake phase.
pub const WAKE: Context = Context {
    name: "a wake phase",
    params: &[
        param("data", Ty::OneOf(&[Ty::Tasks, Ty::Dataset]), "the tasks whose training samples are presented (required, unless the phase runs in an `environment`)").optional(),
        param("environment", Ty::Environment, "run closed-loop in this environment instead of showing `data`: the world drives the input population, the output population's vote moves the agent, what it eats is the dopamine").optional(),
        param("length", Ty::OneOf(&[Ty::Num(Dim::EPOCHS), Ty::Num(Dim::SAMPLES), Ty::Num(Dim::MOVES)]), "how long the phase runs (required): `2 epochs` or `5000 samples`; in an environment, `2000 moves` or `20 aeons`")
            .optional()
            .range(Range::Positive),
        param("dynamics", MODEL, "the neuron model for the phase, on all layers or `on` some")
            .builtin("relu")
            .repeat()
            .targets(),
        param("plasticity", RULES, "the rules that change weights in this phase; everything else is frozen").optional(),
        param("dt", Ty::Num(Dim::TIME), "the time step of spiking wake phases").num(0.0005).range(Range::Positive),
        param("present", Ty::Num(Dim::TIME), "how long each sample is shown to a spiking network").num(0.35).range(Range::Positive),
        param("rest", Ty::Num(Dim::TIME), "silence after each sample, letting the network settle").num(0.15).range(Range::NonNegative),
        param("encode", Ty::BuiltinOf(Kind::Drive, &["poisson", "bernoulli"]), "how a sample becomes input spikes in a spiking phase: its pixel value × `max_rate` (`bernoulli`: × 2, SRC's coding)").builtin("poisson"),
        param("retry", Ty::Num(Dim::NONE), "show a sample again, with higher rates, while the network fires fewer spikes than this")
            .num(0.0)
            .range(Range::NonNegative)
            .whole(),
        param("modulate", MODULATORS, "oscillations or noise during the phase").optional(),
        param("shuffle", Ty::Bool, "present the samples in a fresh random order each epoch; `false` keeps the dataset's order (Diehl & Cook, peer benchmarks)").bool(true).unrecorded(),
        param("dopamine", Ty::Builtin(Kind::Dopamine), "in an environment: where the reward rules' dopamine comes from (default `rewards()`: +1 rewarded, −0.001 punished, −0.0001 otherwise)").optional(),
        param("record", Ty::Population, "in an environment: count each cell's spikes per move of this population, for a later `recorded_kicks(...)` drive").optional(),
    ],
};

/// The settings of an nrem or rem phase.
pub const SLEEP: Context = Context {
    name: "a sleep phase",
    params: &[
        param(
            "length",
            Ty::OneOf(&[Ty::Num(Dim::STEPS), Ty::Num(Dim::TIME), Ty::Num(Dim::MOVES)]),
            "how long the phase runs (required): `15000 steps` or `10 s`; a length of 0 skips the phase (the 0 % arm of a sweep); in an environment, `100 moves` or `1 aeon`",
        )
        .optional()
        .range(Range::NonNegative),
        param("dt", Ty::Num(Dim::TIME), "the time step")
            .num(0.001)
            .range(Range::Positive),
        param(
            "dynamics",
            MODEL,
            "the neuron model for the phase, on all layers or `on` some",
        )
        .builtin("integrate_fire")
        .repeat()
        .targets(),
        param(
            "scale",
            Ty::OneOf(&[
                Ty::Builtin(Kind::Recipe),
                Ty::List(&Ty::Num(Dim::NONE)),
                Ty::Num(Dim::NONE),
            ]),
            "per-layer factors on the input current (`scale by activation_max(seen) * 55.9`)",
        )
        .num(1.0),
        param("drive", Ty::Builtin(Kind::Drive), "the input during sleep")
            .builtin("silence")
            .window(),
        param(
            "modulate",
            MODULATORS,
            "oscillations that multiply the drive, or membrane noise",
        )
        .optional(),
        param(
            "plasticity",
            RULES,
            "the rules that change weights in this phase; everything else is frozen",
        )
        .optional(),
        param(
            "record",
            Ty::OneOf(&[Ty::Bool, Ty::Population]),
            "record the input rates of this phase for a later `recorded_rates(...)` drive; in an environment, a population whose spikes per move a later `recorded_kicks(...)` replays",
        )
        .bool(false),
        param(
            "environment",
            Ty::Environment,
            "sleep in this environment, emptied: the agent keeps stepping and moving but finds no food; its input is the `drive` (`recorded_kicks`)",
        )
        .optional(),
        param(
            "dopamine",
            Ty::Builtin(Kind::Dopamine),
            "in an environment: the reward rules' dopamine at every move (default `tonic(0.5)`)",
        )
        .optional(),
    ],
};

/// The settings of a perturb phase.
pub const PERTURB: Context = Context {
    name: "a perturb phase",
    params: &[param(
        "apply",
        Ty::Builtin(Kind::Perturbation),
        "a shock applied once, at the start of the phase",
    )
    .repeat()
    .targets()],
};

/// The settings of a wake phase also accepted by sleep phases and vice versa are listed once
/// per context; this finds the context of a phase kind.
pub fn context_for_phase(kind: PhaseKind) -> &'static Context {
    match kind {
        PhaseKind::Wake => &WAKE,
        PhaseKind::Nrem | PhaseKind::Rem => &SLEEP,
        PhaseKind::Perturb => &PERTURB,
    }
}

/// Every phase kind with its doc.
pub fn phase_kinds() -> &'static [(PhaseKind, &'static str)] {
    &[
        (
            PhaseKind::Wake,
            "learning from data: rate units trained by backprop, or spiking neurons shown samples",
        ),
        (
            PhaseKind::Nrem,
            "offline replay: spiking dynamics, a generated drive, slow oscillations, local plasticity",
        ),
        (
            PhaseKind::Rem,
            "offline reorganisation: desynchronised activity with theta/gamma modulation, exploration",
        ),
        (
            PhaseKind::Perturb,
            "a shock (lesion, weight noise, silencing, interference) after which recovery is measured",
        ),
    ]
}

/// The settings of a `connect` block.
pub const CONNECT: Context = Context {
    name: "a `connect` block",
    params: &[
        param(
            "connectivity",
            Ty::Builtin(Kind::Connectivity),
            "which pairs of neurons are connected",
        )
        .builtin("dense"),
        param(
            "init",
            Ty::OneOf(&[
                Ty::Builtin(Kind::Init),
                Ty::Num(Dim::NONE),
                Ty::Num(Dim::VOLTAGE),
            ]),
            "the initial weights (a voltage is its value in volts: for `lif` targets, the jump of v or of the current a spike causes)",
        )
        .builtin("glorot"),
        param(
            "bias",
            Ty::Bool,
            "a bias per post-synaptic unit (rate dynamics)",
        )
        .bool(true),
        param(
            "sign",
            Ty::Symbol(&["any", "excitatory", "inhibitory"]),
            "keep every weight ≥ 0 (`excitatory`) or ≤ 0 (`inhibitory`)",
        )
        .sym("any"),
        param(
            "bounds",
            Ty::List(&Ty::Num(Dim::NONE)),
            "`[min, max]`: weights are clipped into this interval",
        )
        .optional(),
        param(
            "delay",
            Ty::Num(Dim::TIME),
            "the transmission delay of spikes",
        )
        .num(0.0)
        .range(Range::NonNegative),
        param(
            "delay_jitter",
            Ty::Num(Dim::TIME),
            "each synapse's delay is drawn from [delay, delay + jitter]",
        )
        .num(0.0)
        .range(Range::NonNegative),
        param(
            "plastic",
            Ty::Bool,
            "whether any rule may change these weights",
        )
        .bool(true),
        param(
            "tie",
            Ty::Projection,
            "share the weights of this (dense, untied) projection of the network: one matrix, read transposed when this projection leaves the population the other enters (`code -> err` tied to `err -> code`), else as it is; only `hebbian` changes it, through the shared matrix. A tied projection takes no `init`, `connectivity`, `bounds`, `sign`, `bias`, `delay` or `plastic` of its own",
        )
        .optional(),
        param(
            "factor",
            Ty::Num(Dim::NONE),
            "with `tie`: spikes deliver factor × the shared weight (−1: the same weights, inhibiting)",
        )
        .num(1.0)
        .unrecorded(),
    ],
};

/// The settings of a protocol.
pub const PROTOCOL: Context = Context {
    name: "a protocol",
    params: &[
        param(
            "network",
            Ty::Network,
            "the network the schedule runs on (required)",
        )
        .optional(),
        param(
            "seed",
            Ty::Num(Dim::NONE),
            "the master seed; every random stream is derived from it",
        )
        .num(1.0)
        .range(Range::Between(0.0, 18446744073709551615.0))
        .whole(),
        param(
            "record",
            Ty::List(&Ty::Builtin(Kind::Recorder)),
            "the activity recorded during the run: `spikes(pop)`, `rates(pop, bin)`, `state(pop, v)`, each `during` some phases or the whole run; may be given more than once (an arm adds to its base's)",
        )
        .optional()
        .repeat(),
    ],
};
