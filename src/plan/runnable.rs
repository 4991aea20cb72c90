//! What the engine runs, decided while the schedule unrolls: every op is checked against
//! what the ops before it leave behind, so a protocol that plans is one that runs to its
//! end. Combinations of built-ins the engine does not run together are E317; reads of
//! something no earlier op produced are E318.
//!
//! The facts tracked are the engine's own preconditions (`src/engine/runner/`): a spiking
//! readout needs the presentation of an earlier spiking wake phase, activity metrics the
//! spikes of an earlier spiking phase, `interfere` an earlier wake phase, `recovery(m)` the
//! metric `m` measured before and after the last perturb phase; a rate wake phase and the
//! `argmax` readout need a network without recurrent projections.

use super::bind::{Metric, Readout, Shock};
use super::ir::{ExprIr, MetricIr, Op};
use crate::check::eval::Eval;
use crate::check::network::NetworkInfo;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use std::collections::{HashMap, HashSet};

/// What the ops so far leave behind (a checkpoint keeps it whole, as the engine's state).
#[derive(Debug, Clone, Default)]
struct Facts {
    /// A spiking wake phase ran: spike-count readouts know how to show samples.
    spiking_wake: bool,
    /// A spiking phase ran: activity metrics have spikes to read.
    spiking_phase: bool,
    /// The last wake phase, and whether it was spiking (what `interfere` trains like).
    last_wake_spiking: Option<bool>,
    /// A `silence` shock waits for the next phase.
    silenced: bool,
    /// Metric keys measured so far.
    measured: HashSet<String>,
    /// Keys measured before the last perturb phase, and since it.
    before_shock: Option<HashSet<String>>,
    since_shock: HashSet<String>,
}

/// The checker of one schedule.
pub struct Runnable {
    now: Facts,
    saved: HashMap<String, Facts>,
    /// The network has a cycle of projections (a self-projection counts).
    recurrent: bool,
    network: String,
    /// Errors reported before this schedule: one found while unrolling it makes the facts
    /// unreliable (a phase that did not compile leaves no op), so later reads go unjudged.
    errors_before: usize,
}

impl Runnable {
    pub fn new(net: &NetworkInfo, errors_before: usize) -> Runnable {
        Runnable {
            now: Facts::default(),
            saved: HashMap::new(),
            recurrent: has_cycle(net),
            network: net.name.clone(),
            errors_before,
        }
    }

    /// Checks one op (an `until` loop after its body, for its condition) and notes what it
    /// leaves behind.
    pub fn op(&mut self, op: &Op, span: Span, ev: &mut Eval) {
        if ev.diags.error_count() > self.errors_before {
            return;
        }
        match op {
            Op::Wake { dynamics, .. } => {
                let spiking = op.is_spiking();
                if spiking {
                    if let Some((pop, _)) = dynamics.iter().find(|(_, m)| !m.kernel.is_spiking()) {
                        ev.push(unsupported(
                            span,
                            format!("this wake phase runs spiking neurons, but `{pop}` has rate units in it"),
                            "a phase is spiking or rate as a whole",
                            "give every population spiking dynamics in this phase (`dynamics lif`), or none",
                        ));
                    }
                    self.now.spiking_wake = true;
                    self.now.spiking_phase = true;
                    self.now.silenced = false;
                } else {
                    self.rate_wake(span, ev);
                }
                self.now.last_wake_spiking = Some(spiking);
            }
            Op::Sleep { dynamics, .. } => {
                if let Some((pop, m)) = dynamics.iter().find(|(_, m)| !m.kernel.is_spiking()) {
                    ev.push(unsupported(
                        span,
                        format!("sleep phases run spiking neurons, but `{pop}` is `{}` here", m.name()),
                        "rate units cannot sleep",
                        "give the phase a spiking model (`dynamics integrate_fire` or `dynamics lif`), or leave `dynamics` out",
                    ));
                }
                self.now.spiking_phase = true;
                self.now.silenced = false;
            }
            Op::Forage { .. } => {
                if self.now.silenced {
                    ev.push(unsupported(
                        span,
                        "a `silence` shock cannot keep an agent's cells quiet: the next phase runs in an environment".into(),
                        "silenced by the perturb phase before",
                        "silence a population before a spiking phase without an environment",
                    ));
                }
                // The agent's spikes are not kept for activity metrics, and `interfere`
                // trains like a wake phase on data.
                self.now.spiking_phase = false;
                self.now.last_wake_spiking = None;
            }
            Op::Perturb { shocks, .. } => {
                for s in shocks {
                    match &s.kernel {
                        Shock::Interfere(_) => match self.now.last_wake_spiking {
                            None => ev.push(missing(
                                span,
                                "`interfere` trains the way the last wake phase trained, and none runs before it",
                                "no wake phase before this shock",
                            )),
                            Some(false) => self.rate_wake(span, ev),
                            Some(true) => self.now.silenced = false,
                        },
                        Shock::Silence(_) => self.now.silenced = true,
                        _ => {}
                    }
                }
                self.now.before_shock = Some(self.now.measured.clone());
                self.now.since_shock.clear();
            }
            Op::Measure { metrics, .. } => {
                for m in metrics {
                    self.metric(m, span, ev);
                    self.now.measured.insert(m.key());
                    self.now.since_shock.insert(m.key());
                }
            }
            Op::Until { cond, .. } => self.condition(cond, span, ev),
            Op::Checkpoint { name, .. } => {
                self.saved.insert(name.clone(), self.now.clone());
            }
            Op::Restore { name, .. } => {
                if let Some(f) = self.saved.get(name) {
                    self.now = f.clone();
                }
            }
        }
    }

    fn rate_wake(&mut self, span: Span, ev: &mut Eval) {
        if self.recurrent {
            ev.push(unsupported(
                span,
                format!(
                    "a rate wake phase cannot train `{}`: it has recurrent projections",
                    self.network
                ),
                "backprop needs a feed-forward network",
                "use spiking dynamics and a local rule in this phase, or remove the recurrent projection",
            ));
        }
        if self.now.silenced {
            ev.push(unsupported(
                span,
                "a `silence` shock cannot keep rate units quiet: the next phase is a rate wake phase".into(),
                "silenced by the perturb phase before",
                "silence a population before a spiking phase (a sleep or a spiking wake phase)",
            ));
        }
    }

    /// A metric measured now (or read live by `until`).
    fn metric(&mut self, m: &MetricIr, span: Span, ev: &mut Eval) {
        match &m.kernel {
            Metric::Accuracy(a) => match &a.readout {
                Readout::Argmax if self.recurrent => ev.push(unsupported(
                    span,
                    format!(
                        "the `argmax` readout cannot read `{}`: it has recurrent projections",
                        self.network
                    ),
                    "a rate pass needs a feed-forward network",
                    "read a spiking layer out: `readout = label_assignment(layer)` or `readout = linear_readout(layer)`",
                )),
                Readout::Argmax => {}
                _ if !self.now.spiking_wake => ev.push(missing(
                    span,
                    "a spike-count readout shows samples the way the last spiking wake phase did, and none runs before it",
                    "no spiking wake phase before this measurement",
                )),
                _ => {}
            },
            Metric::Clustering(_) if !self.now.spiking_wake => ev.push(missing(
                span,
                "`clustering` shows samples the way the last spiking wake phase did, and none runs before it",
                "no spiking wake phase before this measurement",
            )),
            Metric::Residual(_) if !self.now.spiking_wake => ev.push(missing(
                span,
                "`residual` shows samples the way the last spiking wake phase did, and none runs before it",
                "no spiking wake phase before this measurement",
            )),
            Metric::NoiseResponse(_) if !self.now.spiking_wake => ev.push(missing(
                span,
                "`noise_response` shows noise the way the last spiking wake phase showed samples, and none runs before it",
                "no spiking wake phase before this measurement",
            )),
            Metric::Entropy(_) | Metric::BranchingRatio(_) | Metric::Avalanches(_)
                if !self.now.spiking_phase =>
            {
                ev.push(missing(
                    span,
                    &format!(
                        "`{}` reads the spikes of the last spiking phase, and none runs before it",
                        m.metric
                    ),
                    "no spiking phase before this measurement",
                ))
            }
            Metric::Recovery(_) | Metric::TimeToRecover(_) => {
                let (inner, name) = match &m.kernel {
                    Metric::TimeToRecover(t) => (&t.metric, "time_to_recover"),
                    Metric::Recovery(r) => (&r.metric, "recovery"),
                    _ => unreachable!("matched above"),
                };
                let key = inner.key();
                let before = self
                    .now
                    .before_shock
                    .as_ref()
                    .is_some_and(|b| b.contains(&key));
                if !before || !self.now.since_shock.contains(&key) {
                    ev.push(missing(
                        span,
                        &format!(
                            "`{name}` compares `{key}` measured before the last perturb phase with its first value after it"
                        ),
                        if self.now.before_shock.is_none() {
                            "no perturb phase before this measurement"
                        } else if before {
                            "not measured since the perturb phase"
                        } else {
                            "not measured before the perturb phase"
                        },
                    ));
                }
                self.metric(inner, span, ev);
            }
            _ => {}
        }
    }

    fn condition(&mut self, e: &ExprIr, span: Span, ev: &mut Eval) {
        match e {
            ExprIr::Metric { metric, .. } => self.metric(metric, span, ev),
            ExprIr::Unary { x, .. } => self.condition(x, span, ev),
            ExprIr::Binary { l, r, .. } => {
                self.condition(l, span, ev);
                self.condition(r, span, ev);
            }
            ExprIr::Call { args, .. } => args.iter().for_each(|a| self.condition(a, span, ev)),
            _ => {}
        }
    }
}

fn unsupported(span: Span, message: String, label: &str, help: &str) -> Diagnostic {
    Diagnostic::new(Code::E317, span, message)
        .label(label)
        .help(help)
}

fn missing(span: Span, message: &str, label: &str) -> Diagnostic {
    Diagnostic::new(Code::E318, span, message)
        .label(label)
        .help("put the op it needs before it in the schedule, or measure something else here")
}

/// Whether the projections close a loop (a population onto itself included).
fn has_cycle(net: &NetworkInfo) -> bool {
    let names: Vec<&str> = net.populations.iter().map(|p| p.name.as_str()).collect();
    let index = |n: &str| names.iter().position(|m| *m == n);
    let edges: Vec<(usize, usize)> = net
        .projections
        .iter()
        .filter_map(|p| Some((index(&p.proj.from)?, index(&p.proj.to)?)))
        .collect();
    // Kahn's algorithm: a cycle leaves populations with inputs that never clear.
    let mut indeg = vec![0usize; names.len()];
    for &(_, to) in &edges {
        indeg[to] += 1;
    }
    let mut ready: Vec<usize> = (0..names.len()).filter(|&i| indeg[i] == 0).collect();
    let mut done = 0;
    while let Some(n) = ready.pop() {
        done += 1;
        for &(from, to) in &edges {
            if from == n {
                indeg[to] -= 1;
                if indeg[to] == 0 {
                    ready.push(to);
                }
            }
        }
    }
    done < names.len()
}
