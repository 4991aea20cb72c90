//! The language reference and the examples stay true to the checker.
//!
//! - Every ```` ```sleep ```` block of docs/language.md is a complete protocol file that checks
//!   without errors (warnings are allowed). Blocks are checked as if they were files in
//!   docs/, so `idx("../data/mnist-10k")` and `import "../examples/lib/common.sleep"` resolve.
//!   Fragments belong in ```` ```text ```` blocks.
//! - The text between `<!-- builtins:start -->` and `<!-- builtins:end -->` is exactly
//!   `somnia explain --builtins` (the registry's reference). When the registry changes, update
//!   it with `SOMNIA_BLESS_DOCS=1 cargo test --test docs`, or paste the output of
//!   `cargo run -q -- explain --builtins` between the markers.
//! - Every `examples/**/*.sleep` checks without errors.
//!
//! Checking is not running: tests/examples.rs runs every block and example that is not marked
//! `// checks only: …` and asserts its expectations.

use somnia::diagnostics::render::{self, Style};
use somnia::plan::Options;
use somnia::session::{self, Report};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

#[allow(dead_code)] // tests/examples.rs uses the rest
#[path = "common/blocks.rs"]
mod blocks;

use blocks::sleep_blocks;

const START: &str = "<!-- builtins:start -->\n";
const END: &str = "<!-- builtins:end -->";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn reference_path() -> PathBuf {
    root().join("docs/language.md")
}

fn reference_text() -> String {
    let path = reference_path();
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The errors of a report, rendered for a failure message (empty when there are none).
fn errors(report: &Report) -> String {
    let errors: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect();
    if errors.is_empty() {
        return String::new();
    }
    render::render_all_human(&errors, &report.program.sources, Style::PLAIN)
}

/// Where each error of a block is in docs/language.md: `E205 at docs/language.md:78`.
fn error_lines(report: &Report, first_line: usize) -> Vec<String> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| match d.span {
            Some(s) if s.file == somnia::load::file_of(0) => {
                let (line, column) = report
                    .program
                    .sources
                    .get(s.file)
                    .line_col(s.start as usize);
                format!(
                    "{} at docs/language.md:{}:{column}",
                    d.code,
                    first_line + line - 1
                )
            }
            _ => format!("{} in another file", d.code),
        })
        .collect()
}

#[test]
fn every_sleep_block_of_the_reference_checks_without_errors() {
    let docs = root().join("docs");
    let blocks = sleep_blocks(&reference_text());
    assert!(
        !blocks.is_empty(),
        "docs/language.md has no ```sleep block: did the fences change?"
    );
    let mut failures = Vec::new();
    for b in &blocks {
        // Named as a file in docs/, so relative paths resolve from there.
        let name = format!("language.md:{}.sleep", b.line);
        let checked = catch_unwind(AssertUnwindSafe(|| {
            session::check_text(&name, &b.text, Some(&docs), &[], &Options::default())
        }));
        match checked {
            Ok(report) => {
                let text = errors(&report);
                if !text.is_empty() {
                    failures.push(format!(
                        "the ```sleep block at docs/language.md:{} has errors ({}):\n{text}",
                        b.line,
                        error_lines(&report, b.line).join(", ")
                    ));
                }
            }
            Err(_) => failures.push(format!(
                "the checker panicked on the ```sleep block at docs/language.md:{}",
                b.line
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} ```sleep blocks fail (use ```text for fragments):\n\n{}",
        failures.len(),
        blocks.len(),
        failures.join("\n")
    );
}

#[test]
fn the_builtin_reference_is_the_generated_one() {
    let text = reference_text();
    let generated = somnia::builtins::reference_markdown();
    let starts: Vec<_> = text.match_indices(START).collect();
    let ends: Vec<_> = text.match_indices(END).collect();
    assert!(
        starts.len() == 1 && ends.len() == 1,
        "docs/language.md needs exactly one line `{}` and one line `{END}` (found {} and {})",
        START.trim_end(),
        starts.len(),
        ends.len()
    );
    let body_start = starts[0].0 + START.len();
    let body_end = ends[0].0;
    assert!(
        body_start <= body_end,
        "docs/language.md: `{END}` comes before `{}`",
        START.trim_end()
    );
    let body = &text[body_start..body_end];
    if body == generated {
        return;
    }
    if std::env::var_os("SOMNIA_BLESS_DOCS").is_some() {
        let updated = format!("{}{generated}{}", &text[..body_start], &text[body_end..]);
        std::fs::write(reference_path(), updated).expect("docs/language.md is writable");
        return;
    }
    let first_difference = body
        .lines()
        .zip(generated.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| body.lines().count().min(generated.lines().count()));
    let line = text[..body_start].lines().count() + first_difference + 1;
    panic!(
        "the built-in reference in docs/language.md differs from the registry, from \
         docs/language.md:{line}:\n  docs:      {:?}\n  generated: {:?}\n\
         Update it with `SOMNIA_BLESS_DOCS=1 cargo test --test docs`, or paste the output of \
         `cargo run -q -- explain --builtins` between the markers.",
        body.lines()
            .nth(first_difference)
            .unwrap_or("(end of the section)"),
        generated
            .lines()
            .nth(first_difference)
            .unwrap_or("(end of the reference)"),
    );
}

/// Every `*.sleep` file under `dir`, sorted.
fn sleep_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            sleep_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "sleep") {
            out.push(path);
        }
    }
    out.sort();
}

#[test]
fn every_example_checks_without_errors() {
    let mut files = Vec::new();
    sleep_files(&root().join("examples"), &mut files);
    assert!(!files.is_empty(), "examples/ holds no .sleep file");
    let mut failures = Vec::new();
    for path in &files {
        let rel = path.strip_prefix(root()).unwrap_or(path).to_path_buf();
        let checked = catch_unwind(|| session::check_file(path, &[], &Options::default()));
        match checked {
            Ok(Ok(report)) => {
                let text = errors(&report);
                if !text.is_empty() {
                    failures.push(format!("{} has errors:\n{text}", rel.display()));
                }
            }
            Ok(Err(e)) => failures.push(format!("{}: {e}", rel.display())),
            Err(_) => failures.push(format!("the checker panicked on {}", rel.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} examples fail:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn sleep_blocks_are_found_with_their_lines_and_headings() {
    let md = "# Top\ntext\n```sleep\nlet a = 1\n```\n```text\n# not a heading\n```sleep\n```\n### `sweep`\n```sleep\nlet b = 2\nlet c = 3\n```\n";
    let blocks = sleep_blocks(md);
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[0].line, 4);
    assert_eq!(blocks[0].heading, "Top");
    assert_eq!(blocks[0].text, "let a = 1\n");
    assert_eq!(blocks[1].line, 12);
    assert_eq!(blocks[1].heading, "`sweep`");
    assert_eq!(blocks[1].text, "let b = 2\nlet c = 3\n");
}

/// Every test docs/reliability.md names for a fault exists, so the table cannot point at a
/// test that was renamed or removed.
#[test]
fn every_test_the_reliability_table_names_exists() {
    let table = std::fs::read_to_string(root().join("docs/reliability.md")).unwrap();
    let mut sources = String::new();
    for dir in ["tests", "src"] {
        let mut stack = vec![root().join(dir)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    sources.push_str(&std::fs::read_to_string(&p).unwrap());
                }
            }
        }
    }
    let mut named = 0;
    for row in table.lines().filter(|l| l.starts_with('|')) {
        let test_column = row.rsplit('|').nth(1).unwrap_or("");
        for name in test_column.split('`').skip(1).step_by(2) {
            let is_test_name = name.matches('_').count() >= 2
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if is_test_name {
                named += 1;
                assert!(
                    sources.contains(&format!("fn {name}(")),
                    "docs/reliability.md names `{name}`, which no test defines"
                );
            }
        }
    }
    assert!(named >= 25, "only {named} tests named");
}
