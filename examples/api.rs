//! Using somnia as a library: check a protocol file, then walk its plans.
//!
//! Run with `cargo run --example api -- protocols/src_split_mnist.sleep`.

use somnia::diagnostics::render::{Style, render_all_human};
use somnia::plan::Options;
use somnia::plan::ir::Op;
use somnia::session;
use std::path::PathBuf;

fn main() -> std::process::ExitCode {
    let path: PathBuf = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "protocols/src_split_mnist.sleep".into())
        .into();
    let report = match session::check_file(&path, &[], &Options::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    // Diagnostics carry spans; rendering attaches the source text.
    eprint!(
        "{}",
        render_all_human(&report.diagnostics, &report.program.sources, Style::PLAIN)
    );
    if report.has_errors() {
        return std::process::ExitCode::from(1);
    }
    for plan in &report.plans {
        let sleeps: u64 = plan
            .ops
            .iter()
            .map(|op| match op {
                Op::Sleep { steps, .. } => *steps,
                _ => 0,
            })
            .sum();
        println!(
            "{:<12} seed {:<3} {:>3} ops, {:>7} sleep steps, {} expectation(s), ~{:.1} MB",
            plan.protocol,
            plan.seed,
            plan.ops.len(),
            sleeps,
            plan.expectations.len(),
            plan.estimate.total_bytes as f64 / 1e6
        );
    }
    std::process::ExitCode::SUCCESS
}
