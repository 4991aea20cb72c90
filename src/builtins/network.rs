//! Weight initialisers and connectivities for `connect` blocks.

use super::{Builtin, Kind, Range, Ty, builtin, param};
use crate::units::Dim;

const N: Ty = Ty::Num(Dim::NONE);
/// Weights are numbers; for `lif` populations they may be voltages (the jump a spike causes
/// in v or in a current), and initialisers also draw `lif`'s `v_init`.
const NV: Ty = Ty::OneOf(&[N, Ty::Num(Dim::VOLTAGE)]);

/// How initial weights are drawn.
pub const INITS: &[Builtin] = &[
    builtin(
        "uniform",
        Kind::Init,
        "uniform between `lo` and `hi`",
        &[param("lo", NV, "lower end"), param("hi", NV, "upper end")],
    ),
    builtin(
        "normal",
        Kind::Init,
        "Gaussian",
        &[
            param("mean", NV, "mean").num(0.0),
            param("std", NV, "standard deviation").range(Range::NonNegative),
        ],
    ),
    builtin(
        "constant",
        Kind::Init,
        "every weight the same",
        &[param("value", NV, "the weight")],
    ),
    builtin(
        "glorot",
        Kind::Init,
        "uniform in ±√(6 / (fan_in + fan_out))",
        &[],
    ),
    builtin(
        "chunks",
        Kind::Init,
        "Golden et al.'s input weights: each synapse starts at `size`, and each pre neuron hands out `per_synapse` × (its synapses) more chunks of `size`, each to one of its synapses at random (mean weight `size` × (1 + `per_synapse`))",
        &[
            param("size", N, "the weight of one chunk")
                .num(0.001)
                .range(Range::Positive),
            param(
                "per_synapse",
                N,
                "chunks handed out per synapse of the pre neuron",
            )
            .num(10.0)
            .range(Range::NonNegative)
            .whole(),
        ],
    ),
    builtin(
        "load",
        Kind::Init,
        "weights read from a `.npy` file of post × pre float32 or float64 values, as `run --save-weights` writes them (`weights/end/x_to_h.npy`); biases start at 0",
        &[param(
            "path",
            Ty::Str,
            "the `.npy` file, relative to the protocol file",
        )],
    ),
];

/// Which pairs of neurons a projection connects.
pub const CONNECTIVITIES: &[Builtin] = &[
    builtin(
        "dense",
        Kind::Connectivity,
        "every pre neuron to every post neuron",
        &[],
    ),
    builtin(
        "sparse",
        Kind::Connectivity,
        "each pair independently with probability p",
        &[param("p", N, "connection probability").range(Range::Probability)],
    ),
    builtin(
        "one_to_one",
        Kind::Connectivity,
        "neuron i to neuron i (populations of equal size)",
        &[],
    ),
    builtin(
        "all_but_self",
        Kind::Connectivity,
        "every pair except i → i (lateral inhibition)",
        &[],
    ),
    builtin(
        "fixed_in",
        Kind::Connectivity,
        "each post neuron gets exactly k random inputs",
        &[
            param("k", N, "inputs per post neuron")
                .range(Range::Positive)
                .whole(),
            param("balanced", Ty::Bool, "also give every pre neuron the same number of outputs, k × post / pre (± 1 when that is not whole), as Golden et al.'s network generator")
                .bool(false)
                .unrecorded(),
        ],
    ),
];
