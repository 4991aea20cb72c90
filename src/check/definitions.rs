//! Definitions as values: items (`let`, datasets, task lists, rules, phases…) evaluated
//! once and remembered, overridden lets, and the qualified names of imports.

use super::eval::*;
use super::program::ItemId;
use super::value::{TaskList, TaskRef, Value};
use crate::builtins::{Kind, Ty};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{Ident, Span};
use crate::syntax::ast::{self, Expr, ExprKind, Item};
use std::rc::Rc;

impl Eval<'_, '_> {
    /// The value an item name stands for.
    pub fn item_value(&mut self, id: ItemId, span: Span) -> Value {
        match self.prog.item(id) {
            Item::Let(_) => self.let_value(id, span),
            Item::Dataset(_) => {
                self.definition_value(id);
                Value::Dataset(id)
            }
            Item::Environment(_) => {
                self.definition_value(id);
                Value::Environment(id)
            }
            Item::Tasks(_) => {
                let n = self.task_count(id);
                Value::Tasks(TaskList {
                    tasks: (0..n).map(|index| TaskRef { set: id, index }).collect(),
                    single: false,
                })
            }
            Item::Rule(_) => self.referenced(id, span),
            Item::Network(_) => Value::Network(id),
            Item::Phase(_) => Value::Phase(id),
            Item::Protocol(_) => Value::Protocol(id),
            Item::Import(_) | Item::Compare(_) | Item::Sweep(_) => Value::Unknown(Ty::AnyNum),
        }
    }

    /// The value of a `let`, evaluated once, with overrides applied.
    pub fn let_value(&mut self, id: ItemId, span: Span) -> Value {
        match self.lets.get(&id) {
            Some(LetState::Done(v)) => return v.clone(),
            Some(LetState::InProgress) => {
                let name = self.prog.name_of(id).to_string();
                self.push(
                    Diagnostic::new(Code::E110, span, format!("`{name}` depends on itself"))
                        .label("used here while it is being computed")
                        .secondary(self.prog.name_span(id), "defined here")
                        .help("a constant cannot refer to itself, directly or through others"),
                );
                return Value::Unknown(Ty::AnyNum);
            }
            None => {}
        }
        if let Some(v) = self.set_overrides.get(&id) {
            let v = v.clone();
            self.lets.insert(id, LetState::Done(v.clone()));
            return v;
        }
        self.lets.insert(id, LetState::InProgress);
        let prog = self.prog;
        let v = match self.let_overrides.get(&id).copied() {
            Some((module, expr)) => {
                let v = self.in_module(module, |ev| ev.eval(expr));
                self.check_override_dimension(id, &v, expr.span)
            }
            None => match prog.item(id) {
                Item::Let(l) => self.in_module(id.module, |ev| ev.eval(&l.value)),
                _ => Value::Unknown(Ty::AnyNum),
            },
        };
        self.lets.insert(id, LetState::Done(v.clone()));
        v
    }

    /// An override must keep the constant's dimension, or the error would surface far away,
    /// where the constant is used.
    pub fn check_override_dimension(&mut self, id: ItemId, v: &Value, span: Span) -> Value {
        let Item::Let(l) = self.prog.item(id) else {
            return v.clone();
        };
        let original = self.in_module(id.module, |ev| ev.eval(&l.value));
        if let (Value::Num(_, want), Value::Num(_, have)) = (&original, v)
            && want != have
        {
            self.push(
                Diagnostic::new(
                    Code::E205,
                    span,
                    format!(
                        "`{}` is {}, but the override gives {}",
                        l.name.node,
                        want.a_value(),
                        v.describe()
                    ),
                )
                .label("wrong dimension")
                .secondary(l.value.span, format!("defined here as {}", want.a_value())),
            );
            return original;
        }
        v.clone()
    }

    /// The value of a dataset, task list or rule definition, evaluated once.
    pub fn definition_value(&mut self, id: ItemId) -> Value {
        if let Some(v) = self.items.get(&id) {
            return v.clone();
        }
        // Mark it first so a definition that refers to itself ends (E110, via `referenced`).
        self.items.insert(id, Value::Unknown(Ty::AnyNum));
        self.defining.insert(id);
        let prog = self.prog;
        let v = match prog.item(id) {
            Item::Dataset(d) => self.in_module(id.module, |ev| {
                ev.eval_value(&d.value, &Ty::Builtin(Kind::DatasetSource))
            }),
            Item::Tasks(d) => self.in_module(id.module, |ev| {
                ev.eval_value(&d.value, &Ty::Builtin(Kind::TaskSplit))
            }),
            Item::Environment(d) => self.in_module(id.module, |ev| {
                ev.eval_value(&d.value, &Ty::Builtin(Kind::World))
            }),
            Item::Rule(r) => {
                let (module, value) = match self.rule_overrides.get(&id).copied() {
                    Some((m, v)) => (m, v),
                    None => (id.module, &r.value),
                };
                let v = self.in_module(module, |ev| ev.eval_value(value, &Ty::Rule));
                let on: Vec<(Value, Span)> = self.in_module(id.module, |ev| {
                    r.on.iter().map(|t| (ev.eval(t), t.span)).collect()
                });
                match v {
                    Value::Builtin(b) => {
                        let mut b = (*b).clone();
                        b.name = Some(r.name.node.clone());
                        if !on.is_empty() {
                            b.on = on;
                        }
                        Value::Builtin(Rc::new(b))
                    }
                    other => other,
                }
            }
            _ => Value::Unknown(Ty::AnyNum),
        };
        self.defining.remove(&id);
        self.items.insert(id, v.clone());
        v
    }

    /// A dataset, task list or rule referred to at `span`: E110 when it is being defined.
    fn referenced(&mut self, id: ItemId, span: Span) -> Value {
        if self.defining.contains(&id) {
            let name = self.prog.name_of(id).to_string();
            self.push(
                Diagnostic::new(Code::E110, span, format!("`{name}` is defined in terms of itself"))
                    .label("used here while it is being defined")
                    .secondary(self.prog.name_span(id), "defined here")
                    .help("build it from a built-in, or from another definition that does not lead back here"),
            );
            return Value::Unknown(Ty::AnyNum);
        }
        self.definition_value(id)
    }

    /// How many tasks a task list has.
    pub fn task_count(&mut self, id: ItemId) -> usize {
        if let Some(&n) = self.task_counts.get(&id) {
            return n;
        }
        self.used.insert(id);
        let n = match self.definition_value(id) {
            Value::Builtin(b) => match b.entry.name {
                "split_classes" => b.params.get("classes").map_or(0, Vec::len),
                _ => match b
                    .get("count")
                    .and_then(|c| Some((c.value.as_num()?.0, c.span)))
                {
                    // Sized before the tasks are listed (E319).
                    Some((v, span)) if v > super::limits::MAX_VALUES as f64 => {
                        let n = if v >= u64::MAX as f64 {
                            u64::MAX
                        } else {
                            v as u64
                        };
                        self.push(super::limits::too_many_values(span, n, "this task list"));
                        1
                    }
                    Some((v, _)) => v.max(1.0) as usize,
                    None => 1,
                },
            },
            _ => 1,
        };
        self.task_counts.insert(id, n);
        n
    }

    /// Evaluates a value position: an expression or a spec with settings.
    pub fn eval_value(&mut self, v: &ast::Value, want: &Ty) -> Value {
        match v {
            ast::Value::Expr(e) => {
                let v = self.eval_want(e, Some(want));
                self.conform(v, want, e.span, None)
            }
            ast::Value::Spec(s) => {
                let v = self.eval_spec(s, want);
                self.conform(v, want, s.span, None)
            }
        }
    }

    /// `name(args) { settings }`
    pub fn eval_spec(&mut self, s: &ast::Spec, want: &Ty) -> Value {
        let last = s.name.last().expect("a spec has a name");
        let (module, name) = match self.qualifier(&s.name) {
            Some(m) => m,
            None => return Value::Unknown(*want),
        };
        if s.name.len() == 2 && self.prog.lookup(module, &name).is_none() {
            let alias = &s.name[0].node;
            let names: Vec<&str> = self.prog.names[module].keys().map(String::as_str).collect();
            self.push(
                Diagnostic::new(Code::E101, last.span, format!("`{alias}` has no `{name}`"))
                    .label("not defined in the imported file")
                    .suggest_name(&name, last.span, names),
            );
            return Value::Unknown(*want);
        }
        // A user rule extended in place: `rule fast = sgd { lr 0.5 }`.
        if let Some(id) = self.prog.lookup(module, &name)
            && matches!(self.prog.item(id), Item::Rule(_))
        {
            self.used.insert(id);
            if let Value::Builtin(base) = self.referenced(id, last.span) {
                let args = s.args.as_deref().unwrap_or(&[]);
                let extended = self.bind_builtin(base.entry, args, Some(&s.block), s.span);
                if let Value::Builtin(ext) = extended {
                    let mut merged = (*base).clone();
                    for (k, v) in ext.params.iter() {
                        merged.params.insert(k, v.clone());
                    }
                    merged.span = s.span;
                    return Value::Builtin(Rc::new(merged));
                }
            }
            return Value::Unknown(*want);
        }
        match builtin_for(&name, Some(want)) {
            // Missing parameters are reported at the name, not across the whole block.
            Some(b) => self.bind_builtin(
                b,
                s.args.as_deref().unwrap_or(&[]),
                Some(&s.block),
                s.name[0].span.to(last.span),
            ),
            None => {
                self.unknown_builtin(&name, last.span, want);
                Value::Unknown(*want)
            }
        }
    }

    /// For a dotted name, the module it is looked up in and the final name.
    fn qualifier(&mut self, name: &[Ident]) -> Option<(usize, String)> {
        match name {
            [one] => Some((self.module, one.node.clone())),
            [alias, item] => match self.prog.aliases[self.module].get(&alias.node) {
                Some(&m) => Some((m, item.node.clone())),
                None => {
                    self.push(
                        Diagnostic::new(
                            Code::E101,
                            alias.span,
                            format!("no import is named `{}`", alias.node),
                        )
                        .label("not an import alias")
                        .suggest_name(
                            &alias.node,
                            alias.span,
                            self.prog.aliases[self.module].keys().map(String::as_str),
                        ),
                    );
                    None
                }
            },
            _ => {
                let span = name[0].span.to(name[name.len() - 1].span);
                self.push(
                    Diagnostic::new(Code::E101, span, "names have at most one `.`")
                        .label("write `alias.name`"),
                );
                None
            }
        }
    }
}

/// Calls `f` on every bare name in an expression.
pub fn walk_names(e: &Expr, f: &mut dyn FnMut(&str)) {
    match &e.node {
        ExprKind::Name(n) => f(n),
        ExprKind::List(xs) => xs.iter().for_each(|x| walk_names(x, f)),
        ExprKind::Unary(_, x) => walk_names(x, f),
        ExprKind::Binary(_, a, b) | ExprKind::Index(a, b) => {
            walk_names(a, f);
            walk_names(b, f);
        }
        ExprKind::Call(c, args) => {
            walk_names(c, f);
            args.iter().for_each(|a| walk_names(&a.value, f));
        }
        ExprKind::Field(b, _) => walk_names(b, f),
        ExprKind::Query(q) => {
            if let Some(a) = &q.arm {
                f(&a.node);
            }
            q.args.iter().for_each(|a| walk_names(&a.value, f));
        }
        ExprKind::Number { .. } | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::Invalid => {}
    }
}
