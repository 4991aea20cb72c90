//! Lowering: pest pairs → AST, one `lower_<rule>` function per grammar rule.
//!
//! The grammar has already accepted the text, so the shapes here are known; the few
//! diagnostics raised here are about token contents (escapes, numbers too large,
//! expressions too long to evaluate safely).

mod expr;
mod items;
mod network;
mod protocol;
mod schedule;
mod settings;

use super::ast::Module;
use super::grammar::Rule;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, Ident, Span, Spanned};
use pest::iterators::Pair;

pub use expr::lower_expr_pair;

/// The state shared by the lowering functions of one file.
pub struct Lower<'d> {
    pub file: FileId,
    pub diags: &'d mut Diagnostics,
}

impl Lower<'_> {
    /// The span of a pair, without the whitespace and comments pest's implicit skipping
    /// leaves at its end (`a ~ b*` keeps the skip before a `b` that did not match).
    pub fn span(&self, p: &Pair<Rule>) -> Span {
        let s = p.as_span();
        let len = trimmed_len(s.as_str());
        Span::new(self.file, s.start(), s.start() + len)
    }

    /// An `ident` or `word` pair as a spanned name. A reserved word where a name is
    /// expected is an error (E009); setting and type names (`word`) may be reserved words.
    pub fn ident(&mut self, p: Pair<Rule>) -> Ident {
        let span = self.span(&p);
        let text = p.as_str();
        if p.as_rule() == Rule::ident && super::is_reserved(text) {
            self.diags.push(
                Diagnostic::new(Code::E009, span, format!("`{text}` is a reserved word"))
                    .label("a name was expected here")
                    .help(format!(
                        "reserved words cannot name things; try `{text}_` or a longer name"
                    )),
            );
        }
        Spanned::new(text.to_string(), span)
    }
}

/// The length of `text` without trailing whitespace and trailing comments.
fn trimmed_len(text: &str) -> usize {
    let mut t = text.trim_end();
    loop {
        if t.ends_with("*/")
            && let Some(open) = t.rfind("/*")
        {
            t = t[..open].trim_end();
            continue;
        }
        let line_start = t.rfind('\n').map_or(0, |i| i + 1);
        let last = &t[line_start..];
        // A line comment at the end of the text: only when no string could hold the `//`.
        if let Some(at) = last.find("//")
            && !last[..at].contains('"')
        {
            t = t[..line_start + at].trim_end();
            continue;
        }
        return t.len();
    }
}

/// The children of a pair, without keyword tokens (`kw_let`, `kw_for`...).
pub fn children(p: Pair<Rule>) -> impl Iterator<Item = Pair<Rule>> {
    p.into_inner().filter(|c| !is_keyword_token(c.as_rule()))
}

fn is_keyword_token(r: Rule) -> bool {
    use Rule::*;
    matches!(
        r,
        kw_import
            | kw_let
            | kw_dataset
            | kw_environment
            | kw_tasks
            | kw_network
            | kw_rule
            | kw_phase
            | kw_protocol
            | kw_compare
            | kw_sweep
            | kw_schedule
            | kw_expect
            | kw_tolerance
            | kw_for
            | kw_in
            | kw_repeat
            | kw_until
            | kw_measure
            | kw_as
            | kw_checkpoint
            | kw_restore
            | kw_with
            | kw_vs
            | kw_over
            | kw_seeds
            | kw_connect
            | kw_final
            | kw_initial
            | kw_at
            | kw_before
            | kw_after
            | kw_max
            | kw_on
            | kw_window
            | kw_x
    )
}

/// Lowers the `file` rule.
pub fn lower_file(file: FileId, pair: Pair<Rule>, diags: &mut Diagnostics) -> Module {
    let mut cx = Lower { file, diags };
    let items = children(pair)
        .filter(|p| p.as_rule() != Rule::EOI)
        .map(|p| cx.lower_item(p))
        .collect();
    Module { file, items }
}
