//! The registry of built-ins: every neuron model, rule, drive, modulator, perturbation,
//! initialiser, connectivity, readout, metric, dataset source and task split somnia knows,
//! and the settings of every kind of block.
//!
//! Each entry names its parameters with their types (and dimensions), defaults, valid
//! ranges and a one-line doc, and says where it may appear. The checker validates protocols
//! against these tables; the reference tables in docs/language.md are generated from them
//! (`somnia explain --builtins`); the engine maps each entry to its kernel. Adding a rule is
//! one entry here plus one kernel.

pub mod contexts;
mod data;
mod dynamics;
pub mod environment;
pub mod functions;
mod kind;
mod measures;
mod network;
mod recorders;
mod reference;
mod sleep;

pub use contexts::{CONNECT, PROTOCOL, context_for_phase, phase_kinds};
pub use kind::Kind;
pub use recorders::RECORDER_PLACE;
pub use reference::{builtin_section, reference_markdown};

use crate::units::{Dim, format_quantity};
use std::fmt;

/// The type of a parameter, setting or value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ty {
    /// A number with this dimension.
    Num(Dim),
    /// A number of any dimension.
    AnyNum,
    Bool,
    Str,
    /// One task of a task list.
    Task,
    /// Several tasks (a task list, `seen`, or one task).
    Tasks,
    Dataset,
    /// An `environment` item.
    Environment,
    Population,
    Projection,
    Rule,
    Phase,
    Network,
    /// A built-in (or user definition) of this kind.
    Builtin(Kind),
    /// One of these built-ins of this kind (`encode`: `poisson` or `bernoulli`).
    BuiltinOf(Kind, &'static [&'static str]),
    /// One of these words.
    Symbol(&'static [&'static str]),
    /// A list whose elements have this type.
    List(&'static Ty),
    /// Any one of these types.
    OneOf(&'static [Ty]),
    /// Anything: the type of a parameter whose declared type was wrong (already reported).
    Any,
}

impl Ty {
    /// How the type reads in a message: "a time", "a list of rules".
    pub fn describe(&self) -> String {
        match self {
            Ty::Num(d) if d.is_none() => "a number".into(),
            Ty::Num(d) => d.a_value(),
            Ty::AnyNum => "a number".into(),
            Ty::Bool => "`true` or `false`".into(),
            Ty::Str => "a string".into(),
            Ty::Task => "a task".into(),
            Ty::Tasks => "tasks".into(),
            Ty::Dataset => "a dataset".into(),
            Ty::Environment => "an environment".into(),
            Ty::Population => "a population".into(),
            Ty::Projection => "a projection such as `a -> b`".into(),
            Ty::Rule => "a rule".into(),
            Ty::Phase => "a phase".into(),
            Ty::Network => "a network".into(),
            Ty::Builtin(k) => k.article().into(),
            Ty::BuiltinOf(k, names) => {
                let w: Vec<String> = names.iter().map(|w| format!("`{w}`")).collect();
                format!("{} ({})", k.article(), w.join(" or "))
            }
            Ty::Symbol(words) => {
                let w: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
                format!("one of {}", w.join(", "))
            }
            Ty::List(t) => format!("a list of {}", t.describe_plural()),
            Ty::OneOf(ts) => {
                let parts: Vec<String> = ts.iter().map(Ty::describe).collect();
                parts.join(" or ")
            }
            Ty::Any => "any value".into(),
        }
    }

    fn describe_plural(&self) -> String {
        match self {
            Ty::Num(d) if d.is_none() => "numbers".into(),
            Ty::Num(d) => format!("{} values", d.name()),
            Ty::Rule => "rules".into(),
            Ty::Population => "populations".into(),
            Ty::Builtin(k) => format!("{}s", k.word()),
            t => t.describe(),
        }
    }

    /// The dimensions a numeric type accepts (empty for non-numbers).
    pub fn dims(&self) -> Vec<Dim> {
        match self {
            Ty::Num(d) => vec![*d],
            Ty::OneOf(ts) => ts.iter().flat_map(Ty::dims).collect(),
            _ => Vec::new(),
        }
    }

    /// The words a symbol type accepts (empty for other types).
    pub fn symbols(&self) -> Vec<&'static str> {
        match self {
            Ty::Symbol(w) => w.to_vec(),
            Ty::OneOf(ts) => ts.iter().flat_map(Ty::symbols).collect(),
            _ => Vec::new(),
        }
    }
}

/// The kinds of phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PhaseKind {
    Wake,
    Nrem,
    Rem,
    Perturb,
}

impl PhaseKind {
    pub fn word(self) -> &'static str {
        match self {
            PhaseKind::Wake => "wake",
            PhaseKind::Nrem => "nrem",
            PhaseKind::Rem => "rem",
            PhaseKind::Perturb => "perturb",
        }
    }

    pub fn is_sleep(self) -> bool {
        matches!(self, PhaseKind::Nrem | PhaseKind::Rem)
    }
}

/// A set of phase kinds where a built-in may be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phases(u8);

impl Phases {
    pub const NONE: Phases = Phases(0);
    pub const WAKE: Phases = Phases(1);
    pub const NREM: Phases = Phases(2);
    pub const REM: Phases = Phases(4);
    pub const PERTURB: Phases = Phases(8);
    pub const SLEEP: Phases = Phases(2 | 4);
    pub const RUNNING: Phases = Phases(1 | 2 | 4);
    pub const ALL: Phases = Phases(15);

    pub const fn or(self, o: Phases) -> Phases {
        Phases(self.0 | o.0)
    }

    pub fn contains(self, k: PhaseKind) -> bool {
        let bit = match k {
            PhaseKind::Wake => 1,
            PhaseKind::Nrem => 2,
            PhaseKind::Rem => 4,
            PhaseKind::Perturb => 8,
        };
        self.0 & bit != 0
    }

    /// "wake phases", "nrem and rem phases".
    pub fn describe(self) -> String {
        let words: Vec<&str> = [
            PhaseKind::Wake,
            PhaseKind::Nrem,
            PhaseKind::Rem,
            PhaseKind::Perturb,
        ]
        .into_iter()
        .filter(|k| self.contains(*k))
        .map(PhaseKind::word)
        .collect();
        match words.len() {
            0 => "no phase".into(),
            1 => format!("{} phases", words[0]),
            n => format!("{} and {} phases", words[..n - 1].join(", "), words[n - 1]),
        }
    }
}

/// Which network dynamics a built-in belongs to or needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dynamics {
    /// Rate units (trained by backprop).
    Rate,
    /// Spiking neurons.
    Spiking,
    /// Rulkov map neurons acting in an environment, closed-loop (Golden et al.).
    Agent,
    /// Either.
    Any,
}

impl Dynamics {
    pub fn word(self) -> &'static str {
        match self {
            Dynamics::Rate => "rate",
            Dynamics::Spiking => "spiking",
            Dynamics::Agent => "closed-loop (`rulkov`)",
            Dynamics::Any => "any",
        }
    }

    pub fn compatible(self, other: Dynamics) -> bool {
        self == Dynamics::Any || other == Dynamics::Any || self == other
    }
}

/// The allowed values of a number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Range {
    Any,
    /// > 0
    Positive,
    /// ≥ 0
    NonNegative,
    /// In [0, 1].
    Probability,
    /// In [lo, hi].
    Between(f64, f64),
}

impl Range {
    pub fn describe(self) -> Option<String> {
        match self {
            Range::Any => None,
            Range::Positive => Some("> 0".into()),
            Range::NonNegative => Some("≥ 0".into()),
            Range::Probability => Some("0–1".into()),
            Range::Between(lo, hi) => Some(format!(
                "{}–{}",
                crate::units::format_number(lo),
                crate::units::format_number(hi)
            )),
        }
    }
}

/// A parameter's value when it is not given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Default {
    /// Must be given.
    Required,
    /// May be left out; the engine treats it as absent.
    Absent,
    Num(f64),
    Bool(bool),
    Sym(&'static str),
    Str(&'static str),
    /// A built-in with its own defaults (`dense`, `argmax`).
    Builtin(&'static str),
}

/// A parameter of a built-in, or a setting of a block.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub ty: Ty,
    pub default: Default,
    pub range: Range,
    /// The value must be a whole number.
    pub whole: bool,
    /// May be given more than once (`dynamics ... on a`, `apply ...`).
    pub repeat: bool,
    /// Accepts `on targets`.
    pub targets: bool,
    /// Accepts `window w x h`.
    pub window: bool,
    /// Takes all remaining positional arguments (`split_classes(mnist, [0,1], [2,3])`).
    pub variadic: bool,
    /// Its default is not written into plans when it is not given (so the plans of files
    /// written before the parameter existed keep their hashes); the plan's binding still
    /// reads it from here.
    pub unrecorded: bool,
    pub doc: &'static str,
}

/// Starts a parameter description; the builder methods below fill in the rest.
pub const fn param(name: &'static str, ty: Ty, doc: &'static str) -> Param {
    Param {
        name,
        ty,
        default: Default::Required,
        range: Range::Any,
        whole: false,
        repeat: false,
        targets: false,
        window: false,
        variadic: false,
        unrecorded: false,
        doc,
    }
}

impl Param {
    pub const fn num(mut self, v: f64) -> Self {
        self.default = Default::Num(v);
        self
    }
    pub const fn bool(mut self, v: bool) -> Self {
        self.default = Default::Bool(v);
        self
    }
    pub const fn sym(mut self, v: &'static str) -> Self {
        self.default = Default::Sym(v);
        self
    }
    pub const fn string(mut self, v: &'static str) -> Self {
        self.default = Default::Str(v);
        self
    }
    pub const fn builtin(mut self, v: &'static str) -> Self {
        self.default = Default::Builtin(v);
        self
    }
    pub const fn optional(mut self) -> Self {
        self.default = Default::Absent;
        self
    }
    pub const fn range(mut self, r: Range) -> Self {
        self.range = r;
        self
    }
    pub const fn whole(mut self) -> Self {
        self.whole = true;
        self
    }
    pub const fn repeat(mut self) -> Self {
        self.repeat = true;
        self
    }
    pub const fn targets(mut self) -> Self {
        self.targets = true;
        self
    }
    pub const fn window(mut self) -> Self {
        self.window = true;
        self
    }
    pub const fn variadic(mut self) -> Self {
        self.variadic = true;
        self
    }
    pub const fn unrecorded(mut self) -> Self {
        self.unrecorded = true;
        self
    }

    pub fn is_required(&self) -> bool {
        self.default == Default::Required
    }

    /// The default as the user would write it, for docs and `:help`.
    pub fn default_text(&self) -> String {
        match self.default {
            Default::Required => "required".into(),
            Default::Absent => "—".into(),
            Default::Num(v) => match self.ty.dims().first() {
                Some(d) => format_quantity(v, *d),
                None => crate::units::format_number(v),
            },
            Default::Bool(b) => b.to_string(),
            Default::Sym(s) | Default::Builtin(s) => s.into(),
            Default::Str(s) => format!("{s:?}"),
        }
    }
}

/// One built-in.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    pub name: &'static str,
    pub kind: Kind,
    pub doc: &'static str,
    pub params: &'static [Param],
    /// The phase kinds it may be used in (rules, drives, modulators, perturbations).
    pub phases: Phases,
    /// The dynamics it is (models) or needs (rules, drives).
    pub dynamics: Dynamics,
    /// What it evaluates to, for metrics and functions.
    pub returns: Option<Ty>,
    /// Part of the language, but its kernel is not written yet: `check` refuses it (E116)
    /// with this reason, and the registry's reference says so.
    pub planned: Option<&'static str>,
}

pub const fn builtin(
    name: &'static str,
    kind: Kind,
    doc: &'static str,
    params: &'static [Param],
) -> Builtin {
    Builtin {
        name,
        kind,
        doc,
        params,
        phases: Phases::ALL,
        dynamics: Dynamics::Any,
        returns: None,
        planned: None,
    }
}

impl Builtin {
    pub const fn phases(mut self, p: Phases) -> Self {
        self.phases = p;
        self
    }
    pub const fn dynamics(mut self, d: Dynamics) -> Self {
        self.dynamics = d;
        self
    }
    pub const fn returns(mut self, t: Ty) -> Self {
        self.returns = Some(t);
        self
    }
    pub const fn planned(mut self, why: &'static str) -> Self {
        self.planned = Some(why);
        self
    }

    pub fn param(&self, name: &str) -> Option<&'static Param> {
        self.params.iter().find(|p| p.name == name)
    }
}

impl PartialEq for Builtin {
    /// Built-ins are unique by kind and name.
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.name == other.name
    }
}

impl fmt::Display for Builtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// Every built-in, grouped by kind.
pub fn all() -> impl Iterator<Item = &'static Builtin> {
    [
        data::SOURCES,
        data::SPLITS,
        dynamics::MODELS,
        dynamics::RULES,
        sleep::DRIVES,
        sleep::PATTERNS,
        sleep::MODULATORS,
        sleep::PERTURBATIONS,
        network::INITS,
        network::CONNECTIVITIES,
        sleep::RECIPES,
        measures::READOUTS,
        measures::METRICS,
        functions::FUNCTIONS,
        environment::WORLDS,
        environment::DOPAMINE,
        recorders::RECORDERS,
    ]
    .into_iter()
    .flatten()
}

/// Whether a word is the name of any setting or parameter (for "missing `;`" hints).
pub fn is_setting_name(word: &str) -> bool {
    let contexts = [
        &contexts::WAKE,
        &contexts::SLEEP,
        &contexts::PERTURB,
        &contexts::CONNECT,
        &contexts::PROTOCOL,
    ];
    contexts.iter().any(|c| c.param(word).is_some()) || all().any(|b| b.param(word).is_some())
}

/// The built-in with this name, if any.
pub fn lookup(name: &str) -> Option<&'static Builtin> {
    all().find(|b| b.name == name)
}

/// The built-in with this name and kind.
pub fn lookup_kind(name: &str, kind: Kind) -> Option<&'static Builtin> {
    all().find(|b| b.name == name && b.kind == kind)
}

/// Names of the built-ins of one kind (for "did you mean").
pub fn names_of(kind: Kind) -> impl Iterator<Item = &'static str> {
    all().filter(move |b| b.kind == kind).map(|b| b.name)
}

#[cfg(test)]
mod tests;
