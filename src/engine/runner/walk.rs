//! Walking the op tree: ops in order, `until` loops pass by pass, a record per op, a
//! snapshot at the op boundaries the run asks for, and a resumed run entering the tree
//! where its snapshot left it.

use super::snapshot::Position;
use super::{Progress, Runner, interrupted};
use crate::diagnostics::runtime::RunError;
use crate::outcome::OpRecord;
use crate::plan::ir::Op;
use std::collections::BTreeMap;
use std::time::Instant;

impl Runner {
    /// Runs ops (loops included), recording each. A runner built by [`Runner::resume`]
    /// skips what its snapshot had run.
    pub fn ops(&mut self, ops: &[Op], progress: &mut dyn Progress) -> Result<(), RunError> {
        self.level(ops, progress)
    }

    /// The ops of one list (the plan's, or a loop's body, at depth `self.loops.len()`).
    fn level(&mut self, ops: &[Op], progress: &mut dyn Progress) -> Result<(), RunError> {
        let depth = self.loops.len();
        let mut i = 0;
        let mut resumed_pass = None;
        if let Some(at) = &self.resume_at {
            match at.loops.get(depth) {
                // Inside a loop of this list: enter it at its saved pass.
                Some(&(op, pass)) => {
                    i = op;
                    resumed_pass = Some(pass);
                }
                // This is the innermost list: start at its next op, and walk on normally.
                None => {
                    i = at.next;
                    self.resume_at = None;
                }
            }
        }
        while i < ops.len() {
            let op = &ops[i];
            if self.stopped() {
                return Err(interrupted(op.span(), None));
            }
            if let Op::Until {
                cond,
                max,
                body,
                span,
            } = op
            {
                for pass in resumed_pass.take().unwrap_or(0)..*max {
                    self.loops.push((i, pass));
                    let result = self.level(body, progress);
                    self.loops.pop();
                    result?;
                    if self.live(cond, span)? != 0.0 {
                        break;
                    }
                }
                i += 1;
                continue;
            }
            let t = Instant::now();
            let mut record = OpRecord {
                index: self.records.len(),
                kind: String::new(),
                name: String::new(),
                amount: None,
                sim_seconds: None,
                spikes: BTreeMap::new(),
                loss: Vec::new(),
                weights: Vec::new(),
                forage: None,
            };
            let result = self.op(op, &mut record, progress);
            if let Some(m) = self.monitor.take() {
                progress.recorded(&record, m);
            }
            progress.op_done(&record, &self.state.net);
            self.records.push(record);
            self.op_seconds.push(t.elapsed().as_secs_f64());
            result?;
            i += 1;
            let position = Position {
                loops: self.loops.clone(),
                next: i,
            };
            self.snapshot_if_due(&position, matches!(op, Op::Checkpoint { .. }))?;
        }
        Ok(())
    }
}
