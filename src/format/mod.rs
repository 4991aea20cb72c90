//! `somnia fmt`: one layout for every protocol file, printed from the syntax tree.
//!
//! The tree says what the file means; the text supplies what the tree drops (comments, the
//! spelling of numbers and strings, the user's parentheses, blank lines, which settings
//! share a line). Every result is checked before it is handed back: it parses to the same
//! tree, keeps every comment in order, and formats to itself. A file that fails one of these
//! is a formatter bug, reported as such, and the file is left as it was.

mod body;
mod comments;
mod exprs;
mod items;
mod markdown;
mod printer;
mod schedule;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::source::{FileId, SourceFile};
use crate::syntax;

pub use markdown::{BlockError, format_markdown};

/// Why a file could not be formatted.
#[derive(Debug)]
pub enum FormatError {
    /// It does not parse: the syntax errors, as `check` reports them.
    Syntax(Vec<Diagnostic>),
    /// The formatter's own mistake: what the check of its result found.
    Internal(String),
}

/// The formatted text of `source`.
pub fn format_source(file: FileId, source: &SourceFile) -> Result<String, FormatError> {
    let once = print(file, source)?;
    verify(file, source, &once)?;
    Ok(once)
}

/// Formats `text` as a file of its own (the REPL, the language server and tests).
pub fn format_text(text: &str) -> Result<String, FormatError> {
    format_source(
        FileId(0),
        &SourceFile::new("<text>", None, text.to_string()),
    )
}

fn print(file: FileId, source: &SourceFile) -> Result<String, FormatError> {
    let mut diags = Diagnostics::new();
    let module = syntax::parse_file(file, source, &mut diags);
    if diags.has_errors() {
        let errors = diags.into_sorted().into_iter().filter(|d| d.is_error());
        return Err(FormatError::Syntax(errors.collect()));
    }
    let mut p = printer::Printer::new(&source.text, comments::scan(&source.text));
    p.module(&module);
    Ok(p.finish())
}

/// The checks every result passes: same tree, same comments, a fixed point.
fn verify(file: FileId, before: &SourceFile, text: &str) -> Result<(), FormatError> {
    let after = SourceFile::new(before.name.clone(), None, text.to_string());
    let internal = |what: &str| FormatError::Internal(format!("the formatted text {what}"));
    let tree = |s: &SourceFile| {
        let mut diags = Diagnostics::new();
        let m = syntax::parse_file(file, s, &mut diags);
        (!diags.has_errors()).then(|| without_spans(serde_json::to_value(&m).ok()))
    };
    match (tree(before), tree(&after)) {
        (Some(a), Some(b)) if a == b => {}
        (_, None) => return Err(internal("does not parse")),
        _ => return Err(internal("means something else")),
    }
    let texts = |s: &str| -> Vec<String> {
        comments::scan(s)
            .iter()
            .map(|c| s[c.start..c.end].trim_end().to_string())
            .collect()
    };
    if texts(&before.text) != texts(text) {
        return Err(internal("lost or moved a comment"));
    }
    match print(file, &after) {
        Ok(again) if again == text => Ok(()),
        _ => Err(internal("changes when formatted again")),
    }
}

/// A tree as JSON with its positions left out, so trees of two layouts compare equal.
fn without_spans(v: Option<serde_json::Value>) -> Option<serde_json::Value> {
    fn strip(v: &mut serde_json::Value) {
        let is_span = |map: &serde_json::Map<String, serde_json::Value>| {
            map.len() == 3
                && ["file", "start", "end"]
                    .iter()
                    .all(|k| map.contains_key(*k))
        };
        match v {
            serde_json::Value::Object(map) if is_span(map) => *v = serde_json::Value::Null,
            serde_json::Value::Object(map) => {
                map.remove("span");
                map.remove("file");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = v?;
    strip(&mut v);
    Some(v)
}

/// The printer's output without the checks: for looking at what the checks refused.
#[doc(hidden)]
pub fn format_unchecked(text: &str) -> Result<String, FormatError> {
    print(
        FileId(0),
        &SourceFile::new("<text>", None, text.to_string()),
    )
}
