//! The runner: walks a plan's ops over a live network and builds the outcome.
//!
//! It keeps what the ops share: the network and how it computes at test time, the tasks,
//! `seen`, the accuracy of each task when it was learnt (for BWT) and at its best (for
//! forgetting), checkpoints, and the spike counts of the last spiking phase (for `rates`).

use super::activity::Recorder;
use super::backprop::{Backprop, Trainer};
use super::drive::Drive;

use super::modulators::Modulator;
use super::network::Network;
use super::neurons::Model;
use super::params::{num, on_names, tasks as task_param};
use super::presenting::Presentation;
use super::rate::{self, Activation, Inference};
use super::sleep::{self, Setup};
use super::sleep_rules::SleepRule;

mod measure;
mod spiking_wake;
use crate::data::{self, Dataset, EvalSplit, Task};
use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use crate::outcome::expect::evaluate_all;
use crate::outcome::{ErrorInfo, OpRecord, Outcome, Row, SCHEMA, Timing, WeightChange};
use crate::plan::ir::{BuiltinIr, Op, ParamIr, Plan, SpanIr, WakeLength};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};
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
    /// An op has ended (also when it stopped on an error): its record and the network after it.
    fn op_done(&mut self, _record: &OpRecord, _net: &Network) {}
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
    let start = Instant::now();
    let mut outcome = empty_outcome(plan, opts);
    let error = match Runner::new(plan, opts) {
        Ok(mut r) => {
            outcome.timing.load_seconds = start.elapsed().as_secs_f64();
            progress.network_ready(&r.net);
            let result = r.ops(&plan.ops, progress);
            progress.run_done(&r.net);
            outcome.timeline = r.rows;
            outcome.ops = r.records;
            outcome.timing.ops = r.op_seconds;
            result.err()
        }
        Err(e) => Some(e),
    };
    finish_outcome(&mut outcome, plan, error.as_ref());
    outcome.timing.total_seconds = start.elapsed().as_secs_f64();
    (outcome, error)
}

/// An outcome of `plan` with nothing measured yet.
fn empty_outcome(plan: &Plan, opts: &Options) -> Outcome {
    Outcome {
        schema: SCHEMA,
        somnia: env!("CARGO_PKG_VERSION").to_string(),
        protocol: plan.protocol.clone(),
        source: plan.source.clone(),
        source_hash: plan.source_hash.clone(),
        plan_hash: plan_hash(plan),
        work_hash: work_hash(plan),
        seed: plan.seed,
        evaluated_on: match opts.eval {
            EvalSplit::Test => "test".into(),
            EvalSplit::Validation => "validation".into(),
        },
        status: "complete".into(),
        error: None,
        timeline: Vec::new(),
        final_values: BTreeMap::new(),
        expectations: Vec::new(),
        ops: Vec::new(),
        timing: Timing::default(),
    }
}

/// The status, final values and expectations of an outcome whose timeline is complete.
fn finish_outcome(outcome: &mut Outcome, plan: &Plan, error: Option<&RunError>) {
    if let Some(e) = error {
        outcome.status = "error".into();
        outcome.error = Some(ErrorInfo {
            code: e.code.as_str().into(),
            message: e.message.clone(),
        });
    }
    outcome.compute_final();
    outcome.expectations = evaluate_all(&plan.expectations, outcome);
}

/// SHA-256 of the plan's JSON.
pub fn plan_hash(plan: &Plan) -> String {
    let json = serde_json::to_vec(plan).expect("plans serialise");
    Sha256::digest(&json)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// SHA-256 of the plan's JSON without source positions, the source's hash, expectations,
/// tolerances and estimates: equal for two plans that compute the same thing, even from
/// edited files.
pub fn work_hash(plan: &Plan) -> String {
    fn strip_spans(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.remove("span");
                m.values_mut().for_each(strip_spans);
            }
            serde_json::Value::Array(xs) => xs.iter_mut().for_each(strip_spans),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(plan).expect("plans serialise");
    if let Some(m) = v.as_object_mut() {
        for k in [
            "source",
            "source_hash",
            "expectations",
            "tolerances",
            "estimate",
        ] {
            m.remove(k);
        }
    }
    strip_spans(&mut v);
    Sha256::digest(v.to_string().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A wake op's settings, as the wake phases read them.
struct WakeCall<'o> {
    /// `learn#0`.
    name: &'o str,
    data: &'o [String],
    length: WakeLength,
    dynamics: &'o BTreeMap<String, BuiltinIr>,
    rules: &'o [BuiltinIr],
    settings: &'o BTreeMap<String, ParamIr>,
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

/// What a checkpoint keeps.
#[derive(Clone)]
struct Snapshot {
    net: Network,
    inf: Inference,
    seen: Vec<String>,
    learnt: HashMap<String, f64>,
    best: HashMap<String, f64>,
}

/// A plan being run: the live network and everything the ops share. `run` drives it over
/// the whole plan; benchmarks and the REPL drive it one op at a time.
pub struct Runner {
    /// The plan's master seed (streams of loop passes and readouts derive from it).
    seed: u64,
    /// The plan's first dataset (what `clustering` reads).
    first_dataset: Option<String>,
    opts: Options,
    /// Set from another thread (Ctrl-C in the REPL) to stop at the next step boundary.
    stop: Arc<AtomicBool>,
    net: Network,
    inf: Inference,
    features: usize,
    shape: Option<(usize, usize)>,
    datasets: HashMap<String, Dataset>,
    tasks: Vec<Task>,
    seen: Vec<String>,
    learnt: HashMap<String, f64>,
    best: HashMap<String, f64>,
    checkpoints: HashMap<String, Snapshot>,
    /// Spikes per population, steps and dt of the last spiking phase.
    last_spikes: Option<(Vec<u64>, u64, f64)>,
    /// The last wake op run: how `interfere` trains.
    last_wake: Option<Op>,
    /// Input rates (Hz) recorded by each sleep phase with `record true`, its last call.
    recorded: HashMap<String, Vec<f32>>,
    /// How the last spiking wake phase showed samples: readouts show them the same way.
    presentation: Option<Presentation>,
    /// Populations a `silence` shock keeps quiet during the next phase.
    silenced: Vec<usize>,
    /// Σ|w| of each projection when the protocol started (`decay_to_baseline`).
    initial_abs_sums: Vec<f64>,
    /// Spikes per step of the last spiking phase (activity metrics).
    activity: Option<Recorder>,
    /// The last phase call run (`consolidate#2`).
    after: String,
    /// The pass of each enclosing `until` loop: a phase repeated by a loop gets a new
    /// random stream on every pass after the first.
    passes: Vec<u64>,
    measures: usize,
    rows: Vec<Row>,
    records: Vec<OpRecord>,
    op_seconds: Vec<f64>,
}

impl Runner {
    /// Builds the network and reads the data. The runner keeps nothing of the plan but its
    /// seed: ops (the plan's, or any compiled against the same network) are given to
    /// [`Runner::ops`].
    pub fn new(plan: &Plan, opts: &Options) -> Result<Runner, RunError> {
        let net = Network::build(&plan.network, plan.seed)?;
        let initial_abs_sums = net
            .projs
            .iter()
            .map(|p| p.w.iter().map(|w| w.abs() as f64).sum())
            .collect();
        let input = net.input().map(|i| &net.pops[i]);
        let mut datasets = HashMap::new();
        let mut tasks = Vec::new();
        let (mut features, mut shape) = (0, None);
        for d in &plan.datasets {
            let ds = data::load(d, plan.seed)?;
            if let Some(inp) = input
                && inp.size != ds.features
            {
                return Err(RunError::new(
                    Code::E407,
                    format!(
                        "dataset `{}` has {} features per sample but input population `{}` has {} neurons",
                        d.name, ds.features, inp.name, inp.size
                    ),
                )
                .at(&inp.span)
                .label(format!("{} neurons", inp.size))
                .help(format!("give `{}` {} neurons", inp.name, ds.features)));
            }
            features = ds.features;
            shape = ds.shape;
            datasets.insert(d.name.clone(), ds);
        }
        for list in &plan.task_lists {
            if let Some(ds) = datasets.get(&list.dataset) {
                tasks.extend(data::cut_tasks(list, ds, plan.seed)?);
            }
        }
        Ok(Runner {
            seed: plan.seed,
            first_dataset: plan.datasets.first().map(|d| d.name.clone()),
            opts: *opts,
            stop: Arc::new(AtomicBool::new(false)),
            inf: Inference::relu(&net),
            net,
            features,
            shape,
            datasets,
            tasks,
            seen: Vec::new(),
            learnt: HashMap::new(),
            best: HashMap::new(),
            checkpoints: HashMap::new(),
            last_spikes: None,
            last_wake: None,
            recorded: HashMap::new(),
            presentation: None,
            silenced: Vec::new(),
            initial_abs_sums,
            activity: None,
            after: String::new(),
            passes: Vec::new(),
            measures: 0,
            rows: Vec::new(),
            records: Vec::new(),
            op_seconds: Vec::new(),
        })
    }

    fn task(&self, key: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.key == key)
    }

    /// The seed of an op's stream on the current loop passes: the plan's seed on the first
    /// pass, then one derived from the stream's name and the passes (`learn#3@1`).
    fn seed_of(&self, stream: &crate::plan::ir::Stream) -> u64 {
        if self.passes.iter().all(|&p| p == 0) {
            return stream.seed;
        }
        let passes: Vec<String> = self.passes.iter().map(u64::to_string).collect();
        crate::plan::streams::derive(self.seed, &format!("{}@{}", stream.name, passes.join(".")))
    }

    /// The live network.
    pub fn network(&self) -> &Network {
        &self.net
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
        &self.seen
    }

    /// The outcome of what has run so far, as the outcome of `plan` (whose ops are those
    /// run, for its hashes): timeline, records, final values and `plan`'s expectations.
    pub fn outcome(&self, plan: &Plan, error: Option<&RunError>) -> Outcome {
        let mut outcome = empty_outcome(plan, &self.opts);
        outcome.timeline = self.rows.clone();
        outcome.ops = self.records.clone();
        outcome.timing.ops = self.op_seconds.clone();
        outcome.timing.total_seconds = self.op_seconds.iter().sum();
        finish_outcome(&mut outcome, plan, error);
        outcome
    }

    /// Runs ops (loops included), recording each.
    pub fn ops(&mut self, ops: &[Op], progress: &mut dyn Progress) -> Result<(), RunError> {
        for op in ops {
            if self.stopped() {
                return Err(interrupted(op_span(op), None));
            }
            if let Op::Until {
                cond,
                max,
                body,
                span,
            } = op
            {
                for pass in 0..*max {
                    self.passes.push(pass);
                    let result = self.ops(body, progress);
                    self.passes.pop();
                    result?;
                    if self.live(cond, span)? != 0.0 {
                        break;
                    }
                }
                continue;
            }
            let t = Instant::now();
            let index = self.records.len();
            let mut record = OpRecord {
                index,
                kind: String::new(),
                name: String::new(),
                amount: None,
                spikes: BTreeMap::new(),
                loss: Vec::new(),
                weights: Vec::new(),
            };
            let result = self.op(op, index, &mut record, progress);
            progress.op_done(&record, &self.net);
            self.records.push(record);
            self.op_seconds.push(t.elapsed().as_secs_f64());
            result?;
        }
        Ok(())
    }

    fn op(
        &mut self,
        op: &Op,
        index: usize,
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
                let call = WakeCall {
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
                self.last_wake = Some(op.clone());
                self.wake(&call, rec, progress)?;
                self.after = rec.name.clone();
            }
            Op::Sleep {
                kind,
                phase,
                call,
                steps,
                dt,
                dynamics,
                scale,
                drive,
                window,
                modulators,
                rules,
                record,
                stream,
                span,
            } => {
                rec.kind = match kind {
                    crate::plan::ir::SleepKind::Nrem => "nrem".into(),
                    crate::plan::ir::SleepKind::Rem => "rem".into(),
                };
                rec.name = format!("{phase}#{call}");
                rec.amount = Some(*steps);
                if *steps > 0 {
                    // A sleep without rules changes no weight: nothing to histogram (a
                    // pass over every weight, 16 M for CUBA's 4000 × 4000).
                    let before = if rules.is_empty() {
                        Vec::new()
                    } else {
                        self.weight_histograms()
                    };
                    let mut setup = self
                        .sleep_setup(*steps, *dt, dynamics, scale, drive, *window, rules, span)?;
                    setup.record_input = *record;
                    for m in modulators {
                        setup.modulators.push(Modulator::from_ir(m).ok_or_else(|| {
                            unsupported(&format!("the modulator `{}`", m.name), span)
                        })?);
                    }
                    let seed = self.seed_of(stream);
                    seed_initials(&mut setup.models, &self.net, seed);
                    let mut rng = ChaCha8Rng::seed_from_u64(seed);
                    progress.start(&rec.name, *steps, "steps");
                    let result = sleep::run_stoppable(
                        &mut self.net,
                        &setup,
                        &mut rng,
                        |d| progress.advance(d),
                        &self.stop,
                    );
                    progress.finish();
                    let stats = result.map_err(|pop| {
                        RunError::new(
                            Code::E410,
                            format!(
                                "the membrane potential of `{}` became NaN or infinite in `{}`",
                                self.net.pops[pop].name, rec.name
                            ),
                        )
                        .at(span)
                        .label(format!("while running `{}`", rec.name))
                        .help("lower the input scale or the drive's rate, or raise the thresholds")
                    })?;
                    for (p, &n) in self.net.pops.iter().zip(&stats.spikes) {
                        rec.spikes.insert(p.name.clone(), n);
                    }
                    // A homeostatic sleep may end early: the steps it ran.
                    rec.amount = Some(stats.steps);
                    if *record {
                        let seconds = (stats.steps as f64 * dt).max(f64::MIN_POSITIVE);
                        let rates = stats
                            .input_counts
                            .iter()
                            .map(|&c| (c as f64 / seconds) as f32)
                            .collect();
                        self.recorded.insert(phase.clone(), rates);
                    }
                    self.last_spikes = Some((stats.spikes, stats.steps, *dt));
                    self.activity = Some(stats.activity);
                    self.silenced.clear();
                    let after = if rules.is_empty() {
                        Vec::new()
                    } else {
                        self.check_weights(&rec.name, span)?;
                        self.weight_histograms()
                    };
                    rec.weights = before
                        .into_iter()
                        .zip(after)
                        .map(|((projection, before), (_, after))| WeightChange {
                            projection,
                            before,
                            after,
                        })
                        .collect();
                    if self.stopped() {
                        return Err(interrupted(span, Some((stats.steps, *steps, "steps"))));
                    }
                }
                self.after = rec.name.clone();
            }
            Op::Perturb {
                phase,
                call,
                shocks,
                stream,
                span,
            } => {
                rec.kind = "perturb".into();
                rec.name = format!("{phase}#{call}");
                let mut rng = ChaCha8Rng::seed_from_u64(self.seed_of(stream));
                for shock in shocks {
                    if shock.name == "interfere" {
                        self.interfere(shock, rand::Rng::random(&mut rng), rec, progress, span)?;
                        continue;
                    }
                    let silenced = super::perturb::apply(&mut self.net, shock, &mut rng)
                        .map_err(|name| unsupported(&format!("the shock `{name}`"), span))?;
                    self.silenced.extend(silenced);
                }
                self.after = rec.name.clone();
            }
            Op::Measure { metrics, label, .. } => {
                rec.kind = "measure".into();
                rec.name = label.clone().unwrap_or_default();
                let id = self.measures;
                self.measures += 1;
                for m in metrics {
                    for v in self.measure(m, op_span(op))? {
                        self.rows.push(Row {
                            op: index,
                            after: self.after.clone(),
                            label: label.clone(),
                            measure: id,
                            metric: v.metric,
                            group: v.group,
                            task: v.task,
                            value: v.value,
                        });
                    }
                }
            }
            Op::Checkpoint { name, .. } => {
                rec.kind = "checkpoint".into();
                rec.name = name.clone();
                let snap = Snapshot {
                    net: self.net.clone(),
                    inf: self.inf.clone(),
                    seen: self.seen.clone(),
                    learnt: self.learnt.clone(),
                    best: self.best.clone(),
                };
                self.checkpoints.insert(name.clone(), snap);
            }
            Op::Restore { name, span } => {
                rec.kind = "restore".into();
                rec.name = name.clone();
                let snap = self.checkpoints.get(name).cloned().ok_or_else(|| {
                    RunError::new(Code::E412, format!("no checkpoint `{name}` was taken")).at(span)
                })?;
                self.net = snap.net;
                self.inf = snap.inf;
                self.seen = snap.seen;
                self.learnt = snap.learnt;
                self.best = snap.best;
            }
            Op::Until { .. } => unreachable!("loops are run by `ops`"),
        }
        Ok(())
    }

    /// The training samples of tasks (or whole datasets) as one table.
    fn train_data(&self, keys: &[String]) -> (Vec<f32>, Vec<u32>) {
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for k in keys {
            if let Some(t) = self.task(k) {
                x.extend_from_slice(&t.train.x);
                y.extend_from_slice(&t.train.y);
            } else if let Some(d) = self.datasets.get(k) {
                x.extend_from_slice(&d.train.x);
                y.extend_from_slice(&d.train.y);
            }
        }
        (x, y)
    }

    /// `interfere(task, length, shuffle_labels)`: trains on `task` the way the last wake
    /// phase trained, with the labels rotated when `shuffle_labels`.
    fn interfere(
        &mut self,
        shock: &BuiltinIr,
        seed: u64,
        rec: &mut OpRecord,
        progress: &mut dyn Progress,
        span: &SpanIr,
    ) -> Result<(), RunError> {
        let Some(Op::Wake {
            dynamics,
            rules,
            settings,
            ..
        }) = self.last_wake.clone()
        else {
            return Err(RunError::new(
                Code::E412,
                "`interfere` trains the way the last wake phase did, and no wake phase has run yet",
            )
            .at(span)
            .help("run a wake phase before the perturbation"));
        };
        let data = super::params::tasks(&shock.params, "task").to_vec();
        let length = match shock.params.get("length") {
            Some(ParamIr::Number { value, unit }) if unit == "samples" => {
                WakeLength::Samples(*value as u64)
            }
            Some(ParamIr::Number { value, .. }) => WakeLength::Epochs((*value as u64).max(1)),
            _ => WakeLength::Epochs(1),
        };
        let name = format!("{}:interfere", rec.name);
        let call = WakeCall {
            name: &name,
            data: &data,
            length,
            dynamics: &dynamics,
            rules: &rules,
            settings: &settings,
            seed,
            span,
            interference: Some(Interference {
                shuffle_labels: super::params::flag(&shock.params, "shuffle_labels", true),
            }),
        };
        // The shock's record keeps the perturb phase's name and kind.
        let (kind, own) = (rec.kind.clone(), rec.name.clone());
        let result = self.wake(&call, rec, progress);
        rec.kind = kind;
        rec.name = own;
        result
    }

    fn wake(
        &mut self,
        call: &WakeCall,
        rec: &mut OpRecord,
        progress: &mut dyn Progress,
    ) -> Result<(), RunError> {
        let WakeCall {
            name,
            data,
            length,
            dynamics,
            rules,
            seed,
            span,
            ..
        } = *call;
        if dynamics
            .values()
            .any(|b| matches!(b.name.as_str(), "lif" | "integrate_fire"))
        {
            return self.spiking_wake(call, rec, progress);
        }
        if !self.silenced.is_empty() {
            return Err(unsupported("`silence` before a rate wake phase", span));
        }
        let mut act = vec![Activation::Linear; self.net.pops.len()];
        for (pop, b) in dynamics {
            let Some(i) = self.net.pop(pop) else { continue };
            act[i] = Activation::from_name(&b.name).ok_or_else(|| {
                unsupported(&format!("wake phases with `{}` dynamics", b.name), span)
            })?;
        }
        if !self.net.is_feedforward() {
            return Err(unsupported("rate wake phases on recurrent networks", span));
        }
        let (x, mut y) = self.train_data(data);
        if let Some(Interference {
            shuffle_labels: true,
        }) = call.interference
        {
            rotate_labels(&mut y, self.net.pops[self.net.output()].size as u32);
        }
        let n = y.len();
        let mut trained = false;
        for r in rules {
            if r.name != "backprop" {
                return Err(unsupported(
                    &format!("the rule `{}` in wake phases", r.name),
                    span,
                ));
            }
            let rule = Backprop::from_ir(r, &self.net);
            let total = match length {
                WakeLength::Epochs(e) => e as usize * n,
                WakeLength::Samples(s) => s as usize,
            };
            rec.amount = Some(total as u64);
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut trainer = Trainer::new(&self.net, rule.batch.min(n.max(1)), self.features);
            trainer.shuffle = super::params::flag(call.settings, "shuffle", true);
            progress.start(name, total as u64, "samples");
            let mut done = 0usize;
            while done < total && n > 0 && !self.stopped() {
                let limit = (total - done).min(n);
                let base = done;
                let mut reached = 0;
                let loss = trainer
                    .epoch_stoppable(
                        &mut self.net,
                        &act,
                        &rule,
                        &x,
                        &y,
                        self.features,
                        limit,
                        &mut rng,
                        |k| {
                            reached = k;
                            progress.advance((base + k) as u64)
                        },
                        &self.stop,
                    )
                    .map_err(|pop| non_finite(&self.net.pops[pop].name, name, span))?;
                rec.loss.push(loss);
                done += reached.min(limit);
                if reached < limit {
                    break;
                }
            }
            progress.finish();
            if self.stopped() {
                rec.amount = Some(done as u64);
                self.check_weights(name, span)?;
                return Err(interrupted(
                    span,
                    Some((done as u64, total as u64, "samples")),
                ));
            }
            if rule.loss == super::backprop::Loss::CrossEntropy {
                // The answer is the argmax of the softmax's input.
                act[self.net.output()] = Activation::Linear;
            }
            self.inf = Inference {
                act: act.clone(),
                test_scale: rule.test_scale(self.net.pops.len()),
            };
            trained = true;
        }
        if !trained {
            self.inf.act = act;
        }
        self.check_weights(name, span)?;
        if call.interference.is_some() {
            return Ok(());
        }
        // Tasks trained join `seen`; their accuracy now is what BWT compares against.
        for k in data {
            if self.task(k).is_some() {
                if !self.seen.contains(k) {
                    self.seen.push(k.clone());
                }
                if trained {
                    let acc = self.task_accuracy(k);
                    self.learnt.insert(k.clone(), acc);
                    let b = self.best.entry(k.clone()).or_insert(acc);
                    *b = b.max(acc);
                }
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn sleep_setup(
        &self,
        steps: u64,
        dt: f64,
        dynamics: &BTreeMap<String, BuiltinIr>,
        scale: &ParamIr,
        drive: &BuiltinIr,
        window: Option<[u64; 2]>,
        rules: &[BuiltinIr],
        span: &SpanIr,
    ) -> Result<Setup, RunError> {
        let net = &self.net;
        let layers = net.layers();
        let mut models = vec![None; net.pops.len()];
        for (li, &pop) in layers.iter().enumerate() {
            let name = &net.pops[pop].name;
            let b = dynamics.get(name).ok_or_else(|| {
                RunError::new(
                    Code::E412,
                    format!("no neuron model for `{name}` in this phase"),
                )
                .at(span)
            })?;
            models[pop] = Some(Model::from_ir(b, li, dt).ok_or_else(|| {
                unsupported(&format!("`{}` neurons in this configuration", b.name), span)
            })?);
        }
        let mut s = vec![1.0f32; net.pops.len()];
        match scale {
            ParamIr::Number { value, .. } => layers.iter().for_each(|&p| s[p] = *value as f32),
            ParamIr::List { .. } => {
                for (&p, v) in layers.iter().zip(super::params::numbers(scale)) {
                    s[p] = v as f32;
                }
            }
            ParamIr::Builtin { builtin: b } if b.name == "activation_max" => {
                let (x, _) = self.train_data(task_param(&b.params, "tasks"));
                let maxima = rate::activation_max(
                    net,
                    &self.inf,
                    &x,
                    self.features,
                    num(&b.params, "percentile", 1.0),
                );
                let recursion = super::params::symbol(&b.params, "recursion", "matlab");
                s = super::scale::activation_max(net, &maxima, recursion, b.factor);
            }
            ParamIr::Builtin { builtin: b } => {
                return Err(unsupported(
                    &format!("the scaling recipe `{}`", b.name),
                    span,
                ));
            }
            _ => {}
        }
        let n_in = net.input().map_or(0, |i| net.pops[i].size);
        let mut drv = match drive.name.as_str() {
            "silence" => Drive::silent(n_in),
            "bernoulli" | "poisson" => {
                let max_rate = num(&drive.params, "max_rate", 63.75);
                let key = if drive.name == "bernoulli" {
                    "p"
                } else {
                    "rates"
                };
                let pattern = match drive.params.get(key) {
                    Some(ParamIr::Builtin { builtin: p }) => self.pattern(p, span)?,
                    Some(ParamIr::Number { value, unit }) if unit == "s^-1" => {
                        vec![(*value / max_rate.max(f64::MIN_POSITIVE)) as f32; n_in]
                    }
                    Some(ParamIr::Number { value, .. }) => vec![*value as f32; n_in],
                    _ => vec![1.0; n_in],
                };
                // Bernoulli: 2·dt·max_rate·p (SRC's coding); Poisson: max_rate·p·dt.
                let k = if drive.name == "bernoulli" { 2.0 } else { 1.0 } * dt * max_rate;
                Drive::new(
                    pattern
                        .iter()
                        .map(|&p| (k as f32 * p).clamp(0.0, 1.0))
                        .collect(),
                )
            }
            "gaussian" => {
                let mut d = Drive::new(vec![
                    (num(&drive.params, "max_rate", 63.75) * dt).min(1.0)
                        as f32;
                    n_in
                ]);
                d.noise = Some((
                    num(&drive.params, "mean", 0.0) as f32,
                    num(&drive.params, "sigma", 1.0) as f32,
                ));
                d
            }
            "recorded_rates" => {
                let phase = match drive.params.get("phase") {
                    Some(ParamIr::Phase { name }) => name.as_str(),
                    _ => "",
                };
                // The plan guarantees a recording exists (E315); a stale REPL session may not.
                let rates = self.recorded.get(phase).ok_or_else(|| {
                    RunError::new(
                        Code::E412,
                        format!("`{phase}` has recorded no input rates yet"),
                    )
                    .at(span)
                })?;
                let factor = num(&drive.params, "scale", 1.0) * dt;
                let uniform =
                    super::params::symbol(&drive.params, "mode", "per_neuron") == "uniform";
                let mean = rates.iter().map(|&r| r as f64).sum::<f64>() / rates.len().max(1) as f64;
                Drive::new(
                    rates
                        .iter()
                        .map(|&r| {
                            let r = if uniform { mean } else { r as f64 };
                            (r * factor).clamp(0.0, 1.0) as f32
                        })
                        .collect(),
                )
            }
            other => return Err(unsupported(&format!("the drive `{other}`"), span)),
        };
        if let Some([w, h]) = window {
            let (rows, cols) = self.shape.ok_or_else(|| {
                RunError::new(
                    Code::E412,
                    "a `window` needs image-shaped input (IDX or synthetic images)",
                )
                .at(span)
            })?;
            let (w, h) = (w as usize, h as usize);
            if w > cols || h > rows {
                return Err(RunError::new(
                    Code::E407,
                    format!("the window {w} x {h} does not fit the {cols} x {rows} input images"),
                )
                .at(span));
            }
            drv.window = Some((w, h, cols, rows));
        }
        let mut sleep_rules = Vec::new();
        for r in rules {
            let rule = self
                .with_baseline(r, SleepRule::from_ir(r))
                .ok_or_else(|| {
                    unsupported(&format!("the rule `{}` in sleep phases", r.name), span)
                })?;
            let applies = self.applies(r);
            sleep_rules.push((rule, applies));
        }
        Ok(Setup {
            steps,
            dt,
            models,
            scale: s,
            drive: drv,
            rules: sleep_rules,
            modulators: Vec::new(),
            silenced: self.silenced.clone(),
            record_input: false,
        })
    }

    /// An input pattern in [0, 1] per input neuron.
    fn pattern(&self, p: &BuiltinIr, span: &SpanIr) -> Result<Vec<f32>, RunError> {
        let f = self.features;
        if f == 0 {
            return Err(RunError::new(
                Code::E408,
                format!("`{}` has no data to average: no dataset was loaded", p.name),
            )
            .at(span));
        }
        let mean = |x: &[f32]| {
            let n = (x.len() / f.max(1)).max(1);
            let mut m = vec![0.0f64; f];
            for row in x.chunks_exact(f) {
                m.iter_mut().zip(row).for_each(|(m, &v)| *m += v as f64);
            }
            m.into_iter()
                .map(|v| (v / n as f64) as f32)
                .collect::<Vec<f32>>()
        };
        match p.name.as_str() {
            "mean_image" => {
                let (x, _) = self.train_data(task_param(&p.params, "tasks"));
                Ok(mean(&x))
            }
            "sample_mean" => {
                use rand::Rng;
                let (x, y) = self.train_data(task_param(&p.params, "tasks"));
                let count = num(&p.params, "count", 10.0) as usize;
                let mut rng = ChaCha8Rng::seed_from_u64(crate::plan::streams::derive(
                    self.seed,
                    &format!("sample_mean:{}", self.after),
                ));
                let mut picked = Vec::with_capacity(count * f);
                for _ in 0..count.min(y.len()) {
                    let i = rng.random_range(0..y.len());
                    picked.extend_from_slice(&x[i * f..(i + 1) * f]);
                }
                Ok(mean(&picked))
            }
            other => Err(unsupported(&format!("the input pattern `{other}`"), span)),
        }
    }

    /// A `decay_to_baseline` rule gets its baseline: the summed |w| of its projections at
    /// the start of the protocol.
    fn with_baseline(&self, b: &BuiltinIr, rule: Option<SleepRule>) -> Option<SleepRule> {
        match rule? {
            SleepRule::DecayToBaseline {
                target,
                lambda,
                mode,
                stop_at_baseline,
                tolerance,
                ..
            } => {
                let applies = self.applies(b);
                let baseline = self
                    .initial_abs_sums
                    .iter()
                    .zip(&applies)
                    .filter(|(_, a)| **a)
                    .map(|(s, _)| s)
                    .sum();
                Some(SleepRule::DecayToBaseline {
                    target,
                    lambda,
                    mode,
                    stop_at_baseline,
                    tolerance,
                    baseline,
                })
            }
            other => Some(other),
        }
    }

    /// The projections a rule changes: plastic ones, restricted to those its `on` names.
    fn applies(&self, r: &BuiltinIr) -> Vec<bool> {
        let on = on_names(r);
        self.net
            .projs
            .iter()
            .map(|p| {
                p.plastic
                    && (on.is_empty()
                        || on.contains(&p.name)
                        || on.contains(&self.net.pops[p.to].name))
            })
            .collect()
    }

    /// A histogram of every projection's weights, in the network's order.
    fn weight_histograms(&self) -> Vec<(String, crate::outcome::Histogram)> {
        self.net
            .projs
            .iter()
            .map(|p| (p.name.clone(), super::metrics::weight_histogram(p)))
            .collect()
    }

    /// NaN, infinite or runaway weights stop the run.
    fn check_weights(&self, op: &str, span: &SpanIr) -> Result<(), RunError> {
        for p in &self.net.projs {
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

fn unsupported(what: &str, span: &SpanIr) -> RunError {
    RunError::new(Code::E412, format!("the engine cannot run {what} yet")).at(span)
}

fn op_span(op: &Op) -> &SpanIr {
    match op {
        Op::Wake { span, .. }
        | Op::Sleep { span, .. }
        | Op::Perturb { span, .. }
        | Op::Measure { span, .. }
        | Op::Checkpoint { span, .. }
        | Op::Restore { span, .. }
        | Op::Until { span, .. } => span,
    }
}

/// Trains each class as the next class present (the last as the first): every label is
/// wrong, and the task conflicts with what was learnt. One class becomes the next output.
fn rotate_labels(y: &mut [u32], outputs: u32) {
    let mut classes: Vec<u32> = y.to_vec();
    classes.sort_unstable();
    classes.dedup();
    let next = |c: u32| -> u32 {
        match classes.len() {
            0 => c,
            1 => (c + 1) % outputs.max(1),
            n => {
                let i = classes.binary_search(&c).unwrap_or(0);
                classes[(i + 1) % n]
            }
        }
    };
    for v in y.iter_mut() {
        *v = next(*v);
    }
}

/// Seeds each population's `v_init` draws with a stream derived from the op's seed and the
/// population's name (`v_init:exc`): deterministic per seed, different per population and
/// per call, and independent of the op's own stream (the drive's draws stay as they were).
pub(super) fn seed_initials(models: &mut [Option<Model>], net: &Network, op_seed: u64) {
    for (m, p) in models.iter_mut().zip(&net.pops) {
        if let Some(m) = m {
            m.seed_initial(crate::plan::streams::derive(
                op_seed,
                &format!("v_init:{}", p.name),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rotated_labels_are_all_wrong_and_stay_in_the_task() {
        let mut y = vec![2, 3, 3, 2, 5];
        super::rotate_labels(&mut y, 10);
        assert_eq!(y, vec![3, 5, 5, 3, 2]);
        let mut one = vec![9, 9];
        super::rotate_labels(&mut one, 10);
        assert_eq!(one, vec![0, 0]);
    }
}
