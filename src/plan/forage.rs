//! A phase with an `environment` becomes a forage op: the agent acts in the world (wake) or
//! sleeps in it emptied (nrem, rem), closed-loop, in `engine::forage`.
//!
//! Everything such a phase runs is checked here, so that what the plan holds the engine
//! runs: every population is a `rulkov` cell, every rule is one of the agent's, the drive
//! is `recorded_kicks` of a recording that exists, and the network fits the world (E320,
//! E315).

use super::bind::{self, Dopamine, Drive, NeuronModel, Rule};
use super::ir::Stream;
use super::ir::{ForageKind, Op};
use super::params::{bound, builtin_ir, default_builtin_ir, span_ir};
use super::unroll::Unroll;
use crate::builtins::{self, Dynamics, PhaseKind};
use crate::check::phases::PhaseInfo;
use crate::check::value::Value;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::Role;
use crate::units::Dim;
use std::collections::BTreeMap;

/// The settings an environment phase reads; any other setting given is E320.
pub const READS: &[&str] = &[
    "environment",
    "length",
    "dynamics",
    "plasticity",
    "dopamine",
    "record",
    "drive",
];

/// Actions of a foraging agent: the 8 neighbouring cells.
pub const ACTIONS: u64 = 8;

/// The op of a phase call with an `environment` setting.
pub fn op(
    u: &mut Unroll,
    phase: &str,
    call: u64,
    info: &PhaseInfo,
    span: Span,
    stream: Stream,
) -> Option<Op> {
    let first = |key: &str| info.settings.get(key).and_then(|v| v.first());
    let env_setting = first("environment")?;
    let Value::Environment(env_id) = env_setting.value else {
        return None;
    };
    let environment = u.ev.prog.name_of(env_id).to_string();
    u.environments_used.insert(env_id);
    let kind = match info.kind {
        PhaseKind::Wake => ForageKind::Wake,
        PhaseKind::Nrem => ForageKind::Nrem,
        PhaseKind::Rem => ForageKind::Rem,
        PhaseKind::Perturb => return None,
    };
    let mut ok = true;
    for (key, values) in &info.settings {
        if READS.contains(key) {
            continue;
        }
        if let Some(b) = values.first() {
            u.ev.push(
                Diagnostic::new(
                    Code::E320,
                    b.whole,
                    format!("`{key}` has no effect in phase `{phase}`, which runs in an environment"),
                )
                .label("not read by an environment phase")
                .help(if *key == "data" {
                    "the environment is the input: remove `data`, or remove `environment` to learn from the data".to_string()
                } else {
                    format!("an environment phase reads {}", words(READS))
                }),
            );
            ok = false;
        }
    }
    let moves = length(u, info, phase)?;
    let dynamics = models(u, info, phase, span)?;
    let rules = rules(u, info, phase)?;
    let dopamine_ir = match first("dopamine").map(|b| &b.value) {
        Some(Value::Builtin(b)) => builtin_ir(u.ev, b),
        _ if kind == ForageKind::Wake => default_builtin_ir("rewards"),
        _ => default_builtin_ir("tonic"),
    };
    if kind == ForageKind::Wake
        && dopamine_ir.name == "tonic"
        && let Some(b) = first("dopamine")
    {
        u.ev.push(
            Diagnostic::new(
                Code::E320,
                b.span,
                format!("awake, phase `{phase}`'s dopamine comes from what the agent eats"),
            )
            .label("tonic dopamine is a sleeping agent's (it eats nothing)")
            .help("write `dopamine rewards(reward = 1, punish = -0.001, nothing = -0.0001)`, or make the phase an `nrem` or `rem` phase"),
        );
        return None;
    }
    let dopamine: bind::Bound<Dopamine> = bound(
        u.ev,
        dopamine_ir,
        first("dopamine").map_or(span, |b| b.span),
    )?;
    let record = match first("record").map(|b| (&b.value, b)) {
        Some((Value::Population(p), _)) => Some(p.clone()),
        Some((Value::Bool(true), b)) => {
            u.ev.push(
                Diagnostic::new(
                    Code::E320,
                    b.span,
                    format!("phase `{phase}` runs in an environment: `record` names the population whose spikes are counted"),
                )
                .label("records input rates of ordinary sleep")
                .help("write `record hidden` (a population), replayed later by `recorded_kicks(...)`"),
            );
            return None;
        }
        _ => None,
    };
    let drive = drive(u, info, phase, &kind)?;
    if let Some(pop) = &record {
        u.recorded_pops.insert(phase.to_string(), pop.clone());
    }
    let epoch = fits(u, env_id, env_setting.span)?;
    if !ok {
        return None;
    }
    Some(Op::Forage {
        kind,
        phase: phase.into(),
        call,
        environment,
        moves,
        epoch,
        dynamics,
        rules,
        dopamine,
        drive,
        record,
        stream,
        span: span_ir(&u.ev.prog.sources, span),
    })
}

fn words(keys: &[&str]) -> String {
    let w: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
    w.join(", ")
}

/// The length in moves: `moves`, `aeons`, or (Golden et al.'s word for a move) `epochs`.
fn length(u: &mut Unroll, info: &PhaseInfo, phase: &str) -> Option<u64> {
    let b = info.settings.get("length").and_then(|v| v.first())?;
    match b.value {
        Value::Num(n, d) if d == Dim::MOVES || d == Dim::EPOCHS => {
            if n.fract() != 0.0 || !(1.0..=super::ops::MAX_COUNT).contains(&n) {
                u.ev.push(
                    Diagnostic::new(
                        Code::E210,
                        b.span,
                        format!(
                            "an environment phase's length must be a whole number of moves, at least 1, found {}",
                            crate::units::format_number(n)
                        ),
                    )
                    .label("not a whole count of moves"),
                );
                return None;
            }
            Some(n as u64)
        }
        Value::Num(_, d) => {
            u.ev.push(
                Diagnostic::new(
                    Code::E320,
                    b.span,
                    format!(
                        "phase `{phase}` runs in an environment, so its length counts moves, not {}",
                        d.name()
                    ),
                )
                .label(format!("{} value", d.name()))
                .help("write `length 2000 moves` or `length 20 aeons` (an aeon is 100 moves; each move is the environment's `epoch` of steps)"),
            );
            None
        }
        _ => None,
    }
}

/// Every population's model, input cells included (they are Rulkov cells the sensor
/// kicks): `dynamics X on pop`, then `dynamics X`, then the declared model, then `rulkov`.
fn models(
    u: &mut Unroll,
    info: &PhaseInfo,
    phase: &str,
    span: Span,
) -> Option<BTreeMap<String, bind::Bound<NeuronModel>>> {
    let given: Vec<_> = info
        .settings
        .get("dynamics")
        .map(|v| v.iter().collect())
        .unwrap_or_default();
    let pops = u.net.populations.clone();
    let mut out = BTreeMap::new();
    for p in pops {
        let written = given
            .iter()
            .rev()
            .find(|b| {
                b.on.iter()
                    .any(|(t, _)| matches!(t, Value::Population(n) if *n == p.name))
            })
            .or_else(|| given.iter().rev().find(|b| b.on.is_empty()));
        let chosen = written
            .map(|b| (b.value.clone(), b.span))
            .or_else(|| p.model.clone().map(|m| (m, p.span)));
        let (ir, at) = match chosen {
            Some((Value::Builtin(b), at)) => {
                if b.entry.dynamics != Dynamics::Agent {
                    u.ev.push(
                        Diagnostic::new(
                            Code::E320,
                            at,
                            format!(
                                "population `{}` runs `{}` in phase `{phase}`, which runs in an environment",
                                p.name, b.entry.name
                            ),
                        )
                        .label("not a model of the closed-loop engine")
                        .help("an agent's cells are `rulkov` neurons: write `dynamics rulkov`, or run this phase without an environment"),
                    );
                    return None;
                }
                (builtin_ir(u.ev, &b), at)
            }
            _ => (default_builtin_ir("rulkov"), span),
        };
        out.insert(p.name.clone(), bound(u.ev, ir, at)?);
    }
    Some(out)
}

/// The phase's rules: the agent's rules only.
fn rules(u: &mut Unroll, info: &PhaseInfo, phase: &str) -> Option<Vec<bind::Bound<Rule>>> {
    let mut out = Vec::new();
    for b in info.settings.get("plasticity").into_iter().flatten() {
        let Value::List(rules) = &b.value else {
            continue;
        };
        for r in rules {
            let Value::Builtin(rule) = r else { continue };
            if rule.entry.dynamics != Dynamics::Agent {
                u.ev.push(
                    Diagnostic::new(
                        Code::E320,
                        b.span,
                        format!(
                            "`{}` ({}) does not run in phase `{phase}`, which runs in an environment",
                            rule.name.as_deref().unwrap_or(rule.entry.name),
                            rule.entry.name
                        ),
                    )
                    .label("not a rule of the closed-loop engine")
                    .help("an agent learns by `reward_stdp`, with `input_balance`, `output_balance` and `rate_adaptation`"),
                );
                return None;
            }
            let ir = builtin_ir(u.ev, rule);
            out.push(bound(u.ev, ir, b.span)?);
        }
    }
    Some(out)
}

/// A sleep's drive: `recorded_kicks` of phases that recorded the same population, or none.
fn drive(
    u: &mut Unroll,
    info: &PhaseInfo,
    phase: &str,
    kind: &ForageKind,
) -> Option<Option<bind::Bound<Drive>>> {
    let Some(b) = info.settings.get("drive").and_then(|v| v.first()) else {
        return Some(None);
    };
    let Value::Builtin(d) = &b.value else {
        return Some(None);
    };
    if d.entry.name == "silence" {
        return Some(None);
    }
    if d.entry.dynamics != Dynamics::Agent || *kind == ForageKind::Wake {
        u.ev.push(
            Diagnostic::new(
                Code::E320,
                b.span,
                format!(
                    "`{}` does not drive phase `{phase}`, which runs in an environment",
                    d.entry.name
                ),
            )
            .label(if *kind == ForageKind::Wake {
                "awake, the world is the input"
            } else {
                "not a drive of the closed-loop engine"
            })
            .help("a sleeping agent is driven by `recorded_kicks(phases)`, which replays what `record <population>` counted"),
        );
        return None;
    }
    let ir = builtin_ir(u.ev, d);
    let drive: bind::Bound<Drive> = bound(u.ev, ir, b.span)?;
    if let Drive::RecordedKicks(k) = &drive.kernel {
        let mut pops = Vec::new();
        for name in &k.phases.0 {
            match u.recorded_pops.get(name) {
                Some(p) => pops.push((name.clone(), p.clone())),
                None => {
                    u.ev.push(
                        Diagnostic::new(
                            Code::E315,
                            b.span,
                            format!("`{name}` has not recorded any population before this phase"),
                        )
                        .label(format!("replays `{name}`'s recording"))
                        .help(format!(
                            "give `{name}` a `record <population>` setting and run it before `{phase}` in the schedule"
                        )),
                    );
                    return None;
                }
            }
        }
        if let Some((other, p)) = pops.iter().find(|(_, p)| *p != pops[0].1) {
            u.ev.push(
                Diagnostic::new(
                    Code::E320,
                    b.span,
                    format!(
                        "`{}` recorded `{}` but `{other}` recorded `{p}`: one drive replays one population",
                        pops[0].0, pops[0].1
                    ),
                )
                .label("recordings of different populations"),
            );
            return None;
        }
    }
    Some(Some(drive))
}

/// The network fits the world: one input population of window² cells, one output
/// population whose cells split evenly into the 8 moves. Returns the steps per move.
fn fits(u: &mut Unroll, env: crate::check::program::ItemId, at: Span) -> Option<u64> {
    let Value::Builtin(world) = u.ev.definition_value(env) else {
        return None;
    };
    let number = |name: &str| -> u64 {
        match world.get(name).map(|b| &b.value) {
            Some(Value::Num(w, _)) => *w as u64,
            _ => builtins::lookup("foraging_grid")
                .and_then(|b| b.param(name))
                .and_then(|p| match p.default {
                    builtins::Default::Num(v) => Some(v as u64),
                    _ => None,
                })
                .unwrap_or(0),
        }
    };
    let (window, epoch) = (number("window"), number("epoch"));
    let inputs: Vec<_> = u
        .net
        .populations
        .iter()
        .filter(|p| p.role == Role::Input)
        .cloned()
        .collect();
    let outputs: Vec<_> = u
        .net
        .populations
        .iter()
        .filter(|p| p.role == Role::Output)
        .cloned()
        .collect();
    let net = u.net.name.clone();
    let problem = match (inputs.as_slice(), outputs.as_slice()) {
        ([i], [o]) => {
            let (isize, osize) = (i.size.unwrap_or(0), o.size.unwrap_or(0));
            if isize != window * window {
                Some((
                    i.span,
                    format!(
                        "input population `{}` has {isize} cells, but the environment's {window} × {window} window has {}",
                        i.name,
                        window * window
                    ),
                    format!("give `{}` {} cells", i.name, window * window),
                ))
            } else if osize == 0 || osize % ACTIONS != 0 {
                Some((
                    o.span,
                    format!(
                        "output population `{}` has {osize} cells, which do not split into the agent's {ACTIONS} moves",
                        o.name
                    ),
                    format!("give `{}` a multiple of {ACTIONS} cells: one group per move", o.name),
                ))
            } else {
                None
            }
        }
        _ => Some((
            at,
            format!(
                "network `{net}` has {} input and {} output populations; an agent needs one of each",
                inputs.len(),
                outputs.len()
            ),
            "declare one `input` population (the sensor window) and one `output` population (the moves)".to_string(),
        )),
    };
    if let Some((span, msg, help)) = problem {
        u.ev.push(
            Diagnostic::new(Code::E320, span, msg)
                .label("does not fit the environment")
                .secondary(at, "the environment")
                .help(help),
        );
        return None;
    }
    Some(epoch)
}
