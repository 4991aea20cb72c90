//! Labels that name an output neuron: checked when the data is read, before any op runs.
//!
//! Supervised training (`backprop`) and the `argmax` readout read a label as the index of
//! an output neuron. A label at or past the output population's size has no neuron: backprop
//! would train that sample towards nothing and argmax could never answer it, so the run
//! would end `complete` with a meaningless accuracy. It is E409 instead.

use super::state::Data;
use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use crate::engine::network::Network;
use crate::plan::bind::{Metric, Readout, Rule};
use crate::plan::ir::{MetricIr, Op, Plan};

/// E409 when an op of `plan` reads labels as output neurons and a task holds a label the
/// output population has no neuron for.
pub fn check(plan: &Plan, net: &Network, data: &Data) -> Result<(), RunError> {
    let Some(what) = reads_labels_as_neurons(&plan.ops) else {
        return Ok(());
    };
    let out = &net.pops[net.output()];
    let Some((task, label)) = data
        .tasks
        .iter()
        .filter_map(|t| t.classes.iter().max().map(|&c| (t, c)))
        .max_by_key(|&(_, c)| c)
    else {
        return Ok(());
    };
    if (label as usize) < out.size {
        return Ok(());
    }
    Err(RunError::new(
        Code::E409,
        format!(
            "task `{}` holds label {label} but output population `{}` has {} neurons, one per label 0 to {}",
            task.key,
            out.name,
            out.size,
            out.size.saturating_sub(1)
        ),
    )
    .at(&out.span)
    .label(format!("{} neurons", out.size))
    .help(format!(
        "{what} reads a label as the index of an output neuron: give `{}` {} neurons, or leave label {label} out of the tasks",
        out.name,
        label + 1
    )))
}

/// What reads labels as output neurons, if anything does: backprop or an argmax accuracy.
fn reads_labels_as_neurons(ops: &[Op]) -> Option<&'static str> {
    ops.iter().find_map(|op| match op {
        Op::Until { body, .. } => reads_labels_as_neurons(body),
        Op::Wake { rules, .. } if rules.iter().any(|r| matches!(r.kernel, Rule::Backprop(_))) => {
            Some("`backprop`")
        }
        Op::Measure { metrics, .. } => metrics.iter().find_map(argmax),
        _ => None,
    })
}

fn argmax(m: &MetricIr) -> Option<&'static str> {
    match &m.kernel {
        Metric::Accuracy(a) if matches!(a.readout, Readout::Argmax) => {
            Some("`accuracy` with the `argmax` readout")
        }
        Metric::Recovery(r) => argmax(&r.metric),
        Metric::TimeToRecover(r) => argmax(&r.metric),
        _ => None,
    }
}
