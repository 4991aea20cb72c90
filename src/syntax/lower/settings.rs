//! Lowering of settings blocks, specs and their clauses.

use super::{Lower, children};
use crate::source::{Ident, Spanned};
use crate::syntax::ast::*;
use crate::syntax::grammar::Rule;
use pest::iterators::Pair;

impl Lower<'_> {
    /// A `spec` or an `expr` in a value position.
    pub fn lower_value(&mut self, p: Pair<Rule>) -> Value {
        match p.as_rule() {
            Rule::spec => Value::Spec(self.lower_spec(p)),
            _ => Value::Expr(self.lower_expr(p)),
        }
    }

    /// `name(args) { settings }`
    pub fn lower_spec(&mut self, p: Pair<Rule>) -> Spec {
        let span = self.span(&p);
        let mut name = Vec::new();
        let mut args = None;
        let mut block = None;
        for c in children(p) {
            match c.as_rule() {
                Rule::qualified => name = self.lower_qualified(c),
                Rule::call_args => args = Some(self.lower_call_args(c)),
                Rule::block => block = Some(self.lower_block(c)),
                r => unreachable!("spec holds no {r:?}"),
            }
        }
        Spec {
            name,
            args,
            block: block.expect("spec has a block"),
            span,
        }
    }

    /// `{ setting; ... }`
    pub fn lower_block(&mut self, p: Pair<Rule>) -> Block {
        let span = self.span(&p);
        let settings = children(p).map(|c| self.lower_setting(c)).collect();
        Block { settings, span }
    }

    /// `name [by] values [on targets] [window a x b]`
    pub fn lower_setting(&mut self, p: Pair<Rule>) -> Setting {
        let span = self.span(&p);
        let mut it = children(p);
        let name = self.ident(it.next().expect("setting has a name"));
        let mut setting = Setting {
            name,
            by: false,
            values: Vec::new(),
            on: None,
            window: None,
            span,
        };
        for c in it {
            match c.as_rule() {
                Rule::by_kw => setting.by = true,
                Rule::on_clause => setting.on = Some(self.lower_on_clause(c)),
                Rule::window_clause => setting.window = Some(self.lower_window_clause(c)),
                _ => setting.values.push(self.lower_value(c)),
            }
        }
        setting
    }

    /// `on a, b`
    pub fn lower_on_clause(&mut self, p: Pair<Rule>) -> Spanned<Vec<Expr>> {
        let span = self.span(&p);
        let targets = children(p).map(|c| self.lower_expr(c)).collect();
        Spanned::new(targets, span)
    }

    /// `window a x b`
    pub fn lower_window_clause(&mut self, p: Pair<Rule>) -> Spanned<(Expr, Expr)> {
        let span = self.span(&p);
        let mut it = children(p);
        let w = self.lower_expr(it.next().expect("window has a width"));
        let h = self.lower_expr(it.next().expect("window has a height"));
        Spanned::new((w, h), span)
    }

    /// `a.b.c`
    pub fn lower_qualified(&mut self, p: Pair<Rule>) -> Vec<Ident> {
        children(p).map(|c| self.ident(c)).collect()
    }
}
