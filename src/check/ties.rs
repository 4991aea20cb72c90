//! `tie`: a projection that shares another's weights (E321 when it cannot).

use super::eval::Eval;
use super::network::{PopInfo, ProjInfo};
use super::value::Value;
use crate::diagnostics::{Code, Diagnostic};

/// The settings of a projection's own weights, which a tied projection leaves to its owner.
const OWN_WEIGHTS: &[&str] = &[
    "init",
    "connectivity",
    "bounds",
    "sign",
    "bias",
    "delay",
    "delay_jitter",
    "plastic",
];

/// Checks every `tie` of a network's projections: an existing, dense, untied owner of the
/// same network whose matrix the populations fit, and no weight settings of its own.
pub fn check_ties(ev: &mut Eval, pops: &[PopInfo], projs: &[ProjInfo]) {
    let size = |n: &str| pops.iter().find(|p| p.name == n).and_then(|p| p.size);
    for t in projs {
        let Some(b) = t.settings.get("tie").and_then(|v| v.first()) else {
            if let Some(f) = t.settings.get("factor").and_then(|v| v.first()) {
                ev.push(
                    Diagnostic::new(Code::E215, f.whole, "`factor` has no effect without `tie`")
                        .label("a factor on shared weights")
                        .help("scale the projection's own weights with `init`, or tie it to another projection with `tie name`"),
                );
            }
            continue;
        };
        let Value::Projection(o) = &b.value else {
            continue;
        };
        let name = t.proj.key();
        let refuse = |ev: &mut Eval, msg: String, label: &str, help: &str| {
            ev.push(
                Diagnostic::new(Code::E321, b.span, msg)
                    .label(label.to_string())
                    .secondary(t.span, "the tied projection")
                    .help(help.to_string()),
            );
        };
        let Some(owner) = projs.iter().find(|p| p.proj.key() == o.key()) else {
            refuse(
                ev,
                format!(
                    "`{name}` cannot be tied to `{}`: it is not a projection of this network",
                    o.key()
                ),
                "not in this network",
                "tie to a projection of the same network, named with `connect a -> b as name`",
            );
            continue;
        };
        if owner.proj.key() == name {
            refuse(
                ev,
                format!("`{name}` cannot be tied to itself"),
                "the projection itself",
                "tie it to the projection whose weights it shares",
            );
            continue;
        }
        if owner.settings.contains_key("tie") {
            refuse(
                ev,
                format!(
                    "`{name}` cannot be tied to `{}`, which is itself tied",
                    o.key()
                ),
                "a tied projection",
                "tie every view to the projection that owns the weights",
            );
            continue;
        }
        if let Some(c) = owner.settings.get("connectivity").and_then(|v| v.first())
            && !matches!(&c.value, Value::Builtin(b) if b.entry.name == "dense")
        {
            refuse(
                ev,
                format!(
                    "`{name}` cannot be tied to `{}`, which is not dense",
                    o.key()
                ),
                "a sparse owner",
                "tie to a dense projection (the default connectivity)",
            );
            continue;
        }
        let (of, ot) = (&owner.proj.from, &owner.proj.to);
        let transposed = t.proj.from == *ot;
        let (want_from, want_to) = if transposed { (ot, of) } else { (of, ot) };
        if let (Some(a), Some(b2), Some(c), Some(d)) = (
            size(&t.proj.from),
            size(&t.proj.to),
            size(want_from),
            size(want_to),
        ) && (a, b2) != (c, d)
        {
            refuse(
                ev,
                format!(
                    "`{name}` cannot be tied to `{}`: `{} -> {}` ({a} → {b2}) does not fit its {} → {} matrix{}",
                    o.key(),
                    t.proj.from,
                    t.proj.to,
                    size(of).unwrap_or(0),
                    size(ot).unwrap_or(0),
                    if transposed { ", transposed" } else { "" }
                ),
                "populations of other sizes",
                &format!(
                    "a tie connects populations of the owner's sizes: the same direction (`{of} -> {ot}`'s sizes), or back (from `{ot}` to a population of `{of}`'s size)"
                ),
            );
            continue;
        }
        for key in OWN_WEIGHTS {
            if let Some(s) = t.settings.get(*key).and_then(|v| v.first()) {
                ev.push(
                    Diagnostic::new(
                        Code::E321,
                        s.whole,
                        format!("`{key}` of a tied projection has no effect"),
                    )
                    .label(format!("`{name}` uses the weights of `{}`", o.key()))
                    .secondary(b.span, "tied here")
                    .help(format!("set `{key}` on `{}`, or remove it here", o.key())),
                );
            }
        }
    }
}
