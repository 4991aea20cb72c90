//! The runner: a thin loop over a plan's ops on a live network.
//!
//! Each kind of op has its own file: `rate_wake.rs` and `spiking_wake.rs` (wake phases),
//! `sleep.rs`, `perturb.rs`, `measure.rs` (with the spike-count readouts of `readout.rs`)
//! and `checkpoint.rs`. What the ops share is in `state.rs`: the data, read once, and the learnt
//! [`State`] that a checkpoint clones whole. The runner hands what it recorded to
//! [`crate::outcome::assemble`].

mod checkpoint;
mod forage;
mod labels;
mod measure;
mod perturb;
mod probes;
mod rate_wake;
mod readout;
mod recovery;
mod sleep;
mod snapshot;
mod spiking_wake;
mod state;
mod walk;

pub use snapshot::{Every, Position, SNAPSHOT_FILE, Snapshot, Snapshots};
pub use state::State;

use super::network::Network;
use super::neurons::Model;
use crate::data::EvalSplit;
use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use crate::outcome::assemble::{Recording, assemble};
use crate::outcome::{OpRecord, Outcome, Row};
use crate::plan::bind::{Bound, NeuronModel, Rule, WakeSettings};
use crate::plan::ir::{Op, Plan, SpanIr, Stream, WakeLength};
use state::Data;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// How a run is carried out (not what it computes: that is the plan).
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// The held-out samples task metrics are computed on.
    pub eval: EvalSplit,
}

/// Progress of long ops, for a terminal; and a look at the network between ops, for exports
/// (`--save-weights`). The looks cost nothing unless implemented.
pub trait Progress {
    fn start(&mut self, what: &str, total: u64, unit: &str);
    fn advance(&mut self, done: u64);
    fn finish(&mut self);
    /// The network as built, before the first op.
    fn network_ready(&mut self, _net: &Network) {}
    /// The `(rows, cols)` of the input's images (IDX or synthetic images), before the
    /// network is ready; not called when the samples are not images.
    fn input_image(&mut self, _shape: (usize, usize)) {}
    /// An op has ended (also when it stopped on an error): its record and the network after it.
    fn op_done(&mut self, _record: &OpRecord, _net: &Network) {}
    /// A spiking op with recordings has ended (also when it stopped): what they kept,
    /// handed over before [`Progress::op_done`]. Dropped unless implemented.
    fn recorded(&mut self, _record: &OpRecord, _monitor: crate::engine::monitor::Monitor) {}
    /// The run is over: the network as it ends.
    fn run_done(&mut self, _net: &Network) {}
}

/// No progress output.
pub struct Quiet;

impl Progress for Quiet {
    fn start(&mut self, _: &str, _: u64, _: &str) {}
    fn advance(&mut self, _: u64) {}
    fn finish(&mut self) {}
}

/// Runs a plan. The outcome is returned even when the run stopped on an error: it holds
/// everything measured until then, with `status: "error"`.
pub fn run(
    plan: &Plan,
    opts: &Options,
    progress: &mut dyn Progress,
) -> (Outcome, Option<RunError>) {
    run_with(plan, opts, progress, Control::default())
}

/// What a caller controls of a run besides the plan: a flag that stops it at the next step
/// boundary (signals), where snapshots go, and a snapshot to continue from.
#[derive(Default)]
pub struct Control {
    pub stop: Option<Arc<AtomicBool>>,
    pub snapshots: Option<Snapshots>,
    pub resume: Option<Snapshot>,
}

/// [`run`] under `control`: stopped by its flag (the outcome then says `interrupted`),
/// writing snapshots, or continuing a snapshot's run.
pub fn run_with(
    plan: &Plan,
    opts: &Options,
    progress: &mut dyn Progress,
    control: Control,
) -> (Outcome, Option<RunError>) {
    let start = Instant::now();
    let runner = match control.resume {
        Some(s) => Runner::resume(plan, s),
        None => Runner::new(plan, opts),
    };
    let (recording, error) = match runner {
        Ok(mut r) => {
            let load_seconds = start.elapsed().as_secs_f64();
            if let Some(stop) = control.stop {
                r.set_stop_flag(stop);
            }
            if let Some(s) = control.snapshots {
                r.write_snapshots(s);
            }
            if let Some(shape) = r.data.shape {
                progress.input_image(shape);
            }
            progress.network_ready(&r.state.net);
            let result = r.ops(&plan.ops, progress);
            progress.run_done(&r.state.net);
            let mut recording = r.into_recording();
            recording.load_seconds = load_seconds;
            (recording, result.err())
        }
        Err(e) => (Recording::default(), Some(e)),
    };
    let outcome = assemble(
        plan,
        opts.eval,
        recording,
        error.as_ref(),
        start.elapsed().as_secs_f64(),
    );
    (outcome, error)
}

/// A wake op as its phase runs it (a perturb phase's `interfere` runs one too).
struct WakeCall<'o> {
    /// `learn#0`.
    name: &'o str,
    data: &'o [String],
    length: WakeLength,
    dynamics: &'o BTreeMap<String, Bound<NeuronModel>>,
    rules: &'o [Bound<Rule>],
    settings: &'o WakeSettings,
    /// The op's stream seed on the current loop pass.
    seed: u64,
    span: &'o SpanIr,
    /// An `interfere` shock: its task does not join `seen`, and with `shuffle_labels` each
    /// class is trained as the next class of the task (a rotation, so every label is wrong).
    interference: Option<Interference>,
}

#[derive(Clone, Copy)]
struct Interference {
    shuffle_labels: bool,
}

/// A plan being run: the live network and everything the ops share. `run` drives it over
/// the whole plan; benchmarks and the REPL drive it one op at a time.
pub struct Runner {
    /// The plan's master seed (streams of loop passes and readouts derive from it).
    seed: u64,
    /// The plan's work hash (what a snapshot of this run is a snapshot of).
    work_hash: String,
    opts: Options,
    /// Set from another thread (Ctrl-C) to stop at the next step boundary.
    stop: Arc<AtomicBool>,
    data: Data,
    /// Σ|w| of each projection when the protocol started (`decay_to_baseline`).
    initial_abs_sums: Vec<f64>,
    state: State,
    checkpoints: HashMap<String, State>,
    /// The last phase call run (`consolidate#2`).
    after: String,
    /// Each enclosing `until` loop: its index among its list's ops, and its pass (a phase
    /// repeated by a loop gets a new random stream on every pass after the first).
    loops: Vec<(usize, u64)>,
    /// Where a resumed run starts (consumed as the op tree is walked down to it).
    resume_at: Option<snapshot::Position>,
    /// Where and how often snapshots are written (`--resume` continues from the last one).
    snapshots: Option<snapshot::Snapshots>,
    measures: usize,
    rows: Vec<Row>,
    records: Vec<OpRecord>,
    op_seconds: Vec<f64>,
    /// The plan's environments, by name (forage ops and `foraging` read them).
    environments: HashMap<String, crate::plan::bind::World>,
    /// The plan's `record` settings.
    recordings: Vec<crate::plan::ir::RecordingIr>,
    /// What the recordings kept during the op that just ran, for [`Progress::recorded`].
    monitor: Option<crate::engine::monitor::Monitor>,
}

impl Runner {
    /// Builds the network and reads the data. The runner keeps nothing of the plan but its
    /// seed: ops (the plan's, or any compiled against the same network) are given to
    /// [`Runner::ops`].
    pub fn new(plan: &Plan, opts: &Options) -> Result<Runner, RunError> {
        let net = Network::build(&plan.network, plan.seed)?;
        let data = Data::load(plan, &net)?;
        labels::check(plan, &net, &data)?;
        let initial_abs_sums = net
            .projs
            .iter()
            .map(|p| p.w.iter().map(|w| w.abs() as f64).sum())
            .collect();
        Ok(Runner {
            seed: plan.seed,
            work_hash: crate::plan::hash::work_hash(plan),
            opts: *opts,
            stop: Arc::new(AtomicBool::new(false)),
            data,
            initial_abs_sums,
            state: State::new(net),
            checkpoints: HashMap::new(),
            after: String::new(),
            loops: Vec::new(),
            resume_at: None,
            snapshots: None,
            measures: 0,
            rows: Vec::new(),
            records: Vec::new(),
            op_seconds: Vec::new(),
            environments: plan
                .environments
                .iter()
                .map(|e| (e.name.clone(), e.world.kernel.clone()))
                .collect(),
            recordings: plan.recordings.clone(),
            monitor: None,
        })
    }

    /// The seed of an op's stream on the current loop passes: the plan's seed on the first
    /// pass, then one derived from the stream's name and the passes (`learn#3@1`).
    fn seed_of(&self, stream: &Stream) -> u64 {
        if self.loops.iter().all(|&(_, p)| p == 0) {
            return stream.seed;
        }
        let passes: Vec<String> = self.loops.iter().map(|(_, p)| p.to_string()).collect();
        crate::plan::streams::derive(self.seed, &format!("{}@{}", stream.name, passes.join(".")))
    }

    /// The live network.
    pub fn network(&self) -> &Network {
        &self.state.net
    }

    /// The flag that stops a run at the next step boundary when set (from a Ctrl-C
    /// handler, for instance): the op then ends with E413 and the network keeps what the
    /// steps run so far did. Clear it before running more ops.
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    /// Uses `flag` as the stop flag.
    pub fn set_stop_flag(&mut self, flag: Arc<AtomicBool>) {
        self.stop = flag;
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Every metric value measured so far.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// A record of every op run so far.
    pub fn records(&self) -> &[OpRecord] {
        &self.records
    }

    /// The names of the checkpoints taken so far, sorted.
    pub fn checkpoint_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.checkpoints.keys().cloned().collect();
        names.sort();
        names
    }

    /// The tasks trained so far, in order.
    pub fn seen(&self) -> &[String] {
        &self.state.seen
    }

    /// What has been recorded so far.
    pub fn recording(&self) -> Recording {
        Recording {
            rows: self.rows.clone(),
            records: self.records.clone(),
            op_seconds: self.op_seconds.clone(),
            load_seconds: 0.0,
        }
    }

    fn into_recording(self) -> Recording {
        Recording {
            rows: self.rows,
            records: self.records,
            op_seconds: self.op_seconds,
            load_seconds: 0.0,
        }
    }

    /// The outcome of what has run so far, as the outcome of `plan` (whose ops are those
    /// run, for its hashes): timeline, records, final values and `plan`'s expectations.
    pub fn outcome(&self, plan: &Plan, error: Option<&RunError>) -> Outcome {
        let total = self.op_seconds.iter().sum();
        assemble(plan, self.opts.eval, self.recording(), error, total)
    }

    /// One op (not a loop), into its record.
    pub(super) fn op(
        &mut self,
        op: &Op,
        rec: &mut OpRecord,
        progress: &mut dyn Progress,
    ) -> Result<(), RunError> {
        match op {
            Op::Wake {
                phase,
                call,
                data,
                length,
                dynamics,
                rules,
                settings,
                stream,
                span,
            } => {
                rec.kind = "wake".into();
                rec.name = format!("{phase}#{call}");
                let name = rec.name.clone();
                let wake = WakeCall {
                    name: &name,
                    data,
                    length: *length,
                    dynamics,
                    rules,
                    settings,
                    seed: self.seed_of(stream),
                    span,
                    interference: None,
                };
                self.state.last_wake = Some(state::LastWake {
                    dynamics: dynamics.clone(),
                    rules: rules.clone(),
                    settings: settings.clone(),
                });
                self.wake(&wake, op.is_spiking(), rec, progress)?;
            }
            Op::Sleep { .. } => self.sleep(op, rec, progress)?,
            Op::Forage { .. } => self.forage(op, rec, progress)?,
            Op::Perturb { .. } => self.perturb(op, rec, progress)?,
            Op::Measure { metrics, label, .. } => {
                self.measure_op(metrics, label, op.span(), rec)?
            }
            Op::Checkpoint { name, .. } => self.checkpoint(name, rec),
            Op::Restore { name, span } => self.restore(name, span, rec)?,
            Op::Until { .. } => unreachable!("loops are run by `ops`"),
        }
        if matches!(
            op,
            Op::Wake { .. } | Op::Sleep { .. } | Op::Forage { .. } | Op::Perturb { .. }
        ) {
            self.after = rec.name.clone();
        }
        Ok(())
    }

    /// A wake phase, rate or spiking.
    fn wake(
        &mut self,
        call: &WakeCall,
        spiking: bool,
        rec: &mut OpRecord,
        progress: &mut dyn Progress,
    ) -> Result<(), RunError> {
        if spiking {
            self.spiking_wake(call, rec, progress)
        } else {
            self.rate_wake(call, rec, progress)
        }
    }

    /// Tasks trained by a wake phase join `seen`, in order.
    fn note_seen(&mut self, data: &[String]) {
        for k in data {
            if self.data.task(k).is_some() && !self.state.seen.contains(k) {
                self.state.seen.push(k.clone());
            }
        }
    }

    /// NaN, infinite or runaway weights stop the run.
    fn check_weights(&self, op: &str, span: &SpanIr) -> Result<(), RunError> {
        for p in &self.state.net.projs {
            if p.w.iter().any(|w| !w.is_finite()) {
                return Err(non_finite(&p.name, op, span));
            }
            let max = p.w.iter().fold(0.0f32, |m, w| m.max(w.abs()));
            if max > 1e6 {
                return Err(RunError::new(
                    Code::E411,
                    format!("weights of `{}` reached {max:e} in `{op}`", p.name),
                )
                .at(span)
                .label(format!("while running `{op}`"))
                .help("lower the learning rate or the rule's increments"));
            }
        }
        Ok(())
    }

    /// The projections a rule changes: plastic ones, restricted to those its `on` names.
    fn applies<K>(&self, r: &Bound<K>) -> Vec<bool> {
        let net = &self.state.net;
        net.projs
            .iter()
            .map(|p| {
                let named =
                    r.on.iter()
                        .any(|t| t.name() == p.name || t.name() == net.pops[p.to].name);
                // A tied projection learns only when named (`hebbian`, the one rule the
                // check lets name one), through its owner's weights.
                (p.plastic && (r.on.is_empty() || named))
                    || (p.tie.is_some() && r.on.iter().any(|t| t.name() == p.name))
            })
            .collect()
    }

    /// Σ|w| at the start of the protocol over the projections a rule changes: the baseline
    /// of `decay_to_baseline`.
    fn baseline(&self, applies: &[bool]) -> f64 {
        self.initial_abs_sums
            .iter()
            .zip(applies)
            .filter(|(_, a)| **a)
            .map(|(s, _)| s)
            .sum()
    }

    /// The spiking model of each population in a phase (`None` for inputs), in network
    /// order: the plan gives every non-input population a spiking model (E317 otherwise).
    fn spiking_models(
        &self,
        dynamics: &BTreeMap<String, Bound<NeuronModel>>,
        dt: f64,
        span: &SpanIr,
    ) -> Result<Vec<Option<Model>>, RunError> {
        let net = &self.state.net;
        let mut models = vec![None; net.pops.len()];
        for (layer, pop) in net.layers().into_iter().enumerate() {
            let name = &net.pops[pop].name;
            let model = dynamics
                .get(name)
                .and_then(|b| Model::spiking(&b.kernel, layer, dt))
                .ok_or_else(|| {
                    RunError::new(
                        Code::E412,
                        format!("`{name}` has no spiking model in this phase"),
                    )
                    .at(span)
                    .help("the plan refuses this (E317); a REPL session compiled against another network can reach it")
                })?;
            models[pop] = Some(model);
        }
        Ok(models)
    }
}

/// The most steps of a spiking wake phase whose activity is kept for activity metrics.
const MAX_RECORDED_STEPS: u64 = 1_000_000;

fn non_finite(what: &str, op: &str, span: &SpanIr) -> RunError {
    RunError::new(
        Code::E410,
        format!("`{what}` became NaN or infinite in `{op}`"),
    )
    .at(span)
    .label(format!("while running `{op}`"))
    .help("a learning rate or input scale that is too large makes activity diverge; lower it")
}

/// E413: the stop flag was set; `progress` is (done, planned, unit) of the op stopped.
fn interrupted(span: &SpanIr, progress: Option<(u64, u64, &str)>) -> RunError {
    let msg = match progress {
        Some((done, total, unit)) => format!(
            "interrupted after {} of {} {unit}",
            crate::plan::timeline::group_digits(done),
            crate::plan::timeline::group_digits(total)
        ),
        None => "interrupted before this op".to_string(),
    };
    RunError::new(Code::E413, msg)
        .at(span)
        .label("stopped here")
        .help("the network keeps every change made before the stop; later ops did not run")
}

/// Seeds each population's `v_init` draws with a stream derived from the op's seed and the
/// population's name (`v_init:exc`): deterministic per seed, different per population and
/// per call, and independent of the op's own stream (the drive's draws stay as they were).
fn seed_initials(models: &mut [Option<Model>], net: &Network, op_seed: u64) {
    for (m, p) in models.iter_mut().zip(&net.pops) {
        if let Some(m) = m {
            m.seed_initial(crate::plan::streams::derive(
                op_seed,
                &format!("v_init:{}", p.name),
            ));
        }
    }
}
