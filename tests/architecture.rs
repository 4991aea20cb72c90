//! The shape of the tree, as ARCHITECTURE.md states it, checked on the source itself:
//!
//! - the top-level modules under `src/` import each other without a cycle (the pipeline
//!   reads as a DAG: `source`, `units` at the bottom, `cli` at the top);
//! - the engine and the data readers never see a built-in's generic record (`BuiltinIr`,
//!   `ParamIr`): they read the typed parameters the plan bound (`src/plan/bind/`);
//! - no file under `src/` is over 600 lines.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/engine/runner/mod.rs` → `engine`).
fn module_of(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(src()).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

/// The top-level modules each module names as `crate::X`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let modules: BTreeSet<String> = files.iter().filter_map(|f| module_of(f)).collect();
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in &files {
        let Some(m) = module_of(f) else { continue };
        let text = std::fs::read_to_string(f).unwrap();
        let entry = deps.entry(m.clone()).or_default();
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // `crate::params!`-style macros live at the root; only modules count.
            if name != m && modules.contains(&name) {
                entry.insert(name);
            }
        }
    }
    deps
}

#[test]
fn the_modules_import_each_other_without_a_cycle() {
    let deps = imports();
    // Depth-first search for a back edge; report the cycle it closes.
    fn visit(
        m: &str,
        deps: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == m) {
            let mut cycle = path[at..].to_vec();
            cycle.push(m.to_string());
            return Some(cycle);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for d in deps.get(m).into_iter().flatten() {
            if let Some(c) = visit(d, deps, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for m in deps.keys() {
        if let Some(cycle) = visit(m, &deps, &mut Vec::new(), &mut done) {
            panic!(
                "the modules import each other in a cycle: {}",
                cycle.join(" → ")
            );
        }
    }
    // The leaves stay leaves.
    for leaf in ["source", "units"] {
        assert!(
            deps.get(leaf).is_none_or(BTreeSet::is_empty),
            "`{leaf}` imports {:?}",
            deps[leaf]
        );
    }
}

#[test]
fn the_engine_and_the_data_readers_never_see_a_generic_record() {
    let mut files = Vec::new();
    rust_files(&src().join("engine"), &mut files);
    rust_files(&src().join("data"), &mut files);
    let mut offenders = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for word in ["BuiltinIr", "ParamIr"] {
            if text.contains(word) {
                offenders.push(format!("{} names `{word}`", f.display()));
            }
        }
    }
    assert!(offenders.is_empty(), "{}", offenders.join("\n"));
}

#[test]
fn no_source_file_is_over_600_lines() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).unwrap().lines().count();
            (n > 600).then(|| format!("{} has {n} lines", f.display()))
        })
        .collect();
    long.sort();
    assert!(long.is_empty(), "split these:\n{}", long.join("\n"));
}

/// `println!` and `eprintln!` panic on a failed write (stderr into a closed pipe); the
/// command line prints through `crate::console` instead, which never does.
#[test]
fn nothing_prints_with_a_macro_that_can_panic() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut offenders = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        // Tests print as they like.
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        let prints_stdout = ["println!(", "print!("].iter().any(|m| {
            code.match_indices(m)
                .any(|(i, _)| !code[..i].ends_with('e') && !code[..i].ends_with("eprint"))
        });
        let prints_stderr = code.contains("eprintln!(") || code.contains("eprint!(");
        let shadowed = code.contains("use crate::console::");
        let is_console = f.ends_with("console.rs");
        if !is_console && (prints_stdout || (prints_stderr && !shadowed)) {
            offenders.push(f.display().to_string());
        }
    }
    assert!(
        offenders.is_empty(),
        "print through crate::console (cli::output::out, console::eprintln):\n{}",
        offenders.join("\n")
    );
}
