//! Compiling one protocol into a [`Plan`].
//!
//! The protocol's derivation chain is resolved, constants are evaluated with its overrides
//! (and `--set` values), the network is sized, the schedule is unrolled into ops
//! ([`super::unroll`]), expectations are compiled against what the schedule measures
//! ([`super::expect`]), and the memory estimate is checked against the machine.

use super::bind::{Connect, Settings};
use super::estimate;
use super::ir::*;
use super::params::{bound, builtin_ir, param_ir, settings, span_ir};
use super::unroll::Unroll;
use crate::builtins::{self, Ty};
use crate::check::eval::Eval;
use crate::check::limits::{MAX_OPS, WARN_OPS, size_text};
use crate::check::program::{ItemId, Program};
use crate::check::protocol::{self, Resolved};
use crate::check::value::Value;
use crate::diagnostics::{Code, Diagnostic, Diagnostics, suggestion};
use crate::syntax::ast::{self, Item};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Choices made on the command line.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Replaces the protocol's `seed`.
    pub seed: Option<u64>,
    /// `--set name=value`: constants replaced, with the expression already parsed.
    pub sets: Vec<(String, ast::Expr)>,
    /// The memory the plan may use; `None` reads the machine's.
    pub memory_limit: Option<u64>,
}

/// The outcome of compiling one protocol.
pub struct Compiled {
    /// `None` when the protocol could not be compiled far enough to have a plan.
    pub plan: Option<Plan>,
    /// Items the protocol used (for the unused-definition lint).
    pub used: HashSet<ItemId>,
}

/// Compiles the protocol `id`.
pub fn compile(prog: &Program, id: ItemId, opts: &Options, diags: &mut Diagnostics) -> Compiled {
    let before = diags.error_count();
    let Some(res) = protocol::resolve(prog, id, diags) else {
        return Compiled {
            plan: None,
            used: HashSet::new(),
        };
    };
    let mut ev = Eval::new(prog, diags);
    ev.let_overrides = res.let_overrides.clone();
    ev.rule_overrides = res.rule_overrides.clone();
    apply_sets(&mut ev, &opts.sets);
    let plan = build(&mut ev, &res, opts);
    let used = std::mem::take(&mut ev.used);
    let plan = if diags.error_count() > before {
        None
    } else {
        plan
    };
    Compiled { plan, used }
}

fn apply_sets(ev: &mut Eval, sets: &[(String, ast::Expr)]) {
    for (name, expr) in sets {
        match ev.prog.lookup(0, name) {
            Some(id) if matches!(ev.prog.item(id), Item::Let(_)) => {
                let v = ev.eval(expr);
                let v = ev.check_override_dimension(id, &v, expr.span);
                ev.set_overrides.insert(id, v);
            }
            Some(id) => {
                let kind = ev.prog.item(id).kind_word();
                ev.push(
                    Diagnostic::new(
                        Code::E103,
                        expr.span,
                        format!("`--set {name}`: `{name}` is a {kind}, not a constant"),
                    )
                    .label("only `let` constants can be set"),
                );
            }
            None => {
                let lets: Vec<&str> = ev.prog.names[0]
                    .iter()
                    .filter(|(_, i)| matches!(ev.prog.item(**i), Item::Let(_)))
                    .map(|(n, _)| n.as_str())
                    .collect();
                ev.push(
                    Diagnostic::new(
                        Code::E101,
                        expr.span,
                        format!("`--set {name}`: no constant is named `{name}`"),
                    )
                    .label("value for an unknown constant")
                    .maybe_help(suggestion(name, lets)),
                );
            }
        }
    }
}

fn build<'p>(ev: &mut Eval<'p, '_>, res: &Resolved<'p>, opts: &Options) -> Option<Plan> {
    let module = res.root.module;
    let settings: Vec<ast::Setting> = res.settings.values().map(|(_, s)| (*s).clone()).collect();
    let bound = ev.in_module(module, |ev| {
        ev.bind(
            builtins::PROTOCOL.params,
            &format!("protocol `{}`", res.name),
            &[],
            &settings,
            res.span,
            None,
        )
    });
    let name_span = ev.prog.name_span(res.id);
    let network_id = match bound
        .get("network")
        .and_then(|b| b.first())
        .map(|b| &b.value)
    {
        Some(Value::Network(n)) => Some(*n),
        Some(_) => None,
        None => {
            ev.push(
                Diagnostic::new(
                    Code::E308,
                    name_span,
                    format!("protocol `{}` names no network", res.name),
                )
                .label("which network does it run?")
                .help("add `network <name>` to the protocol"),
            );
            None
        }
    };
    let Some(schedule) = res.schedule else {
        ev.push(
            Diagnostic::new(
                Code::E308,
                name_span,
                format!("protocol `{}` has no schedule", res.name),
            )
            .label("nothing to run")
            .help("add `schedule { ... }` with the phases to run"),
        );
        return None;
    };
    let network_id = network_id?;
    let seed = opts.seed.unwrap_or_else(|| {
        bound
            .get("seed")
            .and_then(|b| b.first())
            .and_then(|b| b.value.as_num())
            .map_or(1, |(v, _)| v as u64)
    });
    ev.used.insert(network_id);
    let net = ev.network_info(network_id);
    ev.network = Some(net.members());

    let recordings = super::recordings::compile(ev, res);
    let errors_before = ev.diags.error_count();
    let mut un = Unroll::new(ev, res, &net, seed);
    let mut ops = Vec::new();
    un.in_schedule(module, |u| u.stmts(&schedule.body, &mut ops));
    let measured = std::mem::take(&mut un.measured);
    let phases_called = std::mem::take(&mut un.phases_called);
    let tasks_used = std::mem::take(&mut un.tasks_used);
    let environments_used = std::mem::take(&mut un.environments_used);
    let incomplete = un.too_large();
    let op_count = un.op_count();
    drop(un);
    let schedule_ok = ev.diags.error_count() == errors_before;
    if incomplete {
        // E310 was reported; expectations against a truncated schedule would only mislead.
        return None;
    }
    if op_count > WARN_OPS {
        ev.push(large_plan(&res.name, name_span, op_count));
    }

    let mut expectations = Vec::new();
    for e in &res.expects {
        let ctx = super::expect::Context {
            measured: &measured,
            phases: &phases_called,
            arms: &[],
            complete: schedule_ok,
        };
        let text = ev
            .prog
            .sources
            .get(e.span.file)
            .slice(e.cond.span)
            .to_string();
        let expr = ev.in_module(res.id.module, |ev| {
            super::expect::compile_expect(ev, &e.cond, &ctx)
        });
        if let Some(expr) = expr {
            expectations.push(ExpectIr {
                text,
                expr,
                span: span_ir(&ev.prog.sources, e.span),
            });
        }
    }
    let tolerances = compile_tolerances(ev, res.id.module, res.tolerances.values().copied());

    let network = network_ir(ev, &net)?;
    let (datasets, task_lists) = data_ir(ev, &tasks_used);
    let environments = environments_ir(ev, &environments_used);
    let recordings = super::recordings::check(ev, &network, &ops, recordings);
    let mut estimate = estimate::estimate(&network, &ops, &task_lists);
    estimate.record_bytes = super::recordings::bytes(&recordings, &network, &ops, &task_lists);
    let limit = opts.memory_limit.unwrap_or_else(estimate::machine_memory);
    if estimate.total_bytes > limit {
        let net_span = ev.prog.name_span(network_id);
        ev.push(
            Diagnostic::new(
                Code::E305,
                net_span,
                format!(
                    "protocol `{}` needs about {} of memory; this machine has {}",
                    res.name,
                    estimate::bytes(estimate.total_bytes),
                    estimate::bytes(limit)
                ),
            )
            .label(format!(
                "{} synapses, {} neurons",
                super::timeline::group_digits(estimate.synapses),
                super::timeline::group_digits(estimate.neurons)
            ))
            .help("use fewer or smaller populations, or sparse connectivity"),
        );
    }
    Some(Plan {
        schema: SCHEMA,
        protocol: res.name.clone(),
        source: ev.prog.sources.get(crate::load::file_of(0)).name.clone(),
        source_hash: ev.prog.source_hash.clone(),
        seed,
        network,
        datasets,
        environments,
        task_lists,
        ops,
        expectations,
        tolerances,
        recordings,
        estimate,
    })
}

/// W008: a plan past [`WARN_OPS`] ops, still within [`MAX_OPS`].
pub fn large_plan(protocol: &str, at: crate::source::Span, ops: usize) -> Diagnostic {
    Diagnostic::new(
        Code::W008,
        at,
        format!(
            "protocol `{protocol}` unrolls to {} operations",
            size_text(ops as u64)
        ),
    )
    .label(format!(
        "a large plan: more than {}, the limit is {}",
        size_text(WARN_OPS as u64),
        size_text(MAX_OPS as u64)
    ))
    .help(
        "fewer, longer phases make a smaller plan that is faster to check; `somnia plan` shows it",
    )
}

/// Tolerances (`tolerance accuracy 2 %`): a metric that exists, an amount ≥ 0 of the
/// metric's own dimension.
pub fn compile_tolerances<'t>(
    ev: &mut Eval,
    module: usize,
    list: impl IntoIterator<Item = &'t ast::Tolerance>,
) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for t in list {
        let metric = &t.metric.node;
        let Some(entry) = builtins::lookup_kind(metric, builtins::Kind::Metric) else {
            ev.unknown_builtin(metric, t.metric.span, &Ty::Builtin(builtins::Kind::Metric));
            continue;
        };
        let want = match entry.returns {
            Some(Ty::Num(d)) => d,
            _ => crate::units::Dim::NONE,
        };
        let v = ev.in_module(module, |ev| ev.eval(&t.amount));
        match v {
            Value::Num(_, d) if d != want => ev.push(
                Diagnostic::new(
                    Code::E205,
                    t.amount.span,
                    format!(
                        "a tolerance of `{metric}` is {}, found {}",
                        want.a_value(),
                        v.describe()
                    ),
                )
                .label("wrong dimension")
                .help(format!("`{metric}` is {}", want.a_value())),
            ),
            Value::Num(x, _) if x >= 0.0 => {
                out.insert(metric.clone(), x);
            }
            Value::Num(..) => ev.push(
                Diagnostic::new(
                    Code::E208,
                    t.amount.span,
                    "a tolerance must not be negative",
                )
                .label("out of range"),
            ),
            Value::Unknown(_) => {}
            other => ev.push(
                Diagnostic::new(
                    Code::E204,
                    t.amount.span,
                    format!("a tolerance is a number, not {}", other.describe()),
                )
                .label("not a number"),
            ),
        }
    }
    out
}

fn network_ir(ev: &mut Eval, net: &crate::check::network::NetworkInfo) -> Option<NetworkIr> {
    let mut populations = Vec::new();
    for p in &net.populations {
        let model = match &p.model {
            Some(Value::Builtin(b)) => {
                let ir = builtin_ir(ev, b);
                Some(bound(ev, ir, p.span)?)
            }
            _ => None,
        };
        populations.push(PopulationIr {
            name: p.name.clone(),
            role: match p.role {
                ast::Role::Input => "input",
                ast::Role::Layer => "layer",
                ast::Role::Output => "output",
            }
            .into(),
            size: p.size.unwrap_or(0),
            model,
            span: span_ir(&ev.prog.sources, p.span),
        });
    }
    let mut projections = Vec::new();
    for p in &net.projections {
        let mut record = BTreeMap::new();
        for param in builtins::CONNECT.params {
            if let Some(b) = p.settings.get(param.name).and_then(|v| v.first()) {
                record.insert(param.name.to_string(), param_ir(ev, &b.value));
            } else if let Some(d) = super::params::default_ir(param) {
                record.insert(param.name.to_string(), d);
            }
        }
        let params: Settings<Connect> = settings(ev, record, p.span)?;
        let size = |n: &str| net.population(n).and_then(|q| q.size).unwrap_or(0);
        let synapses = estimate::synapses(&params, size(&p.proj.from), size(&p.proj.to));
        projections.push(ProjectionIr {
            name: p.proj.key(),
            from: p.proj.from.clone(),
            to: p.proj.to.clone(),
            params,
            synapses,
            span: span_ir(&ev.prog.sources, p.span),
        });
    }
    Some(NetworkIr {
        name: net.name.clone(),
        populations,
        projections,
    })
}

/// The environments the plan uses, bound.
fn environments_ir(ev: &mut Eval, used: &BTreeSet<ItemId>) -> Vec<EnvironmentIr> {
    let mut out = Vec::new();
    for &id in used {
        let Value::Builtin(world) = ev.definition_value(id) else {
            continue;
        };
        let span = ev.prog.name_span(id);
        let record = builtin_ir(ev, &world);
        if let Some(world) = bound(ev, record, span) {
            out.push(EnvironmentIr {
                name: ev.prog.name_of(id).to_string(),
                world,
                span: span_ir(&ev.prog.sources, span),
            });
        }
    }
    out
}

/// The task lists the plan uses and their datasets.
fn data_ir(ev: &mut Eval, used: &BTreeSet<ItemId>) -> (Vec<DatasetIr>, Vec<TaskListIr>) {
    let mut datasets: Vec<DatasetIr> = Vec::new();
    let mut lists = Vec::new();
    for &set in used {
        let Value::Builtin(split) = ev.definition_value(set) else {
            continue;
        };
        let n = ev.task_count(set);
        let name = ev.prog.name_of(set).to_string();
        let dataset = match split.get("dataset").map(|b| &b.value) {
            Some(Value::Dataset(d)) => *d,
            _ => continue,
        };
        let dname = ev.prog.name_of(dataset).to_string();
        if !datasets.iter().any(|d| d.name == dname)
            && let Value::Builtin(src) = ev.definition_value(dataset)
        {
            let file = ev.prog.sources.get(crate::load::file_of(dataset.module));
            let base_dir = std::path::Path::new(&file.name)
                .parent()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            let span = ev.prog.name_span(dataset);
            let record = builtin_ir(ev, &src);
            let Some(source) = bound(ev, record, span) else {
                continue;
            };
            datasets.push(DatasetIr {
                name: dname.clone(),
                source,
                base_dir,
                span: span_ir(&ev.prog.sources, ev.prog.name_span(dataset)),
            });
        }
        let record = builtin_ir(ev, &split);
        let Some(split) = bound(ev, record, ev.prog.name_span(set)) else {
            continue;
        };
        lists.push(TaskListIr {
            name: name.clone(),
            dataset: dname,
            split,
            tasks: (0..n).map(|i| format!("{name}[{i}]")).collect(),
            span: span_ir(&ev.prog.sources, ev.prog.name_span(set)),
        });
    }
    (datasets, lists)
}
