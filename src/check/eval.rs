//! The evaluator: expressions → values, with every error reported and evaluation carrying
//! on (a wrong sub-expression becomes [`Value::Unknown`] so one mistake is reported once).
//!
//! One evaluator serves both checking (phase parameters unknown) and planning (everything
//! concrete, lets possibly overridden by a derived protocol or `--set`).

pub use super::builtin_values::{builtin_for, kinds_of};
pub use super::definitions::walk_names;
use super::program::{ItemId, Program};
use super::value::{Projection, TaskList, TaskRef, Value};
use crate::builtins::{self, Kind, Ty};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::{Ident, Span};
use crate::syntax::ast::{self, BinOp, Expr, ExprKind, Item, UnOp};
use crate::units::{self, Dim};
use std::collections::{BTreeMap, HashMap, HashSet};

/// What a network member name means once the protocol's network is known.
#[derive(Debug, Clone)]
pub enum Member {
    Population { size: Option<u64> },
    Projection(Projection),
}

#[derive(Debug, Clone)]
pub(super) enum LetState {
    InProgress,
    Done(Value),
}

/// An evaluator over one program.
pub struct Eval<'p, 'd> {
    pub prog: &'p Program,
    pub diags: &'d mut Diagnostics,
    /// The module whose names are in scope.
    pub module: usize,
    /// Phase parameters, loop variables and `seen`, innermost last.
    pub locals: Vec<(String, Value)>,
    /// `with { name = expr }` overrides: the expression and the module it was written in.
    pub let_overrides: HashMap<ItemId, (usize, &'p Expr)>,
    /// `--set name=value` overrides, already evaluated.
    pub set_overrides: HashMap<ItemId, Value>,
    /// `with { rule = spec }` overrides.
    pub rule_overrides: HashMap<ItemId, (usize, &'p ast::Value)>,
    /// The protocol's network members; `None` while checking definitions.
    pub network: Option<HashMap<String, Member>>,
    /// Items referenced so far (for the unused-definition lint).
    pub used: HashSet<ItemId>,
    pub(super) lets: HashMap<ItemId, LetState>,
    pub(super) items: HashMap<ItemId, Value>,
    /// Definitions being evaluated (for E110).
    pub(super) defining: HashSet<ItemId>,
    pub(super) task_counts: HashMap<ItemId, usize>,
}

impl<'p, 'd> Eval<'p, 'd> {
    pub fn new(prog: &'p Program, diags: &'d mut Diagnostics) -> Self {
        Eval {
            prog,
            diags,
            module: 0,
            locals: Vec::new(),
            let_overrides: HashMap::new(),
            set_overrides: HashMap::new(),
            rule_overrides: HashMap::new(),
            network: None,
            used: HashSet::new(),
            lets: HashMap::new(),
            items: HashMap::new(),
            defining: HashSet::new(),
            task_counts: HashMap::new(),
        }
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Runs `f` with the names of `module` in scope and no locals (for evaluating an item).
    pub fn in_module<T>(&mut self, module: usize, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved_module = std::mem::replace(&mut self.module, module);
        let saved_locals = std::mem::take(&mut self.locals);
        let out = f(self);
        self.module = saved_module;
        self.locals = saved_locals;
        out
    }

    /// Evaluates an expression.
    pub fn eval(&mut self, e: &Expr) -> Value {
        self.eval_want(e, None)
    }

    /// Evaluates an expression whose expected type helps resolve bare words (`loss mse`)
    /// and built-ins that share a name across kinds (`weight_noise`).
    pub fn eval_want(&mut self, e: &Expr, want: Option<&Ty>) -> Value {
        match &e.node {
            ExprKind::Number { value, unit } => self.eval_number(*value, unit.as_ref()),
            ExprKind::Str(s) => Value::Str(s.clone()),
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::Name(n) => self.eval_name(n, e.span, want),
            ExprKind::List(items) => {
                let elem = match want {
                    Some(Ty::List(t)) => Some(*t),
                    _ => None,
                };
                Value::List(items.iter().map(|i| self.eval_want(i, elem)).collect())
            }
            ExprKind::Unary(op, x) => {
                let v = self.eval(x);
                self.unary(*op, v, e.span)
            }
            ExprKind::Binary(op, l, r) => self.eval_binary(*op, l, r, e.span),
            ExprKind::Call(callee, args) => self.eval_call(callee, args, e.span, want),
            ExprKind::Index(base, idx) => {
                let b = self.eval(base);
                let i = self.eval(idx);
                self.index(b, i, base.span, idx.span)
            }
            ExprKind::Field(base, field) => self.eval_field(base, field, want),
            ExprKind::Invalid => Value::Unknown(want.copied().unwrap_or(Ty::AnyNum)),
            ExprKind::Query(q) => {
                self.push(
                    Diagnostic::new(
                        Code::E103,
                        e.span,
                        "outcome values are only read in expectations",
                    )
                    .label(format!("`{}` reads the outcome of a run", q.metric.node))
                    .help("use this in an `expect` line of a protocol, `compare` or `sweep`"),
                );
                Value::Unknown(Ty::AnyNum)
            }
        }
    }

    fn eval_number(&mut self, value: f64, unit: Option<&Ident>) -> Value {
        let Some(u) = unit else {
            return Value::Num(value, Dim::NONE);
        };
        match units::lookup(&u.node) {
            Some(def) => Value::Num(value * def.factor, def.dim),
            None => {
                let d = Diagnostic::new(Code::E201, u.span, format!("unknown unit `{}`", u.node))
                    .label("not a unit somnia knows")
                    .help(super::unit_help::unknown_unit_help(&u.node))
                    .maybe_suggest(super::unit_help::unit_meant(&u.node).map(|(unit, help)| {
                        crate::diagnostics::Suggestion {
                            message: help,
                            original: u.node.clone(),
                            replacement: unit.to_string(),
                            span: u.span,
                        }
                    }));
                self.push(d);
                Value::Unknown(Ty::AnyNum)
            }
        }
    }

    /// The value of a local, if one has this name.
    pub fn local(&self, name: &str) -> Option<&Value> {
        self.locals
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    fn eval_name(&mut self, name: &str, span: Span, want: Option<&Ty>) -> Value {
        if let Some(v) = self.local(name) {
            return v.clone();
        }
        if let Some(words) = want.map(Ty::symbols)
            && words.contains(&name)
        {
            return Value::Symbol(name.to_string());
        }
        if let Some(id) = self.prog.lookup(self.module, name) {
            self.used.insert(id);
            return self.item_value(id, span);
        }
        if let Some(v) = self.member(name) {
            return v;
        }
        if let Some(b) = builtin_for(name, want) {
            return self.bind_builtin(b, &[], None, span);
        }
        if self.prog.aliases[self.module].contains_key(name) {
            self.push(
                Diagnostic::new(Code::E103, span, format!("`{name}` names an imported file"))
                    .label("not a value")
                    .help(format!(
                        "write `{name}.something` to use a name from that file"
                    )),
            );
            return Value::Unknown(Ty::AnyNum);
        }
        let want_symbols = want.map(Ty::symbols).unwrap_or_default();
        if !want_symbols.is_empty() {
            self.push(
                Diagnostic::new(Code::E213, span, format!("unknown option `{name}`"))
                    .label(format!(
                        "expected {}",
                        want.map(Ty::describe).unwrap_or_default()
                    ))
                    .suggest_name(name, span, want_symbols.iter().copied()),
            );
            return Value::Unknown(want.copied().unwrap_or(Ty::AnyNum));
        }
        self.undefined(name, span, want);
        Value::Unknown(want.copied().unwrap_or(Ty::AnyNum))
    }

    /// Reports an undefined name with the most useful help.
    pub fn undefined(&mut self, name: &str, span: Span, want: Option<&Ty>) {
        if units::lookup(name).is_some() {
            self.push(
                Diagnostic::new(Code::E203, span, format!("`{name}` is a unit, not a value"))
                    .label("a unit must follow a number")
                    .help(format!("write `1 {name}`")),
            );
            return;
        }
        let wants_member = want.is_some_and(|t| {
            matches!(t, Ty::Population | Ty::Projection)
                || matches!(t, Ty::OneOf(ts) if ts.iter().any(|t| matches!(t, Ty::Population | Ty::Projection)))
        });
        if wants_member {
            let members = self.member_names();
            self.push(
                Diagnostic::new(Code::E111, span, format!("`{name}` is not a population or projection of the network"))
                    .label("unknown population")
                    .suggest_name(name, span, members.iter().map(String::as_str))
                    .help_if_none(
                        "populations are declared with `input`, `layer` or `output`; projections are named with `connect a -> b as name`",
                    ),
            );
            return;
        }
        let mut d = Diagnostic::new(Code::E101, span, format!("`{name}` is not defined"))
            .label("not defined here");
        if name == "seen" {
            d = d.help(
                "`seen` (the tasks trained so far) exists only in schedules and phase bodies",
            );
        } else {
            let locals: Vec<&str> = self.locals.iter().map(|(n, _)| n.as_str()).collect();
            let kinds: Vec<Kind> = match want {
                Some(Ty::Builtin(k) | Ty::BuiltinOf(k, _)) => vec![*k],
                _ => Vec::new(),
            };
            let builtin_names: Vec<&str> = builtins::all()
                .filter(|b| kinds.is_empty() || kinds.contains(&b.kind))
                .map(|b| b.name)
                .collect();
            let members = self.member_names();
            let candidates = locals
                .into_iter()
                .chain(self.prog.visible_names(self.module))
                .chain(members.iter().map(String::as_str))
                .chain(builtin_names)
                .chain(["seen"]);
            d = d.suggest_name(name, span, candidates);
            if d.help.is_none()
                && let Some(path) = self.prog.failed_imports[self.module].first()
            {
                d = d.help(format!("`{path}` could not be imported (E104); if it defines `{name}`, fix that import first"));
            }
        }
        self.push(d);
    }

    fn member_names(&self) -> Vec<String> {
        match &self.network {
            Some(m) => m.keys().cloned().collect(),
            None => self
                .prog
                .networks()
                .flat_map(|(_, n)| {
                    n.populations.iter().map(|p| p.name.node.clone()).chain(
                        n.connects
                            .iter()
                            .filter_map(|c| c.alias.as_ref().map(|a| a.node.clone())),
                    )
                })
                .collect(),
        }
    }

    /// A population or named projection of the network in scope (any network while checking).
    fn member(&self, name: &str) -> Option<Value> {
        match &self.network {
            Some(members) => match members.get(name)? {
                Member::Population { .. } => Some(Value::Population(name.to_string())),
                Member::Projection(p) => Some(Value::Projection(p.clone())),
            },
            None => {
                for (_, n) in self.prog.networks() {
                    if n.populations.iter().any(|p| p.name.node == name) {
                        return Some(Value::Population(name.to_string()));
                    }
                    if let Some(c) = n
                        .connects
                        .iter()
                        .find(|c| c.alias.as_ref().is_some_and(|a| a.node == name))
                        && c.chain.len() == 2
                    {
                        return Some(Value::Projection(Projection {
                            from: c.chain[0].node.clone(),
                            to: c.chain[1].node.clone(),
                            name: Some(name.to_string()),
                        }));
                    }
                }
                None
            }
        }
    }

    fn eval_call(
        &mut self,
        callee: &Expr,
        args: &[ast::Arg],
        span: Span,
        want: Option<&Ty>,
    ) -> Value {
        let (module, name, name_span) = match &callee.node {
            ExprKind::Name(n) => (self.module, n.clone(), callee.span),
            ExprKind::Field(base, field) => match &base.node {
                ExprKind::Name(alias) if self.prog.aliases[self.module].contains_key(alias) => (
                    self.prog.aliases[self.module][alias],
                    field.node.clone(),
                    field.span,
                ),
                _ => {
                    self.push(
                        Diagnostic::new(Code::E204, callee.span, "this cannot be called")
                            .label("not a function or built-in"),
                    );
                    return Value::Unknown(Ty::AnyNum);
                }
            },
            _ => {
                self.push(
                    Diagnostic::new(Code::E204, callee.span, "this cannot be called")
                        .label("not a function or built-in"),
                );
                return Value::Unknown(Ty::AnyNum);
            }
        };
        if self.local(&name).is_none()
            && let Some(id) = self.prog.lookup(module, &name)
        {
            self.used.insert(id);
            let item = self.prog.item(id);
            let help = match item {
                Item::Phase(_) => "phases are called as statements of a schedule",
                _ => "only built-ins take arguments",
            };
            self.push(
                Diagnostic::new(
                    Code::E103,
                    name_span,
                    format!("`{name}` is a {}, not a function", item.kind_word()),
                )
                .label("called here")
                .secondary(self.prog.name_span(id), "defined here")
                .help(help),
            );
            return Value::Unknown(want.copied().unwrap_or(Ty::AnyNum));
        }
        let want_ty = want.copied().unwrap_or(Ty::AnyNum);
        match builtin_for(&name, want) {
            Some(b) if b.kind == Kind::Function => self.call_function(b, args, span),
            Some(b) => self.bind_builtin(b, args, None, span),
            None => {
                self.unknown_builtin(&name, name_span, &want_ty);
                for a in args {
                    self.eval(&a.value);
                }
                Value::Unknown(want_ty)
            }
        }
    }

    fn eval_field(&mut self, base: &Expr, field: &Ident, want: Option<&Ty>) -> Value {
        if let ExprKind::Name(alias) = &base.node
            && self.local(alias).is_none()
            && let Some(&m) = self.prog.aliases[self.module].get(alias)
        {
            return match self.prog.lookup(m, &field.node) {
                Some(id) => {
                    self.used.insert(id);
                    self.in_module(m, |ev| ev.item_value(id, field.span))
                }
                None => {
                    let names: Vec<&str> = self.prog.names[m].keys().map(String::as_str).collect();
                    self.push(
                        Diagnostic::new(
                            Code::E101,
                            field.span,
                            format!("`{alias}` has no `{}`", field.node),
                        )
                        .label("not defined in the imported file")
                        .suggest_name(&field.node, field.span, names),
                    );
                    Value::Unknown(want.copied().unwrap_or(Ty::AnyNum))
                }
            };
        }
        let b = self.eval(base);
        match (&b, field.node.as_str()) {
            (Value::Tasks(_), "train" | "test") => b,
            (Value::Tasks(_), "classes") => Value::Unknown(Ty::List(&Ty::Num(Dim::NONE))),
            (Value::Unknown(_), _) => Value::Unknown(want.copied().unwrap_or(Ty::AnyNum)),
            _ => {
                let fields: &[&str] = if matches!(b, Value::Tasks(_)) {
                    &["train", "test", "classes"]
                } else {
                    &[]
                };
                self.push(
                    Diagnostic::new(
                        Code::E107,
                        field.span,
                        format!("{} has no field `{}`", b.describe(), field.node),
                    )
                    .label("unknown field")
                    .suggest_name(
                        &field.node,
                        field.span,
                        fields.iter().copied(),
                    ),
                );
                Value::Unknown(want.copied().unwrap_or(Ty::AnyNum))
            }
        }
    }

    fn unary(&mut self, op: UnOp, v: Value, span: Span) -> Value {
        match (op, v) {
            (UnOp::Neg, Value::Num(x, d)) => Value::Num(-x, d),
            (UnOp::Neg, Value::List(xs)) => {
                let items = xs
                    .into_iter()
                    .map(|x| self.unary(UnOp::Neg, x, span))
                    .collect();
                Value::List(items)
            }
            (UnOp::Not, Value::Bool(b)) => Value::Bool(!b),
            (_, Value::Unknown(t)) => Value::Unknown(t),
            (op, v) => {
                let (what, want) = match op {
                    UnOp::Neg => ("negate", "a number"),
                    UnOp::Not => ("apply `not` to", "`true` or `false`"),
                };
                self.push(
                    Diagnostic::new(Code::E204, span, format!("cannot {what} {}", v.describe()))
                        .label(format!("expected {want}")),
                );
                Value::Unknown(Ty::AnyNum)
            }
        }
    }

    fn eval_binary(&mut self, op: BinOp, l: &Expr, r: &Expr, span: Span) -> Value {
        let lv = self.eval(l);
        let rv = self.eval(r);
        super::arith::binary(self, op, lv, rv, l.span, r.span, span)
    }

    fn index(&mut self, base: Value, idx: Value, base_span: Span, idx_span: Span) -> Value {
        let len = match &base {
            Value::Tasks(t) => t.tasks.len(),
            Value::List(xs) => xs.len(),
            Value::Range(a, b) => (b - a + 1).max(0) as usize,
            Value::Unknown(Ty::Tasks) | Value::Unknown(Ty::Task) => {
                return Value::Unknown(Ty::Task);
            }
            Value::Unknown(_) => return Value::Unknown(Ty::AnyNum),
            other => {
                self.push(
                    Diagnostic::new(
                        Code::E204,
                        base_span,
                        format!("cannot index {}", other.describe()),
                    )
                    .label("only lists, ranges and task lists have elements"),
                );
                return Value::Unknown(Ty::AnyNum);
            }
        };
        let i = match idx {
            Value::Num(x, d) if d.is_none() && x.fract() == 0.0 => x,
            Value::Unknown(_) => {
                return match base {
                    Value::Tasks(_) => Value::Unknown(Ty::Task),
                    _ => Value::Unknown(Ty::AnyNum),
                };
            }
            other => {
                self.push(
                    Diagnostic::new(
                        Code::E204,
                        idx_span,
                        format!("an index must be a whole number, not {}", other.describe()),
                    )
                    .label("not a whole number"),
                );
                return Value::Unknown(Ty::AnyNum);
            }
        };
        if i < 0.0 || i as usize >= len {
            self.push(
                Diagnostic::new(
                    Code::E214,
                    idx_span,
                    format!("index {} is out of range", units::format_number(i)),
                )
                .label({
                    let what = if matches!(base, Value::Tasks(_)) {
                        "task"
                    } else {
                        "element"
                    };
                    format!(
                        "there {} {len} {what}{}",
                        if len == 1 { "is" } else { "are" },
                        if len == 1 { "" } else { "s" }
                    )
                })
                .help("indices start at 0"),
            );
            return match base {
                Value::Tasks(_) => Value::Unknown(Ty::Task),
                _ => Value::Unknown(Ty::AnyNum),
            };
        }
        let i = i as usize;
        match base {
            Value::Tasks(t) => Value::Tasks(TaskList {
                tasks: vec![t.tasks[i]],
                single: true,
            }),
            Value::List(mut xs) => xs.swap_remove(i),
            Value::Range(a, _) => Value::Num((a + i as i64) as f64, Dim::NONE),
            _ => Value::Unknown(Ty::AnyNum),
        }
    }

    /// Marks every item referenced by name in the text of an expression as used, without
    /// evaluating it (for expectations, read only after a run).
    pub fn touch(&mut self, e: &Expr) {
        walk_names(e, &mut |n| {
            if let Some(id) = self.prog.lookup(self.module, n) {
                self.used.insert(id);
            }
        });
    }

    /// The names of the network members while planning, for `on` targets and metrics.
    pub fn members(&self) -> Option<&HashMap<String, Member>> {
        self.network.as_ref()
    }

    /// Which tasks list an id names, for plan output.
    pub fn task_key(&self, t: TaskRef) -> String {
        format!("{}[{}]", self.prog.name_of(t.set), t.index)
    }

    /// Keys of task lists, in order.
    pub fn task_group_key(&mut self, tasks: &[TaskRef]) -> String {
        let mut sets: BTreeMap<ItemId, Vec<usize>> = BTreeMap::new();
        for t in tasks {
            sets.entry(t.set).or_default().push(t.index);
        }
        let mut parts = Vec::new();
        for (set, mut idx) in sets {
            idx.sort_unstable();
            idx.dedup();
            let name = self.prog.name_of(set).to_string();
            if idx.len() == self.task_count(set) {
                parts.push(name);
            } else {
                let list: Vec<String> = idx.iter().map(usize::to_string).collect();
                parts.push(format!("{name}[{}]", list.join(",")));
            }
        }
        parts.join("+")
    }
}
