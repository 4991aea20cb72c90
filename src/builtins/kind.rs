//! The kinds of built-in.

/// What family a built-in belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    DatasetSource,
    TaskSplit,
    NeuronModel,
    Rule,
    Drive,
    Pattern,
    Modulator,
    Perturbation,
    Init,
    Connectivity,
    Recipe,
    Readout,
    Metric,
    Function,
    /// What an `environment` item builds: a world an agent acts in.
    World,
    /// Where a phase in an environment gets its dopamine.
    Dopamine,
    /// What a protocol's `record` setting records during its phases.
    Recorder,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::DatasetSource => "dataset source",
            Kind::TaskSplit => "task split",
            Kind::NeuronModel => "neuron model",
            Kind::Rule => "plasticity rule",
            Kind::Drive => "drive",
            Kind::Pattern => "input pattern",
            Kind::Modulator => "modulator",
            Kind::Perturbation => "perturbation",
            Kind::Init => "initialiser",
            Kind::Connectivity => "connectivity",
            Kind::Recipe => "scaling recipe",
            Kind::Readout => "readout",
            Kind::Metric => "metric",
            Kind::Function => "function",
            Kind::World => "environment",
            Kind::Dopamine => "dopamine signal",
            Kind::Recorder => "recorder",
        }
    }

    /// "the plasticity rule", for the start of a message.
    pub fn word_the(self) -> String {
        format!("the {}", self.word())
    }

    /// "connectivities", "neuron models".
    pub fn plural(self) -> String {
        match self.word().strip_suffix('y') {
            Some(stem) => format!("{stem}ies"),
            None => format!("{}s", self.word()),
        }
    }

    pub fn article(self) -> &'static str {
        match self {
            Kind::DatasetSource => "a dataset source",
            Kind::TaskSplit => "a task split",
            Kind::NeuronModel => "a neuron model",
            Kind::Rule => "a plasticity rule",
            Kind::Drive => "a drive",
            Kind::Pattern => "an input pattern",
            Kind::Modulator => "a modulator",
            Kind::Perturbation => "a perturbation",
            Kind::Init => "an initialiser",
            Kind::Connectivity => "a connectivity",
            Kind::Recipe => "a scaling recipe",
            Kind::Readout => "a readout",
            Kind::Metric => "a metric",
            Kind::Function => "a function",
            Kind::World => "an environment",
            Kind::Dopamine => "a dopamine signal",
            Kind::Recorder => "a recorder",
        }
    }

    pub const ALL: &'static [Kind] = &[
        Kind::DatasetSource,
        Kind::TaskSplit,
        Kind::NeuronModel,
        Kind::Rule,
        Kind::Drive,
        Kind::Pattern,
        Kind::Modulator,
        Kind::Perturbation,
        Kind::Init,
        Kind::Connectivity,
        Kind::Recipe,
        Kind::Readout,
        Kind::Metric,
        Kind::Function,
        Kind::World,
        Kind::Dopamine,
        Kind::Recorder,
    ];
}
