//! The examples are true: every ```` ```sleep ```` block of docs/language.md and every
//! `examples/**/*.sleep` file runs through the real `somnia` binary and meets its
//! expectations — its protocols' expectations and its comparisons (`somnia test FILE`) and its
//! sweeps (`somnia sweep FILE --sweep NAME`, which `somnia test` leaves out).
//!
//! - One test per docs block (named after the heading it stands under: `docs_sweep` runs the
//!   block of "### `sweep`") and one per example file (`example_05_derived_arms`), so a
//!   failure names what failed. A docs block runs as a file in docs/ (a scratch copy of the
//!   repository layout, so `../data/mnist-10k` and `../examples/lib/common.sleep` resolve).
//! - **Checks only.** A block or example whose first line starts with `// checks only:`
//!   (then why: an experiment too long for a test) is not run; tests/docs.rs still checks it.
//!   It states no `expect`ations, so it claims no result that nothing measures.
//! - `every_block_and_example_is_run_or_checks_only` fails when a block or an example file
//!   is neither listed in `run_blocks!` / `run_examples!` below (which make its test) nor
//!   marked checks only, and when a listed one is missing or marked checks only.
//!
//! Each example is meant to take a few seconds (small `train_cap`, few epochs, short sleeps):
//! all of them together take about 40 s of two cores in a release build. In a debug build the
//! runs are skipped (the engine is too slow there); the bookkeeping test always runs.

#[allow(dead_code)]
#[path = "common/blocks.rs"]
mod blocks;
#[allow(dead_code)]
#[path = "common/cli.rs"]
mod cli;

use blocks::{Block, checks_only, expectations, sleep_blocks};
use cli::scratch;
use std::path::Path;
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn reference_blocks() -> Vec<Block> {
    let path = root().join("docs/language.md");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    sleep_blocks(&text)
}

/// Every `*.sleep` file under `dir`, relative to the repository root, sorted.
fn example_files(dir: &Path, out: &mut Vec<String>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            example_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "sleep") {
            let rel = path.strip_prefix(root()).unwrap_or(&path);
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    out.sort();
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `file` (relative to `cwd`) as `somnia test` does, then each of its sweeps, writing
/// outcomes under `out`. Returns a description of what failed, or `None` when everything
/// passed.
fn run_file(cwd: &Path, file: &str, out: &Path) -> Option<String> {
    let somnia = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_somnia"));
        cmd.current_dir(cwd)
            .env("NO_COLOR", "1")
            .args(["--color", "never"]);
        cmd
    };
    let tested = somnia()
        .args(["test", file, "-q", "--out"])
        .arg(out.join("test"))
        .output()
        .expect("the somnia binary runs");
    let report = String::from_utf8_lossy(&tested.stdout).into_owned();
    let last = report.lines().last().unwrap_or_default().to_string();
    let passed: usize = last
        .split(" passed")
        .next()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    if tested.status.code() != Some(0) || !last.contains(" passed, 0 failed") {
        return Some(format!(
            "`somnia test {file}` (exit {:?}):\n{}",
            tested.status.code(),
            text(&tested)
        ));
    }
    if passed == 0 {
        return Some(format!(
            "`somnia test {file}` checked nothing: a file that runs states at least one \
             expectation (or is marked `// checks only: <why>`):\n{}",
            text(&tested)
        ));
    }
    // Sweeps, which `somnia test` skips: their names from the plan.
    let plan = somnia()
        .args(["plan", file, "--json"])
        .output()
        .expect("the somnia binary runs");
    if plan.status.code() != Some(0) {
        return Some(format!("`somnia plan {file} --json`:\n{}", text(&plan)));
    }
    let json: serde_json::Value = serde_json::from_slice(&plan.stdout).expect("the plan is JSON");
    let sweeps = json["sweeps"].as_array().cloned().unwrap_or_default();
    for (i, sweep) in sweeps.iter().enumerate() {
        let name = sweep["name"].as_str().expect("a sweep has a name");
        let swept = somnia()
            .args(["sweep", file, "--sweep", name, "-q", "--force", "--out"])
            .arg(out.join(format!("sweep-{i}")))
            .output()
            .expect("the somnia binary runs");
        if swept.status.code() != Some(0) {
            return Some(format!(
                "`somnia sweep {file} --sweep {name:?}` (exit {:?}):\n{}",
                swept.status.code(),
                text(&swept)
            ));
        }
    }
    None
}

/// Where the scratch copy of a block links the repository's folders, so that paths written
/// in the block (`../data/...`, `../examples/...`) resolve as they do from docs/.
fn link_repository(dir: &Path) {
    for folder in ["data", "examples"] {
        let target = root().join(folder);
        let link = dir.join(folder);
        #[cfg(unix)]
        std::os::unix::fs::symlink(&target, &link).expect("a symlink in the scratch folder");
        #[cfg(not(unix))]
        copy_dir(&target, &link);
    }
}

#[cfg(not(unix))]
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let dest = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).unwrap();
        }
    }
}

/// A name for files and folders from a heading: "`nrem` and `rem`" → "nrem-and-rem".
fn slug(heading: &str) -> String {
    let mut s = String::new();
    for c in heading.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    s.trim_end_matches('-').to_string()
}

/// Runs the one ```sleep block under `heading` of docs/language.md.
fn run_block(heading: &str) {
    let blocks = reference_blocks();
    let found: Vec<_> = blocks.iter().filter(|b| b.heading == heading).collect();
    assert_eq!(
        found.len(),
        1,
        "docs/language.md should have one ```sleep block under the heading {heading:?}"
    );
    let block = found[0];
    assert!(
        checks_only(&block.text).is_none(),
        "the block under {heading:?} (docs/language.md:{}) is marked checks only: take it out \
         of `run_blocks!` in tests/examples.rs",
        block.line
    );
    let name = slug(heading);
    let dir = scratch(&format!("example-docs-{name}"));
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    link_repository(&dir);
    let file = format!("docs/{name}.sleep");
    std::fs::write(dir.join(&file), &block.text).unwrap();
    if let Some(failure) = run_file(&dir, &file, &dir.join("runs")) {
        panic!(
            "the ```sleep block under {heading:?} (docs/language.md:{}; line N of {file} is \
             docs/language.md:{} + N − 1) does not meet its expectations. {failure}",
            block.line, block.line
        );
    }
}

/// Runs one example file of examples/.
fn run_example(file: &str) {
    let text = std::fs::read_to_string(root().join(file))
        .unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
    assert!(
        checks_only(&text).is_none(),
        "{file} is marked checks only: take it out of `run_examples!` in tests/examples.rs"
    );
    let name = slug(file.trim_end_matches(".sleep"));
    let dir = scratch(&format!("example-{name}"));
    if let Some(failure) = run_file(root(), file, &dir) {
        panic!("{file} does not meet its expectations. {failure}");
    }
}

#[test]
fn every_block_and_example_is_run_or_checks_only() {
    let mut problems = Vec::new();
    let blocks = reference_blocks();
    for b in &blocks {
        match checks_only(&b.text) {
            Some(why) => {
                if why.is_empty() {
                    problems.push(format!(
                        "docs/language.md:{}: `// checks only:` says why",
                        b.line - 1
                    ));
                }
                if RUN_BLOCKS.contains(&b.heading.as_str()) {
                    problems.push(format!(
                        "docs/language.md:{}: the block under {:?} is checks only but listed in `run_blocks!`",
                        b.line, b.heading
                    ));
                }
                for e in expectations(&b.text) {
                    problems.push(format!(
                        "docs/language.md:{}: a checks-only block states `{e}`, which nothing measures",
                        b.line
                    ));
                }
            }
            None => {
                let same = blocks.iter().filter(|o| o.heading == b.heading).count();
                if !RUN_BLOCKS.contains(&b.heading.as_str()) {
                    problems.push(format!(
                        "docs/language.md:{}: the ```sleep block under {:?} is not run: add it to \
                         `run_blocks!` in tests/examples.rs, or make its first line `// checks only: <why>`",
                        b.line, b.heading
                    ));
                } else if same != 1 {
                    problems.push(format!(
                        "docs/language.md:{}: {same} ```sleep blocks under {:?}: the tests find \
                         a block by its heading",
                        b.line, b.heading
                    ));
                }
            }
        }
    }
    for heading in RUN_BLOCKS {
        if !blocks.iter().any(|b| b.heading == *heading) {
            problems.push(format!(
                "`run_blocks!` names {heading:?}, but no ```sleep block of docs/language.md stands under it"
            ));
        }
    }
    let mut files = Vec::new();
    example_files(&root().join("examples"), &mut files);
    for file in &files {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        match checks_only(&text) {
            Some(why) => {
                if why.is_empty() {
                    problems.push(format!("{file}: `// checks only:` says why"));
                }
                if RUN_EXAMPLES.contains(&file.as_str()) {
                    problems.push(format!(
                        "{file} is checks only but listed in `run_examples!`"
                    ));
                }
                for e in expectations(&text) {
                    problems.push(format!(
                        "{file}: a checks-only example states `{e}`, which nothing measures"
                    ));
                }
            }
            None => {
                if !RUN_EXAMPLES.contains(&file.as_str()) {
                    problems.push(format!(
                        "{file} is not run: add it to `run_examples!` in \
                         tests/examples.rs, or make its first line `// checks only: <why>`"
                    ));
                }
            }
        }
    }
    for file in RUN_EXAMPLES {
        if !files.iter().any(|f| f == file) {
            problems.push(format!(
                "`run_examples!` names {file}, which does not exist"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_checks_only_mark_is_the_first_line() {
    assert_eq!(
        checks_only("// checks only: 20 minutes\nlet a = 1\n"),
        Some("20 minutes")
    );
    assert_eq!(checks_only("let a = 1\n// checks only: no\n"), None);
    assert_eq!(checks_only("// 01 — Units\n"), None);
    assert_eq!(
        expectations("protocol p {\n  expect final accuracy(t) > 50 %\n}\n// expected\n"),
        vec!["expect final accuracy(t) > 50 %"]
    );
    assert_eq!(slug("`nrem` and `rem`"), "nrem-and-rem");
    assert_eq!(slug("examples/lib/common"), "examples-lib-common");
}

/// The docs blocks that run, by the heading each stands under (one block per heading): a
/// test each, and `RUN_BLOCKS`, their headings.
macro_rules! run_blocks {
    ($($name:ident => $heading:literal;)*) => {
        const RUN_BLOCKS: &[&str] = &[$($heading),*];
        $(
            #[test]
            #[cfg_attr(debug_assertions, ignore = "runs the block; use --release")]
            fn $name() {
                run_block($heading);
            }
        )*
    };
}

/// The example files that run, relative to the repository root: a test each, and
/// `RUN_EXAMPLES`, their paths.
macro_rules! run_examples {
    ($($name:ident => $file:literal;)*) => {
        const RUN_EXAMPLES: &[&str] = &[$($file),*];
        $(
            #[test]
            #[cfg_attr(debug_assertions, ignore = "runs the example; use --release")]
            fn $name() {
                run_example($file);
            }
        )*
    };
}

run_blocks! {
    docs_a_first_complete_example => "A first complete example";
    docs_import => "`import`";
    docs_network => "`network`";
    docs_phase => "`phase`";
    docs_sweep => "`sweep`";
    docs_nrem_and_rem => "`nrem` and `rem`";
    docs_checkpoint_and_restore => "`checkpoint` and `restore`";
    docs_expectations => "Expectations";
    docs_environment_phases => "Environment phases";
    docs_recording_activity => "Recording activity: `record`";
}

run_examples! {
    example_01_units_and_lets => "examples/01_units_and_lets.sleep";
    example_02_network => "examples/02_network.sleep";
    example_03_wake_training => "examples/03_wake_training.sleep";
    example_04_sleep_phase => "examples/04_sleep_phase.sleep";
    example_05_derived_arms => "examples/05_derived_arms.sleep";
    example_06_loops_and_checkpoints => "examples/06_loops_and_checkpoints.sleep";
    example_07_perturb_and_recovery => "examples/07_perturb_and_recovery.sleep";
    example_08_imports => "examples/08_imports.sleep";
    example_09_recording => "examples/09_recording.sleep";
    example_lib_common => "examples/lib/common.sleep";
}
