//! Expectations and `until` conditions: expressions over outcome values or live metrics,
//! compiled against what the schedule measures.
//!
//! An expectation may only read a metric the schedule records (E313) at a label or phase
//! that exists (E314); arithmetic and comparisons are checked for dimensions with the same
//! rules as everywhere else.

use super::ir::{ExprIr, MetricIr, MetricRecord, SelectorIr};
use super::params::{number, param_ir};
use crate::builtins::functions::Function;
use crate::builtins::{self, Kind, Ty};
use crate::check::arith;
use crate::check::eval::Eval;
use crate::check::value::{BuiltinValue, Value};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{Expr, ExprKind, Query, Selector, UnOp};
use crate::units::Dim;
use std::collections::BTreeMap;

/// A metric recorded by a `measure`, with the measure's label.
#[derive(Debug, Clone)]
pub struct Measured {
    pub metric: MetricIr,
    pub label: Option<String>,
    /// Which `measure` recorded it (metrics of one `measure` share it): `at "x"[i]` counts
    /// measurements, not metrics.
    pub measure: usize,
}

/// What a protocol's schedule records, for one arm of a comparison.
#[derive(Debug, Clone)]
pub struct Arm {
    pub name: String,
    pub measured: Vec<Measured>,
    pub phases: Vec<String>,
}

/// What expectations can refer to.
pub struct Context<'a> {
    /// The protocol's own measurements (empty in comparisons).
    pub measured: &'a [Measured],
    pub phases: &'a [String],
    /// The arms of a `compare` or the protocol of a `sweep`.
    pub arms: &'a [Arm],
    /// Whether the schedule unrolled without errors. When it did not, what it measures is
    /// not known, and "never measured" (E313, E314) would only repeat its errors.
    pub complete: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Outcome values (`final accuracy(...)`).
    Outcome,
    /// Live metrics (`until accuracy(...) > 0.9`).
    Live,
}

/// Compiles an expectation; it must be a condition.
pub fn compile_expect(ev: &mut Eval, e: &Expr, ctx: &Context) -> Option<ExprIr> {
    let (ir, ty) = compile(ev, e, ctx, Mode::Outcome)?;
    require_condition(ev, e, &ty)?;
    Some(ir)
}

/// Compiles an `until` condition over live metrics.
pub fn compile_live(ev: &mut Eval, e: &Expr, ctx: &Context) -> Option<ExprIr> {
    let (ir, ty) = compile(ev, e, ctx, Mode::Live)?;
    require_condition(ev, e, &ty)?;
    Some(ir)
}

fn require_condition(ev: &mut Eval, e: &Expr, ty: &Value) -> Option<()> {
    match ty {
        Value::Bool(_) | Value::Unknown(Ty::Bool) => Some(()),
        other => {
            ev.push(
                Diagnostic::new(
                    Code::E204,
                    e.span,
                    format!(
                        "a condition must be true or false, not {}",
                        other.describe()
                    ),
                )
                .label("not a condition")
                .help("compare it with something: `final accuracy(pairs) > 50 %`"),
            );
            None
        }
    }
}

/// The plan form of a metric call (`None`, with E317, when it does not bind).
pub fn metric_ir(ev: &mut Eval, b: &BuiltinValue, span: Span) -> Option<MetricIr> {
    let mut tasks = Vec::new();
    let mut group = None;
    if let Some(t) = b.get("tasks")
        && let Value::Tasks(list) = &t.value
    {
        tasks = list.tasks.iter().map(|r| ev.task_key(*r)).collect();
        group = Some(ev.task_group_key(&list.tasks));
    }
    let mut params = BTreeMap::new();
    for p in b.entry.params {
        if p.name == "tasks" {
            continue;
        }
        if let Some(bound) = b.get(p.name) {
            params.insert(p.name.to_string(), param_ir(ev, &bound.value));
        } else if let Some(d) = super::params::default_ir(p) {
            params.insert(p.name.to_string(), d);
        }
    }
    let record = MetricRecord {
        metric: b.entry.name.to_string(),
        tasks,
        group,
        params,
    };
    match MetricIr::try_from(record) {
        Ok(m) => Some(m),
        Err(_) if ev.diags.has_errors() => None,
        Err(e) => {
            ev.push(
                Diagnostic::new(
                    Code::E317,
                    span,
                    format!(
                        "the engine has no kernel for `{}` as written: {e}",
                        b.entry.name
                    ),
                )
                .label("checked, but cannot be run")
                .help("this is a mismatch inside somnia, not in the protocol: please report it"),
            );
            None
        }
    }
}

fn contains(e: &Expr, mode: Mode) -> bool {
    match &e.node {
        ExprKind::Query(_) => mode == Mode::Outcome,
        ExprKind::Call(c, args) => {
            let is_metric = matches!(&c.node, ExprKind::Name(n) if builtins::lookup_kind(n, Kind::Metric).is_some());
            (mode == Mode::Live && is_metric) || args.iter().any(|a| contains(&a.value, mode))
        }
        ExprKind::Unary(_, x) => contains(x, mode),
        ExprKind::Binary(_, a, b) => contains(a, mode) || contains(b, mode),
        ExprKind::List(xs) => xs.iter().any(|x| contains(x, mode)),
        _ => false,
    }
}

fn compile(ev: &mut Eval, e: &Expr, ctx: &Context, mode: Mode) -> Option<(ExprIr, Value)> {
    if !contains(e, mode) {
        let v = ev.eval(e);
        return match v {
            Value::Num(x, d) => Some((number_ir(x, d), Value::Num(x, d))),
            Value::Bool(b) => Some((ExprIr::Bool { value: b }, Value::Bool(b))),
            Value::Unknown(_) => None,
            other => {
                ev.push(
                    Diagnostic::new(
                        Code::E204,
                        e.span,
                        format!(
                            "expected a number or a condition, found {}",
                            other.describe()
                        ),
                    )
                    .label("not a number"),
                );
                None
            }
        };
    }
    match &e.node {
        ExprKind::Query(q) => query(ev, q, e.span, ctx),
        ExprKind::Call(callee, args) => {
            let ExprKind::Name(name) = &callee.node else {
                return None;
            };
            if mode == Mode::Live && builtins::lookup_kind(name, Kind::Metric).is_some() {
                let entry = builtins::lookup_kind(name, Kind::Metric).expect("checked");
                let Value::Builtin(b) = ev.bind_builtin(entry, args, None, e.span) else {
                    return None;
                };
                let metric = metric_ir(ev, &b, e.span)?;
                let task = task_of(&b, ev);
                let dim = returns_dim(entry);
                return Some((
                    ExprIr::Metric { metric, task },
                    Value::Unknown(Ty::Num(dim)),
                ));
            }
            let Some(f) = builtins::lookup_kind(name, Kind::Function) else {
                ev.unknown_builtin(name, callee.span, &Ty::Builtin(Kind::Function));
                return None;
            };
            let mut irs = Vec::new();
            let mut ty = Value::Unknown(Ty::AnyNum);
            for a in args {
                let (ir, t) = compile(ev, &a.value, ctx, mode)?;
                ty = t;
                irs.push(ir);
            }
            if args.len() != 1 && !matches!(f.name, "min" | "max") {
                ev.push(
                    Diagnostic::new(
                        Code::E112,
                        e.span,
                        format!("`{}` takes one argument", f.name),
                    )
                    .label("wrong number of arguments"),
                );
                return None;
            }
            let ty = match ty {
                Value::Num(_, d) | Value::Unknown(Ty::Num(d)) => Value::Unknown(Ty::Num(d)),
                other => other,
            };
            Some((
                ExprIr::Call {
                    function: Function::of(f.name)?,
                    args: irs,
                },
                ty,
            ))
        }
        ExprKind::Unary(op, x) => {
            let (ir, t) = compile(ev, x, ctx, mode)?;
            let ty = match (op, t) {
                (UnOp::Not, _) => Value::Unknown(Ty::Bool),
                (UnOp::Neg, t) => t,
            };
            let name = if *op == UnOp::Not { "not" } else { "-" };
            Some((
                ExprIr::Unary {
                    op: name.into(),
                    x: Box::new(ir),
                },
                ty,
            ))
        }
        ExprKind::Binary(op, l, r) => {
            let (li, lt) = compile(ev, l, ctx, mode)?;
            let (ri, rt) = compile(ev, r, ctx, mode)?;
            let ty = arith::binary(ev, *op, as_type(lt), as_type(rt), l.span, r.span, e.span);
            Some((
                ExprIr::Binary {
                    op: op.symbol().into(),
                    l: Box::new(li),
                    r: Box::new(ri),
                },
                ty,
            ))
        }
        _ => {
            ev.push(
                Diagnostic::new(Code::E204, e.span, "this cannot hold an outcome value")
                    .label("not supported here"),
            );
            None
        }
    }
}

/// Outcome values are unknown at plan time; constants keep their value for dimension checks.
fn as_type(v: Value) -> Value {
    match v {
        Value::Num(_, d) => Value::Unknown(Ty::Num(d)),
        Value::Bool(_) => Value::Unknown(Ty::Bool),
        other => other,
    }
}

fn number_ir(x: f64, d: Dim) -> ExprIr {
    match number(x, d) {
        super::ir::ParamIr::Number { value, unit } => ExprIr::Number { value, unit },
        _ => unreachable!("number() makes numbers"),
    }
}

fn returns_dim(entry: &builtins::Builtin) -> Dim {
    match entry.returns {
        Some(Ty::Num(d)) => d,
        _ => Dim::NONE,
    }
}

/// `all` for a task group, or the key of a single task.
fn task_of(b: &BuiltinValue, ev: &mut Eval) -> String {
    match b.get("tasks").map(|t| &t.value) {
        Some(Value::Tasks(t)) if t.single && t.tasks.len() == 1 => ev.task_key(t.tasks[0]),
        _ => "all".into(),
    }
}

fn query(ev: &mut Eval, q: &Query, span: Span, ctx: &Context) -> Option<(ExprIr, Value)> {
    let (arm_name, measured, phases): (Option<String>, &[Measured], &[String]) = match &q.arm {
        Some(a) => match ctx.arms.iter().find(|x| x.name == a.node) {
            Some(arm) => (Some(arm.name.clone()), &arm.measured, &arm.phases),
            None => {
                let d = Diagnostic::new(
                    Code::E101,
                    a.span,
                    format!("`{}` is not an arm here", a.node),
                )
                .label("unknown arm");
                ev.push(if ctx.arms.is_empty() {
                    d.help("arms are named only in the expectations of `compare` and `sweep`")
                } else {
                    d.suggest_name(&a.node, a.span, ctx.arms.iter().map(|x| x.name.as_str()))
                });
                return None;
            }
        },
        None if ctx.arms.len() == 1 => (
            Some(ctx.arms[0].name.clone()),
            &ctx.arms[0].measured,
            &ctx.arms[0].phases,
        ),
        None if !ctx.arms.is_empty() => {
            ev.push(
                Diagnostic::new(Code::E103, q.metric.span, "which arm's outcome?")
                    .label("a comparison has several arms")
                    .help(format!(
                        "prefix the arm: `{}.final {}(...)`",
                        ctx.arms[0].name, q.metric.node
                    )),
            );
            return None;
        }
        None => (None, ctx.measured, ctx.phases),
    };
    let Some(entry) = builtins::lookup_kind(&q.metric.node, Kind::Metric) else {
        ev.unknown_builtin(&q.metric.node, q.metric.span, &Ty::Builtin(Kind::Metric));
        return None;
    };
    let Value::Builtin(b) = ev.bind_builtin(entry, &q.args, None, span) else {
        return None;
    };
    let metric = metric_ir(ev, &b, span)?;
    let task = task_of(&b, ev);
    let selector = selector(ev, &q.selector.node, measured, phases, ctx.complete)?;
    let label = match &selector {
        SelectorIr::Label { label, .. } => Some(label.as_str()),
        _ => None,
    };
    // The same metric of the same tasks under the label, whatever its arguments.
    let same_metric = |m: &&Measured| {
        label.is_none_or(|l| m.label.as_deref() == Some(l))
            && m.metric.metric == metric.metric
            && (m.metric.group == metric.group || (task != "all" && m.metric.tasks.contains(&task)))
    };
    let found = measured
        .iter()
        .filter(same_metric)
        .any(|m| m.metric.params == metric.params);
    if !found && ctx.complete {
        let written = ev.prog.sources.get(span.file).slice(span).to_string();
        let mut d = Diagnostic::new(
            Code::E313,
            span,
            format!("`{written}` reads a metric the schedule never measures"),
        )
        .label("never recorded");
        // Measured, but with other arguments (`length = 30 aeons` there, the default here).
        let other_arguments = measured.iter().any(|m| same_metric(&m));
        d = match label {
            _ if other_arguments => d.help(format!(
                "`{}` is measured with other arguments: write them here as in the `measure` (a metric's arguments are part of what it measures)",
                metric.metric
            )),
            Some(l) => d.help(format!(
                "add it to a `measure ... as \"{l}\"` in the schedule"
            )),
            None => d.help(format!(
                "add `measure {}(...)` for these tasks to the schedule",
                metric.metric
            )),
        };
        ev.push(d);
        return None;
    }
    let dim = returns_dim(entry);
    Some((
        ExprIr::Query {
            arm: arm_name,
            selector,
            metric,
            task,
        },
        Value::Unknown(Ty::Num(dim)),
    ))
}

fn selector(
    ev: &mut Eval,
    s: &Selector,
    measured: &[Measured],
    phases: &[String],
    complete: bool,
) -> Option<SelectorIr> {
    Some(match s {
        Selector::Final => SelectorIr::Final,
        Selector::Initial => SelectorIr::Initial,
        Selector::At { label, index } => {
            let labels: Vec<&str> = measured.iter().filter_map(|m| m.label.as_deref()).collect();
            if !labels.contains(&label.node.as_str()) && complete {
                ev.push(
                    Diagnostic::new(
                        Code::E314,
                        label.span,
                        format!("no measurement is labelled \"{}\"", label.node),
                    )
                    .label("unknown label")
                    .suggest_string(&label.node, label.span, labels.iter().copied())
                    .help_if_none("labels come from `measure ... as \"label\"`"),
                );
                return None;
            }
            let mut ids: Vec<usize> = measured
                .iter()
                .filter(|m| m.label.as_deref() == Some(label.node.as_str()))
                .map(|m| m.measure)
                .collect();
            ids.dedup();
            let count = if complete { ids.len() } else { usize::MAX };
            SelectorIr::Label {
                label: label.node.clone(),
                index: index_of(ev, index.as_ref(), count)?,
            }
        }
        Selector::Before { phase, index } | Selector::After { phase, index } => {
            if !phases.contains(&phase.node) && complete {
                let mut unique: Vec<&str> = phases.iter().map(String::as_str).collect();
                unique.dedup();
                ev.push(
                    Diagnostic::new(
                        Code::E314,
                        phase.span,
                        format!("the schedule never runs a phase named `{}`", phase.node),
                    )
                    .label("no such phase in the schedule")
                    .suggest_name(&phase.node, phase.span, unique),
                );
                return None;
            }
            let count = if complete {
                phases.iter().filter(|p| **p == phase.node).count()
            } else {
                usize::MAX
            };
            let index = index_of(ev, index.as_ref(), count)?;
            if matches!(s, Selector::Before { .. }) {
                SelectorIr::Before {
                    phase: phase.node.clone(),
                    index,
                }
            } else {
                SelectorIr::After {
                    phase: phase.node.clone(),
                    index,
                }
            }
        }
    })
}

fn index_of(ev: &mut Eval, index: Option<&Expr>, count: usize) -> Option<Option<u64>> {
    let Some(e) = index else { return Some(None) };
    match ev.eval(e) {
        Value::Num(x, d) if d.is_none() && x.fract() == 0.0 && x >= 0.0 && (x as usize) < count => {
            Some(Some(x as u64))
        }
        Value::Num(x, d) if d.is_none() && x.fract() == 0.0 => {
            ev.push(
                Diagnostic::new(
                    Code::E214,
                    e.span,
                    format!("index {} is out of range", crate::units::format_number(x)),
                )
                .label(format!(
                    "it happens {count} time{}",
                    if count == 1 { "" } else { "s" }
                ))
                .help("indices start at 0"),
            );
            None
        }
        Value::Unknown(_) => None,
        other => {
            ev.push(
                Diagnostic::new(
                    Code::E204,
                    e.span,
                    format!("an index is a whole number, not {}", other.describe()),
                )
                .label("not an index"),
            );
            None
        }
    }
}
