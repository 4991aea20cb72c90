//! The abstract syntax tree: what a protocol file says, with a span on every node.
//!
//! The tree is untyped and unresolved: names are strings, built-ins are not looked up, units
//! are the words the user wrote. The checker gives it meaning.

use crate::source::{FileId, Ident, Span, Spanned};
use serde::Serialize;

/// One parsed file.
#[derive(Debug, Clone, Serialize)]
pub struct Module {
    pub file: FileId,
    pub items: Vec<Item>,
}

/// A top-level item.
#[derive(Debug, Clone, Serialize)]
pub enum Item {
    Import(Import),
    Let(Let),
    Dataset(Definition),
    /// `environment name = foraging_grid { ... }`: a world an agent acts in.
    Environment(Definition),
    Tasks(Definition),
    Rule(RuleDef),
    Network(Network),
    Phase(PhaseDef),
    Protocol(Protocol),
    Compare(Compare),
    Sweep(Sweep),
}

impl Item {
    /// The name the item defines, if it defines one.
    pub fn name(&self) -> Option<&Ident> {
        match self {
            Item::Import(i) => i.alias.as_ref(),
            Item::Let(l) => Some(&l.name),
            Item::Dataset(d) | Item::Environment(d) | Item::Tasks(d) => Some(&d.name),
            Item::Rule(r) => Some(&r.name),
            Item::Network(n) => Some(&n.name),
            Item::Phase(p) => Some(&p.name),
            Item::Protocol(p) => Some(&p.name),
            Item::Compare(_) | Item::Sweep(_) => None,
        }
    }

    pub fn span(&self) -> Span {
        match self {
            Item::Import(i) => i.span,
            Item::Let(l) => l.span,
            Item::Dataset(d) | Item::Environment(d) | Item::Tasks(d) => d.span,
            Item::Rule(r) => r.span,
            Item::Network(n) => n.span,
            Item::Phase(p) => p.span,
            Item::Protocol(p) => p.span,
            Item::Compare(c) => c.span,
            Item::Sweep(s) => s.span,
        }
    }

    /// The word for this kind of item, as a user would say it.
    pub fn kind_word(&self) -> &'static str {
        match self {
            Item::Import(_) => "import",
            Item::Let(_) => "constant",
            Item::Dataset(_) => "dataset",
            Item::Environment(_) => "environment",
            Item::Tasks(_) => "task list",
            Item::Rule(_) => "rule",
            Item::Network(_) => "network",
            Item::Phase(_) => "phase",
            Item::Protocol(_) => "protocol",
            Item::Compare(_) => "comparison",
            Item::Sweep(_) => "sweep",
        }
    }
}

/// `import "path" [as name]`
#[derive(Debug, Clone, Serialize)]
pub struct Import {
    pub path: Spanned<String>,
    pub alias: Option<Ident>,
    pub span: Span,
}

/// `let name = value`
#[derive(Debug, Clone, Serialize)]
pub struct Let {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// `dataset name = ...` and `tasks name = ...`: a name bound to a configured built-in.
#[derive(Debug, Clone, Serialize)]
pub struct Definition {
    pub name: Ident,
    pub value: Value,
    pub span: Span,
}

/// `rule name = kind { ... } [on targets]`
#[derive(Debug, Clone, Serialize)]
pub struct RuleDef {
    pub name: Ident,
    pub value: Value,
    pub on: Vec<Expr>,
    pub span: Span,
}

/// A value in an item or setting position: an expression, or a built-in with settings.
#[derive(Debug, Clone, Serialize)]
pub enum Value {
    Expr(Expr),
    Spec(Spec),
}

impl Value {
    pub fn span(&self) -> Span {
        match self {
            Value::Expr(e) => e.span,
            Value::Spec(s) => s.span,
        }
    }
}

/// `name(args) { settings }` — a built-in (or user item) configured in place.
#[derive(Debug, Clone, Serialize)]
pub struct Spec {
    pub name: Vec<Ident>,
    pub args: Option<Vec<Arg>>,
    pub block: Block,
    pub span: Span,
}

/// `{ setting; setting }`
#[derive(Debug, Clone, Serialize)]
pub struct Block {
    pub settings: Vec<Setting>,
    pub span: Span,
}

/// `name [by] value, value [on targets] [window a x b]`
#[derive(Debug, Clone, Serialize)]
pub struct Setting {
    pub name: Ident,
    pub by: bool,
    pub values: Vec<Value>,
    pub on: Option<Spanned<Vec<Expr>>>,
    pub window: Option<Spanned<(Expr, Expr)>>,
    pub span: Span,
}

/// `network name { ... }`
#[derive(Debug, Clone, Serialize)]
pub struct Network {
    pub name: Ident,
    pub populations: Vec<Population>,
    pub connects: Vec<Connect>,
    pub span: Span,
}

/// Where a population sits in the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Input,
    Layer,
    Output,
}

/// `layer name size [: model { params }]`
#[derive(Debug, Clone, Serialize)]
pub struct Population {
    pub role: Spanned<Role>,
    pub name: Ident,
    pub size: Expr,
    pub model: Option<Value>,
    pub span: Span,
}

/// `connect a -> b -> c [as name] { settings }`
#[derive(Debug, Clone, Serialize)]
pub struct Connect {
    pub chain: Vec<Ident>,
    pub alias: Option<Ident>,
    pub block: Option<Block>,
    pub span: Span,
}

/// `phase name(params) = kind { settings }`
#[derive(Debug, Clone, Serialize)]
pub struct PhaseDef {
    pub name: Ident,
    pub params: Vec<Param>,
    pub kind: Ident,
    pub body: Block,
    pub span: Span,
}

/// `name: type [= default]`
#[derive(Debug, Clone, Serialize)]
pub struct Param {
    pub name: Ident,
    pub ty: Ident,
    pub default: Option<Expr>,
    pub span: Span,
}

/// `protocol name { ... }` or `protocol name = base with { ... }`
#[derive(Debug, Clone, Serialize)]
pub struct Protocol {
    pub name: Ident,
    /// The base protocol of a derived arm.
    pub base: Option<Ident>,
    /// `name = value` / `name = skip` in a `with` block.
    pub overrides: Vec<Override>,
    /// `network mlp`, `seed 1`.
    pub settings: Vec<Setting>,
    /// The schedule; more than one is an error the checker reports.
    pub schedules: Vec<Schedule>,
    pub expects: Vec<Expect>,
    pub tolerances: Vec<Tolerance>,
    pub span: Span,
}

/// One entry of a `with` block.
#[derive(Debug, Clone, Serialize)]
pub struct Override {
    pub name: Ident,
    pub value: OverrideValue,
    pub span: Span,
}

/// What an override replaces a definition with.
#[derive(Debug, Clone, Serialize)]
pub enum OverrideValue {
    /// `= skip`: calls of this phase are removed.
    Skip(Span),
    Value(Value),
}

/// `expect condition`
#[derive(Debug, Clone, Serialize)]
pub struct Expect {
    pub cond: Expr,
    pub span: Span,
}

/// `tolerance metric amount`
#[derive(Debug, Clone, Serialize)]
pub struct Tolerance {
    pub metric: Ident,
    pub amount: Expr,
    pub span: Span,
}

/// `compare a vs b over seeds S { ... }`
#[derive(Debug, Clone, Serialize)]
pub struct Compare {
    pub arms: Vec<Ident>,
    pub seeds: Expr,
    pub expects: Vec<Expect>,
    pub tolerances: Vec<Tolerance>,
    pub span: Span,
}

/// `sweep p over name in values seeds S { ... }`
#[derive(Debug, Clone, Serialize)]
pub struct Sweep {
    pub protocol: Ident,
    pub axes: Vec<(Ident, Expr)>,
    pub seeds: Expr,
    pub expects: Vec<Expect>,
    pub tolerances: Vec<Tolerance>,
    pub span: Span,
}

/// `schedule { ... }`
#[derive(Debug, Clone, Serialize)]
pub struct Schedule {
    pub body: Vec<Stmt>,
    pub span: Span,
}

/// A schedule statement.
pub type Stmt = Spanned<StmtKind>;

#[derive(Debug, Clone, Serialize)]
pub enum StmtKind {
    /// `learn(t)` or `shock`
    Call {
        name: Vec<Ident>,
        args: Vec<Arg>,
    },
    /// `for t[, k] in list { }`
    For {
        var: Ident,
        index: Option<Ident>,
        iter: Expr,
        body: Vec<Stmt>,
    },
    /// `repeat n { }`
    Repeat {
        count: Expr,
        body: Vec<Stmt>,
    },
    /// `until cond max n { }`
    Until {
        cond: Expr,
        max: Option<Expr>,
        body: Vec<Stmt>,
    },
    /// `measure a, b as "label"`
    Measure {
        metrics: Vec<Expr>,
        label: Option<Spanned<String>>,
    },
    Checkpoint(Spanned<String>),
    Restore(Spanned<String>),
}

/// An argument: positional, or `name = value`.
#[derive(Debug, Clone, Serialize)]
pub struct Arg {
    pub name: Option<Ident>,
    pub value: Expr,
}

/// An expression.
pub type Expr = Spanned<ExprKind>;

#[derive(Debug, Clone, Serialize)]
pub enum ExprKind {
    /// `100 ms`: the value as written and the unit word, if any.
    Number {
        value: f64,
        unit: Option<Ident>,
    },
    Str(String),
    Bool(bool),
    Name(String),
    List(Vec<Expr>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Call(Box<Expr>, Vec<Arg>),
    Index(Box<Expr>, Box<Expr>),
    Field(Box<Expr>, Ident),
    /// An outcome value read in an expectation.
    Query(Box<Query>),
    /// Text already reported as wrong while parsing (a number too large, an expression too
    /// deep); it evaluates to an unknown value so it causes no further errors.
    Invalid,
}

/// `[arm.] selector metric(args)`
#[derive(Debug, Clone, Serialize)]
pub struct Query {
    pub arm: Option<Ident>,
    pub selector: Spanned<Selector>,
    pub metric: Ident,
    pub args: Vec<Arg>,
}

/// When an outcome value is read.
#[derive(Debug, Clone, Serialize)]
pub enum Selector {
    Final,
    Initial,
    At {
        label: Spanned<String>,
        index: Option<Expr>,
    },
    Before {
        phase: Ident,
        index: Option<Expr>,
    },
    After {
        phase: Ident,
        index: Option<Expr>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
    /// `a..b`, inclusive at both ends.
    Range,
    /// `a -> b`, a projection.
    Arrow,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Pow => "^",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Range => "..",
            BinOp::Arrow => "->",
        }
    }
}
