//! Records the commit the binary is built from, for outcomes' `provenance`
//! (src/build_info.rs): `SOMNIA_COMMIT` and `SOMNIA_COMMIT_SHORT` (the full and the
//! abbreviated hash, or `unknown` without git or a repository, as in a crates tarball)
//! and `SOMNIA_DIRTY` (`true`, `false` or `unknown`: whether `git status --porcelain`
//! lists a change, untracked files included, in what the binary is built from),
//! `SOMNIA_COMMIT_DATE` (the commit's date, `YYYY-MM-DD`, or empty) and
//! `SOMNIA_LONG_VERSION`, what `somnia --version` prints after the name:
//! `0.1.0 (abc1234 2026-12-07)`, `0.1.0 (abc1234 2026-12-07, dirty)`, or
//! `0.1.0 (commit unknown)`.

use std::path::Path;
use std::process::Command;

/// What the binary is built from (docs/diagnostics/ holds the texts `explain` includes):
/// the tree is dirty when one of these differs from the commit, and a change to one
/// re-runs this script, so the flag is never stale. Protocols, tests and other docs are
/// not in the binary (an outcome records its protocol's own hash).
const BUILT_FROM: [&str; 6] = [
    "src",
    "grammar",
    "docs/diagnostics",
    "build.rs",
    "Cargo.toml",
    "Cargo.lock",
];

/// The trimmed output of `git ARGS`, `None` when git is missing or fails.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8(out.stdout).ok()?.trim().to_string())
}

/// Re-runs this script when `path` changes. Only existing paths: cargo reruns a script
/// every build while a path it was told to watch is missing.
fn watch(path: &str) {
    if Path::new(path).exists() {
        println!("cargo:rerun-if-changed={path}");
    }
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // Only this package's own repository: a copy vendored inside another project's tree
    // would otherwise report that project's commit.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let ours = git(&["rev-parse", "--show-toplevel"]).is_some_and(|top| {
        let canon = |p: &str| std::fs::canonicalize(p).ok();
        canon(&top).is_some() && canon(&top) == canon(&manifest)
    });
    let commit = git(&["rev-parse", "HEAD"]).filter(|c| ours && !c.is_empty());
    let short = commit
        .as_ref()
        .and_then(|_| git(&["rev-parse", "--short", "HEAD"]));
    let mut status = vec!["status", "--porcelain", "--"];
    status.extend(BUILT_FROM);
    let dirty = commit
        .as_ref()
        .and_then(|_| git(&status))
        .map(|s| (!s.is_empty()).to_string());
    let date = commit
        .as_ref()
        .and_then(|_| git(&["log", "-1", "--format=%cs", "HEAD"]))
        .unwrap_or_default();
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let long_version = match &short {
        Some(short) => {
            let date = if date.is_empty() {
                String::new()
            } else {
                format!(" {date}")
            };
            let dirty = match dirty.as_deref() {
                Some("true") => ", dirty",
                _ => "",
            };
            format!("{version} ({short}{date}{dirty})")
        }
        None => format!("{version} (commit unknown)"),
    };
    if commit.is_some() {
        // A commit moves HEAD (detached) or the branch it names; `git add` rewrites the
        // index; an edit touches BUILT_FROM. `--git-path` finds each file in a worktree as
        // well as in a plain clone.
        for name in ["HEAD", "index", "packed-refs"] {
            if let Some(p) = git(&["rev-parse", "--git-path", name]) {
                watch(&p);
            }
        }
        if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"])
            && let Some(p) = git(&["rev-parse", "--git-path", &branch])
        {
            watch(&p);
        }
        for path in BUILT_FROM {
            watch(path);
        }
    }
    println!(
        "cargo:rustc-env=SOMNIA_COMMIT={}",
        commit.as_deref().unwrap_or("unknown")
    );
    println!(
        "cargo:rustc-env=SOMNIA_COMMIT_SHORT={}",
        short.as_deref().unwrap_or("unknown")
    );
    println!(
        "cargo:rustc-env=SOMNIA_DIRTY={}",
        dirty.as_deref().unwrap_or("unknown")
    );
    println!("cargo:rustc-env=SOMNIA_COMMIT_DATE={date}");
    println!("cargo:rustc-env=SOMNIA_LONG_VERSION={long_version}");
}
