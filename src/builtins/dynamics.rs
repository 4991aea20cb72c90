//! Neuron models and plasticity rules.

use super::{Builtin, Dynamics, Kind, Phases, Range, Ty, builtin, param};
use crate::units::Dim;

const N: Ty = Ty::Num(Dim::NONE);
const T: Ty = Ty::Num(Dim::TIME);
const V: Ty = Ty::Num(Dim::VOLTAGE);

/// Neuron models: what a population computes in a phase.
pub const MODELS: &[Builtin] = &[
    builtin("relu", Kind::NeuronModel, "rate unit: max(0, input)", &[]).dynamics(Dynamics::Rate),
    builtin("sigmoid", Kind::NeuronModel, "rate unit: 1 / (1 + e^-input)", &[]).dynamics(Dynamics::Rate),
    builtin("linear", Kind::NeuronModel, "rate unit: the input itself", &[]).dynamics(Dynamics::Rate),
    builtin("integrate_fire", Kind::NeuronModel, "non-leaky integrate-and-fire with multiplicative decay and reset (SRC): v ← decay·v + input; spike and reset when v ≥ threshold; spikes cross all layers in one step", &[
        param("decay", N, "factor on the membrane potential each step").num(0.999).range(Range::Between(0.0, 1.0)),
        param("reset", N, "the potential after a spike").num(0.0),
        param("threshold", N, "the firing threshold (multiplied by the layer's factor in `thresholds`)").num(1.0).range(Range::Positive),
        param("thresholds", Ty::List(&N), "one threshold factor per non-input layer, in network order").optional(),
    ])
    .dynamics(Dynamics::Spiking),
    builtin("lif", Kind::NeuronModel, "leaky integrate-and-fire: τ dv/dt = (rest − v) + r·I, with refractoriness, optional adaptive threshold, current or conductance synapses and random initial potentials", &[
        param("tau", T, "membrane time constant").num(0.02).range(Range::Positive),
        param("rest", V, "resting potential").num(-0.065),
        param("reset", V, "potential after a spike").num(-0.065),
        param("threshold", V, "firing threshold (before adaptation)").num(-0.052),
        param("refractory", T, "time after a spike during which the neuron cannot fire").num(0.0).range(Range::NonNegative),
        param("r", N, "membrane resistance: the gain on the input current").num(1.0).range(Range::Positive),
        param("synapse", Ty::Symbol(&["delta", "current", "current_ei", "conductance"]), "`delta`: a spike adds its weight to v; `current`: it adds weight × dt/`tau_syn` to a current decaying with `tau_syn`; `current_ei`: it adds its weight to an excitatory current (decaying with `tau_exc`) or, when negative, to an inhibitory one (`tau_inh`), v integrated exactly; `conductance`: excitatory/inhibitory conductances with reversal potentials").sym("delta"),
        param("tau_syn", T, "decay of the synaptic current (`synapse current`)").num(0.005).range(Range::Positive),
        param("tau_exc", T, "decay of the excitatory conductance (`synapse conductance`) or current (`synapse current_ei`)").num(0.001).range(Range::Positive),
        param("tau_inh", T, "decay of the inhibitory conductance (`synapse conductance`) or current (`synapse current_ei`)").num(0.002).range(Range::Positive),
        param("e_exc", V, "excitatory reversal potential").num(0.0),
        param("e_inh", V, "inhibitory reversal potential").num(-0.1),
        param("adapt", V, "threshold increase per spike (0: no adaptation)").num(0.0).range(Range::NonNegative),
        param("tau_adapt", T, "decay of the threshold adaptation").num(0.1).range(Range::Positive),
        param("v_min", V, "lower clamp of the membrane potential").optional(),
        param("v_max", V, "upper clamp of the membrane potential").optional(),
        param("v_init", Ty::OneOf(&[V, Ty::BuiltinOf(Kind::Init, &["uniform", "normal", "constant"])]), "the potential each neuron starts a phase (and every sample) at: a voltage, or drawn per neuron by `uniform(lo, hi)`, `normal(mean, std)` or `constant(v)` in volts, from a stream of the phase's call (default: `rest`)").optional(),
    ])
    .dynamics(Dynamics::Spiking),
    builtin("rulkov", Kind::NeuronModel, "the Rulkov map neuron of Golden et al., stepped once per simulation step: x ← α/(1−x) + u + β·I below 0, held at α + u + β·I for one step, then a spike and x = −1; u ← u − μ(x+1) + μσ + μI. Each delivered spike adds w/r·(1 ± psp_noise) to I, which decays by `decay` per step. Runs only in phases with an `environment`", &[
        param("alpha", N, "α: the map's nonlinearity").num(3.65).range(Range::Positive),
        param("sigma", N, "σ: the slow variable's drive (excitability)").num(0.06),
        param("mu", N, "μ: the slow variable's rate").num(0.0005).range(Range::Positive),
        param("beta", N, "β: the gain of the synaptic input on x").num(0.133).range(Range::NonNegative),
        param("decay", N, "factor on the synaptic input each step").num(0.985).range(Range::Probability),
        param("psp_noise", N, "each delivered spike's weight is multiplied by a uniform draw in [1 − n, 1 + n]").num(0.12).range(Range::Probability),
        param("x0", N, "the fast variable at the start").num(-0.939998046792114),
        param("u0", N, "the slow variable at the start").num(-2.821443297088526),
    ])
    .dynamics(Dynamics::Agent),
];

/// Plasticity rules: what changes weights during a phase.
pub const RULES: &[Builtin] = &[
    builtin("backprop", Kind::Rule, "gradient descent on a loss, with momentum, mini-batches and dropout", &[
        param("loss", Ty::Symbol(&["mse", "cross_entropy"]), "`mse`: ½‖y − target‖²; `cross_entropy`: softmax then log-loss").sym("mse"),
        param("lr", N, "learning rate").num(0.01).range(Range::Positive),
        param("momentum", N, "momentum factor").num(0.0).range(Range::Between(0.0, 0.999)),
        param("batch", N, "samples per gradient step").num(100.0).range(Range::Positive).whole(),
        param("dropout", N, "probability of dropping a unit of the layers given `on`").num(0.0).range(Range::Between(0.0, 0.95)).targets(),
        param("dropout_scaling", Ty::Symbol(&["inverted", "test_time"]), "`inverted`: scale kept units by 1/(1−p) while training; `test_time`: scale activations by (1−p) at test (the SRC code)").sym("inverted"),
        param("output_derivative", Ty::Bool, "multiply the output error by the output's derivative (the SRC code does not)").bool(true),
        param("weight_decay", N, "L2 penalty on the weights").num(0.0).range(Range::NonNegative),
    ])
    .phases(Phases::WAKE)
    .dynamics(Dynamics::Rate),
    builtin("stdp", Kind::Rule, "pair-based spike-timing-dependent plasticity with exponential traces", &[
        param("a_plus", N, "potentiation per pre-before-post pairing").num(0.01).range(Range::NonNegative),
        param("a_minus", N, "depression per post-before-pre pairing").num(0.01).range(Range::NonNegative),
        param("tau_plus", T, "decay of the presynaptic trace").num(0.02).range(Range::Positive),
        param("tau_minus", T, "decay of the postsynaptic trace").num(0.02).range(Range::Positive),
        param("lr", N, "global factor on every change (0: learns nothing, for probes)").num(1.0).range(Range::NonNegative),
        param("mode", Ty::Symbol(&["additive", "multiplicative"]), "`multiplicative` scales potentiation by (w_max − w) and depression by (w − w_min)").sym("additive"),
        param("nearest", Ty::Bool, "pair only nearest spikes instead of all pairs").bool(false),
        param("w_min", N, "lower weight bound").num(0.0),
        param("w_max", N, "upper weight bound").num(1.0),
    ])
    .phases(Phases::RUNNING)
    .dynamics(Dynamics::Spiking),
    builtin("src_stdp", Kind::Rule, "Sleep Replay Consolidation's rule: when a post neuron spikes, w += inc·f(w) for active inputs, w −= dec·f(w) for silent ones", &[
        param("inc", N, "increment for inputs that spiked").num(0.001).range(Range::NonNegative),
        param("dec", N, "decrement for inputs that were silent").num(0.0001).range(Range::NonNegative),
        param("gate", N, "width of the weight gate f(w)").num(0.001).range(Range::Positive),
        param("gate_fn", Ty::Symbol(&["matlab", "logistic", "none"]), "f(w): `matlab` 2·σ(−w/gate) as in the published code; `logistic` σ(w) as in the Python replicate; `none` 1").sym("matlab"),
    ])
    .phases(Phases::SLEEP)
    .dynamics(Dynamics::Spiking),
    builtin("decay_to_baseline", Kind::Rule, "homeostatic sleep (Massey et al.): every step |w| ← w_t·(|w|/w_t)^λ, sign kept; the phase ends early when weight sums are back at baseline", &[
        param("target", N, "the magnitude w_t weights contract toward (`static` mode)").num(0.2).range(Range::Positive),
        param("lambda", N, "exponent per step; closer to 1 is slower").num(0.99997).range(Range::Between(0.0, 1.0)),
        param("mode", Ty::Symbol(&["static", "group", "post"]), "`static`: fixed target; `group`: the current mean |w|; `post`: the mean |w| per post-synaptic neuron").sym("static"),
        param("stop_at_baseline", Ty::Bool, "end the phase when Σ|w| is within `tolerance` of its value at the start of the protocol").bool(true),
        param("tolerance", N, "relative distance to the baseline sum that counts as reached").num(0.001).range(Range::Probability),
    ])
    .phases(Phases::SLEEP),
    builtin("normalize_sum", Kind::Rule, "rescale each neuron's incoming weights to a fixed sum (Diehl & Cook)", &[
        param("total", N, "the sum of a neuron's incoming weights after normalisation").num(78.0).range(Range::Positive),
        param("every", Ty::Symbol(&["sample", "step"]), "when to normalise").sym("sample"),
    ])
    .phases(Phases::RUNNING)
    .dynamics(Dynamics::Spiking),
    builtin("downscale", Kind::Rule, "multiplicative synaptic downscaling (synaptic homeostasis): w ← factor·w each step", &[
        param("factor", N, "factor per step").num(0.9999).range(Range::Between(0.0, 1.0)),
    ])
    .phases(Phases::SLEEP),
    builtin("prune", Kind::Rule, "at the end of the phase, remove the weakest synapses of each projection it applies to (set to zero and frozen: no rule brings them back)", PRUNE).phases(Phases::SLEEP),
    builtin("weight_noise", Kind::Rule, "exploration: Gaussian noise added to the weights every step", &[
        param("sigma", N, "standard deviation per step").num(0.0001).range(Range::NonNegative),
        param("relative", Ty::Bool, "scale the noise by |w|").bool(false),
    ])
    .phases(Phases::SLEEP),
    builtin("hebbian", Kind::Rule, "Hebbian learning with a pre trace: at each spike of post neuron j every weight w_ij grows by lr · x_i, x_i the pre neuron's spike trace (+1 per spike, decaying with `tau`); on average dw/dt = lr · τ · r_pre · r_post. On a `tie`d projection the change is made to the shared weights, times the tie's `factor` (and transposed), so on error → code projections of ± error populations the shared dictionary learns ΔΦ = lr · τ · (e⁺ − e⁻) · aᵀ, the error-driven rule of a spiking LCA (Watkins et al.). `lr 0` is a rule that learns nothing (probes)", &[
        param("lr", N, "the change per post spike per unit of pre trace").num(0.001).range(Range::NonNegative),
        param("tau", T, "decay of the pre trace").num(0.02).range(Range::Positive),
    ])
    .phases(Phases::RUNNING)
    .dynamics(Dynamics::Spiking),
    builtin("reward_stdp", Kind::Rule, "reward-modulated STDP (Golden et al.): each spike pairing within `window` leaves an eligibility trace ±scale·e^(−Δ/τ) on its synapse, kept for `memory`; at every move each trace changes w by w·b·clip(trace/(age + epoch) · D · Σ/⟨Σ⟩), D the phase's dopamine, b the pre cell's output balance. Runs only in phases with an `environment`", &[
        param("scale", N, "the trace of a pairing at Δ = 0: + for pre-before-post, − for post-before-pre").num(0.4).range(Range::NonNegative),
        param("tau", Ty::Num(Dim::STEPS), "decay of a pairing's trace with the spikes' distance").num(40.0).range(Range::Positive),
        param("window", Ty::Num(Dim::STEPS), "spikes further apart do not pair").num(120.0).range(Range::Positive).whole(),
        param("memory", Ty::Num(Dim::STEPS), "how long a trace stays eligible").num(3600.0).range(Range::Positive).whole(),
        param("clip", N, "the largest relative change a trace makes at one move").num(0.01).range(Range::Positive),
        param("modulated", Ty::Bool, "scale by dopamine (`false`: plain STDP applied at every move, the hidden layer of the paper)").bool(true),
        param("average_rate", N, "rate of the running average ⟨Σ⟩ of each synapse's summed traces").num(0.001).range(Range::Probability),
        param("w_min", N, "lower weight bound").num(0.00001).range(Range::NonNegative),
        param("w_max", N, "upper weight bound").num(1.0).range(Range::Positive),
    ])
    .phases(Phases::RUNNING)
    .dynamics(Dynamics::Agent),
    builtin("input_balance", Kind::Rule, "heterosynaptic homeostasis (Golden et al.): after every move's learning, each post cell's positive incoming weights on these projections are rescaled to their target sum (the sum when the network was built, moved by `rate_adaptation` with `by input_target`). Runs only in phases with an `environment`", &[])
        .phases(Phases::RUNNING)
        .dynamics(Dynamics::Agent),
    builtin("output_balance", Kind::Rule, "feed-forward inhibition that follows excitation (Golden et al.): after every move's learning, each weight of the `inhibitory` projection from a cell becomes −(the mean of that cell's positive weights on these projections) / (output cells per action). Runs only in phases with an `environment`", &[
        param("inhibitory", Ty::Projection, "the inhibitory projection whose weights follow"),
    ])
    .phases(Phases::RUNNING)
    .dynamics(Dynamics::Agent),
    builtin("rate_adaptation", Kind::Rule, "spike-rate homeostasis (Golden et al.): each move, a running average of each post cell's spikes per move is compared with `target`; above it the cell's resistance rises (`by resistance`) or its input target sum falls (`by input_target`), by `rate`. Runs only in phases with an `environment`", &[
        param("target", N, "spikes per move the cells are driven toward (0.5 output, 0.01 hidden in the paper)").range(Range::NonNegative),
        param("by", Ty::Symbol(&["resistance", "input_target"]), "`resistance`: divides all input of the cell; `input_target`: the sum `input_balance` keeps").sym("resistance"),
        param("rate", N, "relative change per move").num(0.00001).range(Range::Probability),
        param("smoothing", N, "rate of the running average of spikes per move").num(0.0001).range(Range::Probability),
    ])
    .phases(Phases::RUNNING)
    .dynamics(Dynamics::Agent),
];

/// `prune`'s parameters, as a rule of sleep phases and as a shock of perturb phases.
pub const PRUNE: &[super::Param] = &[
    param(
        "fraction",
        N,
        "the fraction of each projection's existing synapses removed, smallest |w| first",
    )
    .num(0.1)
    .range(Range::Probability),
    param(
        "below",
        N,
        "remove every synapse with |w| below this magnitude instead of a fraction",
    )
    .optional()
    .range(Range::NonNegative),
];
