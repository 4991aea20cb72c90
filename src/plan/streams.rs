//! Named random streams derived from the master seed.
//!
//! A stream's seed depends only on the master seed and the stream's name (`consolidate#2`),
//! never on the op's position, so inserting a phase leaves every other phase's randomness
//! unchanged. SHA-256 keeps the derivation stable across platforms and releases.

use super::ir::Stream;
use sha2::{Digest, Sha256};

/// The stream called `name` under `master`.
pub fn stream(master: u64, name: &str) -> Stream {
    Stream {
        name: name.to_string(),
        seed: derive(master, name),
    }
}

/// A 64-bit seed for `name` under `master`.
pub fn derive(master: u64, name: &str) -> u64 {
    let mut h = Sha256::new();
    h.update(b"somnia-stream-v1");
    h.update(master.to_le_bytes());
    h.update(name.as_bytes());
    let d = h.finalize();
    u64::from_le_bytes(d[..8].try_into().expect("a SHA-256 digest has 32 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_depend_on_seed_and_name_only() {
        assert_eq!(derive(1, "learn#0"), derive(1, "learn#0"));
        assert_ne!(derive(1, "learn#0"), derive(2, "learn#0"));
        assert_ne!(derive(1, "learn#0"), derive(1, "learn#1"));
        // A fixed value guards the derivation against accidental change: changing it changes
        // every run's randomness. (Computed independently with Python's hashlib.)
        assert_eq!(derive(1, "learn#0"), 16204804024853204115);
    }
}
