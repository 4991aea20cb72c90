//! An outcome assembled from what a run recorded: the plan's identity and hashes, the
//! timeline, the final values and every expectation's verdict.

use super::expect::evaluate_all;
use super::{ErrorInfo, OpRecord, Outcome, Row, SCHEMA, Timing};
use crate::data::EvalSplit;
use crate::diagnostics::runtime::RunError;
use crate::plan::Plan;
use crate::plan::hash::{plan_hash, work_hash};
use std::collections::BTreeMap;

/// What a run recorded, as the engine hands it over.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recording {
    /// Every value measured, in order.
    pub rows: Vec<Row>,
    /// Every op run (also one that stopped on an error).
    pub records: Vec<OpRecord>,
    /// Wall seconds of each op of `records`.
    pub op_seconds: Vec<f64>,
    /// Wall seconds to build the network and read the data.
    pub load_seconds: f64,
}

/// The outcome of `plan` from what was recorded. With an `error`, the status is `error`
/// (`interrupted` when the run was stopped, E413) and no expectation passes: a run that
/// stopped did not show what it was meant to show.
pub fn assemble(
    plan: &Plan,
    eval: EvalSplit,
    recording: Recording,
    error: Option<&RunError>,
    total_seconds: f64,
) -> Outcome {
    let mut outcome = Outcome {
        schema: SCHEMA,
        somnia: env!("CARGO_PKG_VERSION").to_string(),
        protocol: plan.protocol.clone(),
        source: plan.source.clone(),
        source_hash: plan.source_hash.clone(),
        plan_hash: plan_hash(plan),
        work_hash: work_hash(plan),
        seed: plan.seed,
        evaluated_on: eval.word().into(),
        status: "complete".into(),
        error: None,
        timeline: recording.rows,
        final_values: BTreeMap::new(),
        expectations: Vec::new(),
        ops: recording.records,
        timing: Timing {
            load_seconds: recording.load_seconds,
            ops: recording.op_seconds,
            total_seconds,
        },
        provenance: super::provenance::Provenance::of(plan),
    };
    outcome.compute_final();
    outcome.expectations = evaluate_all(&plan.expectations, &outcome);
    if let Some(e) = error {
        // A stop asked for (a signal, Ctrl-C) is not a failure of the protocol.
        outcome.status = if e.code == crate::diagnostics::Code::E413 {
            "interrupted".into()
        } else {
            "error".into()
        };
        outcome.error = Some(ErrorInfo {
            code: e.code.as_str().into(),
            message: e.message.clone(),
        });
        for x in &mut outcome.expectations {
            x.passed = false;
            x.note.get_or_insert_with(|| {
                format!("not judged: the run stopped with {} before its end", e.code)
            });
        }
    }
    outcome
}
