//! Values: what expressions evaluate to during checking and planning.
//!
//! Checking evaluates every definition once with phase parameters left symbolic
//! ([`Value::Unknown`] of the declared type), so dimension and type errors are found even in
//! phases no protocol calls; planning evaluates again with concrete arguments, which is when
//! ranges of values that depend on arguments are checked.

use super::program::ItemId;
use crate::builtins::{Builtin, Ty};
use crate::source::Span;
use crate::units::{Dim, format_quantity};
use std::collections::BTreeMap;
use std::rc::Rc;

/// A value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number in SI base units with its dimension.
    Num(f64, Dim),
    Bool(bool),
    Str(String),
    /// A bare word accepted as an option (`loss mse`).
    Symbol(String),
    List(Vec<Value>),
    /// `a..b`, both ends included.
    Range(i64, i64),
    Tasks(TaskList),
    Dataset(ItemId),
    Environment(ItemId),
    Population(String),
    Projection(Projection),
    Phase(ItemId),
    Network(ItemId),
    Protocol(ItemId),
    /// A built-in with its arguments bound (a user rule is one too, with a name).
    Builtin(Rc<BuiltinValue>),
    /// Not known until the plan is compiled (a phase parameter while checking its body), or
    /// the result of an expression already reported as wrong.
    Unknown(Ty),
}

/// One task: a task list and a position in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskRef {
    pub set: ItemId,
    pub index: usize,
}

/// Some tasks, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskList {
    pub tasks: Vec<TaskRef>,
    /// Written as one task (`pairs[0]`, a `for` variable), not as a list.
    pub single: bool,
}

/// `a -> b`, or a projection named with `as`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Projection {
    pub from: String,
    pub to: String,
    pub name: Option<String>,
}

impl Projection {
    /// How the projection is named in plans and outcomes: its alias, or `from->to`.
    pub fn key(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("{}->{}", self.from, self.to))
    }
}

/// A built-in with bound parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct BuiltinValue {
    pub entry: &'static Builtin,
    pub params: Bindings,
    /// The user's name for it (`rule sgd = backprop {...}` gives `sgd`).
    pub name: Option<String>,
    /// `on` targets of a rule.
    pub on: Vec<(Value, Span)>,
    /// A factor applied by `recipe * number`.
    pub factor: f64,
    pub span: Span,
}

/// One given value of a parameter or setting.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    pub value: Value,
    /// The value as written (what range and kind errors underline).
    pub span: Span,
    /// The whole setting or argument, name included.
    pub whole: Span,
    pub on: Vec<(Value, Span)>,
    pub window: Option<[(Value, Span); 2]>,
}

/// Parameters by name; repeatable settings hold several entries.
pub type Bindings = BTreeMap<&'static str, Vec<Bound>>;

impl Value {
    /// The value as a message would name it: "a time value (100 ms)", "the rule `sgd`".
    pub fn describe(&self) -> String {
        match self {
            Value::Num(v, d) if d.is_none() => {
                format!("the number {}", crate::units::format_number(*v))
            }
            Value::Num(v, d) => format!("{} ({})", d.a_value(), format_quantity(*v, *d)),
            Value::Bool(b) => format!("`{b}`"),
            Value::Str(_) => "a string".into(),
            Value::Symbol(s) => format!("the word `{s}`"),
            Value::List(_) => "a list".into(),
            Value::Range(a, b) => format!("the range {a}..{b}"),
            Value::Tasks(t) if t.single => "a task".into(),
            Value::Tasks(_) => "a task list".into(),
            Value::Dataset(_) => "a dataset".into(),
            Value::Environment(_) => "an environment".into(),
            Value::Population(p) => format!("the population `{p}`"),
            Value::Projection(p) => format!("the projection `{}`", p.key()),
            Value::Phase(_) => "a phase".into(),
            Value::Network(_) => "a network".into(),
            Value::Protocol(_) => "a protocol".into(),
            Value::Builtin(b) => match &b.name {
                Some(n) => format!("the {} `{n}`", b.entry.kind.word()),
                None => format!("the {} `{}`", b.entry.kind.word(), b.entry.name),
            },
            Value::Unknown(t) => t.describe(),
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }

    /// The number, if this is a known number.
    pub fn as_num(&self) -> Option<(f64, Dim)> {
        match self {
            Value::Num(v, d) => Some((*v, *d)),
            _ => None,
        }
    }
}

impl BuiltinValue {
    /// The first value given for a parameter.
    pub fn get(&self, name: &str) -> Option<&Bound> {
        self.params.get(name).and_then(|v| v.first())
    }
}
