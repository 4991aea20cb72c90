//! Lowering of expressions: operator precedence, primaries, postfix operations, literals.
//!
//! The grammar gives an expression as a flat sequence `term (infix term)*`; precedence is
//! applied here by a Pratt-style table of binding powers, driven by an explicit operator
//! stack so that a very long chain (`1 + 1 + ... + 1`) costs no recursion. Expressions
//! deeper than [`MAX_EXPR_DEPTH`] are refused (E006), which keeps every later recursive
//! walk over the tree — checking, evaluation, dropping — within a small stack.

use super::{Lower, children};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, Span, Spanned};
use crate::syntax::ast::*;
use crate::syntax::grammar::Rule;
use pest::iterators::Pair;

/// Deepest expression tree accepted.
pub const MAX_EXPR_DEPTH: usize = 200;

/// Lowers an `expr` pair outside of a file (entry point for `expr_input`).
pub fn lower_expr_pair(file: FileId, p: Pair<Rule>, diags: &mut Diagnostics) -> Expr {
    Lower { file, diags }.lower_expr(p)
}

/// An operator waiting on the stack.
#[derive(Clone, Copy)]
enum Pending {
    Prefix(UnOp, Span),
    Infix(BinOp),
}

/// Binding power of an infix operator (higher binds tighter) and whether it is right-associative.
fn infix_power(op: BinOp) -> (u8, bool) {
    match op {
        BinOp::Arrow => (2, false),
        BinOp::Or => (4, false),
        BinOp::And => (6, false),
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne => (8, false),
        BinOp::Range => (10, false),
        BinOp::Add | BinOp::Sub => (12, false),
        BinOp::Mul | BinOp::Div => (14, false),
        BinOp::Pow => (16, true),
    }
}

fn prefix_power(op: UnOp) -> u8 {
    match op {
        UnOp::Not => 7,
        UnOp::Neg => 15,
    }
}

fn pending_power(p: Pending) -> u8 {
    match p {
        Pending::Prefix(op, _) => prefix_power(op),
        Pending::Infix(op) => infix_power(op).0,
    }
}

fn infix_op(rule: Rule) -> BinOp {
    match rule {
        Rule::arrow => BinOp::Arrow,
        Rule::range_op => BinOp::Range,
        Rule::or_op => BinOp::Or,
        Rule::and_op => BinOp::And,
        Rule::le => BinOp::Le,
        Rule::ge => BinOp::Ge,
        Rule::eq => BinOp::Eq,
        Rule::ne => BinOp::Ne,
        Rule::lt => BinOp::Lt,
        Rule::gt => BinOp::Gt,
        Rule::add => BinOp::Add,
        Rule::sub => BinOp::Sub,
        Rule::mul => BinOp::Mul,
        Rule::div => BinOp::Div,
        Rule::pow => BinOp::Pow,
        r => unreachable!("{r:?} is not an infix operator"),
    }
}

/// An expression under construction, with its depth.
struct Built {
    expr: Expr,
    depth: usize,
}

impl Lower<'_> {
    /// `expr`: terms joined by infix operators.
    pub fn lower_expr(&mut self, p: Pair<Rule>) -> Expr {
        self.lower_expr_depth(p).expr
    }

    fn lower_expr_depth(&mut self, p: Pair<Rule>) -> Built {
        let span = self.span(&p);
        let mut out: Vec<Built> = Vec::new();
        let mut ops: Vec<Pending> = Vec::new();
        let mut too_deep = false;
        for c in children(p) {
            match c.as_rule() {
                Rule::neg => ops.push(Pending::Prefix(UnOp::Neg, self.span(&c))),
                Rule::not_op => ops.push(Pending::Prefix(UnOp::Not, self.span(&c))),
                Rule::call_args | Rule::index | Rule::field => {
                    let base = out.pop().expect("postfix follows a primary");
                    let b = self.lower_postfix(base, c);
                    out.push(self.limit(b, &mut too_deep));
                }
                rule if is_infix(rule) => {
                    let op = infix_op(rule);
                    let (power, right) = infix_power(op);
                    while let Some(&top) = ops.last() {
                        let top_power = pending_power(top);
                        if top_power > power || (top_power == power && !right) {
                            ops.pop();
                            self.apply(top, &mut out, &mut too_deep);
                        } else {
                            break;
                        }
                    }
                    ops.push(Pending::Infix(op));
                }
                _ => {
                    let b = self.lower_primary(c);
                    out.push(self.limit(b, &mut too_deep));
                }
            }
        }
        while let Some(top) = ops.pop() {
            self.apply(top, &mut out, &mut too_deep);
        }
        let mut b = out.pop().expect("an expression has an operand");
        b.expr.span = b.expr.span.to(span);
        b
    }

    /// Pops operands for one operator and pushes the node it makes.
    fn apply(&mut self, op: Pending, out: &mut Vec<Built>, too_deep: &mut bool) {
        let b = match op {
            Pending::Prefix(op, at) => {
                let x = out.pop().expect("a prefix operator has an operand");
                let span = at.to(x.expr.span);
                Built {
                    depth: x.depth + 1,
                    expr: Spanned::new(ExprKind::Unary(op, Box::new(x.expr)), span),
                }
            }
            Pending::Infix(op) => {
                let r = out.pop().expect("an infix operator has a right operand");
                let l = out.pop().expect("an infix operator has a left operand");
                let span = l.expr.span.to(r.expr.span);
                Built {
                    depth: l.depth.max(r.depth) + 1,
                    expr: Spanned::new(
                        ExprKind::Binary(op, Box::new(l.expr), Box::new(r.expr)),
                        span,
                    ),
                }
            }
        };
        let b = self.limit(b, too_deep);
        out.push(b);
    }

    /// Replaces a too-deep tree by a placeholder, reporting it once per expression.
    fn limit(&mut self, b: Built, too_deep: &mut bool) -> Built {
        if b.depth <= MAX_EXPR_DEPTH {
            return b;
        }
        let span = b.expr.span;
        if !*too_deep {
            *too_deep = true;
            self.diags.push(
                Diagnostic::new(Code::E006, span, "expression nested too deeply")
                    .label(format!("more than {MAX_EXPR_DEPTH} levels of operators"))
                    .help("split it into named parts with `let`"),
            );
        }
        // The deep tree is dropped here: it is at most MAX_EXPR_DEPTH + 1 deep.
        Built {
            expr: Spanned::new(ExprKind::Invalid, span),
            depth: 1,
        }
    }

    fn lower_postfix(&mut self, base: Built, c: Pair<Rule>) -> Built {
        let span = base.expr.span.to(self.span(&c));
        match c.as_rule() {
            Rule::call_args => {
                let (args, d) = self.lower_call_args_depth(c);
                Built {
                    depth: base.depth.max(d) + 1,
                    expr: Spanned::new(ExprKind::Call(Box::new(base.expr), args), span),
                }
            }
            Rule::index => {
                let i = self.lower_index(c);
                Built {
                    depth: base.depth.max(i.depth) + 1,
                    expr: Spanned::new(
                        ExprKind::Index(Box::new(base.expr), Box::new(i.expr)),
                        span,
                    ),
                }
            }
            _ => {
                let name = self.lower_field(c);
                Built {
                    depth: base.depth + 1,
                    expr: Spanned::new(ExprKind::Field(Box::new(base.expr), name), span),
                }
            }
        }
    }

    fn lower_primary(&mut self, c: Pair<Rule>) -> Built {
        let span = self.span(&c);
        let leaf = |kind| Built {
            expr: Spanned::new(kind, span),
            depth: 1,
        };
        match c.as_rule() {
            Rule::quantity => leaf(self.lower_quantity(c)),
            Rule::string => {
                let s = self.lower_string(c);
                leaf(ExprKind::Str(s.node))
            }
            Rule::boolean => leaf(self.lower_boolean(c)),
            Rule::ident => leaf(ExprKind::Name(c.as_str().to_string())),
            Rule::paren => {
                let mut inner = self.lower_paren(c);
                inner.expr.span = span;
                inner.depth += 1;
                inner
            }
            Rule::list => self.lower_list(c),
            Rule::query => self.lower_query(c),
            r => unreachable!("{r:?} is not a primary"),
        }
    }

    /// `( expr )`
    fn lower_paren(&mut self, p: Pair<Rule>) -> Built {
        self.lower_expr_depth(children(p).next().expect("parentheses hold an expression"))
    }

    /// `[a, b, c]`
    fn lower_list(&mut self, p: Pair<Rule>) -> Built {
        let span = self.span(&p);
        let mut depth = 0;
        let items = children(p)
            .map(|c| {
                let b = self.lower_expr_depth(c);
                depth = depth.max(b.depth);
                b.expr
            })
            .collect();
        Built {
            expr: Spanned::new(ExprKind::List(items), span),
            depth: depth + 1,
        }
    }

    /// `(args)` as a list of arguments.
    pub fn lower_call_args(&mut self, p: Pair<Rule>) -> Vec<Arg> {
        self.lower_call_args_depth(p).0
    }

    fn lower_call_args_depth(&mut self, p: Pair<Rule>) -> (Vec<Arg>, usize) {
        let mut depth = 0;
        let args = children(p)
            .map(|a| {
                let (arg, d) = self.lower_arg(a);
                depth = depth.max(d);
                arg
            })
            .collect();
        (args, depth)
    }

    /// `[name =] value`
    fn lower_arg(&mut self, p: Pair<Rule>) -> (Arg, usize) {
        let mut name = None;
        let mut value = None;
        for c in children(p) {
            match c.as_rule() {
                Rule::word => name = Some(self.ident(c)),
                _ => value = Some(self.lower_expr_depth(c)),
            }
        }
        let value = value.expect("an argument has a value");
        (
            Arg {
                name,
                value: value.expr,
            },
            value.depth,
        )
    }

    /// `[i]`
    fn lower_index(&mut self, p: Pair<Rule>) -> Built {
        self.lower_expr_depth(children(p).next().expect("an index holds an expression"))
    }

    /// `.name`
    fn lower_field(&mut self, p: Pair<Rule>) -> crate::source::Ident {
        let w = children(p).next().expect("a field has a name");
        self.ident(w)
    }

    /// `[arm.] selector metric(args)`
    fn lower_query(&mut self, p: Pair<Rule>) -> Built {
        let span = self.span(&p);
        let mut arm = None;
        let mut selector = None;
        let mut metric = None;
        let mut args = Vec::new();
        let mut depth = 0;
        for c in children(p) {
            match c.as_rule() {
                Rule::ident if selector.is_none() => arm = Some(self.ident(c)),
                Rule::ident => metric = Some(self.ident(c)),
                Rule::selector => selector = Some(self.lower_selector(c)),
                Rule::call_args => (args, depth) = self.lower_call_args_depth(c),
                r => unreachable!("query holds no {r:?}"),
            }
        }
        let q = Query {
            arm,
            selector: selector.expect("a query has a selector"),
            metric: metric.expect("a query names a metric"),
            args,
        };
        Built {
            expr: Spanned::new(ExprKind::Query(Box::new(q)), span),
            depth: depth + 1,
        }
    }

    /// `final`, `initial`, `at "label"[i]`, `before phase[i]`, `after phase[i]`
    fn lower_selector(&mut self, p: Pair<Rule>) -> Spanned<Selector> {
        let span = self.span(&p);
        let inner = children(p).next().expect("a selector has one form");
        let rule = inner.as_rule();
        let mut parts = children(inner);
        let sel = match rule {
            Rule::sel_final => Selector::Final,
            Rule::sel_initial => Selector::Initial,
            Rule::sel_at => {
                let label = self.lower_string(parts.next().expect("at has a label"));
                let index = parts.next().map(|i| self.lower_index(i).expr);
                Selector::At { label, index }
            }
            Rule::sel_before | Rule::sel_after => {
                let phase = self.ident(parts.next().expect("before/after name a phase"));
                let index = parts.next().map(|i| self.lower_index(i).expr);
                if rule == Rule::sel_before {
                    Selector::Before { phase, index }
                } else {
                    Selector::After { phase, index }
                }
            }
            r => unreachable!("{r:?} is not a selector"),
        };
        Spanned::new(sel, span)
    }

    /// `100 ms`: a number and an optional unit word.
    pub fn lower_quantity(&mut self, p: Pair<Rule>) -> ExprKind {
        let mut it = p.into_inner();
        let num = it.next().expect("a quantity has a number");
        let unit = it.next().map(|u| self.ident(u));
        let text = num.as_str();
        let value: f64 = text.parse().unwrap_or(f64::INFINITY);
        if !value.is_finite() {
            self.diags.push(
                Diagnostic::new(
                    Code::E209,
                    self.span(&num),
                    format!("`{text}` is too large"),
                )
                .label("this number is not finite in 64-bit floating point")
                .help("numbers must lie within ±1.8e308"),
            );
            return ExprKind::Invalid;
        }
        ExprKind::Number { value, unit }
    }

    /// `"text"` with its escapes resolved.
    pub fn lower_string(&mut self, p: Pair<Rule>) -> Spanned<String> {
        let span = self.span(&p);
        let body = p.into_inner().next().expect("a string has a body");
        let raw = body.as_str();
        let base = body.as_span().start();
        let mut out = String::with_capacity(raw.len());
        let mut chars = raw.char_indices();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, '\\')) => out.push('\\'),
                Some((_, '"')) => out.push('"'),
                Some((j, other)) => {
                    let at = Span::new(self.file, base + i, base + j + other.len_utf8());
                    self.diags.push(
                        Diagnostic::new(Code::E007, at, format!("unknown escape `\\{other}`"))
                            .label("not an escape somnia knows")
                            .help("the escapes are `\\\"`, `\\\\`, `\\n` and `\\t`; paths use `/`"),
                    );
                }
                None => {}
            }
        }
        Spanned::new(out, span)
    }

    /// `true`, `false`, `on`, `off`
    pub fn lower_boolean(&mut self, p: Pair<Rule>) -> ExprKind {
        ExprKind::Bool(matches!(p.as_str(), "true" | "on"))
    }
}

fn is_infix(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        arrow
            | range_op
            | or_op
            | and_op
            | le
            | ge
            | eq
            | ne
            | lt
            | gt
            | add
            | sub
            | mul
            | div
            | pow
    )
}
