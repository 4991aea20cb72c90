//! Built-in functions evaluated at check and plan time (`min`, `max`, `abs`, `round`, ...).
//!
//! The aggregates over seeds (`mean`, `ci_low`, ...) are evaluated by the outcome stage when
//! their argument is an outcome value; on plain numbers and lists they are computed here.

use super::eval::Eval;
use super::value::Value;
use crate::builtins::{Builtin, Ty};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::Arg;
use crate::units::Dim;

impl Eval<'_, '_> {
    /// Calls a function built-in.
    pub fn call_function(&mut self, f: &'static Builtin, args: &[Arg], span: Span) -> Value {
        for a in args {
            if let Some(n) = &a.name {
                self.push(
                    Diagnostic::new(
                        Code::E107,
                        n.span,
                        format!("`{}` takes no named arguments", f.name),
                    )
                    .label("remove the name"),
                );
            }
        }
        let vals: Vec<(Value, Span)> = args
            .iter()
            .map(|a| (self.eval(&a.value), a.value.span))
            .collect();
        if vals.iter().any(|(v, _)| v.is_unknown()) {
            return Value::Unknown(Ty::AnyNum);
        }
        let variadic = f.params.first().is_some_and(|p| p.variadic);
        if !variadic && vals.len() != 1 {
            self.push(
                Diagnostic::new(
                    Code::E112,
                    span,
                    format!("`{}` takes one argument, found {}", f.name, vals.len()),
                )
                .label("wrong number of arguments"),
            );
            return Value::Unknown(Ty::AnyNum);
        }
        if f.name == "len" {
            return match &vals[0].0 {
                Value::List(xs) => Value::Num(xs.len() as f64, Dim::NONE),
                Value::Tasks(t) => Value::Num(t.tasks.len() as f64, Dim::NONE),
                Value::Range(a, b) => Value::Num((b - a + 1).max(0) as f64, Dim::NONE),
                other => {
                    self.push(
                        Diagnostic::new(
                            Code::E204,
                            vals[0].1,
                            format!("`len` needs a list, not {}", other.describe()),
                        )
                        .label("not a list"),
                    );
                    Value::Unknown(Ty::AnyNum)
                }
            };
        }
        // Flatten: `max(1, 2)` and `max([1, 2])` mean the same.
        let mut nums = Vec::new();
        let mut dim: Option<Dim> = None;
        for (v, s) in &vals {
            let items: Vec<Value> = match v {
                Value::List(xs) => xs.clone(),
                Value::Range(a, b)
                    if super::limits::range_len(*a, *b) > super::limits::MAX_VALUES =>
                {
                    let n = super::limits::range_len(*a, *b);
                    self.push(super::limits::too_many_values(*s, n, "this range"));
                    return Value::Unknown(Ty::AnyNum);
                }
                Value::Range(a, b) => (*a..=*b).map(|i| Value::Num(i as f64, Dim::NONE)).collect(),
                other => vec![other.clone()],
            };
            for item in items {
                match item {
                    Value::Num(x, d) => {
                        if let Some(prev) = dim
                            && prev != d
                        {
                            self.push(
                                Diagnostic::new(
                                    Code::E202,
                                    *s,
                                    format!("`{}` needs values of one dimension", f.name),
                                )
                                .label(format!(
                                    "{} among {} values",
                                    d.name(),
                                    prev.name()
                                )),
                            );
                            return Value::Unknown(Ty::AnyNum);
                        }
                        dim = Some(d);
                        nums.push(x);
                    }
                    other => {
                        self.push(
                            Diagnostic::new(
                                Code::E204,
                                *s,
                                format!("`{}` needs numbers, not {}", f.name, other.describe()),
                            )
                            .label("not a number"),
                        );
                        return Value::Unknown(Ty::AnyNum);
                    }
                }
            }
        }
        let dim = dim.unwrap_or(Dim::NONE);
        if nums.is_empty() {
            self.push(
                Diagnostic::new(
                    Code::E112,
                    span,
                    format!("`{}` needs at least one number", f.name),
                )
                .label("nothing to compute"),
            );
            return Value::Unknown(Ty::AnyNum);
        }
        let needs_dimensionless = matches!(f.name, "sqrt" | "exp" | "log");
        if needs_dimensionless && !dim.is_none() {
            self.push(
                Diagnostic::new(
                    Code::E202,
                    vals[0].1,
                    format!("`{}` needs a dimensionless number", f.name),
                )
                .label(format!("this is a {} value", dim.name())),
            );
            return Value::Unknown(Ty::AnyNum);
        }
        let x = nums[0];
        let mean = nums.iter().sum::<f64>() / nums.len() as f64;
        let result = match f.name {
            "min" => nums.iter().copied().fold(f64::INFINITY, f64::min),
            "max" => nums.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            "abs" => x.abs(),
            "sqrt" | "log" if x < 0.0 || (f.name == "log" && x == 0.0) => {
                self.push(
                    Diagnostic::new(
                        Code::E211,
                        vals[0].1,
                        format!(
                            "`{}` of {} is undefined",
                            f.name,
                            crate::units::format_number(x)
                        ),
                    )
                    .label("out of the function's domain"),
                );
                return Value::Unknown(Ty::AnyNum);
            }
            "sqrt" => x.sqrt(),
            "exp" => x.exp(),
            "log" => x.ln(),
            "round" => x.round(),
            "floor" => x.floor(),
            "ceil" => x.ceil(),
            "mean" | "ci_low" | "ci_high" => mean,
            "median" => {
                let mut s = nums.clone();
                s.sort_by(f64::total_cmp);
                let n = s.len();
                if n % 2 == 1 {
                    s[n / 2]
                } else {
                    (s[n / 2 - 1] + s[n / 2]) / 2.0
                }
            }
            "std" => {
                let n = nums.len() as f64;
                if n < 2.0 {
                    0.0
                } else {
                    (nums.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
                }
            }
            other => unreachable!("function {other} has no evaluation"),
        };
        Value::Num(result, dim)
    }
}
