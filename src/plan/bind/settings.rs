//! The settings of a block (a wake phase, a `connect` block) bound like a built-in's
//! parameters, and values the plan records as one parameter (a sleep's `scale`).

use super::inputs::{Drive, Modulator};
use super::{Args, BindError, FromArg, FromArgs};
use crate::builtins::contexts::Context;
use crate::params;
use crate::plan::ir::ParamIr;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

params! {
    /// How a wake phase runs (the spiking settings are read only by spiking wake phases).
    pub struct WakeSettings {
        pub dt: f64,
        pub present: f64,
        pub rest: f64,
        /// How a sample becomes input spikes (`poisson` or `bernoulli`).
        pub encode: Drive,
        pub retry: u64,
        pub modulate: Option<Vec<Modulator>>,
        pub shuffle: bool,
    }
}

/// A block's settings: the typed struct, and the record it was bound from (what the plan
/// prints and hashes).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings<S> {
    pub typed: S,
    record: BTreeMap<String, ParamIr>,
}

/// The block each settings struct belongs to, for its registry defaults.
pub trait Block: FromArgs {
    const CONTEXT: &'static Context;
    /// The settings it reads.
    const FIELDS: &'static [&'static str];
}

impl Block for WakeSettings {
    const CONTEXT: &'static Context = &crate::builtins::contexts::WAKE;
    const FIELDS: &'static [&'static str] = WakeSettings::FIELDS;
}

impl Block for super::network::Connect {
    const CONTEXT: &'static Context = &crate::builtins::contexts::CONNECT;
    const FIELDS: &'static [&'static str] = super::network::Connect::FIELDS;
}

impl<S: Block> Settings<S> {
    pub fn new(record: BTreeMap<String, ParamIr>) -> Result<Settings<S>, BindError> {
        let a = Args::new(S::CONTEXT.name, &record).with_registry(S::CONTEXT.params);
        let typed = S::from_args(&a)?;
        a.finish()?;
        Ok(Settings { typed, record })
    }

    /// These settings given and the registry's defaults for the rest: for the library's
    /// users and tests that build networks and phases without a protocol file.
    pub fn with_defaults(given: &[(&str, ParamIr)]) -> Result<Settings<S>, BindError> {
        let mut record: BTreeMap<String, ParamIr> = S::CONTEXT
            .params
            .iter()
            .filter(|p| S::FIELDS.contains(&p.name))
            .filter_map(|p| crate::plan::params::default_ir(p).map(|v| (p.name.to_string(), v)))
            .collect();
        for (k, v) in given {
            record.insert(k.to_string(), v.clone());
        }
        Settings::new(record)
    }

    pub fn record(&self) -> &BTreeMap<String, ParamIr> {
        &self.record
    }
}

impl<S> std::ops::Deref for Settings<S> {
    type Target = S;
    fn deref(&self) -> &S {
        &self.typed
    }
}

impl<S> Serialize for Settings<S> {
    fn serialize<Z: Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        self.record.serialize(s)
    }
}

impl<'de, S: Block> Deserialize<'de> for Settings<S> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let record = BTreeMap::<String, ParamIr>::deserialize(d)?;
        Settings::new(record).map_err(serde::de::Error::custom)
    }
}

/// One parameter the plan records as it is, with its typed reading.
#[derive(Debug, Clone, PartialEq)]
pub struct Typed<T> {
    pub typed: T,
    record: ParamIr,
}

impl<T: FromArg> Typed<T> {
    pub fn new(record: ParamIr) -> Result<Typed<T>, BindError> {
        let typed = T::from_arg(Some(&record)).map_err(|what| BindError {
            message: format!("expected {what}"),
        })?;
        Ok(Typed { typed, record })
    }

    pub fn record(&self) -> &ParamIr {
        &self.record
    }
}

impl<T> std::ops::Deref for Typed<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.typed
    }
}

impl<T> Serialize for Typed<T> {
    fn serialize<Z: Serializer>(&self, s: Z) -> Result<Z::Ok, Z::Error> {
        self.record.serialize(s)
    }
}

impl<'de, T: FromArg> Deserialize<'de> for Typed<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let record = ParamIr::deserialize(d)?;
        Typed::new(record).map_err(serde::de::Error::custom)
    }
}
