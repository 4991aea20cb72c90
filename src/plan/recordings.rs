//! The protocol's `record` settings, compiled: each recorder bound to its kernel, checked
//! against the network and the schedule (E322, W009), and the bytes it will write estimated
//! (what the plan shows and the output folder's room is checked against).

use super::bind::Recorder;
use super::bind::models::NeuronModel;
use super::bind::recorders::Variable;
use super::estimate::{bio_time, walk};
use super::ir::{NetworkIr, Op, ParamIr, RecordingIr, TaskListIr};
use super::params::{self, builtin_ir, span_ir};
use crate::builtins;
use crate::check::eval::Eval;
use crate::check::protocol::Resolved;
use crate::check::value::Value;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;

/// Nominal rate of an input neuron for the size estimate of its spike recording, in Hz.
const INPUT_HZ: f64 = 20.0;
/// Bytes a recorded spike takes: its time (f64) and index (i32).
pub const SPIKE_BYTES: u64 = 12;

/// Binds every `record` setting of the protocol; `None` entries were reported.
pub fn compile(ev: &mut Eval, res: &Resolved) -> Vec<(RecordingIr, Span)> {
    let mut out = Vec::new();
    for (module, s) in &res.records {
        let bindings = ev.in_module(*module, |ev| {
            ev.bind(
                std::slice::from_ref(
                    builtins::PROTOCOL
                        .param("record")
                        .expect("protocols take `record`"),
                ),
                &format!("protocol `{}`", res.name),
                &[],
                std::slice::from_ref(*s),
                s.span,
                None,
            )
        });
        for b in bindings.get("record").into_iter().flatten() {
            let items = match &b.value {
                Value::List(items) => items.clone(),
                v => vec![v.clone()],
            };
            for (i, item) in items.iter().enumerate() {
                let Value::Builtin(bv) = item else { continue };
                let span = s.values.get(i).map_or(b.span, |v| v.span());
                let ir = ev.in_module(*module, |ev| builtin_ir(ev, bv));
                // An empty list records nothing (left out, `during` would mean every phase).
                let empty = |key: &str| matches!(ir.params.get(key), Some(ParamIr::List { items }) if items.is_empty());
                for (key, what) in [("during", "no phase"), ("neurons", "no neuron")] {
                    if empty(key) {
                        ev.push(
                            Diagnostic::new(Code::W009, span, format!("`{key} = []` names {what}"))
                                .label("records nothing")
                                .help(format!(
                                    "name some, or leave `{key}` out to record every one"
                                )),
                        );
                    }
                }
                if empty("during") || empty("neurons") {
                    continue;
                }
                if let Some(recorder) = params::bound::<Recorder>(ev, ir, span) {
                    let at = span_ir(&ev.prog.sources, span);
                    out.push((RecordingIr { recorder, span: at }, span));
                }
            }
        }
    }
    out
}

/// Checks each recording against the network and the ops it records (E322: it cannot be
/// recorded; W009: it records nothing), keeping the ones that can run.
pub fn check(
    ev: &mut Eval,
    net: &NetworkIr,
    ops: &[Op],
    recordings: Vec<(RecordingIr, Span)>,
) -> Vec<RecordingIr> {
    let mut keep = Vec::new();
    for (r, span) in recordings {
        if let Some(d) = problem(&r.recorder.kernel, net, ops, span) {
            let error = d.code.severity() == crate::diagnostics::Severity::Error;
            ev.push(d);
            if error {
                continue;
            }
        }
        keep.push(r);
    }
    keep
}

fn problem(r: &Recorder, net: &NetworkIr, ops: &[Op], span: Span) -> Option<Diagnostic> {
    let pop = net.populations.iter().find(|p| p.name == r.population())?;
    let cannot = |msg: String, label: &str| {
        Some(Diagnostic::new(Code::E322, span, msg).label(label.to_string()))
    };
    if let Recorder::State(s) = r {
        if pop.role == "input" {
            return cannot(
                format!(
                    "`{}` is an input population: it has no state to record",
                    pop.name
                ),
                "inputs only spike",
            )
            .map(|d| d.help("record its `spikes`, or the state of a population it drives"));
        }
        if let Some(bad) = s
            .neurons
            .iter()
            .flatten()
            .find(|&&k| k < 0.0 || k.fract() != 0.0 || k >= pop.size as f64)
        {
            return cannot(
                format!(
                    "neuron {} is not in `{}`, whose neurons are 0 to {}",
                    crate::units::format_number(*bad),
                    pop.name,
                    pop.size.saturating_sub(1)
                ),
                "no such neuron",
            );
        }
    }
    for phase in r.during() {
        let mut calls = walk(ops)
            .filter(|op| phase_of(op) == Some(phase.as_str()))
            .peekable();
        if calls.peek().is_none() {
            return Some(
                Diagnostic::new(Code::W009, span, format!("`{phase}` never runs in this schedule"))
                    .label("records nothing")
                    .help("name a phase the schedule calls, or leave `during` out to record every spiking phase"),
            );
        }
        if let Some(op) = calls.find(|op| !op.is_spiking()) {
            let what = match op {
                Op::Forage { .. } => "runs in an environment, whose agent is not recorded yet",
                Op::Perturb { .. } => "is a perturb phase: it simulates nothing",
                _ => "trains rate units: no neuron spikes in it",
            };
            return cannot(format!("`{phase}` {what}"), "not a spiking phase")
                .map(|d| d.help("record during sleep phases and spiking wake phases"));
        }
    }
    if r.during().is_empty() && !walk(ops).any(|op| op.is_spiking()) {
        return Some(
            Diagnostic::new(Code::W009, span, "the schedule runs no spiking phase")
                .label("records nothing")
                .help("recordings are made during sleep phases and spiking wake phases"),
        );
    }
    if let Recorder::State(s) = r {
        for op in walk(ops).filter(|op| recorded(r, op)) {
            if let Some(model) = model_of(op, &pop.name)
                && !has_variable(model, s.variable)
            {
                return cannot(
                    format!(
                        "`{}` in `{}` has no `{}`",
                        pop.name,
                        phase_of(op).unwrap_or("?"),
                        variable_word(s.variable)
                    ),
                    "not a variable of its neuron model",
                )
                .map(|d| d.help("`v` and `threshold` exist for every spiking model; `theta` for `lif`; `ge` for `lif` with synaptic currents or conductances, `gi` for `conductance` and `current_ei` synapses"));
            }
        }
    }
    None
}

/// The phase an op calls, if it calls one.
pub fn phase_of(op: &Op) -> Option<&str> {
    match op {
        Op::Wake { phase, .. }
        | Op::Sleep { phase, .. }
        | Op::Forage { phase, .. }
        | Op::Perturb { phase, .. } => Some(phase),
        _ => None,
    }
}

/// Whether `r` records during `op`.
pub fn recorded(r: &Recorder, op: &Op) -> bool {
    op.is_spiking() && phase_of(op).is_some_and(|p| r.records(p))
}

fn model_of<'o>(op: &'o Op, pop: &str) -> Option<&'o NeuronModel> {
    match op {
        Op::Wake { dynamics, .. } | Op::Sleep { dynamics, .. } => {
            dynamics.get(pop).map(|m| &m.kernel)
        }
        _ => None,
    }
}

fn has_variable(m: &NeuronModel, v: Variable) -> bool {
    use super::bind::models::Synapse;
    match (m, v) {
        (_, Variable::V | Variable::Threshold) => true,
        (NeuronModel::Lif(_), Variable::Theta) => true,
        (NeuronModel::Lif(l), Variable::Ge) => l.synapse != Synapse::Delta,
        (NeuronModel::Lif(l), Variable::Gi) => {
            matches!(l.synapse, Synapse::Conductance | Synapse::CurrentEi)
        }
        _ => false,
    }
}

pub fn variable_word(v: Variable) -> &'static str {
    match v {
        Variable::V => "v",
        Variable::Threshold => "threshold",
        Variable::Theta => "theta",
        Variable::Ge => "ge",
        Variable::Gi => "gi",
    }
}

/// Bytes the recordings write over the whole plan (spikes at nominal rates: an estimate).
pub fn bytes(recordings: &[RecordingIr], net: &NetworkIr, ops: &[Op], tasks: &[TaskListIr]) -> u64 {
    let mut total = 0f64;
    for r in recordings {
        let r = &r.recorder.kernel;
        let Some(pop) = net.populations.iter().find(|p| p.name == r.population()) else {
            continue;
        };
        for op in walk(ops).filter(|op| recorded(r, op)) {
            let seconds = bio_time(op, tasks);
            let steps = steps_of(op, tasks);
            total += match r {
                Recorder::Spikes(_) => {
                    let hz = if pop.role == "input" {
                        INPUT_HZ
                    } else {
                        super::cost::HIDDEN_HZ
                    };
                    hz * pop.size as f64 * seconds * SPIKE_BYTES as f64
                }
                Recorder::Rates(x) => 4.0 * (seconds / x.bin).ceil(),
                Recorder::State(s) => {
                    let k = s
                        .neurons
                        .as_ref()
                        .map_or(pop.size as f64, |n| n.len() as f64);
                    4.0 * k * steps
                }
            };
        }
    }
    total.min(u64::MAX as f64) as u64
}

/// Simulation steps of a spiking op.
fn steps_of(op: &Op, tasks: &[TaskListIr]) -> f64 {
    match op {
        Op::Sleep { steps, .. } => *steps as f64,
        Op::Wake { settings, .. } => (bio_time(op, tasks) / settings.typed.dt.max(1e-9)).round(),
        _ => 0.0,
    }
}
