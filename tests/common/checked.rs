//! A protocol text checked and planned in memory, with no error allowed; the diagnostic
//! a refused one must have.

use somnia::diagnostics::Code;
use somnia::plan::Options;
use somnia::session::{self, Report};

/// The report of `text` as `t.sleep`; fails the test on any error, listing them.
pub fn clean(text: &str) -> Report {
    let r = session::check_text("t.sleep", text, None, &[], &Options::default());
    let errors: Vec<String> = r
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    r
}

/// The diagnostic `code`, which must be there: its message and the text its span covers.
pub fn found(r: &Report, code: Code) -> (String, String) {
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| {
            let all: Vec<String> = r
                .diagnostics
                .iter()
                .map(|d| format!("{}: {}", d.code, d.message))
                .collect();
            panic!("no {code}, found {all:?}")
        });
    let span = d.span.expect("a span");
    let text = r.program.sources.get(span.file).slice(span).to_string();
    (d.message.clone(), text)
}
