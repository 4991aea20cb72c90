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
pub mod sizes;
mod split;
mod synthetic;

pub use split::{Task, cut_tasks};

use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use crate::plan::bind::Source;
use crate::plan::ir::DatasetIr;
use crate::plan::streams;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use std::path::Path;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EvalSplit {
    /// The test split (the default; never used for choosing hyper-parameters).
    #[default]
    Test,
    /// The validation split carved out of the training samples.
    Validation,
}

impl EvalSplit {
    /// `test` or `validation`, as outcomes record it.
    pub fn word(self) -> &'static str {
        match self {
            EvalSplit::Test => "test",
            EvalSplit::Validation => "validation",
        }
    }
}

/// Reads (or generates) a dataset and splits it deterministically from `seed`.
pub fn load(ir: &DatasetIr, seed: u64) -> Result<Dataset, RunError> {
    let path = |p: &str| Path::new(&ir.base_dir).join(p);
    let table = match &ir.source.kernel {
        Source::Idx(s) => idx::read(&path(&s.path), s.scale, s.limit),
        Source::Csv(s) => csv::read(&path(&s.path), s.label, s.header, s.scale),
        Source::Npy(s) => npy::read(&path(&s.x), &path(&s.y), s.scale),
        synthetic @ (Source::Patterns(_) | Source::Bars(_) | Source::Noise(_)) => {
            synthetic::generate(
                ir.source.name(),
                synthetic,
                streams::derive(seed, &format!("data:{}", ir.name)),
            )
        }
    }
    .map_err(|e| if e.span.is_none() { e.at(&ir.span) } else { e })?;
    if table.samples.is_empty() {
        return Err(
            RunError::new(Code::E408, format!("dataset `{}` has no samples", ir.name)).at(&ir.span),
        );
    }
    Ok(split_table(ir, table, seed))
}

/// The files `load` reads for `ir` (none for a generated source), as it opens them: for
/// `outcome.json`'s provenance, which hashes each.
pub fn files(ir: &DatasetIr) -> Result<Vec<std::path::PathBuf>, RunError> {
    let path = |p: &str| Path::new(&ir.base_dir).join(p);
    Ok(match &ir.source.kernel {
        Source::Idx(s) => idx::files(&path(&s.path))?.to_vec(),
        Source::Csv(s) => vec![path(&s.path)],
        Source::Npy(s) => vec![path(&s.x), path(&s.y)],
        Source::Patterns(_) | Source::Bars(_) | Source::Noise(_) => Vec::new(),
    })
}

/// Shuffles the samples with the dataset's stream (unless `shuffle false`), then holds out
/// the test and validation fractions. Sample order inside each split follows the shuffle.
fn split_table(ir: &DatasetIr, table: Table, seed: u64) -> Dataset {
    let holdout = ir.source.kernel.holdout();
    let n = table.samples.len();
    let mut order: Vec<usize> = (0..n).collect();
    let test_n = ((n as f64) * holdout.test_split).round() as usize;
    let rest = n - test_n;
    let val_n = ((rest as f64) * holdout.validation_split).round() as usize;
    if holdout.shuffle {
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
