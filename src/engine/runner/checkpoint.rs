//! `checkpoint` and `restore`: the learnt state kept whole under a name, and put back.

use super::Runner;
use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use crate::outcome::OpRecord;
use crate::plan::ir::SpanIr;

impl Runner {
    pub(super) fn checkpoint(&mut self, name: &str, rec: &mut OpRecord) {
        rec.kind = "checkpoint".into();
        rec.name = name.to_string();
        self.checkpoints
            .insert(name.to_string(), self.state.clone());
    }

    pub(super) fn restore(
        &mut self,
        name: &str,
        span: &SpanIr,
        rec: &mut OpRecord,
    ) -> Result<(), RunError> {
        rec.kind = "restore".into();
        rec.name = name.to_string();
        self.state = self.checkpoints.get(name).cloned().ok_or_else(|| {
            RunError::new(Code::E412, format!("no checkpoint `{name}` was taken"))
                .at(span)
                .help("the plan refuses this (E304); a REPL session can reach it")
        })?;
        Ok(())
    }
}
