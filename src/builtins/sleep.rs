//! Drives, input patterns, modulators, perturbations and scaling recipes: what sleep phases
//! (and the shocks between them) are made of.

use super::{Builtin, Dynamics, Kind, Phases, Range, Ty, builtin, param};
use crate::units::Dim;

const N: Ty = Ty::Num(Dim::NONE);
const HZ: Ty = Ty::Num(Dim::FREQUENCY);
const PATTERN: Ty = Ty::Builtin(Kind::Pattern);

/// Inputs: how input neurons fire when no sample is shown, or how a sample becomes spikes.
pub const DRIVES: &[Builtin] = &[
    builtin("silence", Kind::Drive, "no input at all", &[]).phases(Phases::RUNNING),
    builtin("poisson", Kind::Drive, "Poisson spikes at rate = pattern × max_rate (in wake: the presented sample)", &[
        param("rates", Ty::OneOf(&[PATTERN, HZ]), "a pattern in [0, 1], or one rate for every input").optional(),
        param("max_rate", HZ, "the rate of a pattern value of 1").num(63.75).range(Range::NonNegative),
    ])
    .phases(Phases::RUNNING)
    .dynamics(Dynamics::Spiking),
    builtin("bernoulli", Kind::Drive, "each step, input k spikes with probability 2·dt·max_rate·p_k (SRC's sleep input)", &[
        param("p", Ty::OneOf(&[PATTERN, N]), "a pattern in [0, 1], or one value for every input").optional(),
        param("max_rate", HZ, "the rate of a pattern value of 1").num(239.515363).range(Range::NonNegative),
    ])
    .phases(Phases::RUNNING)
    .dynamics(Dynamics::Spiking),
    builtin("recorded_rates", Kind::Drive, "replay the input rates recorded during an earlier phase (that phase needs `record true`)", &[
        param("phase", Ty::Phase, "the phase whose input rates were recorded"),
        param("scale", N, "factor on the recorded rates").num(1.0).range(Range::NonNegative),
        param("mode", Ty::Symbol(&["per_neuron", "uniform"]), "`per_neuron`: each input keeps its own rate; `uniform`: every input gets the population mean").sym("per_neuron"),
    ])
    .phases(Phases::SLEEP)
    .dynamics(Dynamics::Spiking),
    builtin("recorded_kicks", Kind::Drive, "in an environment (Golden et al.'s sleep): once per move, each cell of the population recorded by earlier phases (`record hidden`) receives `kick` of input with probability its recorded spikes per move, averaged over the phases given (each phase's last call)", &[
        param("phases", Ty::OneOf(&[Ty::Phase, Ty::List(&Ty::Phase)]), "the phase or phases whose recordings are replayed"),
        param("kick", N, "the input a kicked cell receives").num(0.025).range(Range::NonNegative),
        param("mode", Ty::Symbol(&["per_neuron", "uniform"]), "`per_neuron`: each cell keeps its own probability; `uniform`: every cell gets the population mean").sym("per_neuron"),
    ])
    .phases(Phases::SLEEP)
    .dynamics(Dynamics::Agent),
    builtin("gaussian", Kind::Drive, "Gaussian noise images: every step each input's intensity is clip(mean + sigma·N(0, 1), 0, 1), spiking with probability intensity·max_rate·dt (Watkins et al.'s noise input; `modulate sine(...)` modulates its amplitude)", &[
        param("sigma", N, "standard deviation of the intensity").num(0.5).range(Range::NonNegative),
        param("mean", N, "mean intensity").num(0.0),
        param("max_rate", HZ, "the rate of an intensity of 1").num(63.75).range(Range::NonNegative),
    ])
    .phases(Phases::RUNNING)
    .dynamics(Dynamics::Spiking),
];

/// Input patterns: data statistics a drive turns into spikes.
pub const PATTERNS: &[Builtin] = &[
    builtin(
        "mean_image",
        Kind::Pattern,
        "the mean input of the training samples of some tasks",
        &[param("tasks", Ty::Tasks, "the tasks to average over")],
    ),
    builtin(
        "sample_mean",
        Kind::Pattern,
        "the mean of a few random training samples of some tasks (the Python replicate's sleep input)",
        &[
            param("tasks", Ty::Tasks, "the tasks to draw from"),
            param("count", N, "how many samples to average")
                .num(10.0)
                .range(Range::Positive)
                .whole(),
        ],
    ),
];

/// Modulators: oscillations and noise laid over a phase.
pub const MODULATORS: &[Builtin] = &[
    builtin(
        "slow",
        Kind::Modulator,
        "NREM slow oscillation: up and down states that gate the drive",
        &[
            param(
                "freq",
                HZ,
                "oscillation frequency (below 1 Hz for slow waves)",
            )
            .num(0.8)
            .range(Range::Positive),
            param("depth", N, "how much of the drive a down state removes")
                .num(1.0)
                .range(Range::Probability),
            param(
                "up_fraction",
                N,
                "fraction of each cycle spent in the up state",
            )
            .num(0.5)
            .range(Range::Probability),
            param(
                "shape",
                Ty::Symbol(&["square", "sine"]),
                "up/down transitions: abrupt or smooth",
            )
            .sym("square"),
        ],
    )
    .phases(Phases::RUNNING),
    builtin(
        "theta",
        Kind::Modulator,
        "REM theta rhythm multiplying the drive",
        &[
            param("freq", HZ, "frequency")
                .num(6.0)
                .range(Range::Positive),
            param("depth", N, "modulation depth")
                .num(0.5)
                .range(Range::Probability),
        ],
    )
    .phases(Phases::RUNNING),
    builtin(
        "gamma",
        Kind::Modulator,
        "gamma rhythm multiplying the drive",
        &[
            param("freq", HZ, "frequency")
                .num(40.0)
                .range(Range::Positive),
            param("depth", N, "modulation depth")
                .num(0.3)
                .range(Range::Probability),
        ],
    )
    .phases(Phases::RUNNING),
    builtin(
        "sine",
        Kind::Modulator,
        "drive × (offset + depth·sin(2πft)) — Watkins et al.'s sinusoidally modulated noise",
        &[
            param("freq", HZ, "frequency")
                .num(1.0)
                .range(Range::Positive),
            param("depth", N, "amplitude of the sinusoid")
                .num(0.5)
                .range(Range::NonNegative),
            param("offset", N, "constant part")
                .num(0.5)
                .range(Range::NonNegative),
        ],
    )
    .phases(Phases::RUNNING),
    builtin(
        "noise",
        Kind::Modulator,
        "Gaussian noise added to every membrane potential each step (of one population's, with `population`): zero-mean noise, e.g. in the error space of a spiking LCA, where it stands for a signed noise image",
        &[
            param(
                "sigma",
                Ty::OneOf(&[Ty::Num(Dim::VOLTAGE), N]),
                "standard deviation (a voltage for `lif`, a number for `integrate_fire`)",
            )
            .range(Range::NonNegative),
            param(
                "population",
                Ty::Population,
                "only this population's membranes (default: every population with a model)",
            )
            .optional(),
            param(
                "rhythmic",
                Ty::Bool,
                "σ follows the phase's rhythms: × the product of its drive factors (`sine`, `slow`, `theta`, `gamma`), as the drive does",
            )
            .bool(false)
            .unrecorded(),
        ],
    )
    .phases(Phases::RUNNING)
    .dynamics(Dynamics::Spiking),
];

/// Perturbations: shocks applied by `perturb` phases.
pub const PERTURBATIONS: &[Builtin] = &[
    builtin(
        "prune",
        Kind::Perturbation,
        "remove the weakest synapses of the projections given `on` (all if none) for good",
        super::dynamics::PRUNE,
    )
    .phases(Phases::PERTURB),
    builtin(
        "lesion",
        Kind::Perturbation,
        "remove a random fraction of a population's neurons for good",
        &[
            param("target", Ty::Population, "the population to lesion"),
            param("fraction", N, "fraction of its neurons removed").range(Range::Probability),
        ],
    )
    .phases(Phases::PERTURB),
    builtin(
        "weight_noise",
        Kind::Perturbation,
        "add Gaussian noise to the weights of the projections given `on` (all if none)",
        &[
            param("sigma", N, "standard deviation").range(Range::NonNegative),
            param("relative", Ty::Bool, "scale the noise by |w|").bool(true),
        ],
    )
    .phases(Phases::PERTURB),
    builtin(
        "silence",
        Kind::Perturbation,
        "clamp a population's output to zero during the next phase",
        &[param("target", Ty::Population, "the population to silence")],
    )
    .phases(Phases::PERTURB),
    builtin(
        "interfere",
        Kind::Perturbation,
        "train briefly on a conflicting task (labels shuffled)",
        &[
            param("task", Ty::Tasks, "the task whose samples are used"),
            param(
                "length",
                Ty::OneOf(&[Ty::Num(Dim::EPOCHS), Ty::Num(Dim::SAMPLES)]),
                "how much interfering training",
            )
            .num(1.0)
            .range(Range::Positive),
            param(
                "shuffle_labels",
                Ty::Bool,
                "permute the labels so the task conflicts with what was learnt",
            )
            .bool(true),
        ],
    )
    .phases(Phases::PERTURB),
];

/// Scaling recipes for the ANN → SNN conversion (`scale by ...`).
pub const RECIPES: &[Builtin] = &[builtin("activation_max", Kind::Recipe, "per-layer input scales from the maximum activation over the training data of some tasks (data-based normalisation)", &[
    param("tasks", Ty::Tasks, "the tasks whose training samples are run through the network"),
    param("recursion", Ty::Symbol(&["matlab", "diehl"]), "`matlab`: divide by the previous applied factor, as the SRC code; `diehl`: by the previous layer's maximum (Diehl et al. 2015)").sym("matlab"),
    param("percentile", N, "use this percentile of the activations instead of the maximum").num(1.0).range(Range::Probability),
])];
