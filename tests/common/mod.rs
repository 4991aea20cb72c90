//! Helpers shared by the engine's test files: plan IR pieces written by hand, small
//! networks, seeded streams and a tolerance check.
#![allow(dead_code)] // each test crate uses a different subset

pub mod bars;
pub mod cli;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use somnia::engine::network::Network;
use somnia::plan::ir::{BuiltinIr, NetworkIr, ParamIr, PopulationIr, ProjectionIr, SpanIr};
use std::collections::BTreeMap;

pub fn span() -> SpanIr {
    SpanIr {
        file: "test".into(),
        line: 1,
        column: 1,
        start: 0,
        end: 0,
    }
}

pub fn number(value: f64) -> ParamIr {
    ParamIr::Number {
        value,
        unit: "1".into(),
    }
}

pub fn boolean(value: bool) -> ParamIr {
    ParamIr::Bool { value }
}

pub fn symbol(value: &str) -> ParamIr {
    ParamIr::Symbol {
        value: value.into(),
    }
}

pub fn params(list: &[(&str, ParamIr)]) -> BTreeMap<String, ParamIr> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

pub fn builtin(name: &str, kind: &str, ps: &[(&str, ParamIr)]) -> BuiltinIr {
    BuiltinIr {
        name: name.into(),
        kind: kind.into(),
        label: None,
        params: params(ps),
        on: Vec::new(),
        factor: 1.0,
    }
}

pub fn pop(name: &str, role: &str, size: u64) -> PopulationIr {
    PopulationIr {
        name: name.into(),
        role: role.into(),
        size,
        model: None,
        span: span(),
    }
}

/// A projection `from->to`; without an `init` its weights start at 0 (they are overwritten).
pub fn proj(from: &str, to: &str, ps: &[(&str, ParamIr)]) -> ProjectionIr {
    let mut p = params(ps);
    p.entry("init".into()).or_insert(number(0.0));
    p.entry("bias".into()).or_insert(boolean(false));
    ProjectionIr {
        name: format!("{from}->{to}"),
        from: from.into(),
        to: to.into(),
        params: p,
        synapses: 0,
        span: span(),
    }
}

pub fn build(pops: Vec<PopulationIr>, projs: Vec<ProjectionIr>, seed: u64) -> Network {
    let ir = NetworkIr {
        name: "test".into(),
        populations: pops,
        projections: projs,
    };
    Network::build(&ir, seed).expect("the network builds")
}

pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

pub fn assert_close(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, want {want} (|diff| {} > {tol})",
        (got - want).abs()
    );
}
