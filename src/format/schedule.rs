//! Schedules: `schedule { … }` and its statements, loops with their bodies.

use super::body::Entry;
use super::printer::Printer;
use crate::source::Span;
use crate::syntax::ast::{Schedule, Stmt, StmtKind};

impl Entry for Schedule {
    fn bounds(&self) -> (usize, usize) {
        (self.span.start as usize, self.span.end as usize)
    }
    fn print(&self, p: &mut Printer) {
        let start = self.span.start as usize;
        p.tok(start, "schedule ");
        let open = super::comments::find_code_char(p.src, p.comments(), start, b'{')
            .expect("a schedule has a body");
        p.stmt_block(open, self.span, &self.body);
    }
}

impl Entry for Stmt {
    fn bounds(&self) -> (usize, usize) {
        (self.span.start as usize, self.span.end as usize)
    }
    fn print(&self, p: &mut Printer) {
        p.stmt(self);
    }
}

impl Printer<'_> {
    /// `{ statements }` opening at `open` and closing at the end of `whole`.
    fn stmt_block(&mut self, open: usize, whole: Span, body: &[Stmt]) {
        let entries: Vec<&Stmt> = body.iter().collect();
        self.braced(open, whole.end as usize - 1, &entries);
    }

    fn stmt(&mut self, s: &Stmt) {
        let start = s.span.start as usize;
        match &s.node {
            StmtKind::Call { name, args } => {
                self.qualified(name);
                if !args.is_empty() {
                    let last = name.last().expect("a call names a phase").span;
                    let open = self.after(last, b'(');
                    let close = self.close_of(open);
                    self.args(open, close, args);
                }
            }
            StmtKind::For {
                var,
                index,
                iter,
                body,
            } => {
                self.tok(start, "for ");
                self.tok(var.span.start as usize, &var.node);
                if let Some(k) = index {
                    self.text(", ");
                    self.tok(k.span.start as usize, &k.node);
                }
                self.text(" in ");
                self.expr(iter);
                self.text(" ");
                let open = self.after(iter.span, b'{');
                self.stmt_block(open, s.span, body);
            }
            StmtKind::Repeat { count, body } => {
                self.tok(start, "repeat ");
                self.expr(count);
                self.text(" ");
                let open = self.after(count.span, b'{');
                self.stmt_block(open, s.span, body);
            }
            StmtKind::Until { cond, max, body } => {
                self.tok(start, "until ");
                self.expr(cond);
                let mut last = cond.span;
                if let Some(m) = max {
                    self.text(" max ");
                    self.expr(m);
                    last = m.span;
                }
                self.text(" ");
                let open = self.after(last, b'{');
                self.stmt_block(open, s.span, body);
            }
            StmtKind::Measure { metrics, label } => {
                self.tok(start, "measure ");
                self.exprs(metrics);
                if let Some(l) = label {
                    self.text(" as ");
                    let text = self.slice(l.span).to_string();
                    self.tok(l.span.start as usize, &text);
                }
            }
            StmtKind::Checkpoint(name) | StmtKind::Restore(name) => {
                let word = if matches!(s.node, StmtKind::Checkpoint(_)) {
                    "checkpoint "
                } else {
                    "restore "
                };
                self.tok(start, word);
                let text = self.slice(name.span).to_string();
                self.tok(name.span.start as usize, &text);
            }
        }
    }
}
