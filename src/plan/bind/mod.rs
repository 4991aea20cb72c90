//! Typed parameters: every built-in the plan names, bound from its registry entry to a
//! struct the engine reads, when the plan is built.
//!
//! The checker validates settings against the registry ([`crate::builtins`]); the plan fills
//! every default from the same registry ([`super::params`]); this module turns each
//! resulting record (a [`BuiltinIr`]: name, parameters, targets) into a typed value: one
//! enum per kind of built-in ([`NeuronModel`], [`Rule`], [`Drive`], …), one variant per
//! entry, one struct per entry with parameters, its fields named as the parameters. The
//! engine matches on these enums and reads these fields; it never sees a built-in's name,
//! and it never supplies a default: a parameter missing here is a plan error, not a value.
//!
//! The record stays inside [`Bound`], so a plan serialises exactly as its generic form
//! (`somnia plan --json`, the plan and work hashes) and reads back through the same binding.
//!
//! # Adding a built-in
//!
//! 1. Its entry in the registry (`src/builtins/`): name, parameters with their types,
//!    defaults, ranges and docs, the phases and dynamics it belongs to. `check`, the
//!    reference in docs/language.md (`somnia explain --builtins`) and REPL completion read it.
//! 2. Its parameter struct here, with [`params!`](crate::params), in the file of its kind,
//!    and its line in that kind's [`kernels!`](crate::kernels) enum: the one place a name
//!    is matched.
//! 3. Its kernel: for a rule, one file in `src/engine/rules/` and its arm in
//!    `SleepRule::new` (and in the simulator's hook where it acts: spikes, steps, samples);
//!    for the other kinds, the arm in the kind's builder (`Model::spiking`, `drive::build`,
//!    `Modulator::new`, `perturb::apply`, the runner's `measure`, `data::load`). Each builder
//!    matches the kind's enum exhaustively, so the compiler names every place to fill in.
//!
//! `every_registry_entry_binds_with_every_value_its_parameters_allow` walks the whole
//! registry: it fails for an entry without a variant here, for a parameter the struct does
//! not read, for a field the registry does not declare, and for a value a parameter's type
//! allows that does not bind. An entry whose kernel is not written yet is marked
//! `.planned(..)` in the registry; `check` refuses it (E116) and the walk checks that it does
//! not bind. What the engine cannot run *together* is refused while the plan is built
//! ([`super::runnable`]: E317, E318).

pub mod data;
pub mod inputs;
pub mod measures;
pub mod models;
pub mod network;
pub mod recorders;
pub mod rules;
pub mod settings;
pub mod shocks;
pub mod world;

pub use data::{Source, Split};
pub use inputs::{Drive, Modulator, Pattern};
pub use measures::{Metric, Readout, Recipe, Scale};
pub use models::NeuronModel;
pub use network::{Connect, Connectivity, Init};
pub use recorders::Recorder;
pub use rules::Rule;
pub use settings::{Settings, Typed, WakeSettings};
pub use shocks::Shock;
pub use world::{Dopamine, World};

use super::ir::{BuiltinIr, ParamIr};
use crate::builtins::{self, Kind};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;

/// Why a record does not bind: always a mismatch between the registry, the plan and this
/// module (the checker has validated every value), never a user's mistake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindError {
    pub message: String,
}

impl BindError {
    fn new(message: impl Into<String>) -> BindError {
        BindError {
            message: message.into(),
        }
    }
}

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BindError {}

/// The parameters of one record, read by name; [`Args::finish`] fails for any left unread.
pub struct Args<'a> {
    /// `stdp`, `a wake phase`: for messages.
    owner: &'a str,
    params: &'a BTreeMap<String, ParamIr>,
    /// Registry defaults of parameters the plan leaves out of its records (to keep the plans
    /// of older files, and their hashes, as they were): `(name, default)`.
    implicit: Vec<(&'static str, ParamIr)>,
    read: RefCell<Vec<String>>,
}

impl<'a> Args<'a> {
    pub fn new(owner: &'a str, params: &'a BTreeMap<String, ParamIr>) -> Args<'a> {
        Args {
            owner,
            params,
            implicit: Vec::new(),
            read: RefCell::new(Vec::new()),
        }
    }

    /// Fills the defaults the plan does not record from these registry parameters.
    pub fn with_registry(mut self, registry: &'static [builtins::Param]) -> Self {
        self.implicit = registry
            .iter()
            .filter(|p| p.unrecorded && !self.params.contains_key(p.name))
            .filter_map(|p| super::params::registry_default(p).map(|v| (p.name, v)))
            .collect();
        self
    }

    /// The parameter `name` as a `T`.
    pub fn get<T: FromArg>(&self, name: &str) -> Result<T, BindError> {
        self.read.borrow_mut().push(name.to_string());
        let p = self.params.get(name).or_else(|| {
            self.implicit
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v)
        });
        T::from_arg(p).map_err(|what| {
            BindError::new(format!(
                "`{}`'s parameter `{name}`: expected {what}, found {}",
                self.owner,
                p.map_or("nothing".to_string(), describe)
            ))
        })
    }

    /// Every parameter of the record was read.
    pub fn finish(&self) -> Result<(), BindError> {
        let read = self.read.borrow();
        match self.params.keys().find(|k| !read.contains(k)) {
            Some(k) => Err(BindError::new(format!(
                "`{}` has a parameter `{k}` that its kernel does not read",
                self.owner
            ))),
            None => Ok(()),
        }
    }
}

fn describe(p: &ParamIr) -> String {
    serde_json::to_string(p).unwrap_or_else(|_| "a value".into())
}

/// A value that one parameter binds to; `None` when the parameter is absent.
pub trait FromArg: Sized {
    /// Err says what was expected.
    fn from_arg(p: Option<&ParamIr>) -> Result<Self, &'static str>;
}

/// A struct of parameters, read field by field.
pub trait FromArgs: Sized {
    fn from_args(a: &Args) -> Result<Self, BindError>;
}

/// One kind of built-in: an enum with a variant per registry entry that has a kernel.
pub trait Kernel: Sized + Clone + fmt::Debug + PartialEq {
    const KIND: Kind;
    /// The variant of the entry `name`, its parameters read from `a`.
    fn bind(name: &str, a: &Args) -> Result<Self, BindError>;
    /// The registry names this kind binds, in declaration order.
    const NAMES: &'static [&'static str];
}

/// Binds a record of kind `K`: its variant, every parameter read.
pub fn bind<K: Kernel>(ir: &BuiltinIr) -> Result<K, BindError> {
    let entry = builtins::lookup_kind(&ir.name, K::KIND)
        .ok_or_else(|| BindError::new(format!("`{}` is not {}", ir.name, K::KIND.article())))?;
    if let Some(why) = entry.planned {
        return Err(BindError::new(format!(
            "`{}` has no kernel yet ({why})",
            ir.name
        )));
    }
    let a = Args::new(entry.name, &ir.params).with_registry(entry.params);
    let k = K::bind(entry.name, &a)?;
    a.finish()?;
    Ok(k)
}

/// The kernel of the built-in `name` with these parameters given and the registry's
/// defaults for the rest: for the library's users and tests that build kernels without a
/// protocol file.
pub fn with_defaults<K: Kernel>(name: &str, given: &[(&str, ParamIr)]) -> Result<K, BindError> {
    let ir = super::params::builtin_with(name, K::KIND, given)
        .ok_or_else(|| BindError::new(format!("`{name}` is not {}", K::KIND.article())))?;
    bind(&ir)
}

/// A number without a unit, as a parameter value.
pub fn number(value: f64) -> ParamIr {
    ParamIr::Number {
        value,
        unit: "1".into(),
    }
}

/// A built-in given as a parameter (`readout = label_assignment(h)`): bound like a record.
pub fn kernel_arg<K: Kernel>(p: Option<&ParamIr>) -> Result<K, &'static str> {
    match p {
        Some(ParamIr::Builtin { builtin }) => bind(builtin).map_err(|_| K::KIND.article()),
        _ => Err(K::KIND.article()),
    }
}

/// Where a built-in applies (`on`): populations or projections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Population(String),
    Projection(String),
}

impl Target {
    /// The population or projection named.
    pub fn name(&self) -> &str {
        match self {
            Target::Population(n) | Target::Projection(n) => n,
        }
    }
}

/// A built-in as the plan holds it: its typed kernel, where it applies, and the record it
/// was bound from (what the plan prints and hashes).
#[derive(Debug, Clone, PartialEq)]
pub struct Bound<K> {
    pub kernel: K,
    /// Empty: wherever it can.
    pub on: Vec<Target>,
    /// The factor of `recipe * number`.
    pub factor: f64,
    record: BuiltinIr,
}

impl<K: Kernel> Bound<K> {
    pub fn new(record: BuiltinIr) -> Result<Bound<K>, BindError> {
        let kernel = bind::<K>(&record)?;
        let mut on = Vec::new();
        for t in &record.on {
            on.push(match t {
                ParamIr::Population { name } => Target::Population(name.clone()),
                ParamIr::Projection { name, .. } => Target::Projection(name.clone()),
                other => {
                    return Err(BindError::new(format!(
                        "`{}` applies `on` {}, not a population or projection",
                        record.name,
                        describe(other)
                    )));
                }
            });
        }
        Ok(Bound {
            kernel,
            on,
            factor: record.factor,
            record,
        })
    }

    /// The built-in's name, for messages and records (never for choosing a kernel).
    pub fn name(&self) -> &str {
        &self.record.name
    }

    /// The user's name for it (a `rule` definition), else the built-in's.
    pub fn label(&self) -> &str {
        self.record.label.as_deref().unwrap_or(&self.record.name)
    }

    /// The generic record.
    pub fn record(&self) -> &BuiltinIr {
        &self.record
    }
}

impl<K> Serialize for Bound<K> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.record.serialize(s)
    }
}

impl<'de, K: Kernel> Deserialize<'de> for Bound<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let record = BuiltinIr::deserialize(d)?;
        Bound::new(record).map_err(serde::de::Error::custom)
    }
}

// Plain values.

impl FromArg for f64 {
    fn from_arg(p: Option<&ParamIr>) -> Result<Self, &'static str> {
        match p {
            Some(ParamIr::Number { value, .. }) => Ok(*value),
            _ => Err("a number"),
        }
    }
}

impl FromArg for u64 {
    fn from_arg(p: Option<&ParamIr>) -> Result<Self, &'static str> {
        match p {
            Some(ParamIr::Number { value, .. }) if *value >= 0.0 && value.fract() == 0.0 => {
                Ok(*value as u64)
            }
            _ => Err("a whole number"),
        }
    }
}

impl FromArg for bool {
    fn from_arg(p: Option<&ParamIr>) -> Result<Self, &'static str> {
        match p {
            Some(ParamIr::Bool { value }) => Ok(*value),
            _ => Err("`true` or `false`"),
        }
    }
}

impl FromArg for String {
    fn from_arg(p: Option<&ParamIr>) -> Result<Self, &'static str> {
        match p {
            Some(ParamIr::String { value }) | Some(ParamIr::Symbol { value }) => Ok(value.clone()),
            _ => Err("a string"),
        }
    }
}

impl<T: FromArg> FromArg for Option<T> {
    fn from_arg(p: Option<&ParamIr>) -> Result<Self, &'static str> {
        match p {
            None => Ok(None),
            Some(_) => T::from_arg(p).map(Some),
        }
    }
}

/// Built-ins of one kind, in order (`modulate slow(0.8 Hz), theta(6 Hz)`).
impl<K: Kernel> FromArg for Vec<K> {
    fn from_arg(p: Option<&ParamIr>) -> Result<Self, &'static str> {
        match p {
            Some(ParamIr::List { items }) => items.iter().map(|i| kernel_arg(Some(i))).collect(),
            Some(ParamIr::Builtin { .. }) => kernel_arg(p).map(|k| vec![k]),
            _ => Err(K::KIND.article()),
        }
    }
}

/// A list of numbers (a single number reads as a list of one).
impl FromArg for Vec<f64> {
    fn from_arg(p: Option<&ParamIr>) -> Result<Self, &'static str> {
        fn flat(p: &ParamIr, out: &mut Vec<f64>) -> bool {
            match p {
                ParamIr::Number { value, .. } => {
                    out.push(*value);
                    true
                }
                ParamIr::List { items } => items.iter().all(|i| flat(i, out)),
                _ => false,
            }
        }
        let mut out = Vec::new();
        match p {
            Some(p) if flat(p, &mut out) => Ok(out),
            _ => Err("a list of numbers"),
        }
    }
}

/// Lists of numbers, one per element (`split_classes`' class lists).
impl FromArg for Vec<Vec<f64>> {
    fn from_arg(p: Option<&ParamIr>) -> Result<Self, &'static str> {
        match p {
            Some(ParamIr::List { items }) => items
                .iter()
                .map(|i| Vec::<f64>::from_arg(Some(i)))
                .collect(),
            _ => Err("lists of numbers"),
        }
    }
}

/// Task keys (`pairs[0]`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tasks(pub Vec<String>);

impl FromArg for Tasks {
    fn from_arg(p: Option<&ParamIr>) -> Result<Self, &'static str> {
        match p {
            Some(ParamIr::Tasks { tasks }) => Ok(Tasks(tasks.clone())),
            _ => Err("tasks"),
        }
    }
}

/// A reference to a named thing of the program, bound from its record.
macro_rules! reference {
    ($(#[$m:meta])* $name:ident, $variant:ident, $what:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(pub String);

        impl FromArg for $name {
            fn from_arg(p: Option<&ParamIr>) -> Result<Self, &'static str> {
                match p {
                    Some(ParamIr::$variant { name, .. }) => Ok($name(name.clone())),
                    _ => Err($what),
                }
            }
        }
    };
}

reference!(
    /// A population, by name.
    Pop, Population, "a population"
);
reference!(
    /// A projection, by name.
    Proj, Projection, "a projection"
);
reference!(
    /// A phase, by name.
    PhaseRef, Phase, "a phase"
);
reference!(
    /// A dataset, by name.
    DatasetRef, Dataset, "a dataset"
);
reference!(
    /// An environment, by name.
    EnvironmentRef, Environment, "an environment"
);

/// How much training: whole epochs over the data, or a number of samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    Epochs(u64),
    Samples(u64),
}

impl FromArg for Amount {
    fn from_arg(p: Option<&ParamIr>) -> Result<Self, &'static str> {
        match p {
            Some(ParamIr::Number { value, unit }) if *value >= 0.0 => Ok(if unit == "samples" {
                Amount::Samples(*value as u64)
            } else {
                Amount::Epochs(*value as u64)
            }),
            _ => Err("epochs or samples"),
        }
    }
}

/// A struct whose fields are a built-in's parameters, bound by name.
#[macro_export]
macro_rules! params {
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* pub $field:ident : $ty:ty,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name { $($(#[$fm])* pub $field: $ty,)* }

        impl $name {
            /// The parameters it reads, by name.
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];
        }

        impl $crate::plan::bind::FromArgs for $name {
            fn from_args(_a: &$crate::plan::bind::Args) -> Result<Self, $crate::plan::bind::BindError> {
                Ok($name { $($field: _a.get(stringify!($field))?,)* })
            }
        }
    };
}

/// One kind of built-in: an enum with a variant per registry name, bound by name here and
/// nowhere else.
#[macro_export]
macro_rules! kernels {
    ($(#[$m:meta])* pub enum $name:ident : $kind:path {
        $($(#[$vm:meta])* $builtin:literal => $variant:ident $(($params:ty))?,)*
    }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq)]
        pub enum $name { $($(#[$vm])* $variant $(($params))?,)* }

        impl $crate::plan::bind::Kernel for $name {
            const KIND: $crate::builtins::Kind = $kind;
            const NAMES: &'static [&'static str] = &[$($builtin),*];
            fn bind(name: &str, _a: &$crate::plan::bind::Args) -> Result<Self, $crate::plan::bind::BindError> {
                match name {
                    $($builtin => Ok($name::$variant $((<$params as $crate::plan::bind::FromArgs>::from_args(_a)?))?),)*
                    other => Err($crate::plan::bind::BindError::no_kernel(other, Self::KIND)),
                }
            }
        }

        impl $crate::plan::bind::FromArg for $name {
            fn from_arg(p: Option<&$crate::plan::ir::ParamIr>) -> Result<Self, &'static str> {
                $crate::plan::bind::kernel_arg(p)
            }
        }
    };
}

/// An enum read from one of a symbol parameter's words.
#[macro_export]
macro_rules! symbols {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $variant:ident = $word:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($(#[$vm])* $variant,)* }

        impl $crate::plan::bind::FromArg for $name {
            fn from_arg(p: Option<&$crate::plan::ir::ParamIr>) -> Result<Self, &'static str> {
                match p {
                    $(Some($crate::plan::ir::ParamIr::Symbol { value }) if value == $word => Ok($name::$variant),)*
                    _ => Err(concat!("one of" $(, " `", $word, "`")*)),
                }
            }
        }
    };
}

impl BindError {
    /// A registry name the kind's enum has no variant for (used by [`kernels!`]).
    pub fn no_kernel(name: &str, kind: Kind) -> BindError {
        BindError::new(format!("{} `{name}` has no kernel", kind.word()))
    }
}

#[cfg(test)]
mod tests;
