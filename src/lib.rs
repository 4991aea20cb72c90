//! somnia: a checked language and interpreter for sleep protocols.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! source text ──syntax──▶ AST ──check──▶ checked program ──plan──▶ Plan (IR)
//! ```

pub mod build_info;
pub mod builtins;
pub mod check;
pub mod cli;
pub mod compare;
pub mod console;
pub mod data;
pub mod diagnostics;
pub mod engine;
pub mod format;
pub mod load;
pub mod lsp;
pub mod outcome;
pub mod plan;
pub mod plot;
pub mod repl;
pub mod session;
pub mod source;
pub mod suite;
pub mod sweep;
pub mod syntax;
pub mod units;
