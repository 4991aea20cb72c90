//! The sizes the front end accepts, and the sizing of what it would expand.
//!
//! Everything the front end expands — a schedule's loops, a range of seeds, a sweep's grid, a
//! range turned into a list — is sized before it is built, with saturating arithmetic, and
//! refused past these limits (E310, E319), so that no input makes `check` or `plan` allocate
//! without bound or run for long. docs/language.md ("Limits") lists them.

use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;

/// The most ops a plan may have after unrolling (E310). An op holds its phase's resolved
/// settings, about 15 kB, so this keeps the largest plan `check` accepts near 300 MB.
pub const MAX_OPS: usize = 20_000;

/// Past this many ops a plan is large enough to warn about (W008).
pub const WARN_OPS: usize = 10_000;

/// The most seeds one `compare` or `sweep` may have (E319).
pub const MAX_SEEDS: u64 = 100_000;

/// A comparison over fewer seeds than this rests its confidence intervals on too few
/// paired differences to trust them (W010, and `few_seeds` in compare.json).
pub const FEW_SEEDS: usize = 5;

/// The most runs (grid points × seeds, arms × seeds) one `compare` or `sweep` may have (E319).
pub const MAX_RUNS: u64 = 100_000;

/// The most values a range may expand to when it becomes a list (sweep axes, list settings,
/// `max(1..N)`): a `for` or `repeat` is bounded by [`MAX_OPS`] instead (E319).
pub const MAX_VALUES: u64 = 100_000;

/// The number of values of `a..b` (both ends included; 0 when it runs downwards).
pub fn range_len(a: i64, b: i64) -> u64 {
    if b < a {
        0
    } else {
        (b as i128 - a as i128 + 1).min(u64::MAX as i128) as u64
    }
}

/// `1234567` as `1,234,567`; a saturated size as "more than 18,446,744,073,709,551,614".
pub fn size_text(n: u64) -> String {
    let out = crate::units::group_digits(n);
    if n == u64::MAX {
        format!("more than {out}")
    } else {
        out
    }
}

/// E319 for a range that would expand to more than [`MAX_VALUES`] values.
pub fn too_many_values(span: Span, n: u64, what: &str) -> Diagnostic {
    Diagnostic::new(
        Code::E319,
        span,
        format!(
            "{what} has {} values; at most {} are expanded",
            size_text(n),
            size_text(MAX_VALUES)
        ),
    )
    .label(format!("{} values", size_text(n)))
    .help("use a shorter range, or a list of the values that matter")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_numbers() {
        assert_eq!(size_text(0), "0");
        assert_eq!(size_text(999), "999");
        assert_eq!(size_text(1000), "1,000");
        assert_eq!(size_text(1_000_000_000), "1,000,000,000");
        assert!(size_text(u64::MAX).starts_with("more than 18,446"));
    }

    #[test]
    fn range_lengths_do_not_overflow() {
        assert_eq!(range_len(1, 3), 3);
        assert_eq!(range_len(3, 1), 0);
        assert_eq!(range_len(i64::MIN, i64::MAX), u64::MAX);
    }
}
