//! `compare` and `sweep` items: their arms, seeds, axes and expectations, checked against
//! the plans of the protocols they run.

use super::expect::{self, Arm};
use super::ir::{ExpectIr, ParamIr};
use super::params::{param_ir, span_ir};
use crate::check::eval::Eval;
use crate::check::limits::{
    FEW_SEEDS, MAX_RUNS, MAX_SEEDS, MAX_VALUES, range_len, size_text, too_many_values,
};
use crate::check::program::{ItemId, Program};
use crate::check::value::Value;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::Span;
use crate::syntax::ast::{Expect, Expr, ExprKind, Item};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A comparison of protocols over seeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareIr {
    pub name: String,
    pub arms: Vec<String>,
    pub seeds: Vec<u64>,
    pub expectations: Vec<ExpectIr>,
    pub tolerances: BTreeMap<String, f64>,
}

/// A sweep of one protocol over a grid of constants and seeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepIr {
    pub name: String,
    pub protocol: String,
    /// Each axis: a constant and the values it takes.
    pub axes: Vec<(String, Vec<ParamIr>)>,
    /// Per axis and value: the value's source text, for values that are not a number,
    /// boolean, symbol or string (a dataset, tasks, a list): each point sets the constant to
    /// this text, as `--set name=text` would.
    #[serde(default, skip)]
    pub texts: Vec<Vec<Option<String>>>,
    pub seeds: Vec<u64>,
    pub expectations: Vec<ExpectIr>,
    pub tolerances: BTreeMap<String, f64>,
}

/// The compiled items, and the definitions they used (for the unused-definition lint).
pub struct Compiled {
    pub compares: Vec<CompareIr>,
    pub sweeps: Vec<SweepIr>,
    pub used: HashSet<ItemId>,
}

/// Compiles every `compare` and `sweep` of the root file; `arms` maps protocol names to what
/// their schedules measure (from their plans).
pub fn compile_all(
    prog: &Program,
    arms: &HashMap<String, Arm>,
    diags: &mut Diagnostics,
) -> Compiled {
    let mut compares = Vec::new();
    let mut sweeps = Vec::new();
    let mut ev = Eval::new(prog, diags);
    for (id, item) in prog.items() {
        if id.module != 0 {
            continue;
        }
        match item {
            Item::Compare(c) => {
                let mut list = Vec::new();
                for a in &c.arms {
                    if let Some(arm) = arm(&mut ev, id, &a.node, a.span, arms) {
                        list.push(arm);
                    }
                }
                let seeds = seeds(&mut ev, &c.seeds);
                too_many_runs(
                    &mut ev,
                    c.seeds.span,
                    c.arms.len() as u64,
                    seeds.len(),
                    "arms",
                );
                let name = c
                    .arms
                    .iter()
                    .map(|a| a.node.as_str())
                    .collect::<Vec<_>>()
                    .join(" vs ");
                if !seeds.is_empty() && seeds.len() < FEW_SEEDS {
                    ev.push(few_seeds(&name, seeds.len(), c.seeds.span));
                }
                // An arm that failed to compile was reported already; its checks wait for it.
                let complete = list.len() == c.arms.len();
                let expectations =
                    expectations(&mut ev, &c.expects, if complete { &list } else { &[] });
                if complete {
                    let tolerances = super::compile::compile_tolerances(&mut ev, 0, &c.tolerances);
                    compares.push(CompareIr {
                        name,
                        arms: list.into_iter().map(|a| a.name).collect(),
                        seeds,
                        expectations,
                        tolerances,
                    });
                }
            }
            Item::Sweep(s) => {
                let target = arm(&mut ev, id, &s.protocol.node, s.protocol.span, arms);
                let mut axes = Vec::new();
                let mut texts = Vec::new();
                for (name, values) in &s.axes {
                    let Some(let_id) = prog.lookup(0, &name.node) else {
                        ev.undefined(&name.node, name.span, None);
                        continue;
                    };
                    if !matches!(prog.item(let_id), Item::Let(_)) {
                        ev.push(
                            Diagnostic::new(
                                Code::E103,
                                name.span,
                                format!(
                                    "`{}` is a {}; a sweep varies a `let` constant",
                                    name.node,
                                    prog.item(let_id).kind_word()
                                ),
                            )
                            .label("not a constant"),
                        );
                        continue;
                    }
                    ev.used.insert(let_id);
                    let current = ev.let_value(let_id, name.span);
                    let vals = match ev.eval(values) {
                        // `[1..N]`: a range inside the list is expanded as a value too.
                        Value::List(xs)
                            if let Some(n) = xs
                                .iter()
                                .filter_map(|x| match x {
                                    Value::Range(a, b) => Some(range_len(*a, *b)),
                                    _ => None,
                                })
                                .find(|&n| n > MAX_VALUES) =>
                        {
                            ev.push(too_many_values(values.span, n, "a range of this axis"));
                            continue;
                        }
                        Value::List(xs) => xs,
                        Value::Range(a, b) if range_len(a, b) > MAX_VALUES => {
                            ev.push(too_many_values(values.span, range_len(a, b), "this axis"));
                            continue;
                        }
                        Value::Range(a, b) => (a..=b)
                            .map(|i| Value::Num(i as f64, crate::units::Dim::NONE))
                            .collect(),
                        Value::Unknown(_) => continue,
                        other => {
                            ev.push(
                                Diagnostic::new(
                                    Code::E204,
                                    values.span,
                                    format!(
                                        "a sweep axis takes a list of values, not {}",
                                        other.describe()
                                    ),
                                )
                                .label("not a list"),
                            );
                            continue;
                        }
                    };
                    if let Value::Num(_, want) = current {
                        for v in &vals {
                            if let Value::Num(_, d) = v
                                && *d != want
                            {
                                ev.push(
                                    Diagnostic::new(
                                        Code::E205,
                                        values.span,
                                        format!(
                                            "`{}` is a {} value, but the sweep gives it {}",
                                            name.node,
                                            want.name(),
                                            v.describe()
                                        ),
                                    )
                                    .label("wrong dimension")
                                    .secondary(prog.name_span(let_id), "defined here"),
                                );
                                break;
                            }
                        }
                    }
                    let irs: Vec<ParamIr> = vals.iter().map(|v| param_ir(&mut ev, v)).collect();
                    // A literal list's elements as written: `[mnist, fashion]`.
                    let written: Vec<Option<String>> = match &values.node {
                        ExprKind::List(items) if items.len() == irs.len() => items
                            .iter()
                            .map(|e| Some(prog.sources.get(e.span.file).slice(e.span).to_string()))
                            .collect(),
                        _ => vec![None; irs.len()],
                    };
                    let primitive = |ir: &ParamIr| {
                        matches!(
                            ir,
                            ParamIr::Number { .. }
                                | ParamIr::Bool { .. }
                                | ParamIr::Symbol { .. }
                                | ParamIr::String { .. }
                        )
                    };
                    let axis_texts: Vec<Option<String>> = irs
                        .iter()
                        .zip(written)
                        .map(|(ir, text)| if primitive(ir) { None } else { text })
                        .collect();
                    let unwritten = irs
                        .iter()
                        .zip(&axis_texts)
                        .any(|(ir, text)| text.is_none() && !primitive(ir));
                    if unwritten {
                        ev.push(
                            Diagnostic::new(
                                Code::E204,
                                values.span,
                                format!(
                                    "the values of `{}` are not numbers, booleans, symbols or strings: write them out in the sweep's list",
                                    name.node
                                ),
                            )
                            .label("not a list written here")
                            .help(format!(
                                "each point sets the constant as `--set {}=<value as written>` would: `over {} in [a, b]`",
                                name.node, name.node
                            )),
                        );
                        continue;
                    }
                    texts.push(axis_texts);
                    axes.push((name.node.clone(), irs));
                }
                let seeds = seeds(&mut ev, &s.seeds);
                let points = axes
                    .iter()
                    .fold(1u64, |acc, (_, v)| acc.saturating_mul(v.len() as u64));
                too_many_runs(&mut ev, s.seeds.span, points, seeds.len(), "grid points");
                let list: Vec<Arm> = target.into_iter().collect();
                let expectations = expectations(&mut ev, &s.expects, &list);
                if let Some(a) = list.first() {
                    sweeps.push(SweepIr {
                        name: format!(
                            "{} over {}",
                            a.name,
                            axes.iter()
                                .map(|(n, _)| n.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        protocol: a.name.clone(),
                        axes,
                        texts,
                        seeds,
                        expectations,
                        tolerances: super::compile::compile_tolerances(&mut ev, 0, &s.tolerances),
                    });
                }
            }
            _ => {}
        }
    }
    let used = std::mem::take(&mut ev.used);
    Compiled {
        compares,
        sweeps,
        used,
    }
}

fn arm(
    ev: &mut Eval,
    _at: ItemId,
    name: &str,
    span: crate::source::Span,
    arms: &HashMap<String, Arm>,
) -> Option<Arm> {
    let prog = ev.prog;
    match prog.lookup(0, name) {
        Some(id) if matches!(prog.item(id), Item::Protocol(_)) => {
            ev.used.insert(id);
            // A protocol that failed to compile has no arm; its errors are already reported.
            arms.get(name).cloned()
        }
        Some(id) => {
            ev.push(
                Diagnostic::new(
                    Code::E103,
                    span,
                    format!(
                        "`{name}` is a {}, not a protocol",
                        prog.item(id).kind_word()
                    ),
                )
                .label("compare and sweep run protocols")
                .secondary(prog.name_span(id), "defined here"),
            );
            None
        }
        None => {
            let protocols = prog.names[0]
                .iter()
                .filter(|(_, i)| matches!(prog.item(**i), Item::Protocol(_)))
                .map(|(n, _)| n.as_str());
            ev.push(
                Diagnostic::new(Code::E101, span, format!("no protocol is named `{name}`"))
                    .label("not defined")
                    .suggest_name(name, span, protocols),
            );
            None
        }
    }
}

/// The message of W010 for the comparison `name` over `seeds` seeds; `somnia compare` finds
/// its comparison's warning by it.
pub fn few_seeds_message(name: &str, seeds: usize) -> String {
    format!(
        "`compare {name}` rests on {seeds} seed{}: its confidence intervals and effect sizes are unreliable",
        if seeds == 1 { "" } else { "s" }
    )
}

/// W010: a comparison whose paired differences are fewer than [`FEW_SEEDS`].
fn few_seeds(name: &str, seeds: usize, at: Span) -> Diagnostic {
    Diagnostic::new(Code::W010, at, few_seeds_message(name, seeds))
        .label(format!(
            "{seeds} seed{}, fewer than {FEW_SEEDS}",
            if seeds == 1 { "" } else { "s" }
        ))
        .help(format!(
            "run at least {FEW_SEEDS} seeds (`over seeds 1..{FEW_SEEDS}`) before reading the intervals"
        ))
}

/// E319 when `groups` × `seeds` is past [`MAX_RUNS`].
fn too_many_runs(ev: &mut Eval, at: Span, groups: u64, seeds: usize, what: &str) {
    let runs = groups.saturating_mul(seeds as u64);
    if runs > MAX_RUNS {
        ev.push(
            Diagnostic::new(
                Code::E319,
                at,
                format!(
                    "{} runs: {} {what} × {} seeds; at most {} are run",
                    size_text(runs),
                    size_text(groups),
                    size_text(seeds as u64),
                    size_text(MAX_RUNS)
                ),
            )
            .label(format!("{} seeds", size_text(seeds as u64)))
            .help("use fewer seeds, or fewer values on each axis"),
        );
    }
}

/// The seeds of `over seeds S`: whole numbers ≥ 0, at least one, at most [`MAX_SEEDS`].
fn seeds(ev: &mut Eval, e: &Expr) -> Vec<u64> {
    let v = ev.eval(e);
    if let Value::Range(a, b) = v
        && range_len(a, b) > MAX_SEEDS
    {
        let n = range_len(a, b);
        ev.push(
            Diagnostic::new(
                Code::E319,
                e.span,
                format!(
                    "`seeds` has {} seeds; a comparison or sweep takes at most {}",
                    size_text(n),
                    size_text(MAX_SEEDS)
                ),
            )
            .label(format!("{} seeds", size_text(n)))
            .help("use fewer seeds: `seeds 1..20`"),
        );
        return Vec::new();
    }
    let items: Vec<Value> = match v {
        Value::Range(a, b) => (a..=b)
            .map(|i| Value::Num(i as f64, crate::units::Dim::NONE))
            .collect(),
        Value::List(xs) => xs,
        n @ Value::Num(..) => vec![n],
        Value::Unknown(_) => return Vec::new(),
        other => {
            ev.push(
                Diagnostic::new(
                    Code::E204,
                    e.span,
                    format!(
                        "seeds are a range or a list of whole numbers, not {}",
                        other.describe()
                    ),
                )
                .label("not seeds"),
            );
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for v in items {
        match v {
            Value::Num(x, d) if d.is_none() && x >= 0.0 && x.fract() == 0.0 => out.push(x as u64),
            other => {
                ev.push(
                    Diagnostic::new(
                        Code::E210,
                        e.span,
                        format!("a seed is a whole number ≥ 0, not {}", other.describe()),
                    )
                    .label("not a seed"),
                );
                return Vec::new();
            }
        }
    }
    if out.is_empty() {
        ev.push(
            Diagnostic::new(Code::E211, e.span, "no seeds")
                .label(
                    if matches!(e.node, crate::syntax::ast::ExprKind::Binary(..)) {
                        "this range is empty"
                    } else {
                        "this list is empty"
                    },
                )
                .help("a range runs upwards, both ends included: `1..5`"),
        );
    }
    out
}

fn expectations(ev: &mut Eval, expects: &[Expect], arms: &[Arm]) -> Vec<ExpectIr> {
    let mut out = Vec::new();
    for e in expects {
        let ctx = expect::Context {
            measured: &[],
            phases: &[],
            arms,
            complete: true,
        };
        if arms.is_empty() {
            ev.touch(&e.cond);
            continue;
        }
        if let Some(expr) = expect::compile_expect(ev, &e.cond, &ctx) {
            out.push(ExpectIr {
                text: ev
                    .prog
                    .sources
                    .get(e.span.file)
                    .slice(e.cond.span)
                    .to_string(),
                expr,
                span: span_ir(&ev.prog.sources, e.span),
            });
        }
    }
    out
}
