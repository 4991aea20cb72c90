//! Typed reads of the plan's resolved parameters. The checker has already validated every
//! value, so a missing or mistyped parameter here falls back to the registry's default.

use crate::plan::ir::{BuiltinIr, ParamIr};
use std::collections::BTreeMap;

pub fn num(params: &BTreeMap<String, ParamIr>, name: &str, default: f64) -> f64 {
    opt_num(params, name).unwrap_or(default)
}

pub fn opt_num(params: &BTreeMap<String, ParamIr>, name: &str) -> Option<f64> {
    match params.get(name) {
        Some(ParamIr::Number { value, .. }) => Some(*value),
        _ => None,
    }
}

pub fn flag(params: &BTreeMap<String, ParamIr>, name: &str, default: bool) -> bool {
    match params.get(name) {
        Some(ParamIr::Bool { value }) => *value,
        _ => default,
    }
}

pub fn symbol<'a>(params: &'a BTreeMap<String, ParamIr>, name: &str, default: &'a str) -> &'a str {
    match params.get(name) {
        Some(ParamIr::Symbol { value }) | Some(ParamIr::String { value }) => value,
        _ => default,
    }
}

pub fn builtin<'a>(params: &'a BTreeMap<String, ParamIr>, name: &str) -> Option<&'a BuiltinIr> {
    match params.get(name) {
        Some(ParamIr::Builtin { builtin }) => Some(builtin),
        _ => None,
    }
}

pub fn numbers(p: &ParamIr) -> Vec<f64> {
    match p {
        ParamIr::List { items } => items.iter().flat_map(numbers).collect(),
        ParamIr::Number { value, .. } => vec![*value],
        _ => Vec::new(),
    }
}

pub fn tasks<'a>(params: &'a BTreeMap<String, ParamIr>, name: &str) -> &'a [String] {
    match params.get(name) {
        Some(ParamIr::Tasks { tasks }) => tasks,
        _ => &[],
    }
}

/// The population and projection names a built-in's `on` list names.
pub fn on_names(b: &BuiltinIr) -> Vec<String> {
    b.on.iter()
        .filter_map(|p| match p {
            ParamIr::Population { name } | ParamIr::Projection { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect()
}
