//! `somnia check --format json` as a tool reads it: the schema version, spans in bytes and
//! in characters, and "did you mean" as an edit to apply; and, over every diagnostic
//! fixture, that each suggestion's span covers exactly the text it replaces.

use somnia::plan::Options;
use somnia::session;
use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

const FIXTURE: &str = "tests/fixtures/json/misspelt_name.sleep";

#[test]
fn check_json_gives_schema_byte_and_character_spans_and_the_replacement() {
    let out = Command::new(env!("CARGO_BIN_EXE_somnia"))
        .args(["check", "--format", "json", FIXTURE])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(v["schema"], 1);

    let text = std::fs::read_to_string(root().join(FIXTURE)).unwrap();
    let start = text.find("bsae").unwrap();
    let end = start + "bsae".len();
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    // `é` is two bytes and one character: the column counts characters.
    let column = text[line_start..start].chars().count() + 1;
    assert_ne!(
        column,
        start - line_start + 1,
        "the fixture has a non-ASCII character"
    );

    let d = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "E101")
        .cloned()
        .unwrap_or_else(|| panic!("no E101 in {v:#}"));
    let span = &d["span"];
    assert_eq!(span["file"], FIXTURE);
    assert_eq!(span["start"], start);
    assert_eq!(span["end"], end);
    assert_eq!(span["line"], 2);
    assert_eq!(span["column"], column);
    assert_eq!(span["end_line"], 2);
    assert_eq!(span["end_column"], column + 4);
    // The top-level position is the span's.
    assert_eq!(d["line"], 2);
    assert_eq!(d["column"], column);
    assert_eq!(d["help"], "did you mean `base`?");

    let suggestions = d["suggestions"].as_array().unwrap();
    assert_eq!(suggestions.len(), 1, "{d:#}");
    let s = &suggestions[0];
    assert_eq!(s["message"], "did you mean `base`?");
    assert_eq!(s["replacement"], "base");
    assert_eq!(s["span"]["start"], start);
    assert_eq!(s["span"]["end"], end);
    assert_eq!(s["span"]["column"], column);

    // Applying the edit fixes the file.
    let fixed = format!(
        "{}{}{}",
        &text[..start],
        s["replacement"].as_str().unwrap(),
        &text[end..]
    );
    let report = session::check_text("fixed.sleep", &fixed, None, &[], &Options::default());
    assert!(
        !report.diagnostics.iter().any(|d| d.is_error()),
        "{:?}",
        report.diagnostics
    );
}

#[test]
fn every_fixture_suggestion_replaces_exactly_the_text_it_names() {
    let dir = root().join("tests/fixtures/diagnostics");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sleep"))
        .collect();
    files.sort();
    let (mut checked, mut wrong, mut missing) = (0, Vec::new(), Vec::new());
    for f in &files {
        let Ok(report) = session::check_file(f, &[], &Options::default()) else {
            continue;
        };
        for d in &report.diagnostics {
            for s in &d.suggestions {
                checked += 1;
                let covered = report.program.sources.get(s.span.file).slice(s.span);
                if covered != s.original {
                    wrong.push(format!(
                        "{} {}: span covers {covered:?}, made for {:?}",
                        f.display(),
                        d.code,
                        s.original
                    ));
                }
            }
            // Every "did you mean" in a file is an edit too.
            let says = d
                .help
                .as_deref()
                .is_some_and(|h| h.starts_with("did you mean"));
            if says && d.suggestions.is_empty() {
                missing.push(format!("{} {}: {:?}", f.display(), d.code, d.help));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    assert!(checked >= 5, "only {checked} suggestions in the fixtures");
}
