//! Driving the `somnia` binary from tests: a fresh folder, a run, its exit status.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh folder for one test (the process id keeps test binaries apart).
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("somnia-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `somnia ARGS` in `cwd`.
pub fn somnia(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_somnia"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap()
}

/// Asserts an exit status, showing stderr and stdout when it differs.
pub fn exits(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
}

/// An outcome's JSON without its wall-clock timings, which differ from run to run, and its
/// provenance, which records how the run was launched (the command line, `--out`).
pub fn without_timing(path: &Path) -> serde_json::Value {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("timing");
    v.as_object_mut().unwrap().remove("provenance");
    v
}

/// The folder of one run of a sweep or comparison under `out`: its name is `prefix`, `-`
/// and eight hex digits of its content hash (`slept-seed1-1f3a9c0b`).
#[allow(dead_code)]
pub fn run_folder(out: &Path, prefix: &str) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap_or_else(|e| panic!("{}: {e}", out.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| n.strip_prefix(prefix))
                    .and_then(|rest| rest.strip_prefix('-'))
                    .is_some_and(|h| h.len() == 8 && h.chars().all(|c| c.is_ascii_hexdigit()))
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "{prefix}-<hash> in {}: {found:?}",
        out.display()
    );
    found.into_iter().next().unwrap()
}
