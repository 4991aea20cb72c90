//! How the REPL prints values, what a statement ran, metrics and weights.

use crate::check::program::Program;
use crate::check::value::Value;
use crate::engine::network::Projection;
use crate::outcome::{OpRecord, Row};
use crate::units::{Dim, format_number, format_quantity};
use sha2::{Digest, Sha256};
use std::fmt::Write;

/// A value with its unit: `0.06`, `100 ms`, `[pairs[0], pairs[1]]`.
pub fn value(v: &Value, prog: &Program) -> String {
    match v {
        Value::Num(x, d) => format_quantity(*x, *d),
        Value::Bool(b) => b.to_string(),
        Value::Str(s) => format!("{s:?}"),
        Value::Symbol(s) => s.clone(),
        Value::List(xs) => format!(
            "[{}]",
            xs.iter()
                .map(|x| value(x, prog))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Range(a, b) => format!("{a}..{b}"),
        Value::Tasks(t) => {
            let names: Vec<String> = t
                .tasks
                .iter()
                .map(|r| format!("{}[{}]", prog.name_of(r.set), r.index))
                .collect();
            if t.single && names.len() == 1 {
                names[0].clone()
            } else {
                format!("[{}]", names.join(", "))
            }
        }
        other => other.describe(),
    }
}

/// `:type`: the dimension and unit of a number, or what kind of value it is.
pub fn type_of(v: &Value) -> String {
    match v {
        Value::Num(_, d) => dimension(*d),
        Value::Bool(_) => "bool".into(),
        Value::Str(_) => "string".into(),
        Value::Tasks(t) if t.single => "task".into(),
        Value::Tasks(_) => "tasks".into(),
        Value::List(_) => "list".into(),
        Value::Range(..) => "range".into(),
        other => other.describe(),
    }
}

/// `dimensionless`, `time (unit s)`, `s·steps (unit s·steps)`.
pub fn dimension(d: Dim) -> String {
    if d.is_none() {
        "dimensionless".into()
    } else {
        format!("{} (unit {})", d.name(), d.unit_expr())
    }
}

fn percent_or_number(metric: &str, v: f64) -> String {
    if matches!(metric, "accuracy" | "forgetting" | "bwt") {
        format!("{:.2} %", 100.0 * v)
    } else if metric == "rates" {
        format!("{} Hz", format_number(v))
    } else {
        format_number(v)
    }
}

/// One line per op run, and each measured value.
pub fn ran(records: &[OpRecord], rows: &[Row]) -> String {
    let mut out = String::new();
    for r in records {
        let amount = r.amount.map(|a| {
            let unit = match r.kind.as_str() {
                "wake" | "perturb" => "samples",
                _ => "steps",
            };
            format!("{} {unit}", crate::plan::timeline::group_digits(a))
        });
        let mut parts = vec![r.kind.clone()];
        parts.extend(amount);
        if !r.spikes.is_empty() {
            let spikes: Vec<String> = r
                .spikes
                .iter()
                .filter(|(_, n)| **n > 0)
                .map(|(p, n)| format!("{p} {}", crate::plan::timeline::group_digits(*n)))
                .collect();
            if !spikes.is_empty() {
                parts.push(format!("spikes {}", spikes.join(", ")));
            }
        }
        if let Some(l) = r.loss.last() {
            parts.push(format!("loss {l:.4}"));
        }
        match r.kind.as_str() {
            "measure" => {
                let label = if r.name.is_empty() {
                    String::new()
                } else {
                    format!(" \"{}\"", r.name)
                };
                let _ = writeln!(out, "measure{label}");
                let mine: Vec<&Row> = rows.iter().filter(|row| row.op == r.index).collect();
                for row in &mine {
                    // The mean over a group of one task is that task's value again.
                    let single = row.task == "all"
                        && mine.iter().any(|o| {
                            o.measure == row.measure
                                && o.metric == row.metric
                                && Some(&o.task) == row.group.as_ref()
                        });
                    if !single {
                        let _ = writeln!(out, "  {}", row_text(row));
                    }
                }
            }
            "checkpoint" | "restore" => {
                let _ = writeln!(out, "{} \"{}\"", r.kind, r.name);
            }
            _ => {
                let _ = writeln!(out, "{}  {}", r.name, parts.join(" · "));
            }
        }
    }
    out.trim_end().to_string()
}

fn row_text(row: &Row) -> String {
    let task = match &row.group {
        Some(g) if row.task == "all" => g.clone(),
        _ => row.task.clone(),
    };
    format!(
        "{:<16} {:<14} {}",
        row.metric,
        task,
        percent_or_number(&row.metric, row.value)
    )
}

/// `:metrics`: the latest value of every metric measured, with where it was measured.
pub fn metrics(rows: &[Row]) -> String {
    if rows.is_empty() {
        return "nothing measured yet (`measure accuracy(seen)` measures)".into();
    }
    let mut latest: Vec<&Row> = Vec::new();
    // The mean over a group of one task (`pairs[0]`) repeats that task's row.
    let single = |r: &Row| {
        r.task == "all"
            && r.group
                .as_ref()
                .is_some_and(|g| g.contains('[') && !g.contains(','))
    };
    for r in rows.iter().filter(|r| !single(r)) {
        match latest
            .iter_mut()
            .find(|l| l.metric == r.metric && l.task == r.task && l.group == r.group)
        {
            Some(l) => *l = r,
            None => latest.push(r),
        }
    }
    let measures = rows.last().map_or(0, |r| r.measure + 1);
    let mut out = format!(
        "{} values from {measures} measurement{}; the latest of each:\n",
        rows.len(),
        if measures == 1 { "" } else { "s" }
    );
    let _ = writeln!(
        out,
        "  {:<16} {:<14} {:>10}  {:<6} after",
        "metric", "task", "value", "op"
    );
    for r in latest {
        let task = match &r.group {
            Some(g) if r.task == "all" => g.clone(),
            _ => r.task.clone(),
        };
        let label = r
            .label
            .as_ref()
            .map(|l| format!(" \"{l}\""))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<16} {:<14} {:>10}  #{:<5} {}{label}",
            r.metric,
            task,
            percent_or_number(&r.metric, r.value),
            r.op,
            if r.after.is_empty() { "-" } else { &r.after },
        );
    }
    out.trim_end().to_string()
}

/// `:weights`: statistics of a projection's weights, a digest, and a histogram in text.
pub fn weights(p: &Projection, pre: &str, post: &str) -> String {
    let w: Vec<f64> = p.existing().collect();
    let n = w.len().max(1) as f64;
    let mean = w.iter().sum::<f64>() / n;
    let std = (w.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    let min = w.iter().copied().fold(f64::INFINITY, f64::min);
    let max = w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let abs_sum: f64 = w.iter().map(|x| x.abs()).sum();
    let mut hasher = Sha256::new();
    for x in &p.w {
        hasher.update(x.to_le_bytes());
    }
    let digest: String = hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut out = format!(
        "{} ({pre} {} -> {post} {}): {} synapses{}\n",
        p.name,
        p.pre,
        p.post,
        crate::plan::timeline::group_digits(w.len() as u64),
        if p.plastic { "" } else { ", frozen" }
    );
    let _ = writeln!(
        out,
        "  mean {}  std {}  min {}  max {}  sum|w| {}",
        g(mean),
        g(std),
        g(min),
        g(max),
        g(abs_sum)
    );
    if let Some((lo, hi)) = p.bounds {
        let at = w
            .iter()
            .filter(|&&x| x <= lo as f64 + 1e-9 || x >= hi as f64 - 1e-9)
            .count();
        let _ = writeln!(
            out,
            "  bounds [{}, {}]  at a bound {:.1} %",
            g(lo as f64),
            g(hi as f64),
            100.0 * at as f64 / n
        );
    }
    let _ = writeln!(out, "  digest {digest}");
    if w.is_empty() {
        return out;
    }
    const BINS: usize = 10;
    const WIDTH: usize = 40;
    let span = (max - min).max(f64::MIN_POSITIVE);
    let mut counts = [0usize; BINS];
    for x in &w {
        let b = (((x - min) / span) * BINS as f64) as usize;
        counts[b.min(BINS - 1)] += 1;
    }
    let most = counts.iter().copied().max().unwrap_or(1).max(1);
    for (i, c) in counts.iter().enumerate() {
        let from = min + span * i as f64 / BINS as f64;
        let to = min + span * (i + 1) as f64 / BINS as f64;
        let bar = "█".repeat((c * WIDTH).div_ceil(most));
        let _ = writeln!(out, "  [{:>9}, {:>9}) {:>7} {bar}", g(from), g(to), c);
    }
    out.trim_end().to_string()
}

/// A number in 4 significant digits.
fn g(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let digits = 4 - 1 - x.abs().log10().floor() as i32;
    if !(-3..=8).contains(&digits) {
        return format!("{x:.3e}");
    }
    format!("{:.*}", digits.max(0) as usize, x)
}
