//! Expectations over several outcomes: the seeds of a sweep point, or the arms of a
//! comparison. An outcome value read from several seeds is a list, one value per seed;
//! arithmetic pairs the lists seed by seed, and `mean`, `median`, `std`, `min`, `max`,
//! `ci_low` and `ci_high` turn a list into one number. A comparison between lists holds when
//! it holds on every seed.

use super::expect::{is_comparison, query};
use super::{ExpectationResult, Outcome};
use crate::builtins::functions::Function;
use crate::plan::ir::{ExpectIr, ExprIr};
use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Resamples of the bootstrap confidence interval of a mean.
pub const BOOTSTRAP_RESAMPLES: usize = 10_000;

/// One value, or one per seed.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    One(f64),
    PerSeed(Vec<f64>),
}

impl Value {
    /// The value as one number: a list's mean.
    pub fn summary(&self) -> f64 {
        match self {
            Value::One(x) => *x,
            Value::PerSeed(xs) => mean(xs),
        }
    }

    /// True when the value is true: every seed's, for a list.
    fn holds(&self) -> bool {
        match self {
            Value::One(x) => *x != 0.0 && !x.is_nan(),
            Value::PerSeed(xs) => !xs.is_empty() && xs.iter().all(|x| *x != 0.0 && !x.is_nan()),
        }
    }
}

/// The outcomes an expectation reads: `arm` is `None` when the expectation names none (a
/// sweep's one protocol).
pub trait Arms {
    fn outcomes(&self, arm: Option<&str>) -> Result<Vec<&Outcome>, String>;
}

/// One protocol's outcomes over seeds (a sweep point): every arm name reads them.
pub struct Seeds<'a>(pub &'a [Outcome]);

impl Arms for Seeds<'_> {
    fn outcomes(&self, _arm: Option<&str>) -> Result<Vec<&Outcome>, String> {
        Ok(self.0.iter().collect())
    }
}

/// Evaluates every expectation against the outcomes.
pub fn evaluate_all(exps: &[ExpectIr], arms: &dyn Arms) -> Vec<ExpectationResult> {
    exps.iter().map(|e| evaluate(e, arms)).collect()
}

pub fn evaluate(e: &ExpectIr, arms: &dyn Arms) -> ExpectationResult {
    let (value, bound) = match &e.expr {
        ExprIr::Binary { op, l, r } if is_comparison(op) => (eval(l, arms), eval(r, arms)),
        other => (eval(other, arms), Ok(Value::One(f64::NAN))),
    };
    let whole = eval(&e.expr, arms);
    let note = [&value, &bound, &whole]
        .iter()
        .find_map(|v| v.as_ref().err().cloned());
    let passed = matches!(&whole, Ok(v) if v.holds());
    let shown = |v: Result<Value, String>| v.ok().map(|v| v.summary()).filter(|v| !v.is_nan());
    ExpectationResult {
        text: e.text.clone(),
        value: shown(value),
        bound: shown(bound),
        passed,
        note,
        span: e.span.clone(),
    }
}

/// The value of an expression over the outcomes.
pub fn eval(e: &ExprIr, arms: &dyn Arms) -> Result<Value, String> {
    Ok(match e {
        ExprIr::Number { value, .. } => Value::One(*value),
        ExprIr::Bool { value } => Value::One(*value as u8 as f64),
        ExprIr::Query { arm, .. } => {
            let outcomes = arms.outcomes(arm.as_deref())?;
            if outcomes.is_empty() {
                return Err("no outcome to read".into());
            }
            Value::PerSeed(
                outcomes
                    .iter()
                    .map(|o| query(e, o))
                    .collect::<Result<_, _>>()?,
            )
        }
        ExprIr::Metric { .. } => return Err("a live metric cannot be read from outcomes".into()),
        ExprIr::Unary { op, x } => {
            let x = eval(x, arms)?;
            map(&x, |x| match op.as_str() {
                "-" => -x,
                "not" | "!" => (x == 0.0) as u8 as f64,
                _ => x,
            })
        }
        ExprIr::Binary { op, l, r } => {
            let a = eval(l, arms)?;
            match op.as_str() {
                "and" if !a.holds() => return Ok(Value::One(0.0)),
                "or" if a.holds() => return Ok(Value::One(1.0)),
                "and" | "or" => return Ok(Value::One(eval(r, arms)?.holds() as u8 as f64)),
                _ => {}
            }
            let b = eval(r, arms)?;
            let f = binary(op)?;
            zip(&a, &b, f)?
        }
        ExprIr::Call { function, args } => {
            let vals: Vec<Value> = args
                .iter()
                .map(|a| eval(a, arms))
                .collect::<Result<_, _>>()?;
            call(*function, &vals)?
        }
    })
}

fn binary(op: &str) -> Result<fn(f64, f64) -> f64, String> {
    Ok(match op {
        "+" => |a, b| a + b,
        "-" => |a, b| a - b,
        "*" => |a, b| a * b,
        "/" => |a, b| a / b,
        "%" => |a, b| a % b,
        "^" | "**" => f64::powf,
        "<" => |a, b| (a < b) as u8 as f64,
        "<=" => |a, b| (a <= b) as u8 as f64,
        ">" => |a, b| (a > b) as u8 as f64,
        ">=" => |a, b| (a >= b) as u8 as f64,
        "==" => |a, b| (a == b) as u8 as f64,
        "!=" => |a, b| (a != b) as u8 as f64,
        other => return Err(format!("unknown operator `{other}`")),
    })
}

fn map(v: &Value, f: impl Fn(f64) -> f64) -> Value {
    match v {
        Value::One(x) => Value::One(f(*x)),
        Value::PerSeed(xs) => Value::PerSeed(xs.iter().map(|x| f(*x)).collect()),
    }
}

/// A function of one number, seed by seed.
fn apply(v: &Value, f: Function) -> Result<Value, String> {
    let one = |x: f64| {
        f.of_number(x)
            .ok_or_else(|| format!("`{}` is not a function of one number", f.name()))
    };
    Ok(match v {
        Value::One(x) => Value::One(one(*x)?),
        Value::PerSeed(xs) => Value::PerSeed(xs.iter().map(|&x| one(x)).collect::<Result<_, _>>()?),
    })
}

/// Pairs two values seed by seed; a single number pairs with every seed.
fn zip(a: &Value, b: &Value, f: fn(f64, f64) -> f64) -> Result<Value, String> {
    Ok(match (a, b) {
        (Value::One(x), Value::One(y)) => Value::One(f(*x, *y)),
        (Value::One(x), Value::PerSeed(ys)) => {
            Value::PerSeed(ys.iter().map(|y| f(*x, *y)).collect())
        }
        (Value::PerSeed(xs), Value::One(y)) => {
            Value::PerSeed(xs.iter().map(|x| f(*x, *y)).collect())
        }
        (Value::PerSeed(xs), Value::PerSeed(ys)) => {
            if xs.len() != ys.len() {
                return Err(format!(
                    "cannot pair {} seeds with {} seeds",
                    xs.len(),
                    ys.len()
                ));
            }
            Value::PerSeed(xs.iter().zip(ys).map(|(x, y)| f(*x, *y)).collect())
        }
    })
}

fn call(function: Function, vals: &[Value]) -> Result<Value, String> {
    let name = function.name();
    // A statistic over seeds of one list.
    if let [Value::PerSeed(xs)] = vals {
        let stat = match function {
            Function::Mean => mean(xs),
            Function::Median => median(xs),
            Function::Std => std(xs),
            Function::Min => xs.iter().copied().fold(f64::INFINITY, f64::min),
            Function::Max => xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            Function::CiLow => bootstrap_ci(xs).0,
            Function::CiHigh => bootstrap_ci(xs).1,
            f => return apply(&vals[0], f),
        };
        return Ok(Value::One(stat));
    }
    match vals {
        [] => Err(format!("`{name}` needs an argument")),
        [one] => match function {
            // Over one number, the statistics over seeds are the number itself.
            Function::Std => Ok(Value::One(0.0)),
            f if f.is_over_seeds() || matches!(f, Function::Min | Function::Max) => Ok(one.clone()),
            f => apply(one, f),
        },
        [first, rest @ ..] => {
            let f: fn(f64, f64) -> f64 = match function {
                Function::Min => f64::min,
                Function::Max => f64::max,
                _ => return Err(format!("`{name}` takes one argument")),
            };
            rest.iter()
                .try_fold(first.clone(), |acc, v| zip(&acc, v, f))
        }
    }
}

pub fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

pub fn median(xs: &[f64]) -> f64 {
    let mut s = xs.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

/// The sample standard deviation (n − 1); 0 for one value.
pub fn std(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let m = mean(xs);
    (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64).sqrt()
}

/// The 95 % percentile-bootstrap confidence interval of the mean, from a fixed seed so the
/// same values always give the same interval.
pub fn bootstrap_ci(xs: &[f64]) -> (f64, f64) {
    match xs.len() {
        0 => return (f64::NAN, f64::NAN),
        1 => return (xs[0], xs[0]),
        _ => {}
    }
    let mut rng = ChaCha8Rng::seed_from_u64(0x5EED_B007);
    let n = xs.len();
    let mut means: Vec<f64> = (0..BOOTSTRAP_RESAMPLES)
        .map(|_| (0..n).map(|_| xs[rng.random_range(0..n)]).sum::<f64>() / n as f64)
        .collect();
    means.sort_by(f64::total_cmp);
    let at = |q: f64| means[((q * (BOOTSTRAP_RESAMPLES - 1) as f64).round()) as usize];
    (at(0.025), at(0.975))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_of_a_list() {
        let xs = [1.0, 2.0, 3.0, 10.0];
        assert_eq!(mean(&xs), 4.0);
        assert_eq!(median(&xs), 2.5);
        assert!((std(&xs) - 4.08248290463863).abs() < 1e-12);
    }

    #[test]
    fn bootstrap_interval_contains_the_mean_and_lies_within_the_data() {
        let xs = [0.50, 0.52, 0.55, 0.49, 0.58];
        let (lo, hi) = bootstrap_ci(&xs);
        assert!(lo < mean(&xs) && mean(&xs) < hi, "{lo} {hi}");
        assert!(lo >= 0.49 && hi <= 0.58);
        assert_eq!(bootstrap_ci(&xs), (lo, hi), "deterministic");
        assert_eq!(bootstrap_ci(&[0.3]), (0.3, 0.3));
    }

    #[test]
    fn lists_pair_seed_by_seed_and_comparisons_hold_on_every_seed() {
        let a = Value::PerSeed(vec![1.0, 2.0]);
        let b = Value::PerSeed(vec![0.5, 2.5]);
        assert_eq!(
            zip(&a, &b, binary("-").unwrap()).unwrap(),
            Value::PerSeed(vec![0.5, -0.5])
        );
        assert!(!zip(&a, &b, binary(">").unwrap()).unwrap().holds());
        assert!(
            zip(&a, &Value::One(0.0), binary(">").unwrap())
                .unwrap()
                .holds()
        );
        assert!(zip(&a, &Value::PerSeed(vec![1.0]), binary("+").unwrap()).is_err());
        assert_eq!(
            call(Function::Min, std::slice::from_ref(&a)).unwrap(),
            Value::One(1.0)
        );
        assert_eq!(
            call(Function::Max, &[a.clone(), b]).unwrap(),
            Value::PerSeed(vec![1.0, 2.5])
        );
    }
}
