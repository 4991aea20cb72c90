//! Tied projections in phases: only `hebbian` may name one (it learns through the shared
//! weights); every other rule and every shock must act on the owner (E321).

use super::unroll::Unroll;
use crate::check::phases::PhaseInfo;
use crate::check::value::Value;
use crate::diagnostics::{Code, Diagnostic};

/// False (and E321 reported) when a rule other than `hebbian`, or a shock, names a tied
/// projection.
pub fn check(u: &mut Unroll, info: &PhaseInfo) -> bool {
    let owner_of = |name: &str| {
        u.net.projections.iter().find_map(|p| {
            let tie = p.settings.get("tie")?.first()?;
            match (&tie.value, p.proj.key() == name) {
                (Value::Projection(o), true) => Some(o.key()),
                _ => None,
            }
        })
    };
    let mut found = Vec::new();
    for key in ["plasticity", "apply"] {
        for b in info.settings.get(key).into_iter().flatten() {
            let listed: Vec<&Value> = match &b.value {
                Value::List(xs) => xs.iter().collect(),
                v => vec![v],
            };
            for v in listed {
                let Value::Builtin(r) = v else { continue };
                if r.entry.name == "hebbian" {
                    continue;
                }
                let targets = r.on.iter().chain(b.on.iter());
                for (t, span) in targets {
                    if let Value::Projection(p) = t
                        && let Some(owner) = owner_of(&p.key())
                    {
                        found.push((*span, p.key(), owner, r.entry.name));
                    }
                }
            }
        }
    }
    let ok = found.is_empty();
    for (span, tied, owner, what) in found {
        u.ev.push(
            Diagnostic::new(
                Code::E321,
                span,
                format!("`{tied}` is tied to `{owner}`: `{what}` cannot change it on its own"),
            )
            .label("a tied projection")
            .help(format!(
                "apply `{what}` to `{owner}`: `{tied}` shares its weights and follows every change (only `hebbian` learns through a tie)"
            )),
        );
    }
    ok
}
