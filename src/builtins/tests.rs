//! The registry is consistent: unique names, documented, defaults in their ranges.

use super::*;
use std::collections::HashSet;

#[test]
fn names_are_unique_within_a_kind_and_documented() {
    let mut seen = HashSet::new();
    for b in all() {
        assert!(seen.insert((b.kind, b.name)), "{} defined twice", b.name);
        assert!(!b.doc.is_empty(), "{} has no doc", b.name);
        let mut params = HashSet::new();
        for p in b.params {
            assert!(params.insert(p.name), "{}.{} twice", b.name, p.name);
            assert!(!p.doc.is_empty(), "{}.{} has no doc", b.name, p.name);
        }
    }
}

#[test]
fn numeric_defaults_lie_in_their_ranges() {
    for b in all() {
        for p in b.params {
            if let Default::Num(v) = p.default {
                let ok = match p.range {
                    Range::Any => v.is_finite(),
                    Range::Positive => v > 0.0,
                    Range::NonNegative => v >= 0.0,
                    Range::Probability => (0.0..=1.0).contains(&v),
                    Range::Between(lo, hi) => v >= lo && v <= hi,
                };
                assert!(ok, "default of {}.{} is out of its range", b.name, p.name);
            }
        }
    }
}

#[test]
fn builtin_defaults_name_builtins() {
    for b in all() {
        for p in b.params {
            if let Default::Builtin(name) = p.default {
                assert!(
                    lookup(name).is_some(),
                    "{}.{} defaults to unknown {name}",
                    b.name,
                    p.name
                );
            }
        }
    }
}
