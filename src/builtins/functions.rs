//! Functions usable in expressions: arithmetic helpers, and aggregates over seeds in the
//! expectations of `compare` and `sweep` blocks.

use super::{Builtin, Kind, Ty, builtin, param};

const X: Ty = Ty::AnyNum;

/// Functions. Their evaluation is in the checker's evaluator and the outcome stage.
pub const FUNCTIONS: &[Builtin] = &[
    builtin(
        "min",
        Kind::Function,
        "the smallest argument; in a comparison, the smallest value over seeds",
        &[param("values", X, "numbers of one dimension").variadic()],
    ),
    builtin(
        "max",
        Kind::Function,
        "the largest argument; in a comparison, the largest value over seeds",
        &[param("values", X, "numbers of one dimension").variadic()],
    ),
    builtin(
        "abs",
        Kind::Function,
        "absolute value",
        &[param("x", X, "a number")],
    ),
    builtin(
        "sqrt",
        Kind::Function,
        "square root (of a dimensionless number)",
        &[param("x", X, "a number")],
    ),
    builtin(
        "exp",
        Kind::Function,
        "e^x (of a dimensionless number)",
        &[param("x", X, "a number")],
    ),
    builtin(
        "log",
        Kind::Function,
        "natural logarithm (of a dimensionless number)",
        &[param("x", X, "a number")],
    ),
    builtin(
        "round",
        Kind::Function,
        "nearest whole number",
        &[param("x", X, "a number")],
    ),
    builtin(
        "floor",
        Kind::Function,
        "largest whole number not above x",
        &[param("x", X, "a number")],
    ),
    builtin(
        "ceil",
        Kind::Function,
        "smallest whole number not below x",
        &[param("x", X, "a number")],
    ),
    builtin(
        "len",
        Kind::Function,
        "number of elements of a list, range or task list",
        &[param("x", Ty::Tasks, "a list")],
    ),
    builtin(
        "mean",
        Kind::Function,
        "mean over seeds of an outcome value (expectations of `compare` and `sweep`)",
        &[param("x", X, "an outcome value")],
    ),
    builtin(
        "median",
        Kind::Function,
        "median over seeds of an outcome value",
        &[param("x", X, "an outcome value")],
    ),
    builtin(
        "std",
        Kind::Function,
        "standard deviation over seeds of an outcome value",
        &[param("x", X, "an outcome value")],
    ),
    builtin(
        "ci_low",
        Kind::Function,
        "lower end of the bootstrap 95 % confidence interval of the mean over seeds",
        &[param("x", X, "an outcome value")],
    ),
    builtin(
        "ci_high",
        Kind::Function,
        "upper end of the bootstrap 95 % confidence interval of the mean over seeds",
        &[param("x", X, "an outcome value")],
    ),
];
