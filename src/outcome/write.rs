//! Writing an outcome: `outcome.json` and `metrics.csv`, each written to a temporary file
//! in the same folder and renamed into place, so a reader never sees half a file and an
//! interrupted run never leaves one.

use super::Outcome;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The files a run writes into its folder.
pub const OUTCOME_FILE: &str = "outcome.json";
pub const METRICS_FILE: &str = "metrics.csv";

/// Writes `bytes` to `path` atomically.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp: PathBuf = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The outcome as pretty JSON with a final newline.
pub fn to_json(o: &Outcome) -> String {
    let mut s = serde_json::to_string_pretty(o).expect("outcomes serialise");
    s.push('\n');
    s
}

/// The timeline as CSV: `op,after,label,measure,metric,group,task,value`.
pub fn to_csv(o: &Outcome) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "op", "after", "label", "measure", "metric", "group", "task", "value",
    ])
    .expect("writing to memory");
    for r in &o.timeline {
        w.write_record([
            r.op.to_string(),
            r.after.clone(),
            r.label.clone().unwrap_or_default(),
            r.measure.to_string(),
            r.metric.clone(),
            r.group.clone().unwrap_or_default(),
            r.task.clone(),
            format!("{}", r.value),
        ])
        .expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

/// Writes both files into `dir`.
pub fn write_outcome(dir: &Path, o: &Outcome) -> std::io::Result<()> {
    atomic_write(&dir.join(OUTCOME_FILE), to_json(o).as_bytes())?;
    atomic_write(&dir.join(METRICS_FILE), &to_csv(o))
}
