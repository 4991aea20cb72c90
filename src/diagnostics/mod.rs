//! Diagnostics: what every stage reports when the input is wrong.
//!
//! A [`Diagnostic`] carries a stable [`Code`], spans (not text) and help. Stages push them
//! into a [`Diagnostics`] list and keep going, so a file's errors all arrive at once. The
//! renderers in [`render`] attach the source text at the edge.

mod codes;
pub mod json;
pub mod render;
pub mod runtime;

pub use codes::{Code, CodeInfo};

use crate::source::Span;
use serde::Serialize;

/// How bad a diagnostic is. Warnings never change the exit status of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub code: Code,
    pub message: String,
    /// Where the problem is; `None` only for problems with no source text (an unreadable file).
    pub span: Option<Span>,
    /// What the primary span shows.
    pub label: String,
    /// Other places that explain the problem (the earlier definition, the call site).
    pub secondary: Vec<(Span, String)>,
    pub help: Option<String>,
    /// Edits a tool can apply ("did you mean `x`?" as data).
    pub suggestions: Vec<Suggestion>,
}

/// A fix a tool can apply: `replacement` instead of the text at `span`.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// What people read (`did you mean `ms`?`), also the diagnostic's help.
    pub message: String,
    /// The text replaced, as the stage that found the problem saw it: the JSON renderer
    /// leaves out a suggestion whose span does not cover exactly this, so a tool is never
    /// handed an edit in the wrong place.
    pub original: String,
    pub replacement: String,
    pub span: Span,
}

impl Diagnostic {
    /// A diagnostic pointing at `span`.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            span: Some(span),
            label: String::new(),
            secondary: Vec::new(),
            help: None,
            suggestions: Vec::new(),
        }
    }

    /// A diagnostic about a whole input that has no span (an unreadable path).
    pub fn spanless(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            span: None,
            label: String::new(),
            secondary: Vec::new(),
            help: None,
            suggestions: Vec::new(),
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Adds `s`; its message becomes the help, as [`Diagnostic::maybe_help`] would set it.
    pub fn suggest(mut self, s: Suggestion) -> Self {
        self.help = Some(s.message.clone());
        self.suggestions.push(s);
        self
    }

    /// [`Diagnostic::suggest`] when there is a suggestion.
    pub fn maybe_suggest(self, s: Option<Suggestion>) -> Self {
        match s {
            Some(s) => self.suggest(s),
            None => self,
        }
    }

    /// When a candidate is close to `name`, written at `span` (exactly the name): the help
    /// "did you mean `x`?" and the suggestion that replaces the name with it.
    pub fn suggest_name<'a>(
        self,
        name: &str,
        span: Span,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        match did_you_mean(name, candidates) {
            Some(c) => self.suggest(Suggestion {
                message: format!("did you mean `{c}`?"),
                original: name.to_string(),
                replacement: c.to_string(),
                span,
            }),
            None => self,
        }
    }

    /// [`Diagnostic::suggest_name`] for a name written as a string (`"trained"`), `span`
    /// covering its quotes: the help and the replacement are quoted too.
    pub fn suggest_string<'a>(
        self,
        name: &str,
        span: Span,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let quoted = |s: &str| format!("\"{s}\"");
        match did_you_mean(name, candidates) {
            Some(c) => self.suggest(Suggestion {
                message: format!("did you mean {}?", quoted(c)),
                original: quoted(name),
                replacement: quoted(c),
                span,
            }),
            None => self,
        }
    }

    pub fn secondary(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push((span, label.into()));
        self
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }
}

/// The diagnostics collected by one pass over the input.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    list: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Diagnostics::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.list.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.list.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.list.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.list.iter().filter(|d| d.is_error()).count()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.list.iter()
    }

    /// Source order, errors before warnings at the same place, and each (code, span) once:
    /// a phase called from several places reports a problem in its body once.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.list.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                (
                    d.span.map(|s| (s.file, s.start, s.end)),
                    d.severity(),
                    d.code,
                )
            };
            key(a).cmp(&key(b))
        });
        self.list
            .dedup_by(|a, b| a.code == b.code && a.span == b.span);
        self.list
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.list.into_iter()
    }
}

/// The closest candidate to `name`, if one is close enough to be worth suggesting.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        let score = strsim::jaro_winkler(&name.to_lowercase(), &c.to_lowercase());
        let close = score > 0.84
            || strsim::damerau_levenshtein(name, c)
                <= name.len().min(3) / 2 + usize::from(name.len() > 4);
        if close && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// `help: did you mean `x`?` when a candidate is close.
pub fn suggestion<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    did_you_mean(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let c = ["backprop", "stdp", "src_stdp", "prune"];
        assert_eq!(did_you_mean("backprob", c), Some("backprop"));
        assert_eq!(did_you_mean("stpd", c), Some("stdp"));
        assert_eq!(did_you_mean("zzzzzz", c), None);
    }
}
