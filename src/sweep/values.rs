//! A swept value written back as source text, so each point is compiled as
//! `--set name=text` would compile it, as a label people read, and as a table cell.

use crate::plan::ir::ParamIr;
use crate::units::{self, Dim};

/// Source text that evaluates to exactly this value: numbers in SI base units with full
/// precision (`0.001 s`; compound units as products, `2 * 1 V / 1 s`).
pub fn set_text(v: &ParamIr) -> Option<String> {
    Some(match v {
        ParamIr::Number { value, unit } => {
            let mut text = format!("{value:?}");
            if let Some(rest) = text.strip_suffix(".0") {
                text = rest.to_string();
            }
            match base_units(unit)?.as_slice() {
                [] => text,
                [(u, 1)] => format!("{text} {u}"),
                parts => {
                    let mut t = format!("({text}");
                    for (u, e) in parts {
                        let op = if *e > 0 { '*' } else { '/' };
                        for _ in 0..e.unsigned_abs() {
                            t.push_str(&format!(" {op} 1 {u}"));
                        }
                    }
                    t.push(')');
                    t
                }
            }
        }
        ParamIr::Bool { value } => value.to_string(),
        ParamIr::Symbol { value } => value.clone(),
        ParamIr::String { value } => format!("{value:?}"),
        _ => return None,
    })
}

/// The value as people read it: `10 ms`, `0.2`, `5000 steps`; `text` (what the point sets)
/// for a value that is not a number.
pub fn label(v: &ParamIr, text: &str) -> String {
    match v {
        ParamIr::Number { value, unit } => match base_units(unit) {
            Some(parts) => {
                let dim = parts
                    .iter()
                    .fold(Dim::NONE, |d, (u, e)| d * dim_of(u).pow(*e as i8));
                units::format_quantity(*value, dim)
            }
            None => format!("{} {unit}", units::format_number(*value)),
        },
        _ => text.to_string(),
    }
}

/// The value as sweep.csv writes it: `(value, unit)`. A number in SI base units with full
/// precision and its unit (`("0.004", "V")`, `("200", "steps")`, `("0.05", "1")`, see
/// [`super::units`]); a boolean, symbol or string as its text with no unit, any other value
/// as `text`, what the point sets (`mnist`).
pub fn cell(v: &ParamIr, text: &str) -> (String, String) {
    match v {
        ParamIr::Number { value, unit } => {
            let unit = match base_units(unit) {
                Some(parts) => super::units::dim_unit(
                    parts
                        .iter()
                        .fold(Dim::NONE, |d, (u, e)| d * dim_of(u).pow(*e as i8)),
                ),
                None => unit.clone(),
            };
            (format!("{value}"), unit)
        }
        ParamIr::Bool { value } => (value.to_string(), String::new()),
        ParamIr::Symbol { value } | ParamIr::String { value } => (value.clone(), String::new()),
        _ => (text.to_string(), String::new()),
    }
}

/// `s·V^-1` → `[("s", 1), ("V", -1)]`; `1` → `[]`.
fn base_units(unit: &str) -> Option<Vec<(String, i32)>> {
    if unit == "1" {
        return Some(Vec::new());
    }
    unit.split('·')
        .map(|part| match part.split_once('^') {
            Some((u, e)) => e.parse().ok().map(|e| (u.to_string(), e)),
            None => Some((part.to_string(), 1)),
        })
        .collect()
}

fn dim_of(unit: &str) -> Dim {
    units::lookup(unit).map_or(Dim::NONE, |u| u.dim)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(value: f64, unit: &str) -> ParamIr {
        ParamIr::Number {
            value,
            unit: unit.into(),
        }
    }

    #[test]
    fn numbers_come_back_in_base_units_with_full_precision() {
        assert_eq!(set_text(&num(0.1, "1")).unwrap(), "0.1");
        assert_eq!(set_text(&num(5000.0, "steps")).unwrap(), "5000 steps");
        assert_eq!(set_text(&num(0.001, "s")).unwrap(), "0.001 s");
        assert_eq!(
            set_text(&num(1.0 / 3.0, "1")).unwrap(),
            "0.3333333333333333"
        );
        assert_eq!(set_text(&num(2.0, "s^-1")).unwrap(), "(2 / 1 s)");
        assert_eq!(
            set_text(&num(2.0, "s·V^2")).unwrap(),
            "(2 * 1 s * 1 V * 1 V)"
        );
        assert_eq!(set_text(&ParamIr::Bool { value: true }).unwrap(), "true");
    }

    #[test]
    fn labels_use_readable_units() {
        assert_eq!(label(&num(0.001, "s"), ""), "1 ms");
        assert_eq!(label(&num(0.2, "1"), ""), "0.2");
        assert_eq!(label(&num(-0.07, "V"), ""), "-70 mV");
        assert_eq!(label(&num(20.0, "s^-1"), ""), "20 Hz");
        let toy = ParamIr::Dataset { name: "toy".into() };
        assert_eq!(label(&toy, "m.toy"), "m.toy");
        assert_eq!(cell(&toy, "m.toy"), ("m.toy".into(), String::new()));
    }

    #[test]
    fn cells_are_numbers_in_base_units_beside_their_unit() {
        let c = |v: f64, u: &str| {
            let (a, b) = cell(&num(v, u), "");
            (a, b)
        };
        assert_eq!(c(0.004, "V"), ("0.004".into(), "V".into()));
        assert_eq!(c(200.0, "steps"), ("200".into(), "steps".into()));
        assert_eq!(c(0.05, "1"), ("0.05".into(), "1".into()));
        assert_eq!(c(20.0, "s^-1"), ("20".into(), "Hz".into()));
        assert_eq!(
            cell(
                &ParamIr::String {
                    value: "bars".into()
                },
                "\"bars\""
            ),
            ("bars".into(), String::new())
        );
    }
}
