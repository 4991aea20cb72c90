//! A phase call, evaluated, becomes one op: dynamics resolved for every population, length
//! converted to whole steps, rules checked against the dynamics they run under.

use super::bind::{self, Drive, Modulator, NeuronModel, Rule, Shock, WakeSettings};
use super::ir::{BuiltinIr, Op, ParamIr, SleepKind, WakeLength};
use super::params::{
    bound, builtin_ir, default_builtin_ir, number, param_ir, settings, span_ir, typed,
};
use super::streams::stream;
use super::unroll::Unroll;
use crate::builtins::{self, Dynamics, PhaseKind};
use crate::check::phases::PhaseInfo;
use crate::check::value::{Bound, Value};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::Role;
use crate::units::Dim;
use std::collections::BTreeMap;

/// The op for one evaluated phase call.
pub fn phase_op(u: &mut Unroll, phase: &str, call: u64, info: PhaseInfo, span: Span) -> Option<Op> {
    let sources = &u.ev.prog.sources;
    let span_ir = span_ir(sources, span);
    let stream = stream(u.seed, &format!("{phase}#{call}"));
    let first = |key: &str| info.settings.get(key).and_then(|v| v.first());
    // Tasks named anywhere in the settings (`mean_image(stream)` in a drive, `interfere`'s
    // task) need their data loaded, even when no wake phase or measurement names them.
    for bound in info.settings.values().flatten() {
        u.note_data(&bound.value);
    }
    let has_input = u.net.populations.iter().any(|p| p.role == Role::Input);
    if info.kind != PhaseKind::Perturb && info.settings.contains_key("environment") {
        return super::forage::op(u, phase, call, &info, span, stream);
    }
    if info.kind != PhaseKind::Perturb && !outside_environment(u, &info, phase, span) {
        return None;
    }
    if !super::ties::check(u, &info) {
        return None;
    }
    match info.kind {
        PhaseKind::Wake => {
            if !has_input {
                let at = first("data").map_or(span, |b| b.whole);
                u.ev.push(
                    Diagnostic::new(
                        Code::E316,
                        at,
                        format!(
                            "the wake phase `{phase}` shows data, but `{}` has no input population",
                            u.net.name
                        ),
                    )
                    .label("samples enter through an input population")
                    .help("declare one with `input x n` and connect it, or run the network in an `nrem` phase without a drive"),
                );
                return None;
            }
            let data = match first("data").map(|b| &b.value) {
                Some(Value::Tasks(t)) => {
                    for r in &t.tasks {
                        if !u.seen.contains(r) {
                            u.seen.push(*r);
                        }
                    }
                    t.tasks.iter().map(|r| u.ev.task_key(*r)).collect()
                }
                Some(Value::Dataset(d)) => vec![u.ev.prog.name_of(*d).to_string()],
                _ => return None,
            };
            let length = match first("length").map(|b| (&b.value, b.span)) {
                Some((Value::Num(n, d), s)) => {
                    let n = whole(u, *n, s, "a wake phase's length")?;
                    if *d == Dim::EPOCHS {
                        WakeLength::Epochs(n)
                    } else {
                        WakeLength::Samples(n)
                    }
                }
                _ => return None,
            };
            let dynamics = dynamics(u, &info, PhaseKind::Wake);
            let rules = rules(u, &info, &dynamics, span)?;
            let mut record = BTreeMap::new();
            // `shuffle` is unrecorded: it enters the plan (and the plan hashes of blessed
            // outcomes) only when written.
            for &key in WakeSettings::FIELDS {
                if let Some(v) = setting_ir(u, &info, PhaseKind::Wake, key) {
                    record.insert(key.to_string(), v);
                }
            }
            let settings = settings(u.ev, record, span)?;
            Some(Op::Wake {
                phase: phase.into(),
                call,
                data,
                length,
                dynamics: dynamics_ir(u, dynamics, span)?,
                rules,
                settings,
                stream,
                span: span_ir,
            })
        }
        PhaseKind::Nrem | PhaseKind::Rem => {
            let dt = match first("dt").map(|b| &b.value) {
                // A dt of 0 or less was reported (E207); there is no step count to compute.
                Some(Value::Num(x, _)) if *x > 0.0 && x.is_finite() => *x,
                Some(_) => return None,
                None => 0.001,
            };
            let steps = match first("length").map(|b| (&b.value, b.span)) {
                Some((Value::Num(n, Dim::STEPS), _)) if *n == 0.0 => 0,
                Some((Value::Num(n, Dim::STEPS), s)) => whole(u, *n, s, "a sleep phase's length")?,
                Some((Value::Num(t, _), s)) => {
                    let exact = t / dt;
                    if exact > MAX_COUNT {
                        whole(u, exact, s, "a sleep phase's length in steps");
                        return None;
                    }
                    let n = exact.round();
                    if (exact - n).abs() > 1e-6 * n.max(1.0) {
                        u.ev.push(
                            Diagnostic::new(
                                Code::E311,
                                s,
                                format!(
                                    "{} is not a whole number of {} steps",
                                    crate::units::format_quantity(*t, Dim::TIME),
                                    crate::units::format_quantity(dt, Dim::TIME)
                                ),
                            )
                            .label(format!("{} steps", crate::units::format_number(exact)))
                            .help(
                                "choose a length that is a multiple of `dt`, or give it in `steps`",
                            ),
                        );
                        return None;
                    }
                    n as u64
                }
                _ => return None,
            };
            // A sleep of length 0 is no sleep at all: the control arm of a sleep-ratio sweep.
            if steps == 0 {
                return None;
            }
            let dynamics = dynamics(u, &info, info.kind);
            let rules = rules(u, &info, &dynamics, span)?;
            let drive_span = first("drive").map_or(span, |b| b.span);
            let drive_ir = match first("drive").map(|b| &b.value) {
                Some(Value::Builtin(b)) => builtin_ir(u.ev, b),
                _ => default_builtin_ir("silence"),
            };
            let window = first("drive")
                .and_then(|b| b.window.as_ref())
                .and_then(|w| match (w[0].0.as_num(), w[1].0.as_num()) {
                    (Some((a, _)), Some((b, _))) => Some([a as u64, b as u64]),
                    _ => None,
                });
            let scale = match first("scale").map(|b| &b.value) {
                Some(v) => param_ir(u.ev, v),
                None => number(1.0, Dim::NONE),
            };
            let scale_span = first("scale").map_or(span, |b| b.span);
            let modulators = list_of_builtins::<Modulator>(u, first("modulate"), span)?;
            let record = matches!(first("record").map(|b| &b.value), Some(Value::Bool(true)));
            if !has_input
                && drive_ir.name != "silence"
                && let Some(setting) = first("drive")
            {
                u.ev.push(
                    Diagnostic::new(
                        Code::E316,
                        setting.whole,
                        format!(
                            "`{}` drives input neurons, but `{}` has no input population",
                            drive_ir.name, u.net.name
                        ),
                    )
                    .label("nothing would receive these spikes")
                    .help("remove the `drive` (the network then runs on its own activity), or declare an `input` population and connect it"),
                );
                return None;
            }
            if let Some(ParamIr::Phase { name }) = drive_ir.params.get("phase")
                && !u.recorded.contains(name)
                && let Some(setting) = first("drive")
            {
                u.ev.push(
                    Diagnostic::new(
                        Code::E315,
                        setting.span,
                        format!("`{name}` has not recorded any input rates before this phase"),
                    )
                    .label(format!("replays `{name}`'s input rates"))
                    .help(format!(
                        "the replayed phase needs `record true` and must run before `{phase}` in the schedule"
                    )),
                );
            }
            if record {
                u.recorded.insert(phase.to_string());
            }
            let drive: bind::Bound<Drive> = bound(u.ev, drive_ir, drive_span)?;
            let scale = typed(u.ev, scale, "`scale`", scale_span)?;
            Some(Op::Sleep {
                kind: if info.kind == PhaseKind::Nrem {
                    SleepKind::Nrem
                } else {
                    SleepKind::Rem
                },
                phase: phase.into(),
                call,
                steps,
                dt,
                dynamics: dynamics_ir(u, dynamics, span)?,
                scale,
                drive,
                window,
                modulators,
                rules,
                record,
                stream,
                span: span_ir,
            })
        }
        PhaseKind::Perturb => {
            let mut shocks = Vec::new();
            for b in info.settings.get("apply").into_iter().flatten() {
                if let Value::Builtin(s) = &b.value {
                    let mut ir = builtin_ir(u.ev, s);
                    ir.on = b.on.iter().map(|(v, _)| param_ir(u.ev, v)).collect();
                    shocks.push(bound::<Shock>(u.ev, ir, b.span)?);
                }
            }
            Some(Op::Perturb {
                phase: phase.into(),
                call,
                shocks,
                stream,
                span: span_ir,
            })
        }
    }
}

/// E320 for what only an environment phase runs, in a phase without one: `rulkov` cells,
/// the agent's rules and drive, `dopamine`, a recorded population, a length in moves.
fn outside_environment(u: &mut Unroll, info: &PhaseInfo, phase: &str, span: Span) -> bool {
    let mut found: Vec<(Span, String, &str)> = Vec::new();
    let models = dynamics(u, info, info.kind);
    if let Some((pop, _)) = models.iter().find(|(_, (_, d))| *d == Dynamics::Agent) {
        let at = info
            .settings
            .get("dynamics")
            .and_then(|v| v.first())
            .map_or(span, |b| b.span);
        found.push((
            at,
            format!("phase `{phase}` runs `rulkov` neurons (in `{pop}`), which act only in an environment"),
            "the Rulkov map runs in the closed-loop engine",
        ));
    }
    for b in info.settings.get("plasticity").into_iter().flatten() {
        if let Value::List(rules) = &b.value {
            for r in rules {
                if let Value::Builtin(rule) = r
                    && rule.entry.dynamics == Dynamics::Agent
                {
                    found.push((
                        b.span,
                        format!(
                            "`{}` ({}) acts at an agent's moves, but phase `{phase}` has no environment",
                            rule.name.as_deref().unwrap_or(rule.entry.name),
                            rule.entry.name
                        ),
                        "a rule of the closed-loop engine",
                    ));
                }
            }
        }
    }
    if let Some(b) = info.settings.get("drive").and_then(|v| v.first())
        && let Value::Builtin(d) = &b.value
        && d.entry.dynamics == Dynamics::Agent
    {
        found.push((
            b.span,
            format!(
                "`{}` kicks an agent's cells, but phase `{phase}` has no environment",
                d.entry.name
            ),
            "a drive of the closed-loop engine",
        ));
    }
    for key in ["dopamine", "record", "length"] {
        if let Some(b) = info.settings.get(key).and_then(|v| v.first()) {
            let what = match (&b.value, key) {
                (_, "dopamine") => "the dopamine of an environment phase",
                (Value::Population(_), "record") => "records an agent's population",
                (Value::Num(_, d), "length") if *d == Dim::MOVES => "a length in moves",
                _ => continue,
            };
            found.push((
                b.whole,
                format!("`{key}` here needs an environment, and phase `{phase}` has none"),
                what,
            ));
        }
    }
    for (at, msg, label) in &found {
        u.ev.push(
            Diagnostic::new(Code::E320, *at, msg.clone())
                .label(*label)
                .help("give the phase an `environment` (an agent acting in a world), or use the models, rules and drives of ordinary networks"),
        );
    }
    found.is_empty()
}

/// The most steps (or samples, or epochs) one op may have: far beyond any real protocol,
/// and far from overflowing the totals of a plan.
pub const MAX_COUNT: f64 = 1e12;

fn whole(u: &mut Unroll, n: f64, span: Span, what: &str) -> Option<u64> {
    if n > MAX_COUNT {
        u.ev.push(
            Diagnostic::new(
                Code::E310,
                span,
                format!(
                    "{what} is {}: more than somnia plans",
                    crate::units::format_number(n)
                ),
            )
            .label(format!(
                "at most {} per phase",
                crate::units::format_number(MAX_COUNT)
            ))
            .help("check the units and the arithmetic of this length"),
        );
        return None;
    }
    if n.fract() != 0.0 || n < 1.0 {
        u.ev.push(
            Diagnostic::new(
                Code::E210,
                span,
                format!(
                    "{what} must be a whole number of at least 1, found {}",
                    crate::units::format_number(n)
                ),
            )
            .label("not a whole count"),
        );
        return None;
    }
    Some(n as u64)
}

/// The neuron model of each non-input population: `dynamics X on pop` wins over
/// `dynamics X`, which wins over the population's declared model, then the phase default.
fn dynamics(
    u: &mut Unroll,
    info: &PhaseInfo,
    kind: PhaseKind,
) -> BTreeMap<String, (BuiltinIr, Dynamics)> {
    let given: Vec<&Bound> = info
        .settings
        .get("dynamics")
        .map(|v| v.iter().collect())
        .unwrap_or_default();
    let mut out = BTreeMap::new();
    let pops: Vec<_> = u
        .net
        .populations
        .iter()
        .filter(|p| p.role != Role::Input)
        .cloned()
        .collect();
    for p in pops {
        let chosen = given
            .iter()
            .rev()
            .find(|b| {
                b.on.iter()
                    .any(|(t, _)| matches!(t, Value::Population(n) if *n == p.name))
            })
            .or_else(|| given.iter().rev().find(|b| b.on.is_empty()))
            .map(|b| b.value.clone())
            .or_else(|| p.model.clone());
        let (ir, dynamics) = match chosen {
            Some(Value::Builtin(b)) => (builtin_ir(u.ev, &b), b.entry.dynamics),
            _ => {
                let name = if kind == PhaseKind::Wake {
                    "relu"
                } else {
                    "integrate_fire"
                };
                let entry = builtins::lookup(name).expect("default models exist");
                (default_builtin_ir(name), entry.dynamics)
            }
        };
        out.insert(p.name.clone(), (ir, dynamics));
    }
    out
}

fn dynamics_ir(
    u: &mut Unroll,
    d: BTreeMap<String, (BuiltinIr, Dynamics)>,
    span: Span,
) -> Option<BTreeMap<String, bind::Bound<NeuronModel>>> {
    d.into_iter()
        .map(|(k, (ir, _))| Some((k, bound(u.ev, ir, span)?)))
        .collect()
}

/// The phase's rules, checked against the dynamics of the populations they act on.
fn rules(
    u: &mut Unroll,
    info: &PhaseInfo,
    dynamics: &BTreeMap<String, (BuiltinIr, Dynamics)>,
    span: Span,
) -> Option<Vec<bind::Bound<Rule>>> {
    let mut out = Vec::new();
    for b in info.settings.get("plasticity").into_iter().flatten() {
        let Value::List(rules) = &b.value else {
            continue;
        };
        for r in rules {
            let Value::Builtin(rule) = r else { continue };
            // The populations the rule changes weights into: its targets, or all.
            let posts: Vec<String> = if rule.on.is_empty() {
                dynamics.keys().cloned().collect()
            } else {
                rule.on
                    .iter()
                    .filter_map(|(t, _)| match t {
                        Value::Projection(p) => Some(p.to.clone()),
                        Value::Population(p) => Some(p.clone()),
                        _ => None,
                    })
                    .collect()
            };
            let kinds: Vec<Dynamics> = posts
                .iter()
                .filter_map(|p| dynamics.get(p).map(|(_, d)| *d))
                .collect();
            if !kinds.is_empty() && kinds.iter().all(|d| !rule.entry.dynamics.compatible(*d)) {
                u.ev.check_rule_in_phase(
                    rule.entry,
                    rule.name.as_deref(),
                    info_kind(info),
                    Some(kinds[0]),
                    b.span,
                );
            }
            let ir = builtin_ir(u.ev, rule);
            out.push(bound(u.ev, ir, b.span)?);
        }
    }
    let _ = span;
    Some(out)
}

fn info_kind(info: &PhaseInfo) -> PhaseKind {
    info.kind
}

fn list_of_builtins<K: bind::Kernel>(
    u: &mut Unroll,
    b: Option<&Bound>,
    span: Span,
) -> Option<Vec<bind::Bound<K>>> {
    let at = b.map_or(span, |b| b.span);
    match b.map(|b| &b.value) {
        Some(Value::List(xs)) => xs
            .iter()
            .filter_map(|x| match x {
                Value::Builtin(b) => Some(builtin_ir(u.ev, b)),
                _ => None,
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|ir| bound(u.ev, ir, at))
            .collect(),
        _ => Some(Vec::new()),
    }
}

/// A wake setting as a plan value, its default when not given.
fn setting_ir(u: &mut Unroll, info: &PhaseInfo, kind: PhaseKind, key: &str) -> Option<ParamIr> {
    match info.settings.get(key).and_then(|v| v.first()) {
        Some(b) => Some(param_ir(u.ev, &b.value)),
        None => builtins::context_for_phase(kind)
            .param(key)
            .and_then(super::params::default_ir),
    }
}
