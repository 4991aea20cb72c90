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

/// A function of [`FUNCTIONS`], as expressions hold it once checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Function {
    Min,
    Max,
    Abs,
    Sqrt,
    Exp,
    Log,
    Round,
    Floor,
    Ceil,
    Len,
    Mean,
    Median,
    Std,
    CiLow,
    CiHigh,
}

impl Function {
    /// Every function, in the registry's order.
    pub const ALL: [Function; 15] = [
        Function::Min,
        Function::Max,
        Function::Abs,
        Function::Sqrt,
        Function::Exp,
        Function::Log,
        Function::Round,
        Function::Floor,
        Function::Ceil,
        Function::Len,
        Function::Mean,
        Function::Median,
        Function::Std,
        Function::CiLow,
        Function::CiHigh,
    ];

    /// The function a registry name stands for.
    pub fn of(name: &str) -> Option<Function> {
        Function::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Function::Min => "min",
            Function::Max => "max",
            Function::Abs => "abs",
            Function::Sqrt => "sqrt",
            Function::Exp => "exp",
            Function::Log => "log",
            Function::Round => "round",
            Function::Floor => "floor",
            Function::Ceil => "ceil",
            Function::Len => "len",
            Function::Mean => "mean",
            Function::Median => "median",
            Function::Std => "std",
            Function::CiLow => "ci_low",
            Function::CiHigh => "ci_high",
        }
    }

    /// The function of one number (`abs`, `sqrt`, …); `None` for the others.
    pub fn of_number(self, x: f64) -> Option<f64> {
        Some(match self {
            Function::Abs => x.abs(),
            Function::Sqrt => x.sqrt(),
            Function::Exp => x.exp(),
            Function::Log => x.ln(),
            Function::Round => x.round(),
            Function::Floor => x.floor(),
            Function::Ceil => x.ceil(),
            _ => return None,
        })
    }

    /// Aggregates over seeds (`mean(x)` in a comparison's expectation); on one outcome,
    /// the value itself (`std`: 0).
    pub fn is_over_seeds(self) -> bool {
        matches!(
            self,
            Function::Mean | Function::Median | Function::Std | Function::CiLow | Function::CiHigh
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_function_of_the_registry_has_its_variant_and_back() {
        let names: Vec<&str> = FUNCTIONS.iter().map(|f| f.name).collect();
        let variants: Vec<&str> = Function::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(names, variants);
        for f in Function::ALL {
            assert_eq!(Function::of(f.name()), Some(f));
            let json = serde_json::to_string(&f).unwrap();
            assert_eq!(json, format!("\"{}\"", f.name()), "serialises as its name");
        }
    }
}
