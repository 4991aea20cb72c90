//! Recovery after a perturb phase, read from the measurements around it: the recovered
//! fraction of a metric (`recovery`) and the re-exposure it took to get a fraction of the
//! loss back (`time_to_recover`, the recovery curve's crossing).

use super::Runner;
use crate::diagnostics::Code;
use crate::diagnostics::runtime::RunError;
use crate::plan::ir::{MetricIr, SpanIr};

/// A metric around the last perturb phase.
struct Around {
    /// The perturb op's index.
    shock: usize,
    /// The last value measured before it, and the first after it.
    base: f64,
    pert: f64,
}

impl Runner {
    fn around_shock(
        &self,
        inner: &MetricIr,
        what: &str,
        span: &SpanIr,
    ) -> Result<Around, RunError> {
        let key = inner.key();
        let missing = || {
            RunError::new(
                Code::E412,
                format!("`{what}` needs `{key}` measured before and after a perturb phase"),
            )
            .at(span)
            .help("the plan refuses this (E318); a REPL session can reach it")
        };
        let shock = self
            .records
            .iter()
            .rev()
            .find(|r| r.kind == "perturb")
            .map(|r| r.index)
            .ok_or_else(missing)?;
        let rows = self
            .rows
            .iter()
            .filter(|r| r.metric == key && r.task == "all");
        let base = rows.clone().rev().find(|r| r.op < shock).map(|r| r.value);
        let pert = rows.clone().find(|r| r.op > shock).map(|r| r.value);
        match (base, pert) {
            (Some(base), Some(pert)) => Ok(Around { shock, base, pert }),
            _ => Err(missing()),
        }
    }

    /// The metric's "all" value now (`fallback` if it has none).
    fn now(&mut self, inner: &MetricIr, span: &SpanIr, fallback: f64) -> Result<f64, RunError> {
        Ok(self
            .measure(inner, span)?
            .iter()
            .find(|v| v.task == "all")
            .map_or(fallback, |v| v.value))
    }

    /// The recovered fraction (P_now − P_pert) / (P_base − P_pert) of a metric around the
    /// last perturb phase: P_base its last value measured before it, P_pert its first value
    /// measured after it, P_now its value now.
    pub(super) fn recovery(&mut self, inner: &MetricIr, span: &SpanIr) -> Result<f64, RunError> {
        let a = self.around_shock(inner, "recovery", span)?;
        let now = self.now(inner, span, a.pert)?;
        Ok(if (a.base - a.pert).abs() < 1e-12 {
            // Nothing was lost: fully recovered if still at the baseline.
            if now >= a.base { 1.0 } else { 0.0 }
        } else {
            (now - a.pert) / (a.base - a.pert)
        })
    }

    /// Training samples of the wake phases run since the last perturb phase until the
    /// metric's measurements since it (and its value now) first got `fraction` of the loss
    /// back; 0 when nothing was lost, NaN when it has not recovered.
    pub(super) fn time_to_recover(
        &mut self,
        inner: &MetricIr,
        fraction: f64,
        span: &SpanIr,
    ) -> Result<f64, RunError> {
        let a = self.around_shock(inner, "time_to_recover", span)?;
        let key = inner.key();
        let now = self.now(inner, span, a.pert)?;
        // Samples trained after the shock and before op `op`.
        let trained = |op: usize| -> u64 {
            self.records
                .iter()
                .filter(|r| r.kind == "wake" && r.index > a.shock && r.index < op)
                .filter_map(|r| r.amount)
                .sum()
        };
        let mut curve: Vec<(u64, f64)> = self
            .rows
            .iter()
            .filter(|r| r.metric == key && r.task == "all" && r.op > a.shock)
            .map(|r| (trained(r.op), r.value))
            .collect();
        curve.push((trained(usize::MAX), now));
        Ok(first_recovered(&curve, a.base, a.pert, fraction))
    }
}

/// The re-exposure (first of each pair) at which a curve of (samples, value) first reaches
/// `fraction` of the way from `pert` back to `base` (either direction of loss); 0 when
/// nothing was lost, NaN when it never does.
pub fn first_recovered(curve: &[(u64, f64)], base: f64, pert: f64, fraction: f64) -> f64 {
    if (base - pert).abs() < 1e-12 {
        return 0.0;
    }
    let target = pert + fraction * (base - pert);
    let reached = |v: f64| {
        if base > pert {
            v >= target - 1e-12
        } else {
            v <= target + 1e-12
        }
    };
    curve
        .iter()
        .find(|(_, v)| reached(*v))
        .map_or(f64::NAN, |(s, _)| *s as f64)
}

#[cfg(test)]
mod tests {
    use super::first_recovered;

    #[test]
    fn the_first_measurement_past_the_target_gives_the_samples() {
        // Base 0.8, shock to 0.2: 90 % back is 0.74.
        let curve = [(0, 0.2), (100, 0.5), (200, 0.73), (300, 0.75), (400, 0.8)];
        assert_eq!(first_recovered(&curve, 0.8, 0.2, 0.9), 300.0);
        assert_eq!(first_recovered(&curve, 0.8, 0.2, 0.5), 100.0);
        // A loss that raises the metric (an error rate) recovers downward.
        let error = [(0, 0.8), (50, 0.3), (100, 0.21)];
        assert_eq!(first_recovered(&error, 0.2, 0.8, 0.9), 100.0);
    }

    #[test]
    fn never_recovered_is_nan_and_nothing_lost_is_zero() {
        let curve = [(0, 0.2), (100, 0.3)];
        assert!(first_recovered(&curve, 0.8, 0.2, 0.9).is_nan());
        assert_eq!(first_recovered(&curve, 0.5, 0.5, 0.9), 0.0);
    }
}
