//! Lowering of schedules and their statements.

use super::{Lower, children};
use crate::source::Spanned;
use crate::syntax::ast::*;
use crate::syntax::grammar::Rule;
use pest::iterators::Pair;

impl Lower<'_> {
    /// `schedule { ... }`
    pub fn lower_schedule(&mut self, p: Pair<Rule>) -> Schedule {
        let span = self.span(&p);
        let body = self.lower_stmt_block(children(p).next().expect("schedule has a block"));
        Schedule { body, span }
    }

    /// `{ statements }`
    pub fn lower_stmt_block(&mut self, p: Pair<Rule>) -> Vec<Stmt> {
        children(p).map(|c| self.lower_stmt(c)).collect()
    }

    fn lower_stmt(&mut self, p: Pair<Rule>) -> Stmt {
        match p.as_rule() {
            Rule::for_stmt => self.lower_for_stmt(p),
            Rule::repeat_stmt => self.lower_repeat_stmt(p),
            Rule::until_stmt => self.lower_until_stmt(p),
            Rule::measure => self.lower_measure(p),
            Rule::checkpoint => self.lower_checkpoint(p),
            Rule::restore => self.lower_restore(p),
            Rule::call_stmt => self.lower_call_stmt(p),
            r => unreachable!("schedule holds no {r:?}"),
        }
    }

    /// `for var[, index] in iter { body }`
    pub fn lower_for_stmt(&mut self, p: Pair<Rule>) -> Stmt {
        let span = self.span(&p);
        let mut names = Vec::new();
        let mut iter = None;
        let mut body = Vec::new();
        for c in children(p) {
            match c.as_rule() {
                Rule::ident => names.push(self.ident(c)),
                Rule::expr => iter = Some(self.lower_expr(c)),
                Rule::stmt_block => body = self.lower_stmt_block(c),
                r => unreachable!("for holds no {r:?}"),
            }
        }
        let mut names = names.into_iter();
        let var = names.next().expect("for has a variable");
        let kind = StmtKind::For {
            var,
            index: names.next(),
            iter: iter.expect("for has a list"),
            body,
        };
        Spanned::new(kind, span)
    }

    /// `repeat n { body }`
    pub fn lower_repeat_stmt(&mut self, p: Pair<Rule>) -> Stmt {
        let span = self.span(&p);
        let mut it = children(p);
        let count = self.lower_expr(it.next().expect("repeat has a count"));
        let body = self.lower_stmt_block(it.next().expect("repeat has a body"));
        Spanned::new(StmtKind::Repeat { count, body }, span)
    }

    /// `until cond [max n] { body }`
    pub fn lower_until_stmt(&mut self, p: Pair<Rule>) -> Stmt {
        let span = self.span(&p);
        let mut cond = None;
        let mut max = None;
        let mut body = Vec::new();
        for c in children(p) {
            match c.as_rule() {
                Rule::expr => cond = Some(self.lower_expr(c)),
                Rule::max_bound => max = Some(self.lower_max_bound(c)),
                Rule::stmt_block => body = self.lower_stmt_block(c),
                r => unreachable!("until holds no {r:?}"),
            }
        }
        let kind = StmtKind::Until {
            cond: cond.expect("until has a condition"),
            max,
            body,
        };
        Spanned::new(kind, span)
    }

    /// `max n`
    pub fn lower_max_bound(&mut self, p: Pair<Rule>) -> Expr {
        self.lower_expr(children(p).next().expect("max has a bound"))
    }

    /// `measure metrics [as "label"]`
    pub fn lower_measure(&mut self, p: Pair<Rule>) -> Stmt {
        let span = self.span(&p);
        let mut metrics = Vec::new();
        let mut label = None;
        for c in children(p) {
            match c.as_rule() {
                Rule::expr => metrics.push(self.lower_expr(c)),
                Rule::string => label = Some(self.lower_string(c)),
                r => unreachable!("measure holds no {r:?}"),
            }
        }
        Spanned::new(StmtKind::Measure { metrics, label }, span)
    }

    /// `checkpoint "name"`
    pub fn lower_checkpoint(&mut self, p: Pair<Rule>) -> Stmt {
        let span = self.span(&p);
        let name = self.lower_string(children(p).next().expect("checkpoint has a name"));
        Spanned::new(StmtKind::Checkpoint(name), span)
    }

    /// `restore "name"`
    pub fn lower_restore(&mut self, p: Pair<Rule>) -> Stmt {
        let span = self.span(&p);
        let name = self.lower_string(children(p).next().expect("restore has a name"));
        Spanned::new(StmtKind::Restore(name), span)
    }

    /// `phase(args)` or `phase`
    pub fn lower_call_stmt(&mut self, p: Pair<Rule>) -> Stmt {
        let span = self.span(&p);
        let mut it = children(p);
        let name = self.lower_qualified(it.next().expect("call has a name"));
        let args = it
            .next()
            .map(|a| self.lower_call_args(a))
            .unwrap_or_default();
        Spanned::new(StmtKind::Call { name, args }, span)
    }
}
