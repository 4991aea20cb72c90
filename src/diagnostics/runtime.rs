//! Errors found while a plan runs (`E4xx`): bad data files, non-finite values, built-ins the
//! engine cannot run. They point at the plan's spans ([`SpanIr`]), which the CLI maps back to
//! the source text to render them like any other diagnostic.

use super::{Code, Diagnostic};
use crate::source::{Position as SpanIr, SourceMap, Span};
use std::path::Path;

/// A runtime error: a code, a message, and where in the protocol it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct RunError {
    pub code: Code,
    pub message: String,
    /// Boxed: errors travel in `Result`s and should stay small.
    pub span: Option<Box<SpanIr>>,
    pub label: String,
    pub help: Option<String>,
}

impl RunError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        RunError {
            code,
            message: message.into(),
            span: None,
            label: String::new(),
            help: None,
        }
    }

    pub fn at(mut self, span: &SpanIr) -> Self {
        self.span = Some(Box::new(span.clone()));
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The error as a diagnostic over the sources the plan was compiled from.
    pub fn to_diagnostic(&self, sources: &SourceMap) -> Diagnostic {
        let span = self.span.as_ref().and_then(|s| {
            let id = sources
                .iter()
                .find(|(_, f)| f.name == s.file)
                .map(|(id, _)| id)
                .or_else(|| sources.find_path(Path::new(&s.file)))?;
            Some(Span::new(id, s.start as usize, s.end as usize))
        });
        let mut d = match span {
            Some(span) => Diagnostic::new(self.code, span, self.message.clone()),
            None => Diagnostic::spanless(self.code, self.message.clone()),
        };
        d = d.label(self.label.clone()).maybe_help(self.help.clone());
        d
    }
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error[{}]: {}", self.code.as_str(), self.message)?;
        if let Some(s) = &self.span {
            write!(f, " ({}:{}:{})", s.file, s.line, s.column)?;
        }
        Ok(())
    }
}

impl std::error::Error for RunError {}
