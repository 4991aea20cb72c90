//! What `somnia test` does for a comparison besides judging its expectations: the tables
//! `somnia compare` writes (`compare.json`, `compare.csv`) beside its arms' runs, and the
//! W010 warning for one run on fewer than 5 seeds.

use super::{Check, Options, Status, Suite, Target};
use crate::check::limits::FEW_SEEDS;
use crate::compare::tables;
use crate::outcome::ExpectationResult;
use crate::plan::compare::{CompareIr, few_seeds_message};
use crate::sweep::PointRun;
use std::path::PathBuf;

impl Suite {
    /// The folder of a comparison's tables: `out/<file>/<a>-vs-<b>/`, beside the runs of
    /// its arms (`out/<file>/<arm>-seed<N>/`).
    pub fn compare_dir(&self, opts: &Options, file: usize, cmp: &CompareIr) -> PathBuf {
        opts.out
            .join(&self.units[file].slug)
            .join(cmp.arms.join("-vs-"))
    }

    /// Writes a comparison's tables; the failed check when they cannot be written.
    pub(super) fn write_tables(
        &self,
        opts: &Options,
        file: usize,
        subject: &str,
        cmp: &CompareIr,
        runs: &[PointRun],
        results: &[ExpectationResult],
    ) -> Option<Check> {
        let dir = self.compare_dir(opts, file, cmp);
        let e = tables::write(&dir, cmp, runs, results).err()?;
        Some(Check {
            file: self.units[file].path.clone(),
            subject: subject.to_string(),
            status: Status::Failed,
            expectation: None,
            text: e,
            detail: None,
        })
    }

    /// One line per comparison to be run on fewer than [`FEW_SEEDS`] seeds (its own, or
    /// those of `--seeds`, which the checker did not see): `FILE: <W010's message>`.
    pub fn few_seeds(&self) -> Vec<String> {
        self.targets
            .iter()
            .filter_map(|t| match t {
                Target::Compare { file, index, seeds } if seeds.len() < FEW_SEEDS => {
                    let c = &self.report(*file).compares[*index];
                    Some(format!(
                        "{}: {}",
                        self.units[*file].path.display(),
                        few_seeds_message(&c.name, seeds.len())
                    ))
                }
                _ => None,
            })
            .collect()
    }
}
