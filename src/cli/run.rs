//! `somnia run FILE [--protocol NAME] [--seed N] [--set NAME=VALUE]... [--out DIR]`
//!
//! Checks and compiles the protocol, runs it, writes `outcome.json` and `metrics.csv`, and
//! prints the final values and the expectations. Exit 0 when every expectation passes, 1
//! when one fails, 2 on errors (in the file, the data, or the run). With `--plots`, the
//! outcome's plots (`somnia plot`) are written beside it.

use super::output;
use super::progress::Bars;
use super::{FAILED, OK, USAGE};
use crate::data::EvalSplit;
use crate::engine::weight_export::{self as weights, Saver, When};
use crate::engine::{self, Progress, Quiet};
use crate::outcome::Outcome;
use crate::outcome::write::{OUTCOME_FILE, write_outcome};
use crate::session;
use clap::ValueEnum;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The protocol file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The protocol to run (required when the file has several).
    #[arg(long, short)]
    pub protocol: Option<String>,
    /// Replace the protocol's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Replace a constant: `--set sleep_base=20000steps` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = session::parse_set)]
    pub sets: Vec<(String, String)>,
    /// Where to write the outcome (default: runs/<protocol>-<seed>/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Overwrite an existing outcome.
    #[arg(long)]
    pub force: bool,
    /// Also write the outcome's plots beside it (hypnogram.svg, accuracy.svg, weights.svg).
    #[arg(long)]
    pub plots: bool,
    /// No progress bars.
    #[arg(long, short)]
    pub quiet: bool,
    /// Compute task metrics on the validation split (for choosing hyper-parameters)
    /// instead of the test split.
    #[arg(long, value_enum, default_value_t = Split::Test)]
    pub eval: Split,
    /// Save every projection's weights as .npy into DIR/weights/ at these points (comma
    /// separated or repeated): `start`, `end`, `all` (after every op), an op index, an op kind
    /// (`nrem`), a phase (`consolidate`), a call (`consolidate#2`) or a measurement label.
    #[arg(long = "save-weights", value_name = "WHEN", value_delimiter = ',')]
    pub save_weights: Vec<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Split {
    Test,
    Validation,
}

pub fn run(a: Args, color: bool) -> i32 {
    let report = match output::checked_report(&a.file, &a.sets, a.seed, color, USAGE) {
        Ok(r) => r,
        Err(status) => return status,
    };
    let plan = match &a.protocol {
        Some(name) => match output::find_protocol(&report, name, &a.file) {
            Some(p) => p,
            None => return USAGE,
        },
        None => match report.plans.as_slice() {
            [p] => p,
            [] => {
                eprintln!("error: {} defines no protocol", a.file.display());
                return USAGE;
            }
            many => {
                let names: Vec<&str> = many.iter().map(|p| p.protocol.as_str()).collect();
                eprintln!(
                    "error: {} has several protocols; choose one with --protocol: {}",
                    a.file.display(),
                    names.join(", ")
                );
                return USAGE;
            }
        },
    };
    let whens: Vec<When> = a.save_weights.iter().map(|s| When::parse(s)).collect();
    if let Err(e) = weights::check(&whens, plan) {
        eprintln!("error: {e}");
        return USAGE;
    }
    let dir = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("runs").join(format!("{}-{}", plan.protocol, plan.seed)));
    let target = dir.join(OUTCOME_FILE);
    if target.exists() && !a.force {
        eprintln!(
            "error: {} exists; pass --force to overwrite it, or --out to write elsewhere",
            target.display()
        );
        return USAGE;
    }
    let run_opts = engine::Options {
        eval: match a.eval {
            Split::Test => EvalSplit::Test,
            Split::Validation => EvalSplit::Validation,
        },
    };
    let mut bars;
    let mut quiet = Quiet;
    let progress: &mut dyn Progress = if a.quiet || !Bars::available() {
        &mut quiet
    } else {
        bars = Bars::new();
        &mut bars
    };
    let mut weight_errors = Vec::new();
    let (outcome, error) = if whens.is_empty() {
        engine::run(plan, &run_opts, progress)
    } else {
        let mut saver = Saver::new(whens, &dir, progress);
        let result = engine::run(plan, &run_opts, &mut saver);
        if let Some(folder) = saver.finish_index() {
            eprintln!(
                "weights: {} .npy files in {} (index.csv lists them)",
                saver.saved.len(),
                folder.display()
            );
        }
        weight_errors = std::mem::take(&mut saver.errors);
        result
    };
    if let Err(e) = write_outcome(&dir, &outcome) {
        eprintln!(
            "error: cannot write the outcome into {}: {e}",
            dir.display()
        );
        return USAGE;
    }
    print_summary(&outcome);
    eprintln!("outcome written to {}", dir.display());
    let mut plots_failed = false;
    if a.plots {
        let written = crate::plot::outcome_plots(&outcome)
            .map_err(|e| e.to_string())
            .and_then(|files| {
                let files: Vec<(String, String)> =
                    files.into_iter().map(|(n, s)| (n.to_string(), s)).collect();
                super::plot::write_all(&dir, &files)
            });
        match written {
            Ok(paths) => {
                let names: Vec<String> = paths
                    .iter()
                    .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .collect();
                eprintln!("plots written to {}: {}", dir.display(), names.join(", "));
            }
            Err(e) => {
                eprintln!("error: cannot write the plots: {e}");
                plots_failed = true;
            }
        }
    }
    for e in &weight_errors {
        eprintln!("error: {e}");
    }
    if !weight_errors.is_empty() {
        return USAGE;
    }
    if let Some(e) = error {
        let d = e.to_diagnostic(&report.program.sources);
        output::print_human(&[d], &report.program.sources, color);
        return USAGE;
    }
    if plots_failed {
        return USAGE;
    }
    if outcome.passed() { OK } else { FAILED }
}

/// The final values of task metrics and every expectation, on stdout.
fn print_summary(o: &Outcome) {
    let mut text = format!("{} (seed {})\n", o.protocol, o.seed);
    for (metric, values) in &o.final_values {
        let shown: Vec<String> = values
            .iter()
            .map(|(task, v)| format!("{task} {}", format_value(metric, *v)))
            .collect();
        text.push_str(&format!("  {metric:<16} {}\n", shown.join("  ")));
    }
    for e in &o.expectations {
        text.push_str(&format!("{}\n", output::expectation_line(e)));
    }
    output::out(&text);
}

fn format_value(metric: &str, v: f64) -> String {
    if matches!(metric, "accuracy" | "forgetting" | "bwt") {
        format!("{:.2}%", 100.0 * v)
    } else {
        format!("{v:.6}")
    }
}
