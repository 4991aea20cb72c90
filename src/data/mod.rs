//! Data: the datasets a plan names, read from disk or generated, split into train /
//! validation / test, and cut into tasks.
//!
//! Every source returns a [`Table`] (all samples, in file order); [`load`] then splits it with
//! a stream derived from the master seed, so a dataset's split depends on the seed and the
//! dataset's name only. Bad files are coded errors (`E401`–`E408`) naming the file, never
//! panics.

mod csv;
mod idx;
mod npy;
mod split;
mod synthetic;

pub use split::{Task, cut_tasks};

use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use crate::plan::ir::{DatasetIr, ParamIr};
use crate::plan::streams;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};

/// Samples as rows of `features` values, with integer labels.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Samples {
    /// Row-major: sample i is `x[i * features..(i + 1) * features]`.
    pub x: Vec<f32>,
    pub y: Vec<u32>,
}

impl Samples {
    pub fn len(&self) -> usize {
        self.y.len()
    }

    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }
}

/// What a source read: every sample, in its order, before any split.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub features: usize,
    /// `(rows, cols)` when the samples are images (IDX files, synthetic patches).
    pub shape: Option<(usize, usize)>,
    pub samples: Samples,
}

/// A dataset, split.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub name: String,
    pub features: usize,
    pub shape: Option<(usize, usize)>,
    /// Number of classes: the largest label + 1.
    pub classes: usize,
    pub train: Samples,
    pub validation: Samples,
    pub test: Samples,
}

/// Which held-out samples the task metrics are computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EvalSplit {
    /// The test split (the default; never used for choosing hyper-parameters).
    #[default]
    Test,
    /// The validation split carved out of the training samples.
    Validation,
}

/// Reads (or generates) a dataset and splits it deterministically from `seed`.
pub fn load(ir: &DatasetIr, seed: u64) -> Result<Dataset, RunError> {
    let p = Params { ir };
    let table = match ir.source.name.as_str() {
        "idx" => p
            .path("path")
            .and_then(|d| idx::read(&d, p.num("scale", 1.0 / 255.0), p.opt_num("limit"))),
        "csv" => p
            .path("path")
            .and_then(|f| csv::read(&f, &p, p.num("scale", 1.0))),
        "npy" => p
            .path("x")
            .and_then(|x| npy::read(&x, &p.path("y")?, p.num("scale", 1.0))),
        "patterns" | "bars" | "noise" => synthetic::generate(
            &ir.source.name,
            &p,
            streams::derive(seed, &format!("data:{}", ir.name)),
        ),
        other => {
            return Err(RunError::new(
                Code::E412,
                format!("the engine cannot read `{other}` datasets yet"),
            )
            .at(&ir.span));
        }
    }
    .map_err(|e| if e.span.is_none() { e.at(&ir.span) } else { e })?;
    if table.samples.is_empty() {
        return Err(
            RunError::new(Code::E408, format!("dataset `{}` has no samples", ir.name)).at(&ir.span),
        );
    }
    Ok(split_table(ir, table, seed, &p))
}

/// Shuffles the samples with the dataset's stream (unless `shuffle false`), then holds out
/// the test and validation fractions. Sample order inside each split follows the shuffle.
fn split_table(ir: &DatasetIr, table: Table, seed: u64, p: &Params) -> Dataset {
    let n = table.samples.len();
    let mut order: Vec<usize> = (0..n).collect();
    let test_n = ((n as f64) * p.num("test_split", 0.2)).round() as usize;
    let rest = n - test_n;
    let val_n = ((rest as f64) * p.num("validation_split", 0.0)).round() as usize;
    if p.bool("shuffle", true) {
        let mut rng =
            ChaCha8Rng::seed_from_u64(streams::derive(seed, &format!("split:{}", ir.name)));
        order.shuffle(&mut rng);
    } else {
        // The file's order: training samples first, then validation, then test (`order`
        // lists test, validation, training).
        let train_n = rest - val_n;
        order = (rest..n).chain(train_n..rest).chain(0..train_n).collect();
    }
    let f = table.features;
    let take = |idx: &[usize]| {
        let mut s = Samples {
            x: Vec::with_capacity(idx.len() * f),
            y: Vec::with_capacity(idx.len()),
        };
        for &i in idx {
            s.x.extend_from_slice(&table.samples.x[i * f..(i + 1) * f]);
            s.y.push(table.samples.y[i]);
        }
        s
    };
    let test = take(&order[..test_n]);
    let validation = take(&order[test_n..test_n + val_n]);
    let train = take(&order[test_n + val_n..]);
    let classes = table.samples.y.iter().max().map_or(0, |&m| m as usize + 1);
    Dataset {
        name: ir.name.clone(),
        features: f,
        shape: table.shape,
        classes,
        train,
        validation,
        test,
    }
}

/// Typed access to a dataset source's parameters.
pub(crate) struct Params<'a> {
    ir: &'a DatasetIr,
}

impl Params<'_> {
    pub(crate) fn get(&self, name: &str) -> Option<&ParamIr> {
        self.ir.source.params.get(name)
    }

    pub(crate) fn num(&self, name: &str, default: f64) -> f64 {
        self.opt_num(name).unwrap_or(default)
    }

    pub(crate) fn opt_num(&self, name: &str) -> Option<f64> {
        match self.get(name) {
            Some(ParamIr::Number { value, .. }) => Some(*value),
            _ => None,
        }
    }

    pub(crate) fn bool(&self, name: &str, default: bool) -> bool {
        match self.get(name) {
            Some(ParamIr::Bool { value }) => *value,
            _ => default,
        }
    }

    /// A path parameter, resolved against the protocol file's folder.
    pub(crate) fn path(&self, name: &str) -> Result<PathBuf, RunError> {
        match self.get(name) {
            Some(ParamIr::String { value }) => Ok(Path::new(&self.ir.base_dir).join(value)),
            _ => Err(RunError::new(
                Code::E401,
                format!("dataset `{}` names no `{name}`", self.ir.name),
            )),
        }
    }
}
