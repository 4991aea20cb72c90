//! Protocols: a derived arm (`protocol b = a with { ... }`) resolved into its base's
//! schedule plus overrides of constants, phases, rules and settings.

use super::program::{ItemId, Program};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::Span;
use crate::syntax::ast::{
    self, Expect, Item, OverrideValue, Protocol, Schedule, Setting, Tolerance,
};
use std::collections::{BTreeMap, HashMap};

/// What a phase is replaced by in a derived arm.
#[derive(Debug, Clone, Copy)]
pub enum PhaseOverride<'p> {
    /// `= skip`: its calls are removed.
    Skip(Span),
    /// `= wake { ... }`: same parameters, new body (written in `module`).
    Replace(usize, &'p ast::Spec),
    /// `= other_phase`: calls run another phase, with the same arguments.
    Phase(ItemId),
}

/// A protocol with its derivation chain flattened.
#[derive(Debug, Clone)]
pub struct Resolved<'p> {
    pub id: ItemId,
    pub name: String,
    /// The protocol whose schedule runs (the root of the chain).
    pub root: ItemId,
    pub schedule: Option<&'p Schedule>,
    /// `network`, `seed`: the latest in the chain wins, with the module it was written in.
    pub settings: BTreeMap<String, (usize, &'p Setting)>,
    /// Every `record` setting of the chain, the base's first: an arm adds to what its base
    /// records.
    pub records: Vec<(usize, &'p Setting)>,
    pub let_overrides: HashMap<ItemId, (usize, &'p ast::Expr)>,
    pub phase_overrides: HashMap<ItemId, PhaseOverride<'p>>,
    pub rule_overrides: HashMap<ItemId, (usize, &'p ast::Value)>,
    /// The protocol's own expectations (an arm does not inherit its base's).
    pub expects: Vec<&'p Expect>,
    /// Tolerances, inherited, the derived ones winning.
    pub tolerances: BTreeMap<String, &'p Tolerance>,
    pub span: Span,
}

/// Resolves a protocol, reporting bad overrides and derivation cycles.
pub fn resolve<'p>(prog: &'p Program, id: ItemId, diags: &mut Diagnostics) -> Option<Resolved<'p>> {
    let mut chain: Vec<(ItemId, &'p Protocol)> = Vec::new();
    let mut cur = id;
    loop {
        let Item::Protocol(p) = prog.item(cur) else {
            return None;
        };
        if let Some(start) = chain.iter().position(|(c, _)| *c == cur) {
            // Every protocol of the cycle would find it; only its first (in the file)
            // reports it, and a protocol that merely derives from a cycle stays quiet.
            let cycle = &chain[start..];
            if cycle.iter().map(|(c, _)| *c).min() != Some(id) {
                return None;
            }
            let names: Vec<&str> = cycle.iter().map(|(_, p)| p.name.node.as_str()).collect();
            diags.push(
                Diagnostic::new(
                    Code::E110,
                    p.name.span,
                    format!("protocol `{}` derives from itself", p.name.node),
                )
                .label("part of a derivation cycle")
                .help(format!("{} → {}", names.join(" → "), p.name.node)),
            );
            return None;
        }
        chain.push((cur, p));
        let Some(base) = &p.base else { break };
        match prog.lookup(cur.module, &base.node) {
            Some(b) if matches!(prog.item(b), Item::Protocol(_)) => cur = b,
            Some(b) => {
                diags.push(
                    Diagnostic::new(
                        Code::E103,
                        base.span,
                        format!(
                            "`{}` is a {}, not a protocol",
                            base.node,
                            prog.item(b).kind_word()
                        ),
                    )
                    .label("a protocol can only derive from a protocol")
                    .secondary(prog.name_span(b), "defined here"),
                );
                return None;
            }
            None => {
                let protocols = prog.names[cur.module]
                    .iter()
                    .filter(|(_, i)| matches!(prog.item(**i), Item::Protocol(_)))
                    .map(|(n, _)| n.as_str());
                diags.push(
                    Diagnostic::new(
                        Code::E101,
                        base.span,
                        format!("no protocol is named `{}`", base.node),
                    )
                    .label("not defined")
                    .suggest_name(&base.node, base.span, protocols),
                );
                return None;
            }
        }
    }
    let (own_id, own) = chain[0];
    let (root_id, root) = *chain.last().expect("the chain holds the protocol itself");
    if root.schedules.len() > 1 {
        diags.push(
            Diagnostic::new(
                Code::E108,
                root.schedules[1].span,
                format!("protocol `{}` has two schedules", root.name.node),
            )
            .label("second schedule")
            .secondary(root.schedules[0].span, "first schedule"),
        );
    }
    let mut r = Resolved {
        id: own_id,
        name: own.name.node.clone(),
        root: root_id,
        schedule: root.schedules.first(),
        settings: BTreeMap::new(),
        records: Vec::new(),
        let_overrides: HashMap::new(),
        phase_overrides: HashMap::new(),
        rule_overrides: HashMap::new(),
        expects: own.expects.iter().collect(),
        tolerances: BTreeMap::new(),
        span: own.span,
    };
    // Base first, so the derived arm's overrides win.
    for (pid, p) in chain.iter().rev() {
        for s in &p.settings {
            if s.name.node == "record" {
                r.records.push((pid.module, s));
            } else {
                r.settings.insert(s.name.node.clone(), (pid.module, s));
            }
        }
        for t in &p.tolerances {
            r.tolerances.insert(t.metric.node.clone(), t);
        }
        for o in &p.overrides {
            apply_override(prog, pid.module, o, &mut r, diags);
        }
    }
    Some(r)
}

fn apply_override<'p>(
    prog: &'p Program,
    module: usize,
    o: &'p ast::Override,
    r: &mut Resolved<'p>,
    diags: &mut Diagnostics,
) {
    let Some(target) = prog.lookup(module, &o.name.node) else {
        let overridable = prog.names[module]
            .iter()
            .filter(|(_, i)| {
                matches!(
                    prog.item(**i),
                    Item::Let(_) | Item::Phase(_) | Item::Rule(_)
                )
            })
            .map(|(n, _)| n.as_str());
        diags.push(
            Diagnostic::new(
                Code::E101,
                o.name.span,
                format!("`{}` is not defined", o.name.node),
            )
            .label("nothing to override")
            .suggest_name(&o.name.node, o.name.span, overridable)
            .help_if_none("a `with` block overrides constants (`let`), phases and rules"),
        );
        return;
    };
    match (prog.item(target), &o.value) {
        (Item::Let(_), OverrideValue::Value(ast::Value::Expr(e))) => {
            r.let_overrides.insert(target, (module, e));
        }
        (Item::Phase(_), OverrideValue::Skip(s)) => {
            r.phase_overrides.insert(target, PhaseOverride::Skip(*s));
        }
        (Item::Phase(_), OverrideValue::Value(ast::Value::Spec(spec))) => {
            r.phase_overrides
                .insert(target, PhaseOverride::Replace(module, spec));
        }
        (Item::Phase(_), OverrideValue::Value(ast::Value::Expr(e)))
            if other_phase(prog, module, e).is_some() =>
        {
            let other = other_phase(prog, module, e).expect("checked by the guard");
            r.phase_overrides
                .insert(target, PhaseOverride::Phase(other));
        }
        (Item::Rule(_), OverrideValue::Value(v)) => {
            r.rule_overrides.insert(target, (module, v));
        }
        (Item::Let(_), _) => {
            wrong_override(diags, o, "a constant takes a value: `name = 20000 steps`")
        }
        (Item::Phase(_), _) => wrong_override(
            diags,
            o,
            "a phase takes `skip`, another phase, or a new body: `name = wake { ... }`",
        ),
        (Item::Rule(_), OverrideValue::Skip(_)) => wrong_override(
            diags,
            o,
            "a rule cannot be skipped; remove it from the phase's `plasticity` by overriding the phase",
        ),
        (item, _) => {
            let help = match item {
                Item::Network(_) => {
                    "change the network with the setting `network other`".to_string()
                }
                _ => "a `with` block overrides constants (`let`), phases and rules".to_string(),
            };
            diags.push(
                Diagnostic::new(
                    Code::E103,
                    o.name.span,
                    format!(
                        "`{}` is a {} and cannot be overridden",
                        o.name.node,
                        item.kind_word()
                    ),
                )
                .label("not overridable")
                .secondary(prog.name_span(target), "defined here")
                .help(help),
            );
        }
    }
}

fn wrong_override(diags: &mut Diagnostics, o: &ast::Override, help: &str) {
    diags.push(
        Diagnostic::new(
            Code::E204,
            o.span,
            format!("this override does not fit `{}`", o.name.node),
        )
        .label("wrong kind of value")
        .help(help),
    );
}

/// The phase an override's expression names, if it is a plain phase name.
fn other_phase(prog: &Program, module: usize, e: &ast::Expr) -> Option<ItemId> {
    match &e.node {
        ast::ExprKind::Name(n) => prog
            .lookup(module, n)
            .filter(|id| matches!(prog.item(*id), Item::Phase(_))),
        _ => None,
    }
}
