//! Readouts of spiking layers: how an answer is read from spike counts.
//!
//! `label_assignment` (Diehl & Cook 2015): every neuron of the layer is assigned the label
//! for which its mean spike count over the training samples is highest; a sample's answer
//! is the label whose assigned neurons fire most on average (labels without neurons never
//! win; ties go to the smaller label).

/// Labels per neuron from training counts (`counts[s][j]` for sample s, neuron j).
pub fn assign_labels(counts: &[Vec<u32>], labels: &[u32], classes: usize) -> Vec<Option<u32>> {
    let n = counts.first().map_or(0, Vec::len);
    let mut sums = vec![vec![0.0f64; n]; classes];
    let mut per_class = vec![0usize; classes];
    for (c, &y) in counts.iter().zip(labels) {
        per_class[y as usize] += 1;
        for (s, &k) in sums[y as usize].iter_mut().zip(c) {
            *s += k as f64;
        }
    }
    (0..n)
        .map(|j| {
            let mut best: Option<(u32, f64)> = None;
            for (y, s) in sums.iter().enumerate() {
                if per_class[y] == 0 {
                    continue;
                }
                let mean = s[j] / per_class[y] as f64;
                if mean > 0.0 && best.is_none_or(|(_, m)| mean > m) {
                    best = Some((y as u32, mean));
                }
            }
            best.map(|(y, _)| y)
        })
        .collect()
}

/// The answer for one sample's counts, given the neurons' labels.
pub fn predict(counts: &[u32], assigned: &[Option<u32>], classes: usize) -> u32 {
    let mut sum = vec![0.0f64; classes];
    let mut n = vec![0usize; classes];
    for (&c, a) in counts.iter().zip(assigned) {
        if let Some(y) = a {
            sum[*y as usize] += c as f64;
            n[*y as usize] += 1;
        }
    }
    let mut best = 0u32;
    let mut best_v = f64::NEG_INFINITY;
    for y in 0..classes {
        if n[y] == 0 {
            continue;
        }
        let v = sum[y] / n[y] as f64;
        if v > best_v {
            best_v = v;
            best = y as u32;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neurons_take_the_label_they_answer_most_and_the_vote_follows() {
        // Neuron 0 fires for label 1, neuron 1 for label 0, neuron 2 never.
        let counts = vec![vec![0, 5, 0], vec![4, 0, 0], vec![6, 1, 0], vec![1, 3, 0]];
        let labels = [0, 1, 1, 0];
        let a = assign_labels(&counts, &labels, 3);
        assert_eq!(a, vec![Some(1), Some(0), None]);
        assert_eq!(predict(&[9, 1, 0], &a, 3), 1);
        assert_eq!(predict(&[0, 2, 7], &a, 3), 0);
        // Nothing fires: the smallest label with neurons.
        assert_eq!(predict(&[0, 0, 0], &a, 3), 0);
    }
}
