//! Pruning: the weakest synapses of a projection removed for good. A removed synapse is
//! masked out like a lesioned one: its weight is 0 and no rule brings it back.
//!
//! By fraction, the `⌊fraction · n + ½⌋` existing synapses with the smallest |w| go (ties
//! go in the weights' order, post-major); by magnitude, every synapse with |w| below the
//! threshold goes. Synapses already absent are not counted.

use crate::engine::network::{Network, Projection};
use crate::plan::bind::rules::PruneBy;

/// Prunes each projection `applies` marks.
pub fn apply(net: &mut Network, by: PruneBy, applies: &[bool]) {
    for (p, &a) in net.projs.iter_mut().zip(applies) {
        if a {
            prune(p, by);
        }
    }
}

/// Prunes one projection; returns how many synapses it removed.
pub fn prune(p: &mut Projection, by: PruneBy) -> usize {
    let exists = |m: &Option<Vec<f32>>, k: usize| m.as_ref().is_none_or(|m| m[k] != 0.0);
    let mut existing: Vec<usize> = (0..p.w.len()).filter(|&k| exists(&p.mask, k)).collect();
    let removed: Vec<usize> = match by {
        PruneBy::Magnitude(m) => existing
            .into_iter()
            .filter(|&k| (p.w[k].abs() as f64) < m)
            .collect(),
        PruneBy::Fraction(f) => {
            let n = ((existing.len() as f64) * f).round() as usize;
            // A stable sort: equal magnitudes go in index order.
            existing.sort_by(|&a, &b| p.w[a].abs().total_cmp(&p.w[b].abs()));
            existing.truncate(n.min(existing.len()));
            existing
        }
    };
    if removed.is_empty() {
        return 0;
    }
    let len = p.w.len();
    let mask = p.mask.get_or_insert_with(|| vec![1.0; len]);
    for &k in &removed {
        mask[k] = 0.0;
    }
    p.constrain();
    removed.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::network::Sign;

    fn projection(w: Vec<f32>, mask: Option<Vec<f32>>) -> Projection {
        let n = w.len();
        Projection {
            name: "a->b".into(),
            from: 0,
            to: 1,
            pre: n / 2,
            post: 2,
            vw: vec![0.0; n],
            vb: Vec::new(),
            w,
            mask,
            bias: None,
            bounds: None,
            sign: Sign::Any,
            plastic: true,
            delay: None,
            tie: None,
            span: crate::plan::ir::SpanIr {
                file: "t.sleep".into(),
                line: 1,
                column: 1,
                start: 0,
                end: 0,
            },
        }
    }

    #[test]
    fn a_fraction_removes_the_weakest_existing_synapses_by_magnitude() {
        // |w| = 0.5, 0.1, 0.9, 0.3, 0.2, 0.7 (synapse 4 absent): 40 % of the 5 existing
        // synapses is 2: the smallest |w| are 0.1 (k = 1) and 0.3 (k = 3).
        let mut p = projection(
            vec![0.5, -0.1, 0.9, 0.3, 0.0, -0.7],
            Some(vec![1.0, 1.0, 1.0, 1.0, 0.0, 1.0]),
        );
        assert_eq!(prune(&mut p, PruneBy::Fraction(0.4)), 2);
        assert_eq!(p.w, vec![0.5, 0.0, 0.9, 0.0, 0.0, -0.7]);
        assert_eq!(p.mask, Some(vec![1.0, 0.0, 1.0, 0.0, 0.0, 1.0]));
        // Removed for good: constraining again keeps them at zero.
        p.w[1] = 1.0;
        p.constrain();
        assert_eq!(p.w[1], 0.0);
    }

    #[test]
    fn a_magnitude_removes_everything_below_it_and_ties_go_in_order() {
        let mut p = projection(vec![0.2, -0.05, 0.05, 0.3], None);
        assert_eq!(prune(&mut p, PruneBy::Magnitude(0.1)), 2);
        assert_eq!(p.w, vec![0.2, 0.0, 0.0, 0.3]);
        let mut q = projection(vec![0.1, 0.1, 0.1, 0.5], None);
        // 50 % of 4: the first two of the three equal smallest.
        assert_eq!(prune(&mut q, PruneBy::Fraction(0.5)), 2);
        assert_eq!(q.mask, Some(vec![0.0, 0.0, 1.0, 1.0]));
    }

    #[test]
    fn nothing_to_remove_leaves_a_dense_projection_dense() {
        let mut p = projection(vec![0.2, 0.3], None);
        assert_eq!(prune(&mut p, PruneBy::Magnitude(0.1)), 0);
        assert_eq!(prune(&mut p, PruneBy::Fraction(0.0)), 0);
        assert!(p.mask.is_none());
    }
}
