//! A protocol text checked and planned in memory, with no error allowed.

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
