//! Dataset sources and task splits.

use super::DatasetRef;
use crate::builtins::Kind;
use crate::{kernels, params};

kernels! {
    /// Where a dataset's samples come from.
    pub enum Source: Kind::DatasetSource {
        "idx" => Idx(Idx),
        "csv" => Csv(Csv),
        "npy" => Npy(Npy),
        "patterns" => Patterns(Patterns),
        "bars" => Bars(Bars),
        "noise" => Noise(NoiseImages),
    }
}

impl Source {
    /// How the source's samples are held out, whatever the source.
    pub fn holdout(&self) -> &Holdout {
        match self {
            Source::Idx(s) => &s.holdout,
            Source::Csv(s) => &s.holdout,
            Source::Npy(s) => &s.holdout,
            Source::Patterns(s) => &s.holdout,
            Source::Bars(s) => &s.holdout,
            Source::Noise(s) => &s.holdout,
        }
    }
}

params! {
    /// The test and validation fractions every source holds out, and the order before.
    pub struct Holdout {
        pub test_split: f64,
        pub validation_split: f64,
        pub shuffle: bool,
    }
}

/// A source's own parameters, and its [`Holdout`] read from the same record.
macro_rules! source {
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* pub $field:ident : $ty:ty,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name { $($(#[$fm])* pub $field: $ty,)* pub holdout: Holdout }

        impl $crate::plan::bind::FromArgs for $name {
            fn from_args(a: &$crate::plan::bind::Args) -> Result<Self, $crate::plan::bind::BindError> {
                Ok($name {
                    $($field: a.get(stringify!($field))?,)*
                    holdout: <Holdout as $crate::plan::bind::FromArgs>::from_args(a)?,
                })
            }
        }
    };
}

source! {
    /// MNIST-format IDX files in a folder.
    pub struct Idx {
        pub path: String,
        pub scale: f64,
        pub limit: Option<u64>,
    }
}

/// Which column of a CSV row is the label (an index is checked against the file's rows
/// when it is read: E406).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LabelColumn {
    First,
    Last,
    Index(f64),
}

impl super::FromArg for LabelColumn {
    fn from_arg(p: Option<&crate::plan::ir::ParamIr>) -> Result<Self, &'static str> {
        use crate::plan::ir::ParamIr;
        match p {
            Some(ParamIr::Symbol { value }) if value == "first" => Ok(LabelColumn::First),
            Some(ParamIr::Symbol { value }) if value == "last" => Ok(LabelColumn::Last),
            Some(ParamIr::Number { value, .. }) => Ok(LabelColumn::Index(*value)),
            _ => Err("`first`, `last` or a column index"),
        }
    }
}

source! {
    /// A CSV table.
    pub struct Csv {
        pub path: String,
        pub label: LabelColumn,
        pub header: bool,
        pub scale: f64,
    }
}

source! {
    /// numpy arrays of samples and labels.
    pub struct Npy {
        pub x: String,
        pub y: String,
        pub scale: f64,
    }
}

source! {
    /// Synthetic square patches with tunable overlap.
    pub struct Patterns {
        pub classes: u64,
        pub side: u64,
        pub overlap: u64,
        pub samples: u64,
        pub noise: f64,
    }
}

source! {
    /// Synthetic bar images.
    pub struct Bars {
        pub side: u64,
        pub samples: u64,
        pub noise: f64,
    }
}

source! {
    /// Uniform noise images with random labels.
    pub struct NoiseImages {
        pub features: u64,
        pub classes: u64,
        pub samples: u64,
    }
}

kernels! {
    /// How a dataset becomes tasks.
    pub enum Split: Kind::TaskSplit {
        "split_classes" => SplitClasses(SplitClasses),
        "permuted" => Permuted(Counted),
        "chunks" => Chunks(Counted),
    }
}

params! {
    /// Class-incremental tasks.
    pub struct SplitClasses {
        pub dataset: DatasetRef,
        /// One list of labels per task.
        pub classes: Vec<Vec<f64>>,
        pub train_cap: Option<u64>,
        pub test_cap: Option<u64>,
    }
}

params! {
    /// `count` tasks over the whole dataset.
    pub struct Counted {
        pub dataset: DatasetRef,
        pub count: u64,
        pub train_cap: Option<u64>,
        pub test_cap: Option<u64>,
    }
}

impl Split {
    /// `(train_cap, test_cap)`.
    pub fn caps(&self) -> (Option<u64>, Option<u64>) {
        match self {
            Split::SplitClasses(s) => (s.train_cap, s.test_cap),
            Split::Permuted(s) | Split::Chunks(s) => (s.train_cap, s.test_cap),
        }
    }
}
