//! `somnia fmt`: a golden per construct (tests/fmt/NAME.in.sleep → NAME.out.sleep), every
//! shipped file already formatted, idempotence and kept comments on every file of the suite
//! that parses, and the command line (`--check`, in place, stdin, Markdown, syntax errors).
//!
//! After a deliberate change of layout, rewrite the goldens with
//! `SOMNIA_BLESS=1 cargo test --release --test fmt` and read their diff.

mod common;

use common::cli::{exits, scratch, somnia};
use somnia::format::{FormatError, format_text};
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sleep_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sleep_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "sleep") {
            out.push(path);
        }
    }
}

fn formatted(text: &str, what: &str) -> String {
    match format_text(text) {
        Ok(t) => t,
        Err(e) => panic!("{what} does not format: {e:?}"),
    }
}

fn comments(text: &str) -> Vec<String> {
    // Every `//` and `/*` outside strings, as the formatter's own scanner is what is tested.
    let mut out = Vec::new();
    let mut in_string = false;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if in_string => {
                chars.next();
            }
            '"' => in_string = !in_string,
            '/' if !in_string && text[i..].starts_with("//") => {
                let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                out.push(text[i..end].trim_end().to_string());
                while chars.peek().is_some_and(|&(j, _)| j < end) {
                    chars.next();
                }
            }
            '/' if !in_string && text[i..].starts_with("/*") => {
                let end = text[i + 2..].find("*/").map_or(text.len(), |n| i + 4 + n);
                out.push(text[i..end].to_string());
                while chars.peek().is_some_and(|&(j, _)| j < end) {
                    chars.next();
                }
            }
            '\n' => in_string = false,
            _ => {}
        }
    }
    out
}

#[test]
fn every_construct_formats_to_its_golden() {
    let dir = root().join("tests/fmt");
    let bless = std::env::var_os("SOMNIA_BLESS").is_some();
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".in.sleep"))
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 10, "the goldens are in {}", dir.display());
    let mut failures = Vec::new();
    for input in &inputs {
        let name = input.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(input).unwrap();
        let out = formatted(&text, &name);
        assert_eq!(
            comments(&text),
            comments(&out),
            "{name} lost or changed a comment"
        );
        assert_eq!(
            formatted(&out, &name),
            out,
            "{name}: formatting is not idempotent"
        );
        let golden = input.with_file_name(name.replace(".in.sleep", ".out.sleep"));
        if bless {
            std::fs::write(&golden, &out).unwrap();
        } else if std::fs::read_to_string(&golden).ok().as_deref() != Some(out.as_str()) {
            failures.push(format!("{name} ≠ {}:\n{out}", golden.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_shipped_protocol_and_example_is_formatted() {
    let mut files = Vec::new();
    sleep_files(&root().join("protocols"), &mut files);
    sleep_files(&root().join("examples"), &mut files);
    assert!(files.len() >= 15);
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let out = formatted(&text, &f.display().to_string());
        assert!(
            out == text,
            "{} is not formatted: run `somnia fmt {}`",
            f.display(),
            f.display()
        );
    }
    let md = std::fs::read_to_string(root().join("docs/language.md")).unwrap();
    let (out, errors) = somnia::format::format_markdown("docs/language.md", &md);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        out == md,
        "docs/language.md: run `somnia fmt docs/language.md`"
    );
}

/// Every file of the test suite that parses (diagnostic fixtures, their clean twins, the
/// goldens' outputs): formatting keeps its comments and is a fixed point.
#[test]
fn formatting_is_idempotent_and_keeps_comments_on_every_file_that_parses() {
    let mut files = Vec::new();
    sleep_files(&root().join("tests"), &mut files);
    sleep_files(&root().join("protocols"), &mut files);
    sleep_files(&root().join("examples"), &mut files);
    let (mut formatted_n, mut syntax_errors) = (0, 0);
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue; // the fixture that is not UTF-8
        };
        match format_text(&text) {
            Ok(out) => {
                assert_eq!(comments(&text), comments(&out), "{}", f.display());
                assert_eq!(formatted(&out, "output"), out, "{}", f.display());
                formatted_n += 1;
            }
            Err(FormatError::Syntax(_)) => syntax_errors += 1,
            Err(FormatError::Internal(what)) => panic!("{}: {what}", f.display()),
        }
    }
    assert!(formatted_n > 150, "{formatted_n} files formatted");
    assert!(syntax_errors > 5, "the E0xx fixtures do not parse");
}

const MESSY: &str = "let  a=1 // kept\nlet b=a*2\n";
const TIDY: &str = "let a = 1  // kept\nlet b = a * 2\n";

#[test]
fn fmt_rewrites_a_file_in_place_and_check_only_shows_the_diff() {
    let dir = scratch("fmt-in-place");
    std::fs::write(dir.join("p.sleep"), MESSY).unwrap();
    let out = somnia(&["fmt", "--check", "p.sleep"], &dir);
    exits(&out, 1);
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("-let  a=1 // kept") && diff.contains("+let a = 1  // kept"),
        "{diff}"
    );
    assert_eq!(std::fs::read_to_string(dir.join("p.sleep")).unwrap(), MESSY);
    let out = somnia(&["fmt", "p.sleep"], &dir);
    exits(&out, 0);
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 file reformatted"));
    assert_eq!(std::fs::read_to_string(dir.join("p.sleep")).unwrap(), TIDY);
    exits(&somnia(&["fmt", "--check", "."], &dir), 0);
}

#[test]
fn a_file_that_does_not_parse_is_reported_and_left_as_it_was() {
    let dir = scratch("fmt-syntax");
    std::fs::write(dir.join("bad.sleep"), "let a = \nlet b = 1\n").unwrap();
    let out = somnia(&["fmt", "bad.sleep"], &dir);
    exits(&out, 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("E001") && err.contains("bad.sleep:2:5"),
        "{err}"
    );
    assert!(err.contains("1 could not be formatted"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("bad.sleep")).unwrap(),
        "let a = \nlet b = 1\n"
    );
}

#[test]
fn stdin_is_formatted_to_stdout() {
    use std::io::Write;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_somnia"))
        .args(["fmt", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(MESSY.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    exits(&out, 0);
    assert_eq!(String::from_utf8_lossy(&out.stdout), TIDY);
}

#[test]
fn markdown_blocks_are_formatted_and_their_errors_point_at_the_page() {
    let dir = scratch("fmt-markdown");
    let md = "# Title\n\n```sleep\nlet  a=1\n```\n\n```text\nlet  a=1\n```\n";
    std::fs::write(dir.join("page.md"), md).unwrap();
    exits(&somnia(&["fmt", "page.md"], &dir), 0);
    assert_eq!(
        std::fs::read_to_string(dir.join("page.md")).unwrap(),
        md.replacen("let  a=1", "let a = 1", 1)
    );
    std::fs::write(
        dir.join("bad.md"),
        "text\n\n```sleep\nlet a = 1\nlet = 2\n```\n",
    )
    .unwrap();
    let out = somnia(&["fmt", "--check", "bad.md"], &dir);
    exits(&out, 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.md:5:5"), "{err}");
}
