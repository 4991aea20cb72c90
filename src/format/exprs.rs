//! Expressions: one space around binary operators (none around `..`, nor in a fraction of
//! two plain numbers such as `1/255`), the user's own
//! parentheses kept (the tree says what they group, the text says where they were), numbers
//! and strings exactly as written, a unit one space after its number. A list or argument
//! list that the source opened with a line break gets one element per line.

use super::printer::Printer;
use crate::source::Span;
use crate::syntax::ast::{Arg, BinOp, Expr, ExprKind, Query, Selector, UnOp};

impl Printer<'_> {
    pub fn expr(&mut self, e: &Expr) {
        let (start, end) = (e.span.start as usize, e.span.end as usize);
        let (parens, start, end) = self.unwrap_parens(start, end);
        for &(open, _) in &parens {
            self.tok(open, "(");
        }
        self.expr_kind(&e.node, start, end);
        for &(_, close) in parens.iter().rev() {
            self.tok(close, ")");
        }
    }

    fn expr_kind(&mut self, kind: &ExprKind, start: usize, end: usize) {
        match kind {
            ExprKind::Number { unit, .. } => {
                let text = number_text(&self.src[start..end]).to_string();
                self.tok(start, &text);
                if let Some(u) = unit {
                    self.text(" ");
                    self.tok(u.span.start as usize, &u.node);
                }
            }
            ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::Invalid => {
                let text = self.src[start..end].to_string();
                self.tok(start, &text);
            }
            ExprKind::Name(n) => self.tok(start, n),
            ExprKind::List(items) => self.list(start, end - 1, items),
            ExprKind::Unary(op, x) => {
                self.tok(start, if *op == UnOp::Neg { "-" } else { "not " });
                self.expr(x);
            }
            ExprKind::Binary(op, l, r) => {
                self.expr(l);
                if *op == BinOp::Range || (*op == BinOp::Div && is_fraction(l, r)) {
                    self.text(op.symbol());
                } else {
                    self.text(&format!(" {} ", op.symbol()));
                }
                self.expr(r);
            }
            ExprKind::Call(callee, args) => {
                self.expr(callee);
                let open = self.after(callee.span, b'(');
                self.args(open, end - 1, args);
            }
            ExprKind::Index(base, i) => {
                self.expr(base);
                let open = self.after(base.span, b'[');
                self.tok(open, "[");
                self.expr(i);
                self.tok(end - 1, "]");
            }
            ExprKind::Field(base, name) => {
                self.expr(base);
                self.text(".");
                self.tok(name.span.start as usize, &name.node);
            }
            ExprKind::Query(q) => self.query(q, start, end),
        }
    }

    fn query(&mut self, q: &Query, start: usize, end: usize) {
        if let Some(arm) = &q.arm {
            self.tok(arm.span.start as usize, &arm.node);
            self.text(".");
        }
        let at = q.selector.span.start as usize;
        match &q.selector.node {
            Selector::Final => self.tok(at, "final"),
            Selector::Initial => self.tok(at, "initial"),
            Selector::At { label, index } => {
                self.tok(at, "at ");
                let text = self.slice(label.span).to_string();
                self.tok(label.span.start as usize, &text);
                self.index_opt(label.span, index.as_ref());
            }
            Selector::Before { phase, index } | Selector::After { phase, index } => {
                let word = if matches!(q.selector.node, Selector::Before { .. }) {
                    "before "
                } else {
                    "after "
                };
                self.tok(at, word);
                self.tok(phase.span.start as usize, &phase.node);
                self.index_opt(phase.span, index.as_ref());
            }
        }
        self.text(" ");
        self.tok(q.metric.span.start as usize, &q.metric.node);
        let open = self.after(q.metric.span, b'(');
        let _ = start;
        self.args(open, end - 1, &q.args);
    }

    fn index_opt(&mut self, after: Span, index: Option<&Expr>) {
        if let Some(i) = index {
            let open = self.after(after, b'[');
            self.tok(open, "[");
            self.expr(i);
            let close = self.close_of(open);
            self.tok(close, "]");
        }
    }

    /// `[a, b]`, or one element per line when the source broke the line after `[`.
    fn list(&mut self, open: usize, close: usize, items: &[Expr]) {
        let first = items.first().map_or(close, |e| e.span.start as usize);
        if !items.is_empty() && self.spans_lines(open, first) {
            self.open_block(open, first, "[");
            for e in items {
                self.line(e.span.start as usize);
                self.expr(e);
                self.text(",");
                self.end(e.span.end as usize);
            }
            self.close_block(close, "]");
        } else {
            self.tok(open, "[");
            for (i, e) in items.iter().enumerate() {
                if i > 0 {
                    self.text(", ");
                }
                self.expr(e);
            }
            self.tok(close, "]");
        }
    }

    /// `(a, name = b)` between the brackets at `open` and `close`, or one argument per line
    /// when the source broke the line after `(`.
    pub fn args(&mut self, open: usize, close: usize, args: &[Arg]) {
        let first = args.first().map_or(close, arg_start);
        if !args.is_empty() && self.spans_lines(open, first) {
            self.open_block(open, first, "(");
            for a in args {
                self.line(arg_start(a));
                self.arg(a);
                self.text(",");
                self.end(a.value.span.end as usize);
            }
            self.close_block(close, ")");
        } else {
            self.tok(open, "(");
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    self.text(", ");
                }
                self.arg(a);
            }
            self.tok(close, ")");
        }
    }

    fn arg(&mut self, a: &Arg) {
        if let Some(name) = &a.name {
            self.tok(name.span.start as usize, &name.node);
            self.text(" = ");
        }
        self.expr(&a.value);
    }

    pub fn slice(&self, span: Span) -> &str {
        &self.src[span.start as usize..span.end as usize]
    }

    /// The first `ch` in code after `span`.
    pub fn after(&self, span: Span, ch: u8) -> usize {
        super::comments::find_code_char(self.src, self.comments(), span.end as usize, ch)
            .expect("the parser saw this bracket")
    }

    /// The bracket that closes the one at `open`.
    pub fn close_of(&self, open: usize) -> usize {
        super::comments::matching_close(self.src, self.comments(), open)
            .expect("the parser saw this bracket closed")
    }

    /// The parentheses around `start..end` in the source, outermost first, and what is
    /// inside them.
    fn unwrap_parens(
        &self,
        mut start: usize,
        mut end: usize,
    ) -> (Vec<(usize, usize)>, usize, usize) {
        let mut parens = Vec::new();
        loop {
            let s = self.skip_forward(start, end);
            let e = self.skip_back(s, end);
            let bytes = self.src.as_bytes();
            if e > s + 1 && bytes[s] == b'(' && bytes[e - 1] == b')' && self.close_of(s) == e - 1 {
                parens.push((s, e - 1));
                start = s + 1;
                end = e - 1;
            } else {
                return (parens, s, e);
            }
        }
    }

    /// `from` moved past whitespace and comments.
    fn skip_forward(&self, mut from: usize, end: usize) -> usize {
        let cs = self.comments();
        loop {
            let trimmed =
                from + (self.src[from..end].len() - self.src[from..end].trim_start().len());
            match cs.binary_search_by_key(&trimmed, |c| c.start) {
                Ok(k) if cs[k].end <= end => from = cs[k].end,
                _ => return trimmed,
            }
        }
    }

    /// `end` moved back over whitespace and comments (not before `start`).
    fn skip_back(&self, start: usize, mut end: usize) -> usize {
        let cs = self.comments();
        loop {
            let trimmed = start + self.src[start..end].trim_end().len();
            match cs.binary_search_by_key(&trimmed, |c| c.end) {
                Ok(k) if cs[k].start >= start => end = cs[k].start,
                _ => return trimmed,
            }
        }
    }
}

/// `1/255`: a ratio of two plain numbers reads as one number, so it stays together.
fn is_fraction(l: &Expr, r: &Expr) -> bool {
    let plain = |e: &Expr| matches!(e.node, ExprKind::Number { unit: None, .. });
    plain(l) && plain(r)
}

fn arg_start(a: &Arg) -> usize {
    a.name.as_ref().map_or(a.value.span.start, |n| n.span.start) as usize
}

/// The number at the start of a quantity's text: `1.5e-3` of `1.5e-3 ms`.
fn number_text(text: &str) -> &str {
    let b = text.as_bytes();
    let digits = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let mut i = digits(0);
    if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
        i = digits(i + 1);
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            i = digits(j);
        }
    }
    &text[..i]
}
