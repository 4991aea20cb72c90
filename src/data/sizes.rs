//! The sizes of a plan's tasks, read from its data: what the cost model times a plan by
//! once the files are known (`somnia plan`, and a run before it starts).

use super::{Samples, cut_tasks, load};
use crate::diagnostics::runtime::RunError;
use crate::plan::cost::{Counts, Sizes};
use crate::plan::ir::Plan;
use std::collections::BTreeMap;

/// Reads every dataset of `plan` and cuts its tasks, keeping only their sizes and the mean
/// input feature.
pub fn of(plan: &Plan) -> Result<Sizes, RunError> {
    let mut tasks = BTreeMap::new();
    let mut datasets = BTreeMap::new();
    let (mut values, mut sum) = (0u64, 0.0f64);
    let counts = |tr: &Samples, va: &Samples, te: &Samples| Counts {
        train: tr.len() as u64,
        validation: va.len() as u64,
        test: te.len() as u64,
    };
    for d in &plan.datasets {
        let ds = load(d, plan.seed)?;
        for s in [&ds.train, &ds.validation, &ds.test] {
            values += s.x.len() as u64;
            sum += s.x.iter().map(|&v| f64::from(v)).sum::<f64>();
        }
        datasets.insert(d.name.clone(), counts(&ds.train, &ds.validation, &ds.test));
        for list in plan.task_lists.iter().filter(|l| l.dataset == d.name) {
            for t in cut_tasks(list, &ds, plan.seed)? {
                tasks.insert(t.key.clone(), counts(&t.train, &t.validation, &t.test));
            }
        }
    }
    Ok(Sizes {
        from_data: true,
        tasks,
        datasets,
        values,
        mean_input: if values > 0 {
            (sum / values as f64).clamp(0.0, 1.0)
        } else {
            crate::plan::cost::MEAN_INPUT
        },
    })
}
