//! Task lists: a dataset cut into the tasks a protocol trains one after the other.
//!
//! `split_classes` keeps the samples of some labels per task; `permuted` gives every task
//! all samples under a fixed pixel permutation (task 0 unpermuted); `chunks` cuts the
//! training samples into consecutive pieces with all classes each (tests stay whole).

use super::{Dataset, Samples};
use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use crate::plan::bind::Split;
use crate::plan::ir::TaskListIr;
use crate::plan::streams;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// One task: its samples, copied out of the dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// `pairs[0]`.
    pub key: String,
    /// The labels the task holds (all of the dataset's for `permuted` and `chunks`).
    pub classes: Vec<u32>,
    pub train: Samples,
    pub validation: Samples,
    pub test: Samples,
}

/// Cuts `ds` into the tasks of `list`.
pub fn cut_tasks(list: &TaskListIr, ds: &Dataset, seed: u64) -> Result<Vec<Task>, RunError> {
    let (train_cap, test_cap) = list.split.kernel.caps();
    let cap = |c: Option<u64>| c.map(|c| usize::try_from(c).unwrap_or(usize::MAX));
    let (train_cap, test_cap) = (cap(train_cap), cap(test_cap));
    let f = ds.features;
    let all: Vec<u32> = (0..ds.classes as u32).collect();
    let mut tasks = Vec::with_capacity(list.tasks.len());
    for (i, key) in list.tasks.iter().enumerate() {
        let task = match &list.split.kernel {
            Split::SplitClasses(split) => {
                let classes: Vec<u32> = split
                    .classes
                    .get(i)
                    .map(|c| c.iter().map(|&v| v as u32).collect())
                    .unwrap_or_default();
                let pick = |s: &Samples, cap| select(s, f, cap, |y| classes.contains(&y));
                Task {
                    key: key.clone(),
                    train: pick(&ds.train, train_cap),
                    validation: pick(&ds.validation, None),
                    test: pick(&ds.test, test_cap),
                    classes,
                }
            }
            Split::Permuted(_) => {
                let mut perm: Vec<usize> = (0..f).collect();
                if i > 0 {
                    let name = format!("permute:{}[{i}]", list.name);
                    perm.shuffle(&mut ChaCha8Rng::seed_from_u64(streams::derive(seed, &name)));
                }
                let apply = |s: &Samples, cap: Option<usize>| {
                    let s = select(s, f, cap, |_| true);
                    let mut x = vec![0.0; s.x.len()];
                    for (row_out, row_in) in x.chunks_exact_mut(f).zip(s.x.chunks_exact(f)) {
                        for (o, &p) in row_out.iter_mut().zip(&perm) {
                            *o = row_in[p];
                        }
                    }
                    Samples { x, y: s.y }
                };
                Task {
                    key: key.clone(),
                    train: apply(&ds.train, train_cap),
                    validation: apply(&ds.validation, None),
                    test: apply(&ds.test, test_cap),
                    classes: all.clone(),
                }
            }
            Split::Chunks(_) => {
                let n = list.tasks.len();
                let len = ds.train.len();
                let (lo, hi) = (i * len / n, (i + 1) * len / n);
                let mut train = Samples {
                    x: ds.train.x[lo * f..hi * f].to_vec(),
                    y: ds.train.y[lo..hi].to_vec(),
                };
                if let Some(cap) = train_cap {
                    train.x.truncate(cap * f);
                    train.y.truncate(cap);
                }
                Task {
                    key: key.clone(),
                    train,
                    validation: ds.validation.clone(),
                    test: select(&ds.test, f, test_cap, |_| true),
                    classes: all.clone(),
                }
            }
        };
        if task.train.is_empty() {
            return Err(RunError::new(
                Code::E408,
                format!(
                    "task `{key}` has no training samples in dataset `{}`",
                    ds.name
                ),
            )
            .at(&list.span)
            .label(format!("labels {:?}", task.classes))
            .help(format!(
                "the dataset's labels run from 0 to {}",
                ds.classes.saturating_sub(1)
            )));
        }
        tasks.push(task);
    }
    Ok(tasks)
}

/// The samples whose label passes `keep`, the first `cap` of them.
fn select(s: &Samples, f: usize, cap: Option<usize>, keep: impl Fn(u32) -> bool) -> Samples {
    let mut out = Samples::default();
    for (i, &y) in s.y.iter().enumerate() {
        if cap.is_some_and(|c| out.y.len() >= c) {
            break;
        }
        if keep(y) {
            out.x.extend_from_slice(&s.x[i * f..(i + 1) * f]);
            out.y.push(y);
        }
    }
    out
}
