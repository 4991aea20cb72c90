//! The registry and the kernels agree: every entry binds (so it has a variant, and the
//! engine's exhaustive matches give it a kernel), with every value its parameters' types
//! allow; every parameter is read; a planned entry does not bind.

use super::settings::{Block, Settings};
use super::*;
use crate::builtins::functions::Function;
use crate::builtins::{self, Builtin, Default, Param, Ty};
use crate::plan::ir::{BuiltinIr, ParamIr};
use crate::plan::params::registry_default;
use crate::units::Dim;

/// Every value of a type the tests try: each word of a symbol, each alternative of a union,
/// each runnable built-in of a kind.
fn alternatives(ty: &Ty) -> Vec<ParamIr> {
    alternatives_at(ty, 0)
}

/// [`alternatives`] inside `depth` enclosing built-ins (a metric inside `recovery`).
fn alternatives_at(ty: &Ty, depth: usize) -> Vec<ParamIr> {
    let num = |d: Dim| ParamIr::Number {
        value: 1.0,
        unit: d.unit_expr(),
    };
    match ty {
        Ty::Num(d) => vec![num(*d)],
        Ty::AnyNum => vec![num(Dim::NONE)],
        Ty::Bool => vec![ParamIr::Bool { value: true }],
        Ty::Str => vec![ParamIr::String { value: "x".into() }],
        Ty::Task | Ty::Tasks => vec![ParamIr::Tasks {
            tasks: vec!["t[0]".into()],
        }],
        Ty::Dataset => vec![ParamIr::Dataset { name: "d".into() }],
        Ty::Environment => vec![ParamIr::Environment { name: "e".into() }],
        Ty::Population => vec![ParamIr::Population { name: "p".into() }],
        Ty::Projection => vec![ParamIr::Projection {
            name: "a->b".into(),
            from: "a".into(),
            to: "b".into(),
        }],
        Ty::Phase => vec![ParamIr::Phase { name: "ph".into() }],
        Ty::Network => vec![ParamIr::Symbol {
            value: "net".into(),
        }],
        Ty::Rule => runnable(builtins::Kind::Rule, None, depth),
        Ty::Builtin(k) => runnable(*k, None, depth),
        Ty::BuiltinOf(k, names) => runnable(*k, Some(names), depth),
        Ty::Symbol(words) => words
            .iter()
            .map(|w| ParamIr::Symbol { value: (*w).into() })
            .collect(),
        Ty::List(t) => alternatives_at(t, depth)
            .into_iter()
            .map(|x| ParamIr::List { items: vec![x] })
            .collect(),
        Ty::OneOf(ts) => ts.iter().flat_map(|t| alternatives_at(t, depth)).collect(),
        Ty::Any => Vec::new(),
    }
}

/// A record of each runnable entry of a kind (of these names only, if given); inside
/// another built-in, only those that take no built-in of their own kind (`recovery` does).
fn runnable(kind: builtins::Kind, names: Option<&[&str]>, depth: usize) -> Vec<ParamIr> {
    builtins::all()
        .filter(|b| b.kind == kind && b.planned.is_none())
        .filter(|b| names.is_none_or(|n| n.contains(&b.name)))
        .filter(|b| depth == 0 || !b.params.iter().any(|p| p.ty == Ty::Builtin(kind)))
        .map(|b| ParamIr::Builtin {
            builtin: base_at(b, depth + 1),
        })
        .collect()
}

/// A parameter's value in the base record: its default, else its first alternative.
fn base_value(p: &Param) -> Option<ParamIr> {
    base_value_at(p, 0)
}

fn base_value_at(p: &Param, depth: usize) -> Option<ParamIr> {
    match p.default {
        Default::Absent => None,
        Default::Required => {
            let first = alternatives_at(&p.ty, depth).into_iter().next()?;
            Some(if p.variadic || p.repeat {
                ParamIr::List { items: vec![first] }
            } else {
                first
            })
        }
        _ => registry_default(p),
    }
}

/// An entry with every parameter it must or may record: the registry's defaults and a value
/// for each required one.
fn base(b: &Builtin) -> BuiltinIr {
    base_at(b, 0)
}

fn base_at(b: &Builtin, depth: usize) -> BuiltinIr {
    BuiltinIr {
        name: b.name.into(),
        kind: b.kind.word().into(),
        label: None,
        params: b
            .params
            .iter()
            .filter(|p| !p.unrecorded)
            .filter_map(|p| base_value_at(p, depth).map(|v| (p.name.to_string(), v)))
            .collect(),
        on: Vec::new(),
        factor: 1.0,
    }
}

fn bind_any(ir: &BuiltinIr, kind: builtins::Kind) -> Result<(), BindError> {
    use builtins::Kind as K;
    match kind {
        K::DatasetSource => bind::<Source>(ir).map(drop),
        K::TaskSplit => bind::<Split>(ir).map(drop),
        K::NeuronModel => bind::<NeuronModel>(ir).map(drop),
        K::Rule => bind::<Rule>(ir).map(drop),
        K::Drive => bind::<Drive>(ir).map(drop),
        K::Pattern => bind::<Pattern>(ir).map(drop),
        K::Modulator => bind::<Modulator>(ir).map(drop),
        K::Perturbation => bind::<Shock>(ir).map(drop),
        K::Init => bind::<Init>(ir).map(drop),
        K::Connectivity => bind::<Connectivity>(ir).map(drop),
        K::Recipe => bind::<Recipe>(ir).map(drop),
        K::Readout => bind::<Readout>(ir).map(drop),
        K::World => bind::<World>(ir).map(drop),
        K::Dopamine => bind::<Dopamine>(ir).map(drop),
        K::Recorder => bind::<crate::plan::bind::Recorder>(ir).map(drop),
        K::Metric => {
            // Metrics bind through their record, which holds the tasks apart.
            let mut params = ir.params.clone();
            let tasks = match params.remove("tasks") {
                Some(ParamIr::Tasks { tasks }) => tasks,
                _ => Vec::new(),
            };
            crate::plan::ir::MetricIr::try_from(crate::plan::ir::MetricRecord {
                metric: ir.name.clone(),
                group: (!tasks.is_empty()).then(|| "t".to_string()),
                tasks,
                params,
            })
            .map(drop)
        }
        K::Function => Function::of(&ir.name)
            .map(drop)
            .ok_or_else(|| BindError::new("no function")),
    }
}

#[test]
fn every_registry_entry_binds_with_every_value_its_parameters_allow() {
    let mut failures = Vec::new();
    for b in builtins::all() {
        let record = base(b);
        let result = bind_any(&record, b.kind);
        if let Some(why) = b.planned {
            assert!(
                result.is_err(),
                "`{}` is planned ({why}) but binds: remove `.planned` from its entry",
                b.name
            );
            continue;
        }
        if let Err(e) = result {
            failures.push(format!("{} {}: {e}", b.kind.word(), b.name));
            continue;
        }
        for p in b.params {
            for v in alternatives(&p.ty) {
                let v = if p.variadic || p.repeat {
                    ParamIr::List { items: vec![v] }
                } else {
                    v
                };
                let mut varied = record.clone();
                varied.params.insert(p.name.into(), v.clone());
                if let Err(e) = bind_any(&varied, b.kind) {
                    failures.push(format!(
                        "{} {} with {} = {}: {e}",
                        b.kind.word(),
                        b.name,
                        p.name,
                        serde_json::to_string(&v).unwrap()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_parameter_the_kernel_does_not_read_is_an_error() {
    let mut ir = base(builtins::lookup_kind("stdp", builtins::Kind::Rule).unwrap());
    ir.params.insert("gain".into(), number(2.0));
    let e = bind::<Rule>(&ir).unwrap_err();
    assert!(e.message.contains("`gain`"), "{e}");
    let mut ir = base(builtins::lookup_kind("stdp", builtins::Kind::Rule).unwrap());
    ir.params.remove("a_plus");
    let e = bind::<Rule>(&ir).unwrap_err();
    assert!(e.message.contains("`a_plus`"), "{e}");
}

/// Every variant of a kind's enum names a runnable registry entry of that kind.
fn names_are_registry_entries<K: Kernel>() {
    for name in K::NAMES {
        let entry = builtins::lookup_kind(name, K::KIND)
            .unwrap_or_else(|| panic!("{name} is not {} of the registry", K::KIND.article()));
        assert!(entry.planned.is_none(), "{name} binds but is planned");
    }
}

#[test]
fn every_variant_is_a_runnable_registry_entry() {
    names_are_registry_entries::<Source>();
    names_are_registry_entries::<Split>();
    names_are_registry_entries::<NeuronModel>();
    names_are_registry_entries::<Rule>();
    names_are_registry_entries::<Drive>();
    names_are_registry_entries::<Pattern>();
    names_are_registry_entries::<Modulator>();
    names_are_registry_entries::<Shock>();
    names_are_registry_entries::<Init>();
    names_are_registry_entries::<Connectivity>();
    names_are_registry_entries::<Recipe>();
    names_are_registry_entries::<Readout>();
    names_are_registry_entries::<Metric>();
}

/// A block's settings bind from the registry's defaults, and every field is a setting.
fn settings_bind<S: Block>(fields: &[&str]) -> Settings<S> {
    for f in fields {
        assert!(
            S::CONTEXT.param(f).is_some(),
            "{f} is not a setting of {}",
            S::CONTEXT.name
        );
    }
    let record = S::CONTEXT
        .params
        .iter()
        .filter(|p| fields.contains(&p.name) && !p.unrecorded)
        .filter_map(|p| base_value(p).map(|v| (p.name.to_string(), v)))
        .collect();
    Settings::new(record).unwrap_or_else(|e| panic!("{}: {e}", S::CONTEXT.name))
}

#[test]
fn block_settings_bind_from_their_defaults() {
    let wake = settings_bind::<WakeSettings>(WakeSettings::FIELDS);
    assert!(wake.shuffle, "unrecorded: read from the registry");
    assert_eq!(wake.encode.encoding(), Some((1.0, 63.75)));
    let connect = settings_bind::<Connect>(Connect::FIELDS);
    assert_eq!(connect.connectivity, Connectivity::Dense);
    assert_eq!(connect.init, network::Initial::Drawn(Init::Glorot));
    // Every wake setting is a field of the struct or a field of the op itself (a wake op's,
    // or, for the environment phase's settings, a forage op's: `plan::forage`).
    for p in builtins::contexts::WAKE.params {
        assert!(
            WakeSettings::FIELDS.contains(&p.name)
                || ["data", "length", "dynamics", "plasticity"].contains(&p.name)
                || crate::plan::forage::READS.contains(&p.name),
            "wake setting `{}` reaches no kernel",
            p.name
        );
    }
}

#[test]
fn defaults_come_from_the_registry_when_a_record_leaves_them_out() {
    let source: Source = with_defaults(
        "csv",
        &[
            (
                "path",
                ParamIr::String {
                    value: "t.csv".into(),
                },
            ),
            (
                "label",
                ParamIr::Symbol {
                    value: "first".into(),
                },
            ),
        ],
    )
    .unwrap();
    let Source::Csv(csv) = &source else {
        panic!("{source:?}")
    };
    assert_eq!(csv.label, data::LabelColumn::First);
    assert!(csv.header);
    assert!(csv.holdout.shuffle);
    assert_eq!(csv.holdout.test_split, 0.2);
    let Rule::Prune(p) = with_defaults::<Rule>("prune", &[]).unwrap() else {
        panic!()
    };
    assert_eq!(p.by(), rules::PruneBy::Fraction(0.1));
    let Rule::Prune(p) = with_defaults::<Rule>("prune", &[("below", number(0.01))]).unwrap() else {
        panic!()
    };
    assert_eq!(p.by(), rules::PruneBy::Magnitude(0.01));
}

#[test]
fn a_bound_record_serialises_as_the_record_and_reads_back() {
    let ir = base(builtins::lookup_kind("lif", builtins::Kind::NeuronModel).unwrap());
    let b: Bound<NeuronModel> = Bound::new(ir.clone()).unwrap();
    let json = serde_json::to_string(&b).unwrap();
    assert_eq!(json, serde_json::to_string(&ir).unwrap());
    let back: Bound<NeuronModel> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, b);
    assert!(back.kernel.is_spiking());
}
