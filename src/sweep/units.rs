//! The units the result tables write beside their numbers (`sweep.csv`, `compare.csv`,
//! `compare.json`): a metric's from the registry of built-ins, a swept value's from its
//! dimension. Values are in SI base units; the unit is `Hz` for frequencies, `1` for
//! dimensionless values (fractions such as accuracy, bits of entropy, weights), and the
//! dimension's base units otherwise (`s`, `V`, `steps`, `samples`).

use crate::builtins::{self, Kind, Ty};
use crate::units::Dim;

/// The unit of a metric's values: `rates` → `Hz`, `weights.mean` → `1`; empty for a metric
/// the registry does not know.
pub fn metric_unit(metric: &str) -> String {
    // `weights.mean` is one statistic of the metric `weights`.
    let name = metric.split('.').next().unwrap_or(metric);
    match builtins::lookup_kind(name, Kind::Metric).and_then(|b| b.returns) {
        Some(Ty::Num(d)) => dim_unit(d),
        _ => String::new(),
    }
}

/// The unit a value of this dimension is written in, in SI base units.
pub fn dim_unit(d: Dim) -> String {
    match d {
        Dim::FREQUENCY => "Hz".into(),
        d => d.unit_expr(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_take_their_unit_from_the_registry() {
        assert_eq!(metric_unit("rates"), "Hz");
        assert_eq!(metric_unit("accuracy"), "1");
        assert_eq!(metric_unit("weights.mean"), "1");
        assert_eq!(metric_unit("time_to_recover"), "samples");
        assert_eq!(metric_unit("no_such_metric"), "");
        assert_eq!(dim_unit(Dim::TIME), "s");
        assert_eq!(dim_unit(Dim::VOLTAGE / Dim::TIME), "s^-1·V");
    }
}
