//! What the ops of a run share: the data, read once when the run starts, and the learnt
//! [`State`] that the ops change and a checkpoint keeps whole.

use crate::data::{self, Dataset, Task};
use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use crate::engine::activity::Recorder;
use crate::engine::network::Network;
use crate::engine::presenting::Presentation;
use crate::engine::rate::Inference;
use crate::plan::bind::{Bound, NeuronModel, Rule, Settings, WakeSettings};
use crate::plan::ir::Plan;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The datasets and tasks of a plan, as read.
pub struct Data {
    pub datasets: HashMap<String, Dataset>,
    pub tasks: Vec<Task>,
    /// Features per sample (the last dataset's; they all match the input population).
    pub features: usize,
    /// `(rows, cols)` when the samples are images.
    pub shape: Option<(usize, usize)>,
    /// The plan's first dataset (what `clustering` reads).
    pub first_dataset: Option<String>,
}

impl Data {
    /// Reads every dataset of the plan and cuts its task lists.
    pub fn load(plan: &Plan, net: &Network) -> Result<Data, RunError> {
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
        Ok(Data {
            datasets,
            tasks,
            features,
            shape,
            first_dataset: plan.datasets.first().map(|d| d.name.clone()),
        })
    }

    pub fn task(&self, key: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.key == key)
    }

    /// The training samples of tasks (or whole datasets) as one table.
    pub fn train(&self, keys: &[String]) -> (Vec<f32>, Vec<u32>) {
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
}

/// How the last wake phase trained: what `interfere` trains with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LastWake {
    pub dynamics: BTreeMap<String, Bound<NeuronModel>>,
    pub rules: Vec<Bound<Rule>>,
    pub settings: Settings<WakeSettings>,
}

/// Everything the ops have made of the run so far, and that later ops read: the network
/// and what is known about it. A checkpoint clones it whole; `restore` puts it back; a
/// snapshot on disk (`--resume`) holds it too.
#[derive(Clone, Serialize, Deserialize)]
pub struct State {
    pub net: Network,
    /// How the network computes at test time (transfer functions, dropout scaling).
    pub inf: Inference,
    /// The tasks trained so far, in order.
    pub seen: Vec<String>,
    /// Each task's accuracy when it was learnt (BWT).
    pub learnt: HashMap<String, f64>,
    /// Each task's best accuracy so far (forgetting).
    pub best: HashMap<String, f64>,
    /// Spikes per population, steps and dt of the last spiking phase (`rates`).
    pub last_spikes: Option<(Vec<u64>, u64, f64)>,
    /// Spikes per step of the last spiking phase (activity metrics).
    pub activity: Option<Recorder>,
    /// How the last wake phase trained (`interfere`).
    pub last_wake: Option<LastWake>,
    /// Input rates (Hz) recorded by each sleep phase with `record true`, its last call.
    pub recorded: HashMap<String, Vec<f32>>,
    /// How the last spiking wake phase showed samples: readouts show them the same way.
    pub presentation: Option<Presentation>,
    /// Populations a `silence` shock keeps quiet during the next phase.
    pub silenced: Vec<usize>,
    /// The agent of environment phases, from the first one on (`engine::forage`).
    #[serde(default)]
    pub agent: Option<crate::engine::forage::Agent>,
    /// What each environment phase with `record <population>` counted, its last call.
    #[serde(default)]
    pub recorded_moves: HashMap<String, super::forage::Recorded>,
    /// The environment the agent last foraged in awake: a wake phase in another one starts
    /// a fresh performance window.
    #[serde(default)]
    pub last_environment: Option<String>,
}

impl State {
    /// A network as built, before any op.
    pub fn new(net: Network) -> State {
        State {
            inf: Inference::relu(&net),
            net,
            seen: Vec::new(),
            learnt: HashMap::new(),
            best: HashMap::new(),
            last_spikes: None,
            activity: None,
            last_wake: None,
            recorded: HashMap::new(),
            presentation: None,
            silenced: Vec::new(),
            agent: None,
            recorded_moves: HashMap::new(),
            last_environment: None,
        }
    }
}
