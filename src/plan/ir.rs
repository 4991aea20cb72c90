//! The plan: a flat, fully resolved list of operations with integer step counts, concrete
//! parameters (defaults filled in, SI units), named random streams and source spans.
//!
//! This is the contract between the front end and the engine: nothing in a run is decided
//! later from the source. It serialises to JSON (`somnia plan --json`); its `schema` number
//! changes whenever its shape does.

use super::bind::settings::Typed;
use super::bind::{
    Bound, Connect, Drive, Metric, Modulator, NeuronModel, Rule, Scale, Settings, Shock, Source,
    Split, WakeSettings,
};
use crate::builtins::functions::Function;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The version of the plan's JSON shape.
pub const SCHEMA: u32 = 1;

/// A compiled protocol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub schema: u32,
    pub protocol: String,
    /// The protocol file, as named on the command line.
    pub source: String,
    /// SHA-256 of the text of every file the protocol was compiled from.
    pub source_hash: String,
    pub seed: u64,
    pub network: NetworkIr,
    pub datasets: Vec<DatasetIr>,
    /// The environments the plan's agent acts in (none in most plans).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<EnvironmentIr>,
    pub task_lists: Vec<TaskListIr>,
    pub ops: Vec<Op>,
    pub expectations: Vec<ExpectIr>,
    /// Allowed drift of each metric against a golden outcome.
    pub tolerances: BTreeMap<String, f64>,
    /// What the protocol's `record` settings record (none in most plans).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recordings: Vec<RecordingIr>,
    pub estimate: Estimate,
}

/// One recorder of a `record` setting, and where it was written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordingIr {
    pub recorder: Bound<super::bind::Recorder>,
    pub span: SpanIr,
}

/// Where in the source an op or expectation was written.
pub type SpanIr = crate::source::Position;

/// A parameter value, resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ParamIr {
    /// A number in SI base units; `unit` is the dimension's base-unit expression (`s`, `s^-1`,
    /// `V`, `steps`, `1` for dimensionless).
    Number {
        value: f64,
        unit: String,
    },
    Bool {
        value: bool,
    },
    Symbol {
        value: String,
    },
    String {
        value: String,
    },
    List {
        items: Vec<ParamIr>,
    },
    Tasks {
        tasks: Vec<String>,
    },
    Dataset {
        name: String,
    },
    Environment {
        name: String,
    },
    Population {
        name: String,
    },
    Projection {
        name: String,
        from: String,
        to: String,
    },
    Phase {
        name: String,
    },
    Builtin {
        builtin: BuiltinIr,
    },
}

/// A built-in with every parameter given (defaults filled in).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuiltinIr {
    pub name: String,
    pub kind: String,
    /// The user's name for it (a `rule` definition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub params: BTreeMap<String, ParamIr>,
    /// Where it applies (`on`); empty means everywhere it can.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on: Vec<ParamIr>,
    /// Factor from `recipe * number`.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub factor: f64,
}

fn one() -> f64 {
    1.0
}

fn is_one(x: &f64) -> bool {
    *x == 1.0
}

/// The network, sized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkIr {
    pub name: String,
    pub populations: Vec<PopulationIr>,
    pub projections: Vec<ProjectionIr>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopulationIr {
    pub name: String,
    pub role: String,
    pub size: u64,
    /// The neuron model declared on the population, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<Bound<NeuronModel>>,
    pub span: SpanIr,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectionIr {
    /// `from->to`, or the name given with `as`.
    pub name: String,
    pub from: String,
    pub to: String,
    /// The settings of its `connect` block, defaults filled in.
    pub params: Settings<Connect>,
    /// The expected number of synapses.
    pub synapses: u64,
    pub span: SpanIr,
}

/// A dataset and where its files are looked up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetIr {
    pub name: String,
    pub source: Bound<Source>,
    /// The folder paths are relative to: the protocol file's folder, as given.
    pub base_dir: String,
    /// Its definition, for errors found when its files are read.
    pub span: SpanIr,
}

/// An environment, bound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentIr {
    pub name: String,
    pub world: Bound<crate::plan::bind::World>,
    pub span: SpanIr,
}

/// A task list over a dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskListIr {
    pub name: String,
    pub dataset: String,
    pub split: Bound<Split>,
    /// The task keys, `name[i]`.
    pub tasks: Vec<String>,
    /// Its definition, for errors found when the tasks are cut.
    pub span: SpanIr,
}

/// A named random stream: its seed is derived from the master seed and the name only, so
/// adding an op does not change the randomness of the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stream {
    pub name: String,
    pub seed: u64,
}

/// How long a wake phase runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WakeLength {
    Epochs(u64),
    Samples(u64),
}

/// One operation of the plan. (Variants differ in size; a plan holds few ops and they are
/// built once, so boxing them would only add indirection.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    Wake {
        phase: String,
        /// How many times this phase ran before (0 for the first call).
        call: u64,
        data: Vec<String>,
        length: WakeLength,
        /// The neuron model of every non-input population.
        dynamics: BTreeMap<String, Bound<NeuronModel>>,
        rules: Vec<Bound<Rule>>,
        /// `dt`, `present`, `rest`, `encode`, `retry`, `modulate` (and `shuffle` when written).
        settings: Settings<WakeSettings>,
        stream: Stream,
        span: SpanIr,
    },
    Sleep {
        kind: SleepKind,
        phase: String,
        call: u64,
        steps: u64,
        /// Seconds.
        dt: f64,
        dynamics: BTreeMap<String, Bound<NeuronModel>>,
        scale: Typed<Scale>,
        drive: Bound<Drive>,
        /// `window w x h`: a w × h mask at a random position each step.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        window: Option<[u64; 2]>,
        modulators: Vec<Bound<Modulator>>,
        rules: Vec<Bound<Rule>>,
        record: bool,
        stream: Stream,
        span: SpanIr,
    },
    /// A phase in an environment: the agent acts (wake) or sleeps in it emptied.
    Forage {
        kind: ForageKind,
        phase: String,
        call: u64,
        environment: String,
        moves: u64,
        /// Simulation steps per move (the environment's `epoch`).
        epoch: u64,
        /// The model of every population, input cells included.
        dynamics: BTreeMap<String, Bound<NeuronModel>>,
        rules: Vec<Bound<Rule>>,
        dopamine: Bound<crate::plan::bind::Dopamine>,
        /// `recorded_kicks` (sleep); `None`: no input but the world's.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        drive: Option<Bound<Drive>>,
        /// The population whose spikes per move are counted for a later replay.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        record: Option<String>,
        stream: Stream,
        span: SpanIr,
    },
    Perturb {
        phase: String,
        call: u64,
        shocks: Vec<Bound<Shock>>,
        stream: Stream,
        span: SpanIr,
    },
    Measure {
        metrics: Vec<MetricIr>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        span: SpanIr,
    },
    Checkpoint {
        name: String,
        span: SpanIr,
    },
    Restore {
        name: String,
        span: SpanIr,
    },
    /// The only loop left in a plan: its body repeats until `cond` holds, at most `max` times.
    Until {
        cond: ExprIr,
        max: u64,
        body: Vec<Op>,
        span: SpanIr,
    },
}

impl Op {
    /// Where the op was written.
    pub fn span(&self) -> &SpanIr {
        match self {
            Op::Wake { span, .. }
            | Op::Sleep { span, .. }
            | Op::Forage { span, .. }
            | Op::Perturb { span, .. }
            | Op::Measure { span, .. }
            | Op::Checkpoint { span, .. }
            | Op::Restore { span, .. }
            | Op::Until { span, .. } => span,
        }
    }

    /// Whether the op runs spiking neurons: every sleep, and a wake phase in which any
    /// population is spiking (the one place this is decided).
    pub fn is_spiking(&self) -> bool {
        match self {
            Op::Sleep { .. } => true,
            Op::Wake { dynamics, .. } => dynamics.values().any(|m| m.kernel.is_spiking()),
            _ => false,
        }
    }
}

/// What an agent does in a forage op: forage, or sleep in the emptied world.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ForageKind {
    Wake,
    Nrem,
    Rem,
}

impl ForageKind {
    pub fn is_sleep(self) -> bool {
        self != ForageKind::Wake
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SleepKind {
    Nrem,
    Rem,
}

/// A metric to record: its record (name, tasks, parameters) and its typed kernel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "MetricRecord", try_from = "MetricRecord")]
pub struct MetricIr {
    pub metric: String,
    /// The tasks it is computed on (task metrics).
    pub tasks: Vec<String>,
    /// The key of the task group as a whole (`pairs`, `pairs[0,1]`).
    pub group: Option<String>,
    /// Its other parameters, defaults filled in.
    pub params: BTreeMap<String, ParamIr>,
    pub kernel: Metric,
}

impl MetricIr {
    /// The key it is recorded under: its name, with the statistic for `weights`.
    pub fn key(&self) -> String {
        match (&self.kernel, self.params.get("stat")) {
            (Metric::Weights(_), Some(ParamIr::Symbol { value })) => format!("weights.{value}"),
            // `max` keeps the name it had before the other statistics.
            (Metric::FeatureNorms(_), Some(ParamIr::Symbol { value })) if value != "max" => {
                format!("feature_norms.{value}")
            }
            _ => self.metric.clone(),
        }
    }

    /// What a metric that is not about tasks is about: its projection or population.
    pub fn subject(&self) -> Option<String> {
        ["projection", "population", "environment"]
            .iter()
            .find_map(|k| match self.params.get(*k) {
                Some(ParamIr::Projection { name, .. })
                | Some(ParamIr::Population { name })
                | Some(ParamIr::Environment { name }) => Some(name.clone()),
                _ => None,
            })
    }
}

/// A metric as the plan's JSON holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricRecord {
    pub metric: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tasks: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub params: BTreeMap<String, ParamIr>,
}

impl TryFrom<MetricRecord> for MetricIr {
    type Error = super::bind::BindError;

    fn try_from(r: MetricRecord) -> Result<MetricIr, Self::Error> {
        let mut params = r.params.clone();
        if !r.tasks.is_empty() || r.group.is_some() {
            params.insert(
                "tasks".into(),
                ParamIr::Tasks {
                    tasks: r.tasks.clone(),
                },
            );
        }
        let kernel = super::bind::bind(&BuiltinIr {
            name: r.metric.clone(),
            kind: crate::builtins::Kind::Metric.word().into(),
            label: None,
            params,
            on: Vec::new(),
            factor: 1.0,
        })?;
        Ok(MetricIr {
            metric: r.metric,
            tasks: r.tasks,
            group: r.group,
            params: r.params,
            kernel,
        })
    }
}

impl From<MetricIr> for MetricRecord {
    fn from(m: MetricIr) -> MetricRecord {
        MetricRecord {
            metric: m.metric,
            tasks: m.tasks,
            group: m.group,
            params: m.params,
        }
    }
}

/// An expression over live metrics (`until`) or outcome values (expectations).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "expr", rename_all = "snake_case")]
pub enum ExprIr {
    Number {
        value: f64,
        unit: String,
    },
    Bool {
        value: bool,
    },
    /// A metric measured on the live network (in `until` conditions).
    Metric {
        metric: MetricIr,
        /// `all` for the group, or one task key.
        task: String,
    },
    /// A value read from the outcome (in expectations).
    Query {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        arm: Option<String>,
        selector: SelectorIr,
        metric: MetricIr,
        task: String,
    },
    Unary {
        op: String,
        x: Box<ExprIr>,
    },
    Binary {
        op: String,
        l: Box<ExprIr>,
        r: Box<ExprIr>,
    },
    Call {
        function: Function,
        args: Vec<ExprIr>,
    },
}

/// When an outcome value is read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case")]
pub enum SelectorIr {
    Final,
    Initial,
    Label {
        label: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        index: Option<u64>,
    },
    Before {
        phase: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        index: Option<u64>,
    },
    After {
        phase: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        index: Option<u64>,
    },
}

/// An expectation: its text, compiled form and place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectIr {
    pub text: String,
    pub expr: ExprIr,
    pub span: SpanIr,
}

/// What the plan is expected to cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub neurons: u64,
    pub synapses: u64,
    /// Weights and the per-synapse buffers the rules need (momentum, traces).
    pub weight_bytes: u64,
    /// Membrane potentials, traces, activations of a batch.
    pub state_bytes: u64,
    pub total_bytes: u64,
    /// Simulation steps of all sleep phases.
    pub sleep_steps: u64,
    /// Samples presented by wake phases, when the task sizes are known from caps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wake_samples: Option<u64>,
    /// Biological time simulated by sleep phases, in seconds.
    pub bio_seconds: f64,
    /// Wall time of the whole run, roughly (the cost model of `plan/cost.rs`).
    pub seconds: f64,
    /// Of which building the network and reading the data.
    pub startup_seconds: f64,
    /// Wall time of each op, in the order `somnia plan` lists them (an `until` loop at its
    /// bound, then each op of its body once).
    pub op_seconds: Vec<f64>,
    /// The task sizes the times assume.
    pub sizes: super::cost::Sizes,
    /// Bytes the recordings write (spike trains at nominal rates); 0 without recordings.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub record_bytes: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
