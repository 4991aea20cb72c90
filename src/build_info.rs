//! What the binary was built from, as build.rs found it: outcomes record it in
//! `provenance` so a result can be traced to its source tree.

/// The somnia version (Cargo.toml).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The full git hash of the commit built, or `unknown` (no git, no repository).
pub const COMMIT: &str = env!("SOMNIA_COMMIT");

/// `true` when what the binary is built from (src/, grammar/, docs/diagnostics/,
/// build.rs, Cargo.toml, Cargo.lock) had changes not committed, untracked files included;
/// `false` when it had none; `unknown` with [`COMMIT`].
const DIRTY: &str = env!("SOMNIA_DIRTY");

/// Whether the tree built was dirty; `None` when it is not known.
pub fn dirty() -> Option<bool> {
    match DIRTY {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// The abbreviated hash (`git rev-parse --short HEAD`), or `unknown`.
pub const COMMIT_SHORT: &str = env!("SOMNIA_COMMIT_SHORT");

/// The date of the commit built (`YYYY-MM-DD`), or empty when it is not known.
pub const COMMIT_DATE: &str = env!("SOMNIA_COMMIT_DATE");

/// What `somnia --version` prints after the name: `0.1.0 (abc1234 2026-12-07)`, with
/// `, dirty` when the tree built had uncommitted changes, or `0.1.0 (commit unknown)`.
pub const LONG_VERSION: &str = env!("SOMNIA_LONG_VERSION");
