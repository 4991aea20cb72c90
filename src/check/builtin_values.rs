//! Built-in values: a call of a built-in bound to its parameters (with the checks that
//! span parameters, such as `lif`'s synapse settings and `prune`'s two modes), unknown
//! built-in names, and which built-in a name means where a kind is expected.

use super::eval::*;
use super::value::{BuiltinValue, Value};
use crate::builtins::{self, Builtin, Kind, Ty};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{self};
use std::rc::Rc;

impl Eval<'_, '_> {
    pub fn unknown_builtin(&mut self, name: &str, span: Span, want: &Ty) {
        let kinds = kinds_of(want);
        let names: Vec<&str> = builtins::all()
            .filter(|b| kinds.is_empty() || kinds.contains(&b.kind))
            .map(|b| b.name)
            .collect();
        let what = match kinds.as_slice() {
            [k] => k.word(),
            _ => "built-in",
        };
        self.push(
            Diagnostic::new(Code::E106, span, format!("unknown {what} `{name}`"))
                .label(format!(
                    "not {}",
                    if kinds.len() == 1 {
                        kinds[0].article()
                    } else {
                        "a built-in"
                    }
                ))
                .suggest_name(name, span, names.iter().copied())
                .help_if_none("`somnia explain --builtins` lists every built-in"),
        );
    }

    /// Binds arguments and settings to a built-in's parameters.
    pub fn bind_builtin(
        &mut self,
        b: &'static Builtin,
        args: &[ast::Arg],
        block: Option<&ast::Block>,
        span: Span,
    ) -> Value {
        if let Some(why) = b.planned {
            self.push(
                Diagnostic::new(
                    Code::E116,
                    span,
                    format!("{} `{}` is not available yet", b.kind.word_the(), b.name),
                )
                .label(format!("planned: {why}"))
                .help("this version of somnia has no kernel for it; `somnia explain E116` lists what runs instead"),
            );
            return Value::Unknown(Ty::Builtin(b.kind));
        }
        let params = self.bind(
            b.params,
            &format!("`{}`", b.name),
            args,
            block.map(|b| b.settings.as_slice()).unwrap_or(&[]),
            span,
            None,
        );
        if b.name == "lif" {
            self.check_lif(&params, span);
        }
        let loads = b.kind == Kind::Init && b.name == "load";
        if b.name == "prune"
            && let (Some(f), Some(below)) = (
                params.get("fraction").and_then(|v| v.first()),
                params.get("below").and_then(|v| v.first()),
            )
        {
            self.push(
                Diagnostic::new(
                    Code::E215,
                    f.whole,
                    "`fraction` has no effect with `below`: `prune` removes by magnitude or by fraction",
                )
                .label("ignored")
                .secondary(below.whole, "prunes every synapse below this magnitude")
                .help("give `fraction` (the weakest share of synapses) or `below` (a magnitude), not both"),
            );
        }
        let v = BuiltinValue {
            entry: b,
            params,
            name: None,
            on: Vec::new(),
            factor: 1.0,
            span,
        };
        if loads {
            self.check_data_files(self.module, &v);
        }
        Value::Builtin(Rc::new(v))
    }
}

/// The built-in a name means, preferring the kinds the context expects.
pub fn builtin_for(name: &str, want: Option<&Ty>) -> Option<&'static Builtin> {
    let kinds = want.map(kinds_of).unwrap_or_default();
    kinds
        .iter()
        .find_map(|k| builtins::lookup_kind(name, *k))
        .or_else(|| builtins::lookup(name))
}

/// The built-in kinds a type accepts.
pub fn kinds_of(t: &Ty) -> Vec<Kind> {
    match t {
        Ty::Builtin(k) | Ty::BuiltinOf(k, _) => vec![*k],
        Ty::Rule => vec![Kind::Rule],
        Ty::List(t) => kinds_of(t),
        Ty::OneOf(ts) => ts.iter().flat_map(kinds_of).collect(),
        _ => Vec::new(),
    }
}
