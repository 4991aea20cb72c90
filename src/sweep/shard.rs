//! `--shard K/N`: which runs of a sweep or comparison one of N processes runs.
//!
//! Run `j` (0-based, in the order of [`super::jobs`]: grid order, seeds innermost; arms then
//! seeds for a comparison) belongs to shard `j mod N + 1`. Every run is in exactly one shard
//! whatever N is, the shards differ in size by at most one run, and neighbouring runs (the
//! seeds of one point, which often cost the same) go to different shards. Which shard ran a
//! run changes nothing in its outcome: a run's streams come from its seed alone.

use std::fmt;
use std::str::FromStr;

/// Shard `k` of `n`, `1 ≤ k ≤ n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: usize,
    pub n: usize,
}

impl Shard {
    /// Whether run `job` (its index among all runs) is this shard's.
    pub fn has(self, job: usize) -> bool {
        job % self.n == self.k - 1
    }

    /// The indices of this shard's runs among `total`.
    pub fn runs(self, total: usize) -> impl Iterator<Item = usize> {
        (self.k - 1..total).step_by(self.n)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("expected K/N with 1 ≤ K ≤ N (`--shard 3/8`), found `{s}`");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: usize = k.trim().parse().map_err(|_| bad())?;
        let n: usize = n.trim().parse().map_err(|_| bad())?;
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_run_is_in_exactly_one_shard_for_any_n() {
        for total in [0, 1, 2, 7, 12, 100, 1001] {
            for n in [1, 2, 3, 4, 5, 8, 13, 64, 2000] {
                let mut count = vec![0; total];
                let mut sizes = Vec::new();
                for k in 1..=n {
                    let s = Shard { k, n };
                    let runs: Vec<usize> = s.runs(total).collect();
                    assert!(runs.iter().all(|&j| s.has(j)));
                    assert_eq!(runs.len(), (0..total).filter(|&j| s.has(j)).count());
                    for j in runs.iter().copied() {
                        count[j] += 1;
                    }
                    sizes.push(runs.len());
                }
                assert!(count.iter().all(|&c| c == 1), "total {total}, n {n}");
                let (lo, hi) = (sizes.iter().min(), sizes.iter().max());
                assert!(
                    hi.unwrap() - lo.unwrap() <= 1,
                    "total {total}, n {n}: {sizes:?}"
                );
            }
        }
    }

    #[test]
    fn shards_parse_as_k_of_n_and_refuse_the_rest() {
        assert_eq!("3/8".parse::<Shard>(), Ok(Shard { k: 3, n: 8 }));
        assert_eq!("1/1".parse::<Shard>(), Ok(Shard { k: 1, n: 1 }));
        assert_eq!(Shard { k: 2, n: 5 }.to_string(), "2/5");
        for bad in ["0/4", "5/4", "3", "a/b", "1/0", "-1/4", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
