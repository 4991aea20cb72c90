//! Values → plan parameters, with every default filled in.

use super::bind::settings::{Block, Typed};
use super::bind::{Bound, FromArg, Kernel, Settings};
use super::ir::{BuiltinIr, ParamIr, SpanIr};
use crate::builtins::{self, Default};
use crate::check::eval::Eval;
use crate::check::value::{BuiltinValue, Value};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{SourceMap, Span};
use crate::units::Dim;
use std::collections::BTreeMap;

/// The source position of a span.
pub fn span_ir(sources: &SourceMap, s: Span) -> SpanIr {
    let f = sources.get(s.file);
    let (line, column) = f.line_col(s.start as usize);
    SpanIr {
        file: f.name.clone(),
        line,
        column,
        start: s.start,
        end: s.end,
    }
}

/// A number in SI units.
pub fn number(value: f64, dim: Dim) -> ParamIr {
    ParamIr::Number {
        value,
        unit: dim.unit_expr(),
    }
}

/// A value as a plan parameter.
pub fn param_ir(ev: &mut Eval, v: &Value) -> ParamIr {
    match v {
        Value::Num(x, d) => number(*x, *d),
        Value::Bool(b) => ParamIr::Bool { value: *b },
        Value::Str(s) => ParamIr::String { value: s.clone() },
        Value::Symbol(s) => ParamIr::Symbol { value: s.clone() },
        Value::List(xs) => ParamIr::List {
            items: xs.iter().map(|x| param_ir(ev, x)).collect(),
        },
        // Longer ranges were refused (E319) where they were given; never build one here.
        Value::Range(a, b)
            if crate::check::limits::range_len(*a, *b) > crate::check::limits::MAX_VALUES =>
        {
            ParamIr::List { items: Vec::new() }
        }
        Value::Range(a, b) => ParamIr::List {
            items: (*a..=*b).map(|i| number(i as f64, Dim::NONE)).collect(),
        },
        Value::Tasks(t) => ParamIr::Tasks {
            tasks: t.tasks.iter().map(|r| ev.task_key(*r)).collect(),
        },
        Value::Dataset(id) => ParamIr::Dataset {
            name: ev.prog.name_of(*id).to_string(),
        },
        Value::Environment(id) => ParamIr::Environment {
            name: ev.prog.name_of(*id).to_string(),
        },
        Value::Population(p) => ParamIr::Population { name: p.clone() },
        Value::Projection(p) => ParamIr::Projection {
            name: p.key(),
            from: p.from.clone(),
            to: p.to.clone(),
        },
        Value::Phase(id) => ParamIr::Phase {
            name: ev.prog.name_of(*id).to_string(),
        },
        Value::Network(id) | Value::Protocol(id) => ParamIr::Symbol {
            value: ev.prog.name_of(*id).to_string(),
        },
        Value::Builtin(b) => ParamIr::Builtin {
            builtin: builtin_ir(ev, b),
        },
        // Only reachable when an error was already reported; such a plan is never shown.
        Value::Unknown(_) => ParamIr::Symbol {
            value: "<error>".into(),
        },
    }
}

/// A built-in with bound values and defaults for everything else.
pub fn builtin_ir(ev: &mut Eval, b: &BuiltinValue) -> BuiltinIr {
    let mut params = BTreeMap::new();
    for p in b.entry.params {
        if let Some(bound) = b.params.get(p.name) {
            let v = if p.variadic || p.repeat {
                ParamIr::List {
                    items: bound.iter().map(|x| param_ir(ev, &x.value)).collect(),
                }
            } else {
                param_ir(ev, &bound[0].value)
            };
            params.insert(p.name.to_string(), v);
        } else if let Some(v) = default_ir(p) {
            params.insert(p.name.to_string(), v);
        }
    }
    BuiltinIr {
        name: b.entry.name.to_string(),
        kind: b.entry.kind.word().to_string(),
        label: b.name.clone(),
        params,
        on: b.on.iter().map(|(v, _)| param_ir(ev, v)).collect(),
        factor: b.factor,
    }
}

/// The default of a parameter as the plan records it; `None` when it has none, or when the
/// registry says not to record it (the binding reads those from the registry).
pub fn default_ir(p: &builtins::Param) -> Option<ParamIr> {
    if p.unrecorded {
        return None;
    }
    registry_default(p)
}

/// The registry's default of a parameter as a plan value; `None` when it has none.
pub fn registry_default(p: &builtins::Param) -> Option<ParamIr> {
    Some(match p.default {
        Default::Required | Default::Absent => return None,
        Default::Num(v) => number(v, p.ty.dims().first().copied().unwrap_or(Dim::NONE)),
        Default::Bool(b) => ParamIr::Bool { value: b },
        Default::Sym(s) => ParamIr::Symbol { value: s.into() },
        Default::Str(s) => ParamIr::String { value: s.into() },
        Default::Builtin(name) => ParamIr::Builtin {
            builtin: default_builtin_ir(name),
        },
    })
}

/// The record of the built-in `name` of `kind` with these parameters given and the
/// registry's defaults for the rest (`None`: no such built-in). For the library's users
/// and tests that build kernels without a protocol file.
pub fn builtin_with(
    name: &str,
    kind: builtins::Kind,
    given: &[(&str, ParamIr)],
) -> Option<BuiltinIr> {
    let entry = builtins::lookup_kind(name, kind)?;
    let mut ir = entry_defaults(entry);
    for (k, v) in given {
        ir.params.insert(k.to_string(), v.clone());
    }
    Some(ir)
}

/// A built-in given by name only, with all its defaults.
pub fn default_builtin_ir(name: &str) -> BuiltinIr {
    entry_defaults(builtins::lookup(name).expect("registry defaults name built-ins (tested)"))
}

fn entry_defaults(entry: &builtins::Builtin) -> BuiltinIr {
    BuiltinIr {
        name: entry.name.to_string(),
        kind: entry.kind.word().to_string(),
        label: None,
        params: entry
            .params
            .iter()
            .filter_map(|p| default_ir(p).map(|v| (p.name.to_string(), v)))
            .collect(),
        on: Vec::new(),
        factor: 1.0,
    }
}

/// A record bound to its kernel; a record that does not bind is E317 at `span` (the checker
/// refused every user mistake before: this is the plan and the engine disagreeing).
pub fn bound<K: Kernel>(ev: &mut Eval, ir: BuiltinIr, span: Span) -> Option<Bound<K>> {
    let name = ir.name.clone();
    Bound::new(ir)
        .map_err(|e| unbound(ev, &format!("`{name}`"), &e.message, span))
        .ok()
}

/// A block's settings bound to their struct (E317 when they do not bind).
pub fn settings<S: Block>(
    ev: &mut Eval,
    record: BTreeMap<String, ParamIr>,
    span: Span,
) -> Option<Settings<S>> {
    Settings::new(record)
        .map_err(|e| unbound(ev, S::CONTEXT.name, &e.message, span))
        .ok()
}

/// One recorded parameter with its typed reading (E317 when it does not bind).
pub fn typed<T: FromArg>(
    ev: &mut Eval,
    record: ParamIr,
    what: &str,
    span: Span,
) -> Option<Typed<T>> {
    Typed::new(record)
        .map_err(|e| unbound(ev, what, &e.message, span))
        .ok()
}

fn unbound(ev: &mut Eval, what: &str, why: &str, span: Span) {
    // After an error the values are partly unknown; such a plan is never run or shown.
    if ev.diags.has_errors() {
        return;
    }
    ev.push(
        Diagnostic::new(
            Code::E317,
            span,
            format!("the engine has no kernel for {what} as written: {why}"),
        )
        .label("checked, but cannot be run")
        .help("this is a mismatch inside somnia, not in the protocol: please report it"),
    );
}
