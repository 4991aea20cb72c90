//! What `-v` adds to a command's report: details a default run leaves out because they
//! are in the files it wrote (each op's wall time, each file written).

use super::output::detail;
use crate::outcome::Outcome;
use crate::outcome::folder::Placed;
use std::path::Path;

/// After a run: each op's wall time against the plan's estimate of the whole, then every
/// file written into the run's folder with its size.
pub fn run_details(o: &Outcome, placed: &Placed, estimated_seconds: f64) {
    detail(&format!(
        "wall time {:.2} s (data {:.2} s; the plan estimated {:.2} s for the ops)",
        o.timing.total_seconds, o.timing.load_seconds, estimated_seconds
    ));
    for (op, seconds) in o.ops.iter().zip(&o.timing.ops) {
        let amount = op.amount.map(|n| format!(" ({n})")).unwrap_or_default();
        detail(&format!(
            "  op {:>3}  {:<8} {:<24} {seconds:>9.3} s{amount}",
            op.index, op.kind, op.name
        ));
    }
    let dir = match placed {
        Placed::Dir(d) => d,
        Placed::Beside { partial, .. } => partial,
    };
    files_written(dir);
}

/// Every file under `dir` with its size, in name order.
pub fn files_written(dir: &Path) {
    fn walk(dir: &Path, out: &mut Vec<(std::path::PathBuf, u64)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let path = e.path();
            match e.metadata() {
                Ok(m) if m.is_dir() => walk(&path, out),
                Ok(m) => out.push((path, m.len())),
                Err(_) => {}
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    detail(&format!("files in {}:", dir.display()));
    for (path, bytes) in files {
        let shown = path.strip_prefix(dir).unwrap_or(&path);
        detail(&format!("  {} ({})", shown.display(), size(bytes)));
    }
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b < 1 << 10 => format!("{b} B"),
        b if b < 1 << 20 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
    }
}
