//! Snapshots: a run saved whole at an op boundary (its learnt state, its named checkpoints,
//! what it measured, and where it stands in the op tree), so that `somnia run --resume`
//! continues an interrupted or failed run and ends with the outcome an uninterrupted run
//! gives, timing aside.
//!
//! Every random stream of an op is derived from the plan's seed and the op's name and loop
//! passes when the op starts, never carried from op to op; a readout's stream from the
//! number of measurements so far; so a run continued at an op boundary draws exactly what
//! it would have drawn. The file is MessagePack (`rmp-serde`), written atomically.

use super::state::State;
use super::{Options, Runner};
use crate::data::EvalSplit;
use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use crate::outcome::{OpRecord, Row};
use crate::plan::Plan;
use crate::plan::hash::work_hash;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The version of the snapshot format: a snapshot of another version is not read.
pub const FORMAT: u32 = 1;

/// The file a run's snapshot is kept in, inside its folder.
pub const SNAPSHOT_FILE: &str = "resume.bin";

/// Where a run stands between two ops: the `until` loops it is in (each one's index in its
/// list and its pass, outermost first) and the index of the next op of the innermost list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub loops: Vec<(usize, u64)>,
    pub next: usize,
}

/// A run saved between two ops.
#[derive(Clone, Serialize, Deserialize)]
pub struct Snapshot {
    pub format: u32,
    /// The work hash of the plan it ran: only that plan can continue it.
    pub work_hash: String,
    pub eval: EvalSplit,
    pub position: Position,
    pub state: State,
    pub checkpoints: HashMap<String, State>,
    pub after: String,
    pub measures: usize,
    pub rows: Vec<Row>,
    pub records: Vec<OpRecord>,
    pub op_seconds: Vec<f64>,
}

impl Snapshot {
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let bytes = rmp_serde::to_vec_named(self).map_err(std::io::Error::other)?;
        crate::outcome::write::atomic_write(path, &bytes)
    }

    /// Reads a snapshot; an unreadable file or one of another format is an error message.
    pub fn read(path: &Path) -> Result<Snapshot, String> {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let s: Snapshot = rmp_serde::from_slice(&bytes)
            .map_err(|e| format!("{} is not a somnia snapshot: {e}", path.display()))?;
        if s.format != FORMAT {
            return Err(format!(
                "{} is a snapshot of format {}; this somnia reads format {FORMAT}",
                path.display(),
                s.format
            ));
        }
        Ok(s)
    }
}

/// How often a run writes its snapshot (besides at every `checkpoint` statement).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    /// Only at `checkpoint` statements.
    Statement,
    /// After the first op that ends this long after the last snapshot.
    Time(Duration),
    /// After every this many ops.
    Ops(u64),
}

impl Every {
    /// `10m`, `30s`, `1h`, `5` (ops), `off` (checkpoint statements only).
    pub fn parse(text: &str) -> Result<Every, String> {
        let t = text.trim();
        if t == "off" {
            return Ok(Every::Statement);
        }
        let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
        let n: u64 = num.parse().map_err(|_| {
            format!(
                "`{text}`: write a number of ops (`5`), a duration (`30s`, `10m`, `1h`) or `off`"
            )
        })?;
        let seconds = match unit.trim() {
            "" => {
                return if n == 0 {
                    Err("`0`: write `off` to snapshot at checkpoint statements only".into())
                } else {
                    Ok(Every::Ops(n))
                };
            }
            "s" => n,
            "m" | "min" => n * 60,
            "h" => n * 3600,
            other => return Err(format!("`{text}`: unknown unit `{other}` (s, m or h)")),
        };
        Ok(Every::Time(Duration::from_secs(seconds)))
    }
}

/// Where a run writes its snapshot, and how often.
#[derive(Debug, Clone)]
pub struct Snapshots {
    pub path: PathBuf,
    pub every: Every,
    last: Instant,
    ops: u64,
}

impl Snapshots {
    pub fn new(path: PathBuf, every: Every) -> Snapshots {
        Snapshots {
            path,
            every,
            last: Instant::now(),
            ops: 0,
        }
    }
}

impl Runner {
    /// Snapshots are written to `snapshots.path` from now on.
    pub fn write_snapshots(&mut self, snapshots: Snapshots) {
        self.snapshots = Some(snapshots);
    }

    /// The run saved whole, standing at `position`.
    pub fn snapshot(&self, position: &Position) -> Snapshot {
        Snapshot {
            format: FORMAT,
            work_hash: self.work_hash.clone(),
            eval: self.opts.eval,
            position: position.clone(),
            state: self.state.clone(),
            checkpoints: self.checkpoints.clone(),
            after: self.after.clone(),
            measures: self.measures,
            rows: self.rows.clone(),
            records: self.records.clone(),
            op_seconds: self.op_seconds.clone(),
        }
    }

    /// A runner of `plan` that continues `s` where it stopped: the data is read again, the
    /// state and the record so far come from the snapshot.
    pub fn resume(plan: &Plan, s: Snapshot) -> Result<Runner, RunError> {
        if s.work_hash != work_hash(plan) {
            return Err(RunError::new(
                Code::E412,
                "the snapshot was taken by another plan (its work hash differs): it cannot be continued by this one",
            )
            .help("resume with the same file, protocol, seed and --set values, or start the run again"));
        }
        let mut r = Runner::new(plan, &Options { eval: s.eval })?;
        r.state = s.state;
        r.checkpoints = s.checkpoints;
        r.after = s.after;
        r.measures = s.measures;
        r.rows = s.rows;
        r.records = s.records;
        r.op_seconds = s.op_seconds;
        r.resume_at = Some(s.position);
        Ok(r)
    }

    /// After an op: a snapshot when the run writes them and one is due (always after a
    /// `checkpoint` statement).
    pub(super) fn snapshot_if_due(
        &mut self,
        position: &Position,
        statement: bool,
    ) -> Result<(), RunError> {
        let Some(s) = &mut self.snapshots else {
            return Ok(());
        };
        s.ops += 1;
        let due = statement
            || match s.every {
                Every::Statement => false,
                Every::Time(d) => s.last.elapsed() >= d,
                Every::Ops(n) => s.ops >= n,
            };
        if !due {
            return Ok(());
        }
        let path = s.path.clone();
        self.snapshot(position).write(&path).map_err(|e| {
            RunError::new(
                Code::E401,
                format!("cannot write the snapshot {}: {e}", path.display()),
            )
        })?;
        if let Some(s) = &mut self.snapshots {
            s.last = Instant::now();
            s.ops = 0;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reads_ops_durations_and_off() {
        assert_eq!(Every::parse("5"), Ok(Every::Ops(5)));
        assert_eq!(
            Every::parse("30s"),
            Ok(Every::Time(Duration::from_secs(30)))
        );
        assert_eq!(
            Every::parse("10m"),
            Ok(Every::Time(Duration::from_secs(600)))
        );
        assert_eq!(
            Every::parse("2h"),
            Ok(Every::Time(Duration::from_secs(7200)))
        );
        assert_eq!(Every::parse("off"), Ok(Every::Statement));
        assert!(Every::parse("0").is_err());
        assert!(Every::parse("10 parsecs").is_err());
        assert!(Every::parse("m").is_err());
    }
}
