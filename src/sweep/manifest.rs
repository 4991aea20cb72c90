//! `manifest.json`: the list of a sweep's or comparison's runs beside their folders.
//!
//! Written by `somnia sweep`, `somnia compare` and `somnia submit slurm` before anything
//! runs, it says which file, item, `--set` values and split the runs belong to and the
//! folder of each. `somnia status` reads it alone (no compiling), and `somnia merge` checks
//! it against the file before collecting the runs, so a protocol edited after the runs were
//! planned is said, not merged into a table of other work.

use crate::outcome::write::atomic_write;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const MANIFEST_FILE: &str = "manifest.json";

/// What the runs are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Sweep,
    Compare,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Sweep => "sweep",
            Kind::Compare => "compare",
        }
    }
}

/// One run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Its index among all the runs (what `--shard K/N` divides).
    pub run: usize,
    /// The sweep's point or the comparison's arm (index).
    pub index: usize,
    /// The point's constants (`sleep_base 1000 steps`) or the arm.
    pub label: String,
    pub seed: u64,
    /// Its folder under the manifest's; `None` when its plan does not compile.
    pub folder: Option<String>,
    /// Why it does not compile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema: u32,
    pub kind: Kind,
    /// The sweep's or comparison's name, as `--sweep` / `--compare` take it.
    pub item: String,
    /// The protocol file as the command named it, from `cwd`: the shards and `somnia merge`
    /// name it the same way, so their outcomes and tables say what a local run says.
    pub file: PathBuf,
    /// The folder the command ran in (absolute).
    pub cwd: PathBuf,
    pub sets: Vec<(String, String)>,
    /// `test` or `validation`.
    pub eval: String,
    pub runs: Vec<Entry>,
}

impl Manifest {
    pub fn read(dir: &Path) -> Result<Manifest, String> {
        let path = dir.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "{} not found: it is written by `somnia sweep`, `somnia compare` and `somnia submit slurm` (is {} their --out folder?)",
                    path.display(),
                    dir.display()
                )
            } else {
                format!("cannot read {}: {e}", path.display())
            }
        })?;
        serde_json::from_str(&text)
            .map_err(|e| format!("{} is not a manifest: {e}", path.display()))
    }

    /// Writes the manifest into `dir`, unless the one there is the same. One that lists
    /// other runs is replaced only with `replace` (the run folders stay either way).
    pub fn write(&self, dir: &Path, replace: bool) -> Result<(), String> {
        if let Ok(old) = Manifest::read(dir) {
            if &old == self {
                return Ok(());
            }
            if !replace {
                return Err(format!(
                    "{} lists other runs ({} changed, or its --set values did, since it was written); pass --resume or --force to replace the list (no run folder is removed), or --out to write elsewhere",
                    dir.join(MANIFEST_FILE).display(),
                    self.file.display()
                ));
            }
        }
        let mut text = serde_json::to_string_pretty(self).expect("manifests serialise");
        text.push('\n');
        std::fs::create_dir_all(dir)
            .and_then(|()| atomic_write(&dir.join(MANIFEST_FILE), text.as_bytes()))
            .map_err(|e| format!("cannot write {}: {e}", dir.join(MANIFEST_FILE).display()))
    }

    /// The folders of the runs, in run order.
    pub fn folders(&self) -> Vec<Option<&str>> {
        self.runs.iter().map(|r| r.folder.as_deref()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(folder: &str) -> Manifest {
        Manifest {
            schema: 1,
            kind: Kind::Sweep,
            item: "p over nap".into(),
            file: "p.sleep".into(),
            cwd: "/x".into(),
            sets: vec![],
            eval: "test".into(),
            runs: vec![Entry {
                run: 0,
                index: 0,
                label: "nap 1 ms".into(),
                seed: 1,
                folder: Some(folder.into()),
                error: None,
            }],
        }
    }

    #[test]
    fn a_manifest_reads_back_and_another_is_not_written_over_without_leave() {
        let dir = std::env::temp_dir().join(format!("somnia-manifest-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        manifest("a").write(&dir, false).unwrap();
        assert_eq!(Manifest::read(&dir).unwrap(), manifest("a"));
        manifest("a").write(&dir, false).unwrap();
        let err = manifest("b").write(&dir, false).unwrap_err();
        assert!(err.contains("lists other runs"), "{err}");
        assert_eq!(Manifest::read(&dir).unwrap(), manifest("a"));
        manifest("b").write(&dir, true).unwrap();
        assert_eq!(Manifest::read(&dir).unwrap().folders(), vec![Some("b")]);
        let _ = std::fs::remove_dir_all(&dir);
        assert!(Manifest::read(&dir).unwrap_err().contains("not found"));
    }
}
