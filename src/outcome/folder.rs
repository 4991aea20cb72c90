//! A run's folder, written whole. Everything a run writes (outcome.json, metrics.csv,
//! weights/, plots, its snapshot) goes into a staging folder beside the destination,
//! `<dir>.partial`, and the staging folder becomes the destination only when the run is
//! over: a reader never finds half a run, and `--force` keeps the old outcome until the new
//! one is complete. A run that stopped early replaces nothing complete: its partial outcome
//! (and the snapshot `--resume` continues from) stays in `<dir>.partial` then.
//!
//! The destination is checked before anything runs: it must be a folder (or not exist yet),
//! writable, on a disk with room for what the plan says it will write.

use super::write::OUTCOME_FILE;
use std::path::{Path, PathBuf};

/// A run's folder and its staging folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFolder {
    pub dir: PathBuf,
    pub staging: PathBuf,
}

/// Where a run's files ended up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placed {
    /// In the destination.
    Dir(PathBuf),
    /// In the staging folder: the destination holds a complete outcome this run did not
    /// replace because it stopped early.
    Beside { partial: PathBuf, kept: PathBuf },
}

/// What is in a folder now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    Nothing,
    /// An outcome that says `complete`.
    Complete,
    /// An outcome of a run that stopped (`error`, `interrupted`), or an unreadable one.
    Unfinished,
}

/// The staging folder of `dir`.
pub fn staging_of(dir: &Path) -> PathBuf {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "run".into());
    dir.with_file_name(format!("{name}.partial"))
}

/// What the folder `dir` holds.
pub fn found(dir: &Path) -> Found {
    let file = dir.join(OUTCOME_FILE);
    if !file.exists() {
        return Found::Nothing;
    }
    let status = std::fs::read_to_string(&file)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["status"].as_str().map(str::to_string));
    match status.as_deref() {
        Some("complete") => Found::Complete,
        _ => Found::Unfinished,
    }
}

impl RunFolder {
    /// Checks `dir` and makes an empty staging folder beside it (`fresh`: an earlier
    /// staging folder is removed; otherwise it is kept, for a run that continues it).
    /// `need` is the bytes the run will write, roughly.
    pub fn prepare(dir: &Path, need: u64, fresh: bool) -> Result<RunFolder, String> {
        if dir.exists() && !dir.is_dir() {
            return Err(format!(
                "{} is a file, not a folder: choose another --out",
                dir.display()
            ));
        }
        let staging = staging_of(dir);
        if staging.exists() && fresh {
            std::fs::remove_dir_all(&staging)
                .map_err(|e| format!("cannot remove {}: {e}", staging.display()))?;
        }
        std::fs::create_dir_all(&staging)
            .map_err(|e| format!("cannot write into {}: {e}", parent(&staging).display()))?;
        // Writable, really (a read-only mount lets `create_dir_all` of an existing folder
        // pass).
        let probe = staging.join(".somnia-probe");
        std::fs::write(&probe, b"ok")
            .and_then(|_| std::fs::remove_file(&probe))
            .map_err(|e| format!("cannot write into {}: {e}", staging.display()))?;
        if let Some(free) = free_bytes(&staging)
            && free < need
        {
            let _ = std::fs::remove_dir(&staging);
            return Err(format!(
                "{} has {} free; this run writes about {}",
                parent(&staging).display(),
                crate::plan::estimate::bytes(free),
                crate::plan::estimate::bytes(need)
            ));
        }
        Ok(RunFolder {
            dir: dir.to_path_buf(),
            staging,
        })
    }

    /// Puts the staging folder in place: always when the run is `complete`; when it stopped
    /// early, unless the destination holds a complete outcome.
    pub fn commit(self, complete: bool) -> Result<Placed, String> {
        if !complete && found(&self.dir) == Found::Complete {
            return Ok(Placed::Beside {
                partial: self.staging,
                kept: self.dir,
            });
        }
        let old = self.dir.with_file_name(format!(
            "{}.old-{}",
            self.dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id()
        ));
        let had = self.dir.exists();
        if had {
            std::fs::rename(&self.dir, &old)
                .map_err(|e| format!("cannot replace {}: {e}", self.dir.display()))?;
        }
        if let Err(e) = std::fs::rename(&self.staging, &self.dir) {
            if had {
                // Put the old folder back: nothing is lost.
                let _ = std::fs::rename(&old, &self.dir);
            }
            return Err(format!(
                "cannot move {} to {}: {e}",
                self.staging.display(),
                self.dir.display()
            ));
        }
        if had {
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(Placed::Dir(self.dir))
    }
}

fn parent(p: &Path) -> &Path {
    p.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Free bytes on the disk holding `path` (`None` when the system cannot say).
pub fn free_bytes(path: &Path) -> Option<u64> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `s` a writable statvfs.
    let r = unsafe { libc::statvfs(c.as_ptr(), &mut s) };
    (r == 0).then(|| s.f_bavail as u64 * s.f_frsize as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("somnia-folder-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        let _ = std::fs::remove_dir_all(staging_of(&d));
        d
    }

    fn outcome(dir: &Path, status: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(
            dir.join(OUTCOME_FILE),
            format!("{{\"status\": \"{status}\"}}"),
        )
        .unwrap();
    }

    #[test]
    fn a_complete_run_replaces_the_folder_whole() {
        let d = scratch("replace");
        outcome(&d, "complete");
        std::fs::write(d.join("stale.npy"), b"old").unwrap();
        let f = RunFolder::prepare(&d, 0, true).unwrap();
        outcome(&f.staging, "complete");
        assert_eq!(f.clone().commit(true).unwrap(), Placed::Dir(d.clone()));
        assert!(
            !d.join("stale.npy").exists(),
            "nothing of the old run is left"
        );
        assert_eq!(found(&d), Found::Complete);
        assert!(!f.staging.exists());
    }

    #[test]
    fn a_run_that_stopped_keeps_a_complete_outcome_and_stays_beside_it() {
        let d = scratch("keep");
        outcome(&d, "complete");
        let f = RunFolder::prepare(&d, 0, true).unwrap();
        outcome(&f.staging, "interrupted");
        let placed = f.clone().commit(false).unwrap();
        assert_eq!(
            placed,
            Placed::Beside {
                partial: f.staging.clone(),
                kept: d.clone()
            }
        );
        assert_eq!(found(&d), Found::Complete);
        assert_eq!(found(&f.staging), Found::Unfinished);
        // Without a complete outcome in the way, a partial run takes the folder.
        let e = scratch("partial");
        let g = RunFolder::prepare(&e, 0, true).unwrap();
        outcome(&g.staging, "interrupted");
        assert_eq!(g.commit(false).unwrap(), Placed::Dir(e.clone()));
        assert_eq!(found(&e), Found::Unfinished);
    }

    #[test]
    fn a_file_in_the_way_or_too_little_room_is_refused_before_the_run() {
        let d = scratch("file");
        std::fs::write(&d, b"not a folder").unwrap();
        assert!(
            RunFolder::prepare(&d, 0, true)
                .unwrap_err()
                .contains("is a file")
        );
        let e = scratch("room");
        let err = RunFolder::prepare(&e, u64::MAX, true).unwrap_err();
        assert!(err.contains("free"), "{err}");
        let _ = std::fs::remove_file(&d);
    }
}
