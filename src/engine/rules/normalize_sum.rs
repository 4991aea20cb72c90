//! `normalize_sum` (Diehl & Cook): each neuron's incoming weights rescaled to a total,
//! after every sample or every step.

/// Rescales each post neuron's incoming weights (a column of `wt`) to sum to `total`.
pub fn normalize_sum(wt: &mut [f32], post: usize, total: f32) {
    // Column by column, so the step loop allocates nothing.
    for j in 0..post {
        let sum: f32 = wt.iter().skip(j).step_by(post).sum();
        if sum != 0.0 {
            let f = total / sum;
            wt.iter_mut().skip(j).step_by(post).for_each(|w| *w *= f);
        }
    }
}
