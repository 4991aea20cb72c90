//! Braces and what goes between them: settings blocks, and the bodies of networks,
//! protocols, schedules and loops.
//!
//! A block the source wrote on one line stays on one line (`{ lr 0.1; momentum 0.5 }`);
//! otherwise it gets a line per group, where a group is what the source put on one line
//! (`tau 10 ms; rest -60 mV`), joined by `; `. So the formatter keeps the author's grouping
//! of parameters and only normalises spacing, like gofmt, it never wraps a long line.

use super::printer::Printer;
use crate::syntax::ast::{Block, Setting, Spec, Value};

/// Something that takes a line (or a place in a group) inside braces.
pub trait Entry {
    /// Where it starts and ends in the source.
    fn bounds(&self) -> (usize, usize);
    fn print(&self, p: &mut Printer);
}

impl Entry for Setting {
    fn bounds(&self) -> (usize, usize) {
        (self.span.start as usize, self.span.end as usize)
    }
    fn print(&self, p: &mut Printer) {
        p.setting(self);
    }
}

impl Printer<'_> {
    /// `{ entries }` between the braces at `open` and `close`.
    pub fn braced<E: Entry + ?Sized>(&mut self, open: usize, close: usize, entries: &[&E]) {
        let comments = self.has_comment_in(open + 1, close);
        if entries.is_empty() && !comments {
            self.tok(open, "{}");
            return;
        }
        if !self.spans_lines(open, close) && !comments {
            self.tok(open, "{ ");
            for (i, e) in entries.iter().enumerate() {
                if i > 0 {
                    self.text("; ");
                }
                e.print(self);
            }
            self.text(" }");
            return;
        }
        let first = entries.first().map_or(close, |e| e.bounds().0);
        self.open_block(open, first, "{");
        self.grouped(entries);
        self.close_block(close, "}");
    }

    /// Entries a line each, or joined by `; ` where the source had them on one line.
    pub fn grouped<E: Entry + ?Sized>(&mut self, entries: &[&E]) {
        let mut prev_end = None;
        for e in entries {
            let (start, end) = e.bounds();
            match prev_end {
                Some(p) if !self.spans_lines(p, start) && !self.has_comment_in(p, start) => {
                    self.text("; ");
                }
                Some(p) => {
                    self.end(p);
                    self.line(start);
                }
                None => self.line(start),
            }
            e.print(self);
            prev_end = Some(end);
        }
        if let Some(p) = prev_end {
            self.end(p);
        }
    }

    pub fn block(&mut self, b: &Block) {
        let entries: Vec<&Setting> = b.settings.iter().collect();
        self.braced(b.span.start as usize, b.span.end as usize - 1, &entries);
    }

    /// `name [by] value, value [on a, b] [window w x h]`
    pub fn setting(&mut self, s: &Setting) {
        self.tok(s.name.span.start as usize, &s.name.node);
        if s.by {
            self.text(" by");
        }
        for (i, v) in s.values.iter().enumerate() {
            self.text(if i == 0 { " " } else { ", " });
            self.value(v);
        }
        if let Some(on) = &s.on {
            self.text(" on ");
            self.exprs(&on.node);
        }
        if let Some(w) = &s.window {
            self.text(" window ");
            self.expr(&w.node.0);
            self.text(" x ");
            self.expr(&w.node.1);
        }
    }

    /// Expressions separated by `, `.
    pub fn exprs(&mut self, es: &[crate::syntax::ast::Expr]) {
        for (i, e) in es.iter().enumerate() {
            if i > 0 {
                self.text(", ");
            }
            self.expr(e);
        }
    }

    pub fn value(&mut self, v: &Value) {
        match v {
            Value::Expr(e) => self.expr(e),
            Value::Spec(s) => self.spec(s),
        }
    }

    /// `name(args) { settings }`
    pub fn spec(&mut self, s: &Spec) {
        self.qualified(&s.name);
        if let Some(args) = &s.args {
            let last = s.name.last().expect("a spec has a name").span;
            let open = self.after(last, b'(');
            let close = self.close_of(open);
            self.args(open, close, args);
        }
        self.text(" ");
        self.block(&s.block);
    }

    /// `a.b.c`
    pub fn qualified(&mut self, name: &[crate::source::Ident]) {
        for (i, part) in name.iter().enumerate() {
            if i > 0 {
                self.text(".");
            }
            self.tok(part.span.start as usize, &part.node);
        }
    }
}
