//! Golden plans: every shipped protocol's `somnia plan` output (timeline and JSON) is kept
//! in tests/golden/. A change to the plan shows up as a diff to review.
//!
//! Regenerate with: `SOMNIA_BLESS=1 cargo test --test golden`

use somnia::plan::{Options, timeline};
use somnia::session;
use std::path::Path;

fn golden(name: &str, command: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    let header = format!("# {command}\n# regenerate: SOMNIA_BLESS=1 cargo test --test golden\n");
    let actual = format!("{header}{actual}");
    if std::env::var_os("SOMNIA_BLESS").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing; run with SOMNIA_BLESS=1", path.display()));
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the current plan at line {}:\n  golden: {:?}\n  now:    {:?}\nreview the change, then regenerate with SOMNIA_BLESS=1",
            path.display(),
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}

#[test]
fn shipped_protocols_match_their_golden_plans() {
    let dir = Path::new("protocols");
    let mut files: Vec<_> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".sleep"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "the protocol library is missing files");
    for f in files {
        let rel = dir.join(&f);
        let report = session::check_file(&rel, &[], &Options::default()).unwrap();
        assert!(!report.has_errors(), "{} has errors", rel.display());
        assert!(
            !report.plans.is_empty(),
            "{} has no protocol",
            rel.display()
        );
        let stem = f.trim_end_matches(".sleep");
        let text = timeline::file_text(&report.plans, &report.compares, &report.sweeps);
        golden(
            &format!("{stem}.plan"),
            &format!("somnia plan {}", rel.display()),
            &text,
        );
        let json = serde_json::to_string_pretty(&report.file_plans()).unwrap();
        golden(
            &format!("{stem}.plan.json"),
            &format!("somnia plan {} --json", rel.display()),
            &json,
        );
    }
}
