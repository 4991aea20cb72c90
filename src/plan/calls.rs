//! Phase calls in a schedule: the phase a name means (with a derived protocol's
//! overrides), its arguments bound to its parameters, and the op it becomes.

use super::ir::Op;
use super::unroll::Unroll;
use crate::check::phases::PhaseInfo;
use crate::check::program::ItemId;
use crate::check::protocol::PhaseOverride;
use crate::check::value::{TaskList, Value};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{Ident, Span};
use crate::syntax::ast::{Arg, Item, PhaseDef};

impl Unroll<'_, '_, '_> {
    pub(super) fn call(&mut self, name: &[Ident], args: &[Arg], span: Span, out: &mut Vec<Op>) {
        let Some(id) = self.resolve_phase(name) else {
            for a in args {
                self.ev.eval(&a.value);
            }
            return;
        };
        self.ev.used.insert(id);
        let prog = self.ev.prog;
        let Item::Phase(def) = prog.item(id) else {
            unreachable!("resolve_phase returns phases")
        };
        let replaced;
        let (def, module): (&PhaseDef, usize) = match self.res.phase_overrides.get(&id).copied() {
            Some(PhaseOverride::Skip(_)) => return,
            Some(PhaseOverride::Phase(other)) => {
                self.ev.used.insert(other);
                match prog.item(other) {
                    Item::Phase(d) => (d, other.module),
                    _ => unreachable!("overrides name phases"),
                }
            }
            Some(PhaseOverride::Replace(module, spec)) => {
                replaced = PhaseDef {
                    name: def.name.clone(),
                    params: def.params.clone(),
                    kind: spec.name[spec.name.len() - 1].clone(),
                    body: spec.block.clone(),
                    span: spec.span,
                };
                (&replaced, module)
            }
            None => (def, id.module),
        };
        self.arg_tasks.clear();
        let Some(locals) = self.bind_args(def, args, span) else {
            self.assume_trained(def);
            return;
        };
        let seen = Value::Tasks(TaskList {
            tasks: self.seen.clone(),
            single: false,
        });
        let info: Option<PhaseInfo> = self.ev.in_module(module, |ev| {
            ev.locals = locals;
            if !ev.locals.iter().any(|(n, _)| n == "seen") {
                ev.locals.push(("seen".into(), seen));
            }
            ev.phase_info(def)
        });
        let Some(info) = info else {
            self.assume_trained(def);
            return;
        };
        let phase_name = def.name.node.clone();
        let call = {
            let c = self.calls.entry(phase_name.clone()).or_insert(0);
            let n = *c;
            *c += 1;
            n
        };
        self.phases_called.push(phase_name.clone());
        if let Some(op) = super::ops::phase_op(self, &phase_name, call, info, span) {
            self.emit(op, out, span);
        }
    }

    fn resolve_phase(&mut self, name: &[Ident]) -> Option<ItemId> {
        let prog = self.ev.prog;
        let (module, word, at) = match name {
            [one] => (self.ev.module, &one.node, one.span),
            [alias, item] => match prog.aliases[self.ev.module].get(&alias.node) {
                Some(&m) => (m, &item.node, item.span),
                None => {
                    self.ev.undefined(&alias.node, alias.span, None);
                    return None;
                }
            },
            _ => {
                let span = name[0].span.to(name[name.len() - 1].span);
                self.ev.push(
                    Diagnostic::new(Code::E101, span, "names have at most one `.`")
                        .label("write `alias.name`"),
                );
                return None;
            }
        };
        match prog.lookup(module, word) {
            Some(id) if matches!(prog.item(id), Item::Phase(_)) => Some(id),
            Some(id) => {
                let kind = prog.item(id).kind_word();
                self.ev.push(
                    Diagnostic::new(Code::E103, at, format!("`{word}` is a {kind}, not a phase"))
                        .label("called as a phase here")
                        .secondary(prog.name_span(id), "defined here")
                        .help("a schedule calls phases, measures, and loops"),
                );
                None
            }
            None => {
                let phases = prog.names[module]
                    .iter()
                    .filter(|(_, i)| matches!(prog.item(**i), Item::Phase(_)))
                    .map(|(n, _)| n.as_str());
                self.ev.push(
                    Diagnostic::new(Code::E101, at, format!("no phase is named `{word}`"))
                        .label("not defined")
                        .suggest_name(word, at, phases),
                );
                None
            }
        }
    }

    /// Evaluates a call's arguments and binds them to the phase's parameters.
    fn bind_args(
        &mut self,
        def: &PhaseDef,
        args: &[Arg],
        span: Span,
    ) -> Option<Vec<(String, Value)>> {
        let mut values: Vec<Option<(Value, Span)>> = vec![None; def.params.len()];
        let mut ok = true;
        let mut next = 0;
        for a in args {
            let slot = match &a.name {
                Some(n) => match def.params.iter().position(|p| p.name.node == n.node) {
                    Some(i) => i,
                    None => {
                        self.ev.push(
                            Diagnostic::new(
                                Code::E107,
                                n.span,
                                format!("phase `{}` has no parameter `{}`", def.name.node, n.node),
                            )
                            .label("unknown parameter")
                            .suggest_name(
                                &n.node,
                                n.span,
                                def.params.iter().map(|p| p.name.node.as_str()),
                            ),
                        );
                        ok = false;
                        continue;
                    }
                },
                None => {
                    while next < values.len() && values[next].is_some() {
                        next += 1;
                    }
                    if next >= values.len() {
                        self.ev.push(
                            Diagnostic::new(
                                Code::E112,
                                a.value.span,
                                format!(
                                    "phase `{}` takes {} argument{}",
                                    def.name.node,
                                    def.params.len(),
                                    if def.params.len() == 1 { "" } else { "s" }
                                ),
                            )
                            .label("one argument too many")
                            .secondary(def.name.span, "defined here"),
                        );
                        ok = false;
                        continue;
                    }
                    next
                }
            };
            let ty = self.ev.declared_type(&def.params[slot]);
            let v = self.ev.eval_want(&a.value, Some(&ty));
            self.note_tasks(&v);
            let v = self.ev.conform(v, &ty, a.value.span, None);
            values[slot] = Some((v, a.value.span));
        }
        let mut locals = Vec::new();
        for (p, v) in def.params.iter().zip(values) {
            let v = match v {
                Some((v, _)) => v,
                None => match &p.default {
                    Some(d) => {
                        let ty = self.ev.declared_type(p);
                        let v = self
                            .ev
                            .in_module(self.ev.module, |ev| ev.eval_want(d, Some(&ty)));
                        self.ev.conform(v, &ty, d.span, None)
                    }
                    None => {
                        self.ev.push(
                            Diagnostic::new(
                                Code::E109,
                                span,
                                format!(
                                    "phase `{}` needs the argument `{}`",
                                    def.name.node, p.name.node
                                ),
                            )
                            .label(format!("`{}` is missing", p.name.node))
                            .secondary(p.span, "declared here"),
                        );
                        ok = false;
                        continue;
                    }
                },
            };
            locals.push((p.name.node.clone(), v));
        }
        ok.then_some(locals)
    }
}
