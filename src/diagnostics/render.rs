//! Rendering diagnostics: miette's graphical report for people; JSON for tools is in
//! [`super::json`] (re-exported here).
//!
//! This is the edge where spans meet text. Lines longer than [`MAX_LINE`] bytes are clipped
//! around the labels before miette sees them, so a diagnostic on a one-megabyte line is a
//! few lines of output, not a megabyte.

use super::{Diagnostic, Severity};
use crate::source::{SourceFile, SourceMap, Span};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use std::fmt;

pub use super::json::{JsonDiagnostic, to_json};

/// Longest source line shown unclipped.
const MAX_LINE: usize = 240;

/// How to draw human-readable reports.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

impl Style {
    /// What tests and snapshots use: no colour, 80 columns.
    pub const PLAIN: Style = Style {
        color: false,
        width: 80,
    };
}

/// Renders one diagnostic as miette's graphical report.
pub fn render_human(d: &Diagnostic, sources: &SourceMap, style: Style) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_urls(false);
    let view = MietteView::new(d, sources);
    let mut out = String::new();
    if handler.render_report(&mut out, &view).is_err() {
        out = format!("{}[{}]: {}\n", severity_word(d), d.code, d.message);
    }
    out
}

/// Renders a list of diagnostics followed by a one-line summary.
pub fn render_all_human(ds: &[Diagnostic], sources: &SourceMap, style: Style) -> String {
    let mut out = String::new();
    for d in ds {
        out.push_str(&render_human(d, sources, style));
        out.push('\n');
    }
    out
}

fn severity_word(d: &Diagnostic) -> &'static str {
    match d.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A diagnostic with its source attached, in the shape miette wants.
struct MietteView {
    message: String,
    code: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
}

impl MietteView {
    fn new(d: &Diagnostic, sources: &SourceMap) -> Self {
        let severity = match d.severity() {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        };
        let mut help = d.help.clone();
        let mut source = None;
        let mut labels = Vec::new();
        if let Some(primary) = d.span {
            let file = sources.get(primary.file);
            let mut spans: Vec<(Span, String, bool)> = vec![(primary, d.label.clone(), true)];
            for (s, l) in &d.secondary {
                if s.file == primary.file {
                    spans.push((*s, l.clone(), false));
                } else {
                    // miette draws one source per report; name the other place in the help.
                    let other = sources.get(s.file);
                    let (line, col) = other.line_col(s.start as usize);
                    let note = format!("{l} ({}:{line}:{col})", other.name);
                    help = Some(match help {
                        Some(h) => format!("{h}\n{note}"),
                        None => note,
                    });
                }
            }
            let clipped = Clipped::new(file, &spans);
            for (s, l, primary) in &spans {
                let (start, len) = clipped.map(*s);
                let label = if l.is_empty() { None } else { Some(l.clone()) };
                labels.push(if *primary {
                    LabeledSpan::new_primary_with_span(label, (start, len))
                } else {
                    LabeledSpan::new_with_span(label, (start, len))
                });
            }
            source = Some(NamedSource::new(file.name.clone(), clipped.text));
        }
        MietteView {
            message: d.message.clone(),
            code: d.code.to_string(),
            severity,
            help,
            source,
            labels,
        }
    }
}

impl fmt::Debug for MietteView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for MietteView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MietteView {}

impl miette::Diagnostic for MietteView {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}

/// The source text with over-long lines cut down to a window around the labels.
struct Clipped {
    text: String,
    /// (original start, original end, new start) of every kept piece, in order.
    pieces: Vec<(usize, usize, usize)>,
}

impl Clipped {
    fn new(file: &SourceFile, spans: &[(Span, String, bool)]) -> Self {
        let src = &file.text;
        let mut text = String::with_capacity(src.len().min(1 << 16));
        let mut pieces = Vec::new();
        let mut line_start = 0;
        for line in src.split_inclusive('\n') {
            let line_end = line_start + line.len();
            let mut keep = (line_start, line_end);
            if line.len() > MAX_LINE {
                let anchor = spans
                    .iter()
                    .map(|(s, _, _)| s.start as usize)
                    .find(|&o| o >= line_start && o <= line_end)
                    .unwrap_or(line_start);
                let lo = floor_char(src, anchor.saturating_sub(MAX_LINE / 3).max(line_start));
                let hi = floor_char(src, (lo + MAX_LINE).min(line_end));
                keep = (lo, hi);
            }
            if keep.0 > line_start {
                text.push('…');
            }
            pieces.push((keep.0, keep.1, text.len()));
            text.push_str(&src[keep.0..keep.1]);
            if keep.1 < line_end {
                text.push_str("…\n");
            }
            line_start = line_end;
        }
        if pieces.is_empty() {
            pieces.push((0, 0, 0));
        }
        Clipped { text, pieces }
    }

    /// Start and length of a span in the clipped text.
    fn map(&self, s: Span) -> (usize, usize) {
        let start = self.offset(s.start as usize);
        let end = self.offset(s.end as usize).max(start);
        (start, end - start)
    }

    fn offset(&self, o: usize) -> usize {
        let i = match self.pieces.binary_search_by(|p| p.0.cmp(&o)) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        };
        let (start, end, new) = self.pieces[i];
        new + o.clamp(start, end) - start
    }
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
