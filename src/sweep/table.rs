//! `sweep.csv`, in long form: one row per value every run measured (its whole timeline, not
//! only the final values), with the point's constants as numbers in SI base units beside
//! their unit, so `pandas.read_csv` gives a table to filter and pivot. docs/outcome.md
//! describes the columns.

use super::units::metric_unit;
use super::{Point, PointRun};

pub const SWEEP_FILE: &str = "sweep.csv";

/// The columns after the axes'. `op` … `value` are metrics.csv's columns; `unit` is the
/// value's.
pub const COLUMNS: [&str; 12] = [
    "status",
    "expectations_passed",
    "folder",
    "op",
    "after",
    "label",
    "measure",
    "metric",
    "group",
    "task",
    "value",
    "unit",
];

/// The header: `point,seed`, each axis as `name,name_unit`, then [`COLUMNS`].
pub fn header(points: &[Point]) -> Vec<String> {
    let mut h: Vec<String> = vec!["point".into(), "seed".into()];
    if let Some(p) = points.first() {
        for (name, _) in &p.settings {
            h.push(name.clone());
            h.push(format!("{name}_unit"));
        }
    }
    h.extend(COLUMNS.map(String::from));
    h
}

/// The table, runs in grid order (seeds innermost), each run's rows in the order measured.
/// A run that measured nothing (not run, or stopped before its first measurement) has one
/// row with the measurement's columns empty, so every run is in the table.
pub fn to_csv(points: &[Point], runs: &[PointRun]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header(points))?;
    for r in runs {
        let mut run: Vec<String> = vec![r.point.to_string(), r.seed.to_string()];
        for (value, unit) in &points[r.point].cells {
            run.push(value.clone());
            run.push(unit.clone());
        }
        let (status, passed) = match &r.outcome {
            Some(o) if r.error.is_none() => (o.status.clone(), o.passed().to_string()),
            Some(o) => (o.status.clone(), String::new()),
            None => ("not_run".into(), String::new()),
        };
        run.push(status);
        run.push(passed);
        run.push(
            r.dir
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        let timeline = r.outcome.as_ref().map_or(&[][..], |o| &o.timeline[..]);
        if timeline.is_empty() {
            let mut row = run.clone();
            row.extend(std::iter::repeat_n(String::new(), COLUMNS.len() - 3));
            w.write_record(&row)?;
        }
        for t in timeline {
            let mut row = run.clone();
            row.extend([
                t.op.to_string(),
                t.after.clone(),
                t.label.clone().unwrap_or_default(),
                t.measure.to_string(),
                t.metric.clone(),
                t.group.clone().unwrap_or_default(),
                t.task.clone(),
                // Full precision: the value reads back to the same f64 (NaN as `NaN`).
                format!("{}", t.value),
                metric_unit(&t.metric),
            ]);
            w.write_record(&row)?;
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}
