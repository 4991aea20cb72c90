//! Syntax: source text → spanned AST.
//!
//! Three steps: [`prescan`] checks what a recursive-descent parser handles badly (text that is
//! not UTF-8, unterminated strings and comments, unbalanced or absurdly deep brackets);
//! [`grammar`] runs the pest grammar in `grammar/somnia.pest`; [`lower`] turns pest pairs
//! into the [`ast`]. `pest::Pair` never leaves this module.

pub mod ast;
mod expected;
mod grammar;
mod lower;
mod prescan;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::source::{FileId, SourceFile};
use grammar::Rule;

pub use prescan::MAX_DEPTH;

/// Parses one file into a module, pushing every syntax error found into `diags`.
///
/// Returns a module even when there are errors (possibly empty), so later stages can keep
/// going on whatever parsed.
pub fn parse_file(file: FileId, source: &SourceFile, diags: &mut Diagnostics) -> ast::Module {
    let empty = ast::Module {
        file,
        items: Vec::new(),
    };
    let before = diags.error_count();
    prescan::prescan(file, &source.text, diags);
    if diags.error_count() > before {
        return empty;
    }
    match grammar::parse(Rule::file, &source.text) {
        Ok(mut pairs) => {
            let file_pair = pairs.next().expect("the file rule always yields one pair");
            lower::lower_file(file, file_pair, diags)
        }
        Err(e) => {
            diags.push(expected::syntax_error(file, &source.text, &e));
            empty
        }
    }
}

/// Parses a single expression (a `--set` value, a REPL `:type` argument).
pub fn parse_expr(file: FileId, text: &str) -> Result<ast::Expr, Vec<Diagnostic>> {
    let mut diags = Diagnostics::new();
    prescan::prescan(file, text, &mut diags);
    if diags.has_errors() {
        return Err(diags.into_sorted());
    }
    match grammar::parse(Rule::expr_input, text) {
        Ok(mut pairs) => {
            let input = pairs.next().expect("expr_input yields one pair");
            let expr_pair = input.into_inner().next().expect("expr_input holds an expr");
            let expr = lower::lower_expr_pair(file, expr_pair, &mut diags);
            if diags.has_errors() {
                Err(diags.into_sorted())
            } else {
                Ok(expr)
            }
        }
        Err(e) => Err(vec![expected::syntax_error(file, text, &e)]),
    }
}

/// Words that cannot name anything (the grammar's keywords).
pub const RESERVED: &[&str] = &[
    "import",
    "let",
    "dataset",
    "tasks",
    "network",
    "rule",
    "phase",
    "protocol",
    "compare",
    "sweep",
    "schedule",
    "expect",
    "tolerance",
    "for",
    "in",
    "repeat",
    "until",
    "measure",
    "as",
    "checkpoint",
    "restore",
    "with",
    "skip",
    "vs",
    "over",
    "seeds",
    "connect",
    "input",
    "layer",
    "output",
    "true",
    "false",
    "on",
    "off",
    "and",
    "or",
    "not",
    "final",
    "initial",
    "at",
    "before",
    "after",
    "by",
    "window",
];

/// Whether a word is reserved.
pub fn is_reserved(word: &str) -> bool {
    RESERVED.contains(&word)
}
