//! Writing an outcome: `outcome.json` and `metrics.csv`, each written to a temporary file
//! in the same folder and renamed into place, so a reader never sees half a file and an
//! interrupted run never leaves one.

use super::Outcome;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The files a run writes into its folder.
pub const OUTCOME_FILE: &str = "outcome.json";
pub const METRICS_FILE: &str = "metrics.csv";

/// A name no other writer of the same folder uses at the same time: the array tasks of a
/// Slurm submission write into one shared folder from several processes and machines, where
/// a process id alone can repeat.
pub fn unique_name(stem: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        ".{stem}.{}-{nanos:x}-{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Writes `bytes` to `path` atomically.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp: PathBuf = dir.join(unique_name(name));
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

/// Performance after every aeon of every environment phase:
/// `op,name,environment,aeon,performance` (empty while the agent had eaten nothing).
pub const FORAGING_FILE: &str = "foraging.csv";
/// The agent's path in each environment phase: `op<index>_<phase>_<call>.npy`, moves × 2
/// (x, y) uint16.
pub const TRAJECTORIES_DIR: &str = "trajectories";

/// `foraging.csv`; `None` when the run has no environment phase.
pub fn foraging_csv(o: &Outcome) -> Option<Vec<u8>> {
    let phases: Vec<_> = o.ops.iter().filter(|r| r.forage.is_some()).collect();
    if phases.is_empty() {
        return None;
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["op", "name", "environment", "aeon", "performance"])
        .expect("writing to memory");
    for r in phases {
        let Some(f) = &r.forage else { continue };
        for (i, p) in f.per_aeon.iter().enumerate() {
            w.write_record([
                r.index.to_string(),
                r.name.clone(),
                f.environment.clone(),
                (i + 1).to_string(),
                p.map(|v| v.to_string()).unwrap_or_default(),
            ])
            .expect("writing to memory");
        }
    }
    Some(w.into_inner().expect("writing to memory"))
}

/// Each environment phase's trajectory as `.npy` bytes, with its file name.
pub fn trajectories(o: &Outcome) -> Vec<(String, Vec<u8>)> {
    use ndarray_npy::WriteNpyExt;
    let mut out = Vec::new();
    for r in &o.ops {
        let Some(f) = &r.forage else { continue };
        if f.trajectory.is_empty() {
            continue;
        }
        let flat: Vec<u16> = f.trajectory.iter().flat_map(|&(x, y)| [x, y]).collect();
        let Ok(a) = ndarray::Array2::from_shape_vec((f.trajectory.len(), 2), flat) else {
            continue;
        };
        let mut bytes = Vec::new();
        if a.write_npy(&mut bytes).is_ok() {
            let name = r.name.replace('#', "_");
            out.push((format!("op{}_{name}.npy", r.index), bytes));
        }
    }
    out
}

/// Writes the outcome files into `dir`: outcome.json, metrics.csv, and for runs with
/// environment phases foraging.csv and trajectories/.
pub fn write_outcome(dir: &Path, o: &Outcome) -> std::io::Result<()> {
    atomic_write(&dir.join(OUTCOME_FILE), to_json(o).as_bytes())?;
    atomic_write(&dir.join(METRICS_FILE), &to_csv(o))?;
    if let Some(csv) = foraging_csv(o) {
        atomic_write(&dir.join(FORAGING_FILE), &csv)?;
    }
    for (name, bytes) in trajectories(o) {
        atomic_write(&dir.join(TRAJECTORIES_DIR).join(name), &bytes)?;
    }
    Ok(())
}
