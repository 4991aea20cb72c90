//! Helpers shared by the engine's test files: plan IR pieces written by hand, small
//! networks, seeded streams and a tolerance check.
#![allow(dead_code)] // each test crate uses a different subset

pub mod bars;
pub mod checked;
pub mod cli;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use somnia::builtins::Kind;
use somnia::engine::network::Network;
use somnia::engine::neurons::Model;
use somnia::plan::bind::{NeuronModel, Settings};
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

/// The record of a built-in of `kind` (its word: `neuron model`) with these parameters and
/// the registry's defaults for the rest.
pub fn builtin(name: &str, kind: &str, ps: &[(&str, ParamIr)]) -> BuiltinIr {
    // The kind's word (`neuron model`), or any other word for a name of one kind only.
    let kind = Kind::ALL
        .iter()
        .copied()
        .find(|k| k.word() == kind)
        .or_else(|| somnia::builtins::lookup(name).map(|b| b.kind))
        .unwrap_or_else(|| panic!("no built-in `{name}`"));
    somnia::plan::params::builtin_with(name, kind, ps)
        .unwrap_or_else(|| panic!("no {} `{name}`", kind.word()))
}

/// A built-in bound to its kernel, with the registry's defaults for what `ps` leaves out.
pub fn kernel<K: somnia::plan::bind::Kernel>(name: &str, ps: &[(&str, ParamIr)]) -> K {
    somnia::plan::bind::with_defaults(name, ps).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A spiking neuron model for population layer 0 with time step `dt`.
pub fn spiking_model(name: &str, ps: &[(&str, ParamIr)], dt: f64) -> Model {
    Model::spiking(&kernel::<NeuronModel>(name, ps), 0, dt).expect("a spiking model")
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
    let given: Vec<(&str, ParamIr)> = p.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    ProjectionIr {
        name: format!("{from}->{to}"),
        from: from.into(),
        to: to.into(),
        params: Settings::with_defaults(&given).expect("connect settings bind"),
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

/// The spiking model of a record for the `layer`-th non-input population.
pub fn model_of(ir: &BuiltinIr, layer: usize, dt: f64) -> Option<Model> {
    Model::spiking(&bound(ir), layer, dt)
}

/// The step-by-step kernel of a rule record (no baseline).
pub fn rule_of(ir: &BuiltinIr) -> Option<somnia::engine::rules::SleepRule> {
    somnia::engine::rules::SleepRule::new(&bound(ir), f64::NAN)
}

/// A record bound to its kernel.
pub fn bound<K: somnia::plan::bind::Kernel>(ir: &BuiltinIr) -> K {
    somnia::plan::bind::bind(ir).unwrap_or_else(|e| panic!("{}: {e}", ir.name))
}

/// Applies a shock record to a network; returns the populations silenced.
pub fn apply_shock(net: &mut Network, ir: &BuiltinIr, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let b: somnia::plan::bind::Bound<somnia::plan::bind::Shock> =
        somnia::plan::bind::Bound::new(ir.clone()).expect("the shock binds");
    somnia::engine::perturb::apply(net, &b.kernel, &b.on, rng)
}
