//! Readouts and metrics: what `measure` records and expectations read.

use super::{Builtin, Dynamics, Kind, Range, Ty, builtin, param};
use crate::units::Dim;

const N: Ty = Ty::Num(Dim::NONE);
const T: Ty = Ty::Num(Dim::TIME);

/// How a network's answer is read for accuracy.
pub const READOUTS: &[Builtin] = &[
    builtin("argmax", Kind::Readout, "the most active output unit is the answer (an all-zero output reads as class 0)", &[]),
    builtin("label_assignment", Kind::Readout, "each neuron of a spiking layer is assigned the label it answers most on the training set; the label whose neurons fire most wins (Diehl & Cook)", &[param("layer", Ty::Population, "the layer read (default: the output)").optional()])
        .dynamics(Dynamics::Spiking),
    builtin("linear_readout", Kind::Readout, "logistic regression on standardised spike counts, after PCA (Massey et al.)", &[
        param("layer", Ty::Population, "the layer read (default: the output)").optional(),
        param("pca", N, "fraction of variance kept by PCA (1: no PCA)").num(0.95).range(Range::Probability),
    ])
    .dynamics(Dynamics::Spiking),
];

/// Metrics, recorded by `measure` and read by expectations.
pub const METRICS: &[Builtin] = &[
    builtin("accuracy", Kind::Metric, "fraction of test samples answered right, per task and over all the tasks given", &[
        param("tasks", Ty::Tasks, "the tasks tested"),
        param("readout", Ty::Builtin(Kind::Readout), "how the answer is read").builtin("argmax"),
    ])
    .returns(N),
    builtin("forgetting", Kind::Metric, "per task, the best accuracy seen so far minus the current one", &[param("tasks", Ty::Tasks, "the tasks")]).returns(N),
    builtin("bwt", Kind::Metric, "backward transfer: mean change of earlier tasks' accuracy since each was learnt", &[param("tasks", Ty::Tasks, "the tasks")]).returns(N),
    builtin("weights", Kind::Metric, "statistics of a projection's weights: mean, std, fraction at a bound, histogram entropy, sum", &[
        param("projection", Ty::Projection, "the projection"),
        param("stat", Ty::Symbol(&["mean", "std", "saturated", "entropy", "sum", "abs_sum", "min", "max"]), "one statistic (all of them if left out)").optional(),
    ])
    .returns(N),
    builtin("rates", Kind::Metric, "mean firing rate of a population during the last phase", &[param("population", Ty::Population, "the population")]).returns(Ty::Num(Dim::FREQUENCY)),
    builtin("branching_ratio", Kind::Metric, "mean descendants per ancestor over binned population spikes (1 is critical)", &[
        param("population", Ty::Population, "the population"),
        param("bin", T, "bin width").num(0.004).range(Range::Positive),
    ])
    .returns(N)
    .dynamics(Dynamics::Spiking),
    builtin("avalanches", Kind::Metric, "power-law exponent of neuronal avalanche sizes (≈ 1.5 at criticality)", &[
        param("population", Ty::Population, "the population"),
        param("bin", T, "bin width").num(0.004).range(Range::Positive),
    ])
    .returns(N)
    .dynamics(Dynamics::Spiking),
    builtin("modularity", Kind::Metric, "Newman's modularity Q of a projection's weight graph", &[param("projection", Ty::Projection, "the projection")]).returns(N),
    builtin("entropy", Kind::Metric, "Shannon entropy (bits) of a population's binned activity patterns", &[
        param("population", Ty::Population, "the population"),
        param("bin", T, "bin width").num(0.01).range(Range::Positive),
    ])
    .returns(N),
    builtin("recovery", Kind::Metric, "after a perturb phase: the recovered fraction (P_after − P_pert)/(P_base − P_pert) of a metric", &[
        param("metric", Ty::Builtin(Kind::Metric), "the metric that recovers, e.g. `accuracy(pairs)`"),
    ])
    .returns(N),
    builtin("time_to_recover", Kind::Metric, "after a perturb phase: how many training samples of wake phases since it ran until a metric first got back `fraction` of what the shock cost, P_pert + fraction·(P_base − P_pert), among its measurements since the shock (the recovery curve) and now; 0 when nothing was lost, NaN when not (yet) recovered", &[
        param("metric", Ty::Builtin(Kind::Metric), "the metric that recovers, e.g. `accuracy(digits)`"),
        param("fraction", N, "the share of the loss that must come back").num(0.9).range(Range::Probability),
    ])
    .returns(Ty::Num(Dim::SAMPLES)),
    builtin("feature_norms", Kind::Metric, "the L2 norms of the post neurons' incoming weight vectors (their features, Watkins et al.): the largest, by default", &[
        param("projection", Ty::Projection, "the projection"),
        param("stat", Ty::Symbol(&["max", "mean", "min", "each"]), "`max`, `mean` or `min` over the post neurons; `each`: one value per post neuron (recorded under the neuron's index: the histogram's data)").sym("max"),
    ])
    .returns(N),
    builtin("noise_response", Kind::Metric, "a probe of pure noise (Watkins et al.): Gaussian noise images shown to the network for `length`, learning off, on a copy of the network (the probe changes nothing), presented the way the last spiking wake phase presented samples; the population's mean firing rate", &[
        param("population", Ty::Population, "the population whose response is measured"),
        param("length", T, "how long the noise is shown").num(1.0).range(Range::Positive),
        param("mean", N, "each input's mean intensity (before clipping)").num(0.0),
        param("sigma", N, "the standard deviation of each input's intensity, drawn afresh every step and clipped into [0, 1]").num(0.5).range(Range::NonNegative),
        param("max_rate", Ty::Num(Dim::FREQUENCY), "the input rate of intensity 1").num(63.75).range(Range::Positive),
    ])
    .returns(Ty::Num(Dim::FREQUENCY))
    .dynamics(Dynamics::Spiking),
    builtin("foraging", Kind::Metric, "an agent's task performance (Golden et al.): a test episode in the environment with learning off, on a copy of the agent (what it measures changes nothing); rewarded / (rewarded + punished) over the last pairs of those it eats (the environment's `last`; chance is 0.5). NaN if it eats none", &[
        param("environment", Ty::Environment, "the test environment"),
        param("length", Ty::Num(Dim::MOVES), "how long the test episode runs").num(2000.0).range(Range::Positive).whole(),
    ])
    .returns(N)
    .dynamics(Dynamics::Agent),
    builtin("residual", Kind::Metric, "how much of the held-out input a spiking LCA leaves unexplained (Watkins et al.): the held-out samples of `tasks` shown with learning off on a copy of the network, the way the last spiking wake phase showed them; the error populations' spikes / the input's spikes (a one-to-one error copy with no code gives 1, an exact reconstruction 0)", &[
        param("tasks", Ty::Tasks, "the tasks whose held-out samples are shown"),
        param("error", Ty::Population, "the (positive) error population"),
        param("negative", Ty::Population, "the negative error population of a ± pair, whose spikes count too").optional(),
    ])
    .returns(N)
    .dynamics(Dynamics::Spiking),
    builtin("clustering", Kind::Metric, "Massey's φ = BCSS / (BCSS + WCSS) of a layer's responses by label", &[param("population", Ty::Population, "the population")]).returns(N),
];
