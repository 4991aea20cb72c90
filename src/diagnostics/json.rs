//! Diagnostics as tools read them: the document `somnia check --format json` prints.
//! Its shape is versioned by [`SCHEMA`] and documented in docs/language.md ("Diagnostics
//! as JSON"), every field and unit.
//!
//! Positions come in both units a tool may want: byte offsets (`start`, `end`: 0-based,
//! end exclusive, into the file's UTF-8 text) and `line`/`column` (1-based, columns in
//! characters — Unicode scalar values — as [`SourceFile::line_col`] counts them).

use super::{Diagnostic, Severity, Suggestion};
use crate::source::{SourceFile, SourceMap, Span};
use serde::Serialize;

/// The version of the document's shape. 1: `schema`, spans with their line and column,
/// `suggestions`.
pub const SCHEMA: u32 = 1;

/// The whole document.
#[derive(Debug, Serialize)]
pub struct JsonReport {
    pub schema: u32,
    pub files: Vec<JsonFile>,
    /// Errors and warnings over every file.
    pub errors: usize,
    pub warnings: usize,
}

impl JsonReport {
    pub fn new() -> Self {
        JsonReport {
            schema: SCHEMA,
            files: Vec::new(),
            errors: 0,
            warnings: 0,
        }
    }
}

impl Default for JsonReport {
    fn default() -> Self {
        JsonReport::new()
    }
}

/// One file checked.
#[derive(Debug, Serialize)]
pub struct JsonFile {
    pub file: String,
    /// Set when the file could not be read at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub io_error: Option<String>,
    pub diagnostics: Vec<JsonDiagnostic>,
}

/// One diagnostic.
#[derive(Debug, Serialize)]
pub struct JsonDiagnostic {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    /// The primary span's file, position and end (also in `span`); null for a problem with
    /// no source text.
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub end_line: Option<usize>,
    pub end_column: Option<usize>,
    pub span: Option<JsonSpan>,
    pub label: String,
    pub help: Option<String>,
    pub secondary: Vec<JsonLabel>,
    /// Edits that fix the problem ("did you mean" as data); often empty.
    pub suggestions: Vec<JsonSuggestion>,
}

/// A range of one file, in bytes and in lines and characters.
#[derive(Debug, Serialize)]
pub struct JsonSpan {
    pub file: String,
    /// Byte offsets into the file: 0-based, `end` exclusive.
    pub start: u32,
    pub end: u32,
    /// Where `start` is: 1-based line, 1-based column in characters.
    pub line: usize,
    pub column: usize,
    /// Where `end` is (just after the last character), counted the same way.
    pub end_line: usize,
    pub end_column: usize,
}

/// Another place that explains the problem.
#[derive(Debug, Serialize)]
pub struct JsonLabel {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub span: JsonSpan,
    pub label: String,
}

/// `replacement` instead of the text `span` covers.
#[derive(Debug, Serialize)]
pub struct JsonSuggestion {
    pub message: String,
    pub replacement: String,
    pub span: JsonSpan,
}

fn span(s: Span, f: &SourceFile) -> JsonSpan {
    let (line, column) = f.line_col(s.start as usize);
    let (end_line, end_column) = f.line_col(s.end as usize);
    JsonSpan {
        file: f.name.clone(),
        start: s.start,
        end: s.end,
        line,
        column,
        end_line,
        end_column,
    }
}

/// A suggestion whose span covers exactly the text it was made for; `None` otherwise, so
/// a tool never applies an edit in the wrong place.
fn suggestion(s: &Suggestion, sources: &SourceMap) -> Option<JsonSuggestion> {
    let f = sources.get(s.span.file);
    let covers = f.text.get(s.span.start as usize..s.span.end as usize) == Some(&s.original);
    covers.then(|| JsonSuggestion {
        message: s.message.clone(),
        replacement: s.replacement.clone(),
        span: span(s.span, f),
    })
}

/// The JSON form of a diagnostic.
pub fn to_json(d: &Diagnostic, sources: &SourceMap) -> JsonDiagnostic {
    let primary = d.span.map(|s| span(s, sources.get(s.file)));
    JsonDiagnostic {
        code: d.code.to_string(),
        severity: d.severity(),
        message: d.message.clone(),
        file: primary.as_ref().map(|p| p.file.clone()),
        line: primary.as_ref().map(|p| p.line),
        column: primary.as_ref().map(|p| p.column),
        end_line: primary.as_ref().map(|p| p.end_line),
        end_column: primary.as_ref().map(|p| p.end_column),
        span: primary,
        label: d.label.clone(),
        help: d.help.clone(),
        secondary: d
            .secondary
            .iter()
            .map(|(s, l)| {
                let js = span(*s, sources.get(s.file));
                JsonLabel {
                    file: js.file.clone(),
                    line: js.line,
                    column: js.column,
                    span: js,
                    label: l.clone(),
                }
            })
            .collect(),
        suggestions: d
            .suggestions
            .iter()
            .filter_map(|s| suggestion(s, sources))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn one_file(text: &str) -> SourceMap {
        let mut m = SourceMap::new();
        m.add(SourceFile::new("t.sleep", None, text.into()));
        m
    }

    #[test]
    fn spans_count_bytes_and_characters_apart() {
        let text = "let é = 1\nlet b = bsae\n";
        let m = one_file(text);
        let start = text.find("bsae").unwrap() as u32;
        let s = Span::new(FileId(0), start as usize, start as usize + 4);
        let d =
            Diagnostic::new(super::super::Code::E101, s, "no").suggest_name("bsae", s, ["base"]);
        let j = to_json(&d, &m);
        let js = j.span.unwrap();
        assert_eq!((js.start, js.end), (start, start + 4));
        assert_eq!(
            (js.line, js.column, js.end_line, js.end_column),
            (2, 9, 2, 13)
        );
        assert_eq!(j.suggestions.len(), 1);
        assert_eq!(j.suggestions[0].replacement, "base");
    }

    #[test]
    fn a_suggestion_over_other_text_is_left_out() {
        let m = one_file("let b = bsae\n");
        let s = Span::new(FileId(0), 0, 3);
        let d =
            Diagnostic::new(super::super::Code::E101, s, "no").suggest_name("bsae", s, ["base"]);
        assert_eq!(d.help.as_deref(), Some("did you mean `base`?"));
        assert!(to_json(&d, &m).suggestions.is_empty());
    }
}
