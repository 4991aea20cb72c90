//! Golden outcomes: `X.<protocol>.golden.json` beside `X.sleep`, written by
//! `somnia test --bless`. A later `somnia test` runs the protocol on the golden's seed and
//! compares every final value with it, each within the tolerance the protocol declares for
//! its metric (`tolerance accuracy 2 %`: an absolute amount in the metric's unit) or
//! [`DEFAULT_TOLERANCE`].
//!
//! A golden is an ordinary outcome document with its wall times and provenance cleared (a
//! new commit or another command line is no reason to bless again), so `somnia diff` reads
//! it too.

use super::Outcome;
use super::diff::{self, Change};
use super::write::{atomic_write, to_json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Without a declared tolerance, a value may drift by this much relative to its golden
/// (absolute for values under 1): a run repeats bit for bit, so only floating-point
/// reordering on another machine may move it.
pub const DEFAULT_TOLERANCE: f64 = 1e-9;

/// Where the golden outcome of `protocol` in `file` lives: `dir/X.<protocol>.golden.json`
/// for `dir/X.sleep`.
pub fn path(file: &Path, protocol: &str) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    file.with_file_name(format!("{stem}.{protocol}.golden.json"))
}

/// The golden at `path`, `None` when there is none.
pub fn read(path: &Path) -> Result<Option<Outcome>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    super::read::parse(&text, path).map(Some)
}

/// Writes `outcome` as the golden at `path`, wall times and provenance cleared.
pub fn write(path: &Path, outcome: &Outcome) -> std::io::Result<()> {
    let mut o = outcome.clone();
    o.timing = Default::default();
    o.provenance = Default::default();
    atomic_write(path, to_json(&o).as_bytes())
}

/// How a run's final values compare with its golden.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// How many final values either outcome has.
    pub compared: usize,
    /// The values that moved beyond their tolerance, appeared or disappeared, with the
    /// tolerance applied.
    pub moved: Vec<(Change, f64)>,
    /// The run's plan differs from the golden's in what it computes (a constant, a phase, the
    /// data), so a move is expected: the golden needs a new `--bless` if the change is meant.
    pub plan_changed: bool,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.moved.is_empty()
    }
}

/// The tolerance of `metric`'s values around `golden`. A tolerance of a metric that measures
/// several statistics (`weights`) covers each of them (`weights.sum`, `weights.std`).
pub fn tolerance(tolerances: &BTreeMap<String, f64>, metric: &str, golden: Option<f64>) -> f64 {
    let family = metric.split_once('.').map_or(metric, |(f, _)| f);
    match tolerances.get(metric).or_else(|| tolerances.get(family)) {
        Some(t) => *t,
        None => DEFAULT_TOLERANCE * golden.map_or(1.0, |g| g.abs().max(1.0)),
    }
}

/// Compares `now` with `golden`, each metric within its tolerance.
pub fn compare(golden: &Outcome, now: &Outcome, tolerances: &BTreeMap<String, f64>) -> Verdict {
    let changes = diff::final_values(golden, now);
    let compared = changes.len();
    let moved = changes
        .into_iter()
        .filter_map(|c| {
            let t = tolerance(tolerances, &c.metric, c.a);
            c.moved(t).then_some((c, t))
        })
        .collect();
    Verdict {
        compared,
        moved,
        plan_changed: !golden.work_hash.is_empty() && golden.work_hash != now.work_hash,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(values: &[(&str, &str, f64)]) -> Outcome {
        let mut final_values: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
        for (m, k, v) in values {
            final_values
                .entry(m.to_string())
                .or_default()
                .insert(k.to_string(), *v);
        }
        Outcome {
            schema: super::super::SCHEMA,
            somnia: "test".into(),
            protocol: "p".into(),
            source: "x.sleep".into(),
            source_hash: String::new(),
            plan_hash: String::new(),
            work_hash: "w".into(),
            seed: 1,
            evaluated_on: "test".into(),
            status: "complete".into(),
            error: None,
            timeline: Vec::new(),
            final_values,
            expectations: Vec::new(),
            ops: Vec::new(),
            timing: Default::default(),
            provenance: Default::default(),
        }
    }

    #[test]
    fn golden_sits_beside_the_protocol_named_after_file_and_protocol() {
        assert_eq!(
            path(Path::new("protocols/src_split_mnist.sleep"), "src"),
            PathBuf::from("protocols/src_split_mnist.src.golden.json")
        );
    }

    #[test]
    fn declared_tolerances_are_absolute_and_the_default_is_tight() {
        let golden = outcome(&[("accuracy", "pairs", 0.50), ("rates", "exc", 12.0)]);
        let now = outcome(&[("accuracy", "pairs", 0.515), ("rates", "exc", 12.0 + 1e-6)]);
        let mut tol = BTreeMap::new();
        tol.insert("accuracy".to_string(), 0.02);
        let v = compare(&golden, &now, &tol);
        assert_eq!(v.compared, 2);
        assert_eq!(v.moved.len(), 1, "{v:?}");
        assert_eq!(v.moved[0].0.metric, "rates");
        assert!(!v.plan_changed);
        tol.insert("rates".to_string(), 1e-3);
        assert!(compare(&golden, &now, &tol).passed());
        let mut weights = BTreeMap::new();
        weights.insert("weights".to_string(), 0.5);
        assert_eq!(tolerance(&weights, "weights.sum", Some(100.0)), 0.5);
        assert_eq!(
            tolerance(&weights, "rates", Some(100.0)),
            100.0 * DEFAULT_TOLERANCE
        );
        let wider = outcome(&[("accuracy", "pairs", 0.53), ("rates", "exc", 12.0)]);
        let v = compare(&golden, &wider, &tol);
        assert_eq!(v.moved.len(), 1);
        assert_eq!(v.moved[0].1, 0.02);
    }

    #[test]
    fn a_value_that_appears_or_disappears_moved() {
        let golden = outcome(&[("accuracy", "pairs", 0.5)]);
        let mut now = outcome(&[("accuracy", "pairs", 0.5), ("bwt", "pairs", -0.1)]);
        now.work_hash = "other".into();
        let v = compare(&golden, &now, &BTreeMap::new());
        assert_eq!(v.moved.len(), 1);
        assert_eq!(v.moved[0].0.a, None);
        assert!(v.plan_changed);
    }
}
