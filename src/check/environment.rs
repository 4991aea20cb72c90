//! Environments: a world the agent can live in — an odd sensor window that fits the grid,
//! food to eat, each shape with one role.

use super::eval::Eval;
use super::value::{BuiltinValue, Value};
use crate::diagnostics::{Code, Diagnostic};

impl Eval<'_, '_> {
    /// E211 for a window that is even or larger than the grid, E109 for a world without
    /// food, E215 for a shape given two roles.
    pub fn check_world(&mut self, b: &BuiltinValue) {
        let num = |name: &str| match b.get(name).map(|v| (&v.value, v.span)) {
            Some((Value::Num(x, _), s)) => Some((*x, s)),
            _ => None,
        };
        let size = num("size").map_or(50.0, |(x, _)| x);
        if let Some((w, span)) = num("window")
            && (w % 2.0 != 1.0 || w > size)
        {
            self.push(
                Diagnostic::new(
                    Code::E211,
                    span,
                    format!(
                        "the sensor window must be odd and fit the {} × {} grid, found {}",
                        crate::units::format_number(size),
                        crate::units::format_number(size),
                        crate::units::format_number(w)
                    ),
                )
                .label("centred on the agent: an odd side, at most the grid's")
                .help("the paper's agent sees `window 7` on a `size 50` grid"),
            );
        }
        let mut roles: Vec<(String, &str, crate::source::Span)> = Vec::new();
        for role in ["rewarded", "punished", "neutral"] {
            let Some(v) = b.get(role) else { continue };
            let shapes: Vec<String> = match &v.value {
                Value::Symbol(s) => vec![s.clone()],
                Value::List(xs) => xs
                    .iter()
                    .filter_map(|x| match x {
                        Value::Symbol(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for s in shapes {
                if let Some((_, other, first)) = roles.iter().find(|(t, _, _)| *t == s) {
                    self.push(
                        Diagnostic::new(
                            Code::E215,
                            v.span,
                            format!("`{s}` is both {other} and {role}"),
                        )
                        .label(format!("{role} here"))
                        .secondary(*first, format!("{other} here"))
                        .help("give each shape one role"),
                    );
                } else {
                    roles.push((s, role, v.span));
                }
            }
        }
        if roles.is_empty() {
            self.push(
                Diagnostic::new(
                    Code::E109,
                    b.span,
                    "this foraging grid has no food: no shape is `rewarded`, `punished` or `neutral`",
                )
                .label("nothing to eat")
                .help("e.g. `rewarded horizontal; punished diagonal_up` (Golden et al.'s task 1)"),
            );
        }
    }
}
