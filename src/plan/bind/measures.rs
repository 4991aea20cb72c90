//! Readouts, metrics, and the scales (and scaling recipes) of sleep phases.

use super::{FromArg, Pop, Proj, Tasks};
use crate::builtins::Kind;
use crate::plan::ir::{MetricIr, MetricRecord, ParamIr};
use crate::{kernels, params, symbols};

kernels! {
    /// How a network's answer is read for accuracy.
    pub enum Readout: Kind::Readout {
        "argmax" => Argmax,
        "label_assignment" => LabelAssignment(LabelAssignment),
        "linear_readout" => LinearReadout(LinearReadout),
    }
}

params! {
    pub struct LabelAssignment {
        /// `None`: the output.
        pub layer: Option<Pop>,
    }
}

params! {
    pub struct LinearReadout {
        pub layer: Option<Pop>,
        pub pca: f64,
    }
}

impl Readout {
    /// The spiking layer a spike-count readout reads (`Some(None)`: the output); `None` for
    /// the rate readout.
    pub fn spiking_layer(&self) -> Option<Option<&str>> {
        match self {
            Readout::Argmax => None,
            Readout::LabelAssignment(r) => Some(r.layer.as_ref().map(|p| p.0.as_str())),
            Readout::LinearReadout(r) => Some(r.layer.as_ref().map(|p| p.0.as_str())),
        }
    }
}

kernels! {
    /// What `measure` records. (`tasks` of task metrics are held by the metric record.)
    pub enum Metric: Kind::Metric {
        "accuracy" => Accuracy(Accuracy),
        "forgetting" => Forgetting(OnTasks),
        "bwt" => Bwt(OnTasks),
        "weights" => Weights(Weights),
        "rates" => Rates(OnPopulation),
        "branching_ratio" => BranchingRatio(Binned),
        "avalanches" => Avalanches(Binned),
        "modularity" => Modularity(OnProjection),
        "entropy" => Entropy(Binned),
        "recovery" => Recovery(Recovery),
        "time_to_recover" => TimeToRecover(TimeToRecover),
        "feature_norms" => FeatureNorms(FeatureNorms),
        "noise_response" => NoiseResponse(NoiseResponse),
        "residual" => Residual(Residual),
        "clustering" => Clustering(OnPopulation),
        "foraging" => Foraging(Foraging),
    }
}

params! {
    pub struct Accuracy {
        pub tasks: Tasks,
        pub readout: Readout,
    }
}

params! {
    pub struct OnTasks {
        pub tasks: Tasks,
    }
}

symbols! {
    /// One statistic of a projection's weights.
    pub enum WeightStat {
        Mean = "mean",
        Std = "std",
        Saturated = "saturated",
        Entropy = "entropy",
        Sum = "sum",
        AbsSum = "abs_sum",
        Min = "min",
        Max = "max",
    }
}

impl WeightStat {
    /// Every statistic, in the order `weights(p)` records them.
    pub const ALL: [WeightStat; 8] = [
        WeightStat::Mean,
        WeightStat::Std,
        WeightStat::Saturated,
        WeightStat::Entropy,
        WeightStat::Sum,
        WeightStat::AbsSum,
        WeightStat::Min,
        WeightStat::Max,
    ];

    /// `weights.<word>`: the key it is recorded under.
    pub fn word(self) -> &'static str {
        match self {
            WeightStat::Mean => "mean",
            WeightStat::Std => "std",
            WeightStat::Saturated => "saturated",
            WeightStat::Entropy => "entropy",
            WeightStat::Sum => "sum",
            WeightStat::AbsSum => "abs_sum",
            WeightStat::Min => "min",
            WeightStat::Max => "max",
        }
    }
}

params! {
    pub struct Weights {
        pub projection: Proj,
        /// `None`: all of them.
        pub stat: Option<WeightStat>,
    }
}

params! {
    pub struct OnPopulation {
        pub population: Pop,
    }
}

params! {
    pub struct OnProjection {
        pub projection: Proj,
    }
}

symbols! {
    /// What `feature_norms` reports of the post neurons' norms.
    pub enum NormStat {
        Max = "max",
        Mean = "mean",
        Min = "min",
        Each = "each",
    }
}

params! {
    pub struct FeatureNorms {
        pub projection: Proj,
        pub stat: NormStat,
    }
}

params! {
    /// A probe of pure Gaussian noise, learning off, on a copy of the network.
    pub struct NoiseResponse {
        pub population: Pop,
        pub length: f64,
        pub mean: f64,
        pub sigma: f64,
        pub max_rate: f64,
    }
}

params! {
    /// The share of held-out input the error populations pass on.
    pub struct Residual {
        pub tasks: Tasks,
        pub error: Pop,
        pub negative: Option<Pop>,
    }
}

params! {
    /// An activity metric over spikes binned in time.
    pub struct Binned {
        pub population: Pop,
        pub bin: f64,
    }
}

params! {
    pub struct Recovery {
        /// The metric that recovers (its tasks' group is not recorded: it reads `all`).
        pub metric: Box<MetricIr>,
    }
}

params! {
    pub struct TimeToRecover {
        pub metric: Box<MetricIr>,
        pub fraction: f64,
    }
}

impl FromArg for Box<MetricIr> {
    fn from_arg(p: Option<&ParamIr>) -> Result<Self, &'static str> {
        let Some(ParamIr::Builtin { builtin }) = p else {
            return Err("a metric");
        };
        let mut params = builtin.params.clone();
        let tasks = match params.remove("tasks") {
            Some(ParamIr::Tasks { tasks }) => tasks,
            _ => Vec::new(),
        };
        MetricIr::try_from(MetricRecord {
            metric: builtin.name.clone(),
            tasks,
            group: None,
            params,
        })
        .map(Box::new)
        .map_err(|_| "a metric")
    }
}

kernels! {
    /// Per-layer input scales computed from data.
    pub enum Recipe: Kind::Recipe {
        "activation_max" => ActivationMax(ActivationMax),
    }
}

symbols! {
    pub enum Recursion {
        Matlab = "matlab",
        Diehl = "diehl",
    }
}

params! {
    /// Data-based normalisation from maximum activations.
    pub struct ActivationMax {
        pub tasks: Tasks,
        pub recursion: Recursion,
        pub percentile: f64,
    }
}

/// The factor on each layer's input current in a sleep phase.
#[derive(Debug, Clone, PartialEq)]
pub enum Scale {
    /// One factor for every layer.
    Uniform(f64),
    /// One factor per non-input layer, in network order.
    PerLayer(Vec<f64>),
    /// Computed from data, times `factor`.
    Recipe { recipe: Recipe, factor: f64 },
}

impl FromArg for Scale {
    fn from_arg(p: Option<&ParamIr>) -> Result<Self, &'static str> {
        match p {
            Some(ParamIr::Number { value, .. }) => Ok(Scale::Uniform(*value)),
            Some(ParamIr::List { .. }) => Vec::<f64>::from_arg(p).map(Scale::PerLayer),
            Some(ParamIr::Builtin { builtin }) => Ok(Scale::Recipe {
                recipe: super::bind(builtin).map_err(|_| "a scaling recipe")?,
                factor: builtin.factor,
            }),
            _ => Err("a number, a list of numbers or a scaling recipe"),
        }
    }
}

params! {
    /// A test episode of the agent in an environment, learning off.
    pub struct Foraging {
        pub environment: super::EnvironmentRef,
        /// Moves.
        pub length: u64,
    }
}
