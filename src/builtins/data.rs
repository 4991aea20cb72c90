//! Dataset sources and task splits.

use super::{Builtin, Kind, Param, Range, Ty, builtin, param};
use crate::units::Dim;

const N: Ty = Ty::Num(Dim::NONE);

const TEST_SPLIT: Param = param(
    "test_split",
    N,
    "fraction of the samples held out as the test set",
)
.num(0.2)
.range(Range::Between(0.0, 0.95));
const VALIDATION_SPLIT: Param = param(
    "validation_split",
    N,
    "fraction of the training samples held out for choosing hyper-parameters",
)
.num(0.0)
.range(Range::Between(0.0, 0.95));
// Unrecorded, so plans that do not write it keep their hashes.
const SHUFFLE: Param = param(
    "shuffle",
    Ty::Bool,
    "shuffle the samples (with the dataset's stream) before holding out the test and validation sets; `false` keeps the file's order: training samples first, then validation, then test",
)
.bool(true)
.unrecorded();
// Unrecorded for the synthetic sources, which had no validation split before.
const SYNTHETIC_VALIDATION_SPLIT: Param = VALIDATION_SPLIT.unrecorded();
const TRAIN_CAP: Param = param(
    "train_cap",
    N,
    "use at most this many training samples per task (the first ones)",
)
.optional()
.range(Range::Positive)
.whole();
const TEST_CAP: Param = param("test_cap", N, "use at most this many test samples per task")
    .optional()
    .range(Range::Positive)
    .whole();

/// Where samples come from.
pub const SOURCES: &[Builtin] = &[
    builtin(
        "idx",
        Kind::DatasetSource,
        "MNIST-format IDX files (gzip or not): a folder holding an images file and a labels file, relative to the protocol file",
        &[
            param(
                "path",
                Ty::Str,
                "a folder holding `*images-idx3-ubyte[.gz]` and `*labels-idx1-ubyte[.gz]`",
            ),
            param(
                "scale",
                N,
                "multiplies every pixel (1/255 maps bytes to [0, 1])",
            )
            .num(1.0 / 255.0)
            .range(Range::Positive),
            TEST_SPLIT,
            VALIDATION_SPLIT,
            SHUFFLE,
            param("limit", N, "use at most this many samples")
                .optional()
                .range(Range::Positive)
                .whole(),
        ],
    ),
    builtin(
        "csv",
        Kind::DatasetSource,
        "a CSV table: one sample per row, features as numbers, one label column",
        &[
            param(
                "path",
                Ty::Str,
                "the CSV file, relative to the protocol file",
            ),
            param(
                "label",
                Ty::OneOf(&[Ty::Symbol(&["first", "last"]), N]),
                "the label column: `first`, `last`, or its 0-based index",
            )
            .sym("last"),
            param(
                "header",
                Ty::Bool,
                "whether the first row names the columns",
            )
            .bool(true),
            param("scale", N, "multiplies every feature")
                .num(1.0)
                .range(Range::Positive),
            TEST_SPLIT,
            VALIDATION_SPLIT,
            SHUFFLE,
        ],
    ),
    builtin(
        "npy",
        Kind::DatasetSource,
        "numpy arrays: samples × features (`x`) and integer labels (`y`)",
        &[
            param("x", Ty::Str, "the `.npy` file of samples"),
            param("y", Ty::Str, "the `.npy` file of labels"),
            param("scale", N, "multiplies every feature")
                .num(1.0)
                .range(Range::Positive),
            TEST_SPLIT,
            VALIDATION_SPLIT,
            SHUFFLE,
        ],
    ),
    builtin(
        "patterns",
        Kind::DatasetSource,
        "synthetic square patches, one class each, with tunable overlap (Krishnan et al. 2019's toy task)",
        &[
            param("classes", N, "number of patterns")
                .num(4.0)
                .range(Range::Positive)
                .whole(),
            param("side", N, "patterns are side × side images")
                .num(11.0)
                .range(Range::Positive)
                .whole(),
            param("overlap", N, "pixels shared by neighbouring patterns")
                .num(12.0)
                .range(Range::NonNegative)
                .whole(),
            param("samples", N, "samples per class")
                .num(100.0)
                .range(Range::Positive)
                .whole(),
            param("noise", N, "probability that a pixel is flipped")
                .num(0.05)
                .range(Range::Probability),
            TEST_SPLIT,
            SYNTHETIC_VALIDATION_SPLIT,
            SHUFFLE,
        ],
    ),
    builtin(
        "bars",
        Kind::DatasetSource,
        "synthetic images of one horizontal or vertical bar; the label is the bar",
        &[
            param(
                "side",
                N,
                "images are side × side; there are 2 × side classes",
            )
            .num(8.0)
            .range(Range::Positive)
            .whole(),
            param("samples", N, "samples per class")
                .num(100.0)
                .range(Range::Positive)
                .whole(),
            param("noise", N, "probability that a pixel is flipped")
                .num(0.02)
                .range(Range::Probability),
            TEST_SPLIT,
            SYNTHETIC_VALIDATION_SPLIT,
            SHUFFLE,
        ],
    ),
    builtin(
        "noise",
        Kind::DatasetSource,
        "images of uniform noise with random labels, for probe trials",
        &[
            param("features", N, "features per sample")
                .num(784.0)
                .range(Range::Positive)
                .whole(),
            param("classes", N, "number of labels")
                .num(10.0)
                .range(Range::Positive)
                .whole(),
            param("samples", N, "number of samples")
                .num(1000.0)
                .range(Range::Positive)
                .whole(),
            TEST_SPLIT,
            SYNTHETIC_VALIDATION_SPLIT,
            SHUFFLE,
        ],
    ),
];

const CLASS_LIST: Ty = Ty::List(&N);

/// How a dataset becomes an ordered list of tasks.
pub const SPLITS: &[Builtin] = &[
    builtin(
        "split_classes",
        Kind::TaskSplit,
        "class-incremental tasks: each task is the samples of some classes",
        &[
            param("dataset", Ty::Dataset, "the dataset to split"),
            param(
                "classes",
                CLASS_LIST,
                "one list of labels per task, e.g. `[0, 1], [2, 3]`",
            )
            .variadic(),
            TRAIN_CAP,
            TEST_CAP,
        ],
    ),
    builtin(
        "permuted",
        Kind::TaskSplit,
        "domain-incremental tasks: every task is the whole dataset under a fixed pixel permutation (task 0 unpermuted)",
        &[
            param("dataset", Ty::Dataset, "the dataset to permute"),
            param("count", N, "number of tasks")
                .range(Range::Positive)
                .whole(),
            TRAIN_CAP,
            TEST_CAP,
        ],
    ),
    builtin(
        "chunks",
        Kind::TaskSplit,
        "a stream cut into consecutive chunks of the training set, all classes in each",
        &[
            param("dataset", Ty::Dataset, "the dataset to cut"),
            param("count", N, "number of chunks")
                .range(Range::Positive)
                .whole(),
            TRAIN_CAP,
            TEST_CAP,
        ],
    ),
];
