//! Activity recorded during a spiking phase, and the metrics read from it: `entropy`,
//! `branching_ratio` and `avalanches` of a population, over time bins.
//!
//! Each step stores, per population, the number of spikes and a 128-bit pattern of which
//! neurons fired (neuron k sets bit k mod 128: populations above 128 neurons fold onto the
//! same bits, so `entropy` counts patterns of neuron groups there).

/// Per population, per step: spike counts and firing patterns.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Recorder {
    pub counts: Vec<Vec<u32>>,
    pub patterns: Vec<Vec<u128>>,
    /// Seconds per step.
    pub dt: f64,
}

impl Recorder {
    pub fn new(pops: usize, steps: usize, dt: f64) -> Recorder {
        Recorder {
            counts: (0..pops).map(|_| Vec::with_capacity(steps)).collect(),
            patterns: (0..pops).map(|_| Vec::with_capacity(steps)).collect(),
            dt,
        }
    }

    /// Records one step's spikes of population `pop`.
    pub fn record(&mut self, pop: usize, spikes: &[u32]) {
        let mut pattern = 0u128;
        for &k in spikes {
            pattern |= 1u128 << (k % 128);
        }
        self.counts[pop].push(spikes.len() as u32);
        self.patterns[pop].push(pattern);
    }

    fn bin_steps(&self, bin: f64) -> usize {
        ((bin / self.dt).round() as usize).max(1)
    }

    /// Spikes per bin.
    pub fn binned_counts(&self, pop: usize, bin: f64) -> Vec<u64> {
        self.counts[pop]
            .chunks(self.bin_steps(bin))
            .map(|c| c.iter().map(|&n| n as u64).sum())
            .collect()
    }

    /// Shannon entropy (bits) of the binned firing patterns.
    pub fn entropy(&self, pop: usize, bin: f64) -> f64 {
        let mut patterns: Vec<u128> = self.patterns[pop]
            .chunks(self.bin_steps(bin))
            .map(|c| c.iter().fold(0, |a, &p| a | p))
            .collect();
        let n = patterns.len() as f64;
        if n == 0.0 {
            return 0.0;
        }
        patterns.sort_unstable();
        let mut h = 0.0;
        let mut run = 1usize;
        for i in 1..=patterns.len() {
            if i < patterns.len() && patterns[i] == patterns[i - 1] {
                run += 1;
            } else {
                let p = run as f64 / n;
                h -= p * p.log2();
                run = 1;
            }
        }
        h
    }

    /// Mean ratio of spikes in the next bin to spikes in this one, over bins with spikes.
    pub fn branching_ratio(&self, pop: usize, bin: f64) -> f64 {
        let c = self.binned_counts(pop, bin);
        let ratios: Vec<f64> = c
            .windows(2)
            .filter(|w| w[0] > 0)
            .map(|w| w[1] as f64 / w[0] as f64)
            .collect();
        if ratios.is_empty() {
            0.0
        } else {
            ratios.iter().sum::<f64>() / ratios.len() as f64
        }
    }

    /// The maximum-likelihood power-law exponent of avalanche sizes (runs of bins with
    /// spikes, bounded by empty bins), discrete with s_min = 1: α = 1 + N / Σ ln(s / 0.5).
    /// 0 when fewer than two avalanches occurred.
    pub fn avalanche_exponent(&self, pop: usize, bin: f64) -> f64 {
        let mut sizes = Vec::new();
        let mut current = 0u64;
        for n in self.binned_counts(pop, bin) {
            if n > 0 {
                current += n;
            } else if current > 0 {
                sizes.push(current);
                current = 0;
            }
        }
        if current > 0 {
            sizes.push(current);
        }
        if sizes.len() < 2 {
            return 0.0;
        }
        let denom: f64 = sizes.iter().map(|&s| (s as f64 / 0.5).ln()).sum();
        1.0 + sizes.len() as f64 / denom
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorder(counts: &[u32]) -> Recorder {
        let mut r = Recorder::new(1, counts.len(), 0.001);
        for &c in counts {
            let spikes: Vec<u32> = (0..c).collect();
            r.record(0, &spikes);
        }
        r
    }

    #[test]
    fn branching_ratio_averages_next_over_current() {
        // Bins of 1 step: 2 → 4 (2), 4 → 0 (0), 0 skipped, 1 → 1 (1): mean 1.
        let r = recorder(&[2, 4, 0, 1, 1]);
        assert!((r.branching_ratio(0, 0.001) - 1.0).abs() < 1e-12);
        // Bins of 2 steps: [6, 1, 1] → 1/6, 1: mean 7/12.
        assert!((r.branching_ratio(0, 0.002) - 7.0 / 12.0).abs() < 1e-12);
    }

    #[test]
    fn entropy_counts_distinct_patterns() {
        // Patterns: {0,1}, {}, {0,1}, {} → two patterns, each half the time: 1 bit.
        let r = recorder(&[2, 0, 2, 0]);
        assert!((r.entropy(0, 0.001) - 1.0).abs() < 1e-12);
        // Bins of 2 steps make every bin the same pattern: 0 bits.
        assert_eq!(r.entropy(0, 0.002), 0.0);
    }

    #[test]
    fn avalanches_are_runs_between_silent_bins() {
        // Avalanches of sizes 3 and 1: α = 1 + 2 / (ln 6 + ln 2).
        let r = recorder(&[1, 2, 0, 1, 0]);
        let want = 1.0 + 2.0 / (6.0f64.ln() + 2.0f64.ln());
        assert!((r.avalanche_exponent(0, 0.001) - want).abs() < 1e-12);
        assert_eq!(recorder(&[1, 1, 1]).avalanche_exponent(0, 0.001), 0.0);
    }
}
