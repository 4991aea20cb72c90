//! The plan: a flat, fully resolved list of operations with integer step counts, concrete
//! parameters (defaults filled in, SI units), named random streams and source spans.
//!
//! This is the contract between the front end and the engine: nothing in a run is decided
//! later from the source. It serialises to JSON (`somnia plan --json`); its `schema` number
//! changes whenever its shape does.

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
    pub task_lists: Vec<TaskListIr>,
    pub ops: Vec<Op>,
    pub expectations: Vec<ExpectIr>,
    /// Allowed drift of each metric against a golden outcome.
    pub tolerances: BTreeMap<String, f64>,
    pub estimate: Estimate,
}

/// Where in the source an op or expectation was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpanIr {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub start: u32,
    pub end: u32,
}

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
    pub model: Option<BuiltinIr>,
    pub span: SpanIr,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectionIr {
    /// `from->to`, or the name given with `as`.
    pub name: String,
    pub from: String,
    pub to: String,
    /// The settings of its `connect` block, defaults filled in.
    pub params: BTreeMap<String, ParamIr>,
    /// The expected number of synapses.
    pub synapses: u64,
    pub span: SpanIr,
}

/// A dataset and where its files are looked up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetIr {
    pub name: String,
    pub source: BuiltinIr,
    /// The folder paths are relative to: the protocol file's folder, as given.
    pub base_dir: String,
    /// Its definition, for errors found when its files are read.
    pub span: SpanIr,
}

/// A task list over a dataset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskListIr {
    pub name: String,
    pub dataset: String,
    pub split: BuiltinIr,
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
        dynamics: BTreeMap<String, BuiltinIr>,
        rules: Vec<BuiltinIr>,
        /// `dt`, `present`, `rest`, `encode`, `retry`, `modulate`.
        settings: BTreeMap<String, ParamIr>,
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
        dynamics: BTreeMap<String, BuiltinIr>,
        scale: ParamIr,
        drive: BuiltinIr,
        /// `window w x h`: a w × h mask at a random position each step.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        window: Option<[u64; 2]>,
        modulators: Vec<BuiltinIr>,
        rules: Vec<BuiltinIr>,
        record: bool,
        stream: Stream,
        span: SpanIr,
    },
    Perturb {
        phase: String,
        call: u64,
        shocks: Vec<BuiltinIr>,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SleepKind {
    Nrem,
    Rem,
}

/// A metric to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricIr {
    pub metric: String,
    /// The tasks it is computed on (task metrics).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tasks: Vec<String>,
    /// The key of the task group as a whole (`pairs`, `pairs[0,1]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Its other parameters, defaults filled in.
    pub params: BTreeMap<String, ParamIr>,
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
        function: String,
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
    /// Synaptic operations, roughly: the unit of estimated cost.
    pub synaptic_ops: f64,
}
