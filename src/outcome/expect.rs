//! Expectations evaluated against an outcome: selectors read the timeline, arithmetic and
//! comparisons combine the values.

use super::{ExpectationResult, Outcome, Row};
use crate::builtins::functions::Function;
use crate::plan::ir::{ExpectIr, ExprIr, SelectorIr};

/// Evaluates every expectation of a plan.
pub fn evaluate_all(exps: &[ExpectIr], o: &Outcome) -> Vec<ExpectationResult> {
    exps.iter().map(|e| evaluate(e, o)).collect()
}

pub fn evaluate(e: &ExpectIr, o: &Outcome) -> ExpectationResult {
    let (value, bound) = match &e.expr {
        ExprIr::Binary { op, l, r } if is_comparison(op) => (eval(l, o), eval(r, o)),
        other => (eval(other, o), Ok(f64::NAN)),
    };
    let whole = eval(&e.expr, o);
    let note = [&value, &bound, &whole]
        .iter()
        .find_map(|v| v.as_ref().err().cloned());
    let passed = matches!(whole, Ok(v) if v != 0.0 && !v.is_nan());
    ExpectationResult {
        text: e.text.clone(),
        value: value.ok().filter(|v| !v.is_nan()),
        bound: bound.ok().filter(|v| !v.is_nan()),
        passed,
        note,
        span: e.span.clone(),
    }
}

pub fn is_comparison(op: &str) -> bool {
    matches!(op, "<" | "<=" | ">" | ">=" | "==" | "!=")
}

/// The value of an expression; booleans are 1 and 0.
pub fn eval(e: &ExprIr, o: &Outcome) -> Result<f64, String> {
    eval_with(e, &mut |q| query(q, o))
}

/// Evaluates with `read` answering metric reads (outcome queries or live metrics).
pub fn eval_with(
    e: &ExprIr,
    read: &mut dyn FnMut(&ExprIr) -> Result<f64, String>,
) -> Result<f64, String> {
    Ok(match e {
        ExprIr::Number { value, .. } => *value,
        ExprIr::Bool { value } => *value as u8 as f64,
        ExprIr::Query { .. } | ExprIr::Metric { .. } => read(e)?,
        ExprIr::Unary { op, x } => {
            let x = eval_with(x, read)?;
            match op.as_str() {
                "-" => -x,
                "not" | "!" => (x == 0.0) as u8 as f64,
                _ => x,
            }
        }
        ExprIr::Binary { op, l, r } => {
            let a = eval_with(l, read)?;
            // `and`/`or` short-circuit, so a guarded read is not needed when decided.
            match op.as_str() {
                "and" if a == 0.0 => return Ok(0.0),
                "or" if a != 0.0 => return Ok(1.0),
                _ => {}
            }
            let b = eval_with(r, read)?;
            match op.as_str() {
                "+" => a + b,
                "-" => a - b,
                "*" => a * b,
                "/" => a / b,
                "%" => a % b,
                "^" | "**" => a.powf(b),
                "<" => (a < b) as u8 as f64,
                "<=" => (a <= b) as u8 as f64,
                ">" => (a > b) as u8 as f64,
                ">=" => (a >= b) as u8 as f64,
                "==" => (a == b) as u8 as f64,
                "!=" => (a != b) as u8 as f64,
                "and" | "or" => (b != 0.0) as u8 as f64,
                other => return Err(format!("unknown operator `{other}`")),
            }
        }
        ExprIr::Call { function, args } => {
            let v: Vec<f64> = args
                .iter()
                .map(|a| eval_with(a, read))
                .collect::<Result<_, _>>()?;
            let x = v.first().copied().unwrap_or(f64::NAN);
            match function {
                Function::Min => v.iter().copied().fold(f64::INFINITY, f64::min),
                Function::Max => v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                // Over one seed, the statistics over seeds are the value itself.
                Function::Std => 0.0,
                f if f.is_over_seeds() => x,
                f => f
                    .of_number(x)
                    .ok_or_else(|| format!("`{}` cannot be evaluated on one outcome", f.name()))?,
            }
        }
    })
}

/// Reads an outcome value.
pub fn query(e: &ExprIr, o: &Outcome) -> Result<f64, String> {
    let ExprIr::Query {
        selector,
        metric,
        task,
        ..
    } = e
    else {
        return Err("a live metric cannot be read from an outcome".into());
    };
    let key = metric.key();
    let subject = metric.subject();
    let matches = |r: &&Row| {
        r.metric == key
            && match &subject {
                Some(s) => &r.task == s,
                None if task == "all" => r.task == "all" && r.group == metric.group,
                None => &r.task == task,
            }
    };
    let rows: Vec<&Row> = o.timeline.iter().filter(matches).collect();
    let pick = |rows: Vec<&Row>, first: bool| {
        if first {
            rows.first().map(|r| r.value)
        } else {
            rows.last().map(|r| r.value)
        }
    };
    let found = match selector {
        SelectorIr::Final => pick(rows, false),
        SelectorIr::Initial => pick(rows, true),
        SelectorIr::Label { label, index } => {
            // The measurements carrying the label, in order; the index counts them.
            let mut ids: Vec<usize> = o
                .timeline
                .iter()
                .filter(|r| r.label.as_deref() == Some(label))
                .map(|r| r.measure)
                .collect();
            ids.dedup();
            let id = match index {
                Some(i) => ids.get(*i as usize).copied(),
                None => ids.last().copied(),
            };
            id.and_then(|id| {
                pick(
                    rows.into_iter().filter(|r| r.measure == id).collect(),
                    false,
                )
            })
        }
        SelectorIr::Before { phase, index } | SelectorIr::After { phase, index } => {
            let calls: Vec<usize> = o
                .ops
                .iter()
                .filter(|op| op.name.split('#').next() == Some(phase.as_str()))
                .map(|op| op.index)
                .collect();
            let at = match index {
                Some(i) => calls.get(*i as usize).copied(),
                None => calls.last().copied(),
            };
            at.and_then(|at| {
                if matches!(selector, SelectorIr::Before { .. }) {
                    pick(rows.into_iter().filter(|r| r.op < at).collect(), false)
                } else {
                    pick(rows.into_iter().filter(|r| r.op > at).collect(), true)
                }
            })
        }
    };
    found.ok_or_else(|| {
        format!(
            "`{}` of `{}` was not measured at that point of this run",
            key,
            subject.unwrap_or_else(|| task.clone())
        )
    })
}
