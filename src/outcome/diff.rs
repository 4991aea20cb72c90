//! Two outcomes side by side: every final value of either, with its change.

use super::Outcome;
use std::collections::BTreeSet;

/// One final value in either outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub metric: String,
    /// The task, group, projection or population it is about.
    pub key: String,
    pub a: Option<f64>,
    pub b: Option<f64>,
}

impl Change {
    /// `b − a`, when both have the value.
    pub fn delta(&self) -> Option<f64> {
        Some(self.b? - self.a?)
    }

    /// Whether the value moved by more than `tolerance` (absolute), or exists on one side.
    pub fn moved(&self, tolerance: f64) -> bool {
        match (self.a, self.b) {
            (Some(a), Some(b)) if a.is_nan() && b.is_nan() => false,
            (Some(a), Some(b)) => (b - a).abs() > tolerance || a.is_nan() != b.is_nan(),
            _ => true,
        }
    }
}

/// Every final value of `a` and `b`, sorted by metric then key.
pub fn final_values(a: &Outcome, b: &Outcome) -> Vec<Change> {
    let keys: BTreeSet<(&String, &String)> = [a, b]
        .iter()
        .flat_map(|o| {
            o.final_values
                .iter()
                .flat_map(|(m, vs)| vs.keys().map(move |k| (m, k)))
        })
        .collect();
    let get = |o: &Outcome, m: &str, k: &str| o.final_values.get(m).and_then(|v| v.get(k)).copied();
    keys.into_iter()
        .map(|(m, k)| Change {
            metric: m.clone(),
            key: k.clone(),
            a: get(a, m, k),
            b: get(b, m, k),
        })
        .collect()
}

/// Expectations whose verdict differs, by their text: `(text, passed in a, passed in b)`,
/// `None` where one outcome does not have it.
pub fn verdicts(a: &Outcome, b: &Outcome) -> Vec<(String, Option<bool>, Option<bool>)> {
    let texts: BTreeSet<&String> = a
        .expectations
        .iter()
        .chain(&b.expectations)
        .map(|e| &e.text)
        .collect();
    let find = |o: &Outcome, t: &str| {
        o.expectations
            .iter()
            .find(|e| e.text == t)
            .map(|e| e.passed)
    };
    texts
        .into_iter()
        .map(|t| (t.clone(), find(a, t), find(b, t)))
        .filter(|(_, x, y)| x != y)
        .collect()
}
