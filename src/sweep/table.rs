//! `sweep.csv`: one row per run — the point's constants, the seed, how the run ended, and
//! every final value (`metric[task]` columns, the union over all runs; empty where a run has
//! none).

use super::{Point, PointRun};
use std::collections::BTreeSet;

pub const SWEEP_FILE: &str = "sweep.csv";

pub fn to_csv(points: &[Point], runs: &[PointRun]) -> Result<Vec<u8>, csv::Error> {
    let columns: BTreeSet<(String, String)> = runs
        .iter()
        .filter_map(|r| r.outcome.as_ref())
        .flat_map(|o| {
            o.final_values
                .iter()
                .flat_map(|(m, vs)| vs.keys().map(move |k| (m.clone(), k.clone())))
        })
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["point".into()];
    if let Some(p) = points.first() {
        header.extend(p.settings.iter().map(|(n, _)| n.clone()));
    }
    header.extend(["seed", "status", "expectations_passed", "folder"].map(String::from));
    header.extend(columns.iter().map(|(m, k)| format!("{m}[{k}]")));
    w.write_record(&header)?;
    for r in runs {
        let point = &points[r.point];
        let mut row: Vec<String> = vec![r.point.to_string()];
        row.extend(point.labels.iter().map(|(_, t)| t.clone()));
        row.push(r.seed.to_string());
        let (status, passed) = match &r.outcome {
            Some(o) if r.error.is_none() => (o.status.clone(), o.passed().to_string()),
            Some(o) => (o.status.clone(), String::new()),
            None => ("not_run".into(), String::new()),
        };
        row.push(status);
        row.push(passed);
        row.push(
            r.dir
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        for (m, k) in &columns {
            let v = r
                .outcome
                .as_ref()
                .and_then(|o| o.final_values.get(m))
                .and_then(|vs| vs.get(k));
            row.push(v.map_or(String::new(), |v| format!("{v}")));
        }
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}
