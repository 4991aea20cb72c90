//! `somnia run FILE [--protocol NAME] [--seed N] [--set NAME=VALUE]... [--out DIR]`
//!
//! Checks and compiles the protocol, checks the output folder, runs it, writes
//! `outcome.json` and `metrics.csv`, and prints the final values and the expectations. Exit
//! 0 when every expectation passes, 1 when one fails, 2 on errors (in the file, the data,
//! the output folder, or the run), 128 + the signal when a signal stopped it (130 for
//! Ctrl-C). With `--plots`, the outcome's plots (`somnia plot`) are written beside it.
//!
//! The run's files appear in the output folder as a whole ([`crate::outcome::folder`]); a
//! run that stops early keeps its partial outcome and the snapshot written at the last op
//! boundary that asked for one, and `--resume` continues it.
//!
//! The same command again finds the folder up to date ([`super::rerun`]): it prints the
//! stored outcome's summary and exits as that run did, without running; a folder holding
//! another run is never overwritten without `--force`.

use super::output;
use super::progress::Bars;
use super::signals;
use super::{FAILED, OK, USAGE};
use crate::console::eprintln;
use crate::data::EvalSplit;
use crate::engine::recording_export::RecordingSaver;
use crate::engine::runner::SNAPSHOT_FILE;
use crate::engine::weight_export::{self as weights, Saver, When};
use crate::engine::{self, Control, Every, Progress, Quiet, Snapshot, Snapshots};
use crate::outcome::Outcome;
use crate::outcome::folder::{Found, Placed, RunFolder, found, staging_of};
use crate::outcome::write::{OUTCOME_FILE, write_outcome};
use crate::plan::hash::work_hash;
use crate::session;
use clap::ValueEnum;
use std::path::{Path, PathBuf};

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
    /// Run again over an existing outcome, even one up to date (the old one stays until the
    /// new run is complete).
    #[arg(long)]
    pub force: bool,
    /// Continue the unfinished run in the output folder from its last snapshot (a run
    /// already complete is only reported).
    #[arg(long, conflicts_with = "force")]
    pub resume: bool,
    /// Write a snapshot to resume from after the first op this long after the last one
    /// (`10m`, `30s`, `1h`), after every N ops (`5`), or only at `checkpoint` statements
    /// (`off`).
    #[arg(long, value_name = "WHEN", default_value = "10m", value_parser = Every::parse)]
    pub checkpoint_every: Every,
    /// Also write the outcome's plots beside it (hypnogram.svg, accuracy.svg, weights.svg).
    #[arg(long)]
    pub plots: bool,
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
        return super::output::fail(crate::diagnostics::Code::E502, &e);
    }
    let dir = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("runs").join(format!("{}-{}", plan.protocol, plan.seed)));
    let run_opts = engine::Options {
        eval: match a.eval {
            Split::Test => EvalSplit::Test,
            Split::Validation => EvalSplit::Validation,
        },
    };
    let resume = match start_from(&dir, &a, plan, &run_opts) {
        Ok(Start::Fresh) => None,
        Ok(Start::Snapshot(s)) => Some(*s),
        Ok(Start::Done(o)) => {
            print_summary(&o);
            eprintln!(
                "{} already holds the complete run; nothing to resume",
                dir.display()
            );
            return if o.passed() { OK } else { FAILED };
        }
        Ok(Start::UpToDate(o)) => {
            print_summary(&o);
            eprintln!(
                "outcome up to date: {} (same protocol, seed, data and build); pass --force to run again",
                dir.join(OUTCOME_FILE).display()
            );
            return if o.passed() { OK } else { FAILED };
        }
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    let folder = match RunFolder::prepare(&dir, bytes_written(plan, &whens), resume.is_none()) {
        Ok(f) => f,
        Err(e) => return super::output::fail(crate::diagnostics::Code::E503, &e),
    };
    let stop = signals::install();
    let mut bars;
    let mut quiet = Quiet;
    let progress: &mut dyn Progress = if output::quiet() || !Bars::available() {
        &mut quiet
    } else {
        bars = Bars::new();
        &mut bars
    };
    let mut recorder = None;
    let progress: &mut dyn Progress = if plan.recordings.is_empty() {
        progress
    } else {
        recorder.insert(RecordingSaver::new(&folder.staging, progress))
    };
    let control = Control {
        stop: Some(stop.flag.clone()),
        snapshots: Some(Snapshots::new(
            folder.staging.join(SNAPSHOT_FILE),
            a.checkpoint_every,
        )),
        resume,
    };
    let mut weight_errors = Vec::new();
    let (outcome, error) = if whens.is_empty() {
        engine::run_with(plan, &run_opts, progress, control)
    } else {
        let mut saver = if control.resume.is_some() {
            Saver::continuing(whens, &folder.staging, progress)
        } else {
            Saver::new(whens, &folder.staging, progress)
        };
        let result = engine::run_with(plan, &run_opts, &mut saver, control);
        if let Some(folder) = saver.finish_index() {
            let matrices = saver.saved.len();
            output::note(&format!(
                "weights: {} .npy files ({matrices} matrices, {} biases; index.csv lists them) in {}",
                saver.files(),
                saver.files() - matrices,
                folder.display()
            ));
        }
        weight_errors = std::mem::take(&mut saver.errors);
        result
    };
    if let Some(r) = &mut recorder {
        if r.files() > 0 {
            output::note(&format!(
                "recordings: {} .npy files in {}",
                r.files(),
                dir.join(crate::engine::recording_export::RECORDINGS_DIR)
                    .display()
            ));
        }
        weight_errors.append(&mut r.errors);
    }
    let mut outcome = outcome;
    outcome.provenance.overrides = crate::outcome::provenance::overrides(&report.program, &a.sets);
    let complete = outcome.status == "complete";
    if complete {
        // Nothing to resume: the snapshot goes.
        let _ = std::fs::remove_file(folder.staging.join(SNAPSHOT_FILE));
    }
    if let Err(e) = write_outcome(&folder.staging, &outcome) {
        eprintln!(
            "error: cannot write the outcome into {}: {e}",
            folder.staging.display()
        );
        return USAGE;
    }
    let mut plots_failed = false;
    if a.plots {
        let fields = super::plot::receptive_field_files(&folder.staging, &outcome);
        let written = crate::plot::outcome_plots(&outcome)
            .and_then(|files| {
                let mut files: Vec<(String, String)> =
                    files.into_iter().map(|(n, s)| (n.to_string(), s)).collect();
                files.extend(super::plot::recorded_plots(&folder.staging)?);
                files.extend(fields?);
                Ok(files)
            })
            .map_err(|e| e.to_string())
            .and_then(|files| super::plot::write_all(&folder.staging, &files));
        match written {
            Ok(paths) => {
                let names: Vec<String> = paths
                    .iter()
                    .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .collect();
                output::note(&format!("plots: {}", names.join(", ")));
            }
            Err(e) => {
                eprintln!("error: cannot write the plots: {e}");
                plots_failed = true;
            }
        }
    }
    let placed = match folder.commit(complete) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    print_summary(&outcome);
    if output::verbose() {
        super::verbose::run_details(&outcome, &placed, plan.estimate.seconds);
    }
    match &placed {
        Placed::Dir(d) => eprintln!("outcome written to {}", d.display()),
        Placed::Beside { partial, kept } => eprintln!(
            "the complete outcome in {} is kept; this run's partial outcome is in {}",
            kept.display(),
            partial.display()
        ),
    }
    let snapshot = match &placed {
        Placed::Dir(d) => d.join(SNAPSHOT_FILE),
        Placed::Beside { partial, .. } => partial.join(SNAPSHOT_FILE),
    };
    if !complete && (stop.requested() || snapshot.exists()) {
        eprintln!(
            "continue it by running the same command with --resume{}",
            if a.force { " (instead of --force)" } else { "" }
        );
    }
    for e in &weight_errors {
        eprintln!("error: {e}");
    }
    if let Some(e) = error {
        let d = e.to_diagnostic(&report.program.sources);
        output::print_human(&[d], &report.program.sources, color);
        if stop.requested() {
            return stop.exit_code();
        }
        return USAGE;
    }
    if !weight_errors.is_empty() || plots_failed {
        return USAGE;
    }
    if outcome.passed() { OK } else { FAILED }
}

/// How a run starts: afresh, from a snapshot, or not at all (`--resume` of a complete run,
/// or the same command again on an outcome up to date).
enum Start {
    Fresh,
    Snapshot(Box<Snapshot>),
    Done(Box<Outcome>),
    UpToDate(Box<Outcome>),
}

/// What the output folder allows: an existing outcome needs `--force` or `--resume`; with
/// `--resume`, the snapshot of the unfinished run (in the staging folder when a complete
/// outcome was kept, else in the folder) continues it.
fn start_from(
    dir: &Path,
    a: &Args,
    plan: &crate::plan::Plan,
    opts: &engine::Options,
) -> Result<Start, String> {
    let staging = staging_of(dir);
    if a.resume {
        if found(dir) == Found::Complete && !staging.join(SNAPSHOT_FILE).exists() {
            let o = read_outcome(&dir.join(OUTCOME_FILE))?;
            if o.work_hash != work_hash(plan) {
                return Err(format!(
                    "{} holds a complete run of another plan; choose another --out or pass --force",
                    dir.display()
                ));
            }
            return Ok(Start::Done(Box::new(o)));
        }
        for place in [&staging, &dir.to_path_buf()] {
            let file = place.join(SNAPSHOT_FILE);
            if file.exists() {
                let s = Snapshot::read(&file)?;
                if s.work_hash != work_hash(plan) {
                    return Err(format!(
                        "{} was written by another plan; resume with the same file, protocol, seed and --set values",
                        file.display()
                    ));
                }
                if s.eval != opts.eval {
                    return Err(format!(
                        "{} evaluates on the {} split; resume with --eval {}",
                        file.display(),
                        s.eval.word(),
                        s.eval.word()
                    ));
                }
                if place.as_path() == dir {
                    // Continue in the staging folder, from the folder's files.
                    copy_folder(dir, &staging)?;
                }
                output::note(&format!(
                    "resuming from {} (after {} ops)",
                    file.display(),
                    s.records.len()
                ));
                return Ok(Start::Snapshot(Box::new(s)));
            }
        }
        eprintln!(
            "no snapshot to resume from in {}: the run starts from the beginning",
            dir.display()
        );
        return Ok(Start::Fresh);
    }
    let unfinished = staging.join(SNAPSHOT_FILE).exists();
    match found(dir) {
        _ if a.force => {}
        Found::Nothing => {}
        Found::Complete if !unfinished => {
            let file = dir.join(OUTCOME_FILE);
            let o = read_outcome(&file)?;
            let why = super::rerun::differences(&o, plan, a, opts.eval.word());
            if why.is_empty() {
                return Ok(Start::UpToDate(Box::new(o)));
            }
            return Err(format!(
                "{} holds a complete run of other inputs: {}; pass --force to replace it (it stays until the new run is complete) or --out DIR to write elsewhere",
                file.display(),
                why.join("; ")
            ));
        }
        Found::Complete => {
            return Err(format!(
                "{} holds a complete outcome and {} an unfinished run beside it; pass --resume to continue that run, --force to start over, or --out DIR to write elsewhere",
                dir.join(OUTCOME_FILE).display(),
                staging.display()
            ));
        }
        Found::Unfinished => {
            let resumable = dir.join(SNAPSHOT_FILE).exists() || unfinished;
            return Err(format!(
                "{} exists and is not a complete outcome (a run that stopped, or another file); pass {}--force to start over, or --out DIR to write elsewhere",
                dir.join(OUTCOME_FILE).display(),
                if resumable {
                    "--resume to continue it from its snapshot, "
                } else {
                    ""
                }
            ));
        }
    }
    if staging.join(SNAPSHOT_FILE).exists() && !a.force {
        return Err(format!(
            "{} holds an unfinished run; pass --resume to continue it or --force to start over",
            staging.display()
        ));
    }
    Ok(Start::Fresh)
}

fn read_outcome(path: &Path) -> Result<Outcome, String> {
    crate::outcome::read::file(path)
}

/// Copies the files of a run's folder into its (new) staging folder.
fn copy_folder(from: &Path, to: &Path) -> Result<(), String> {
    fn copy(from: &Path, to: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            let target = to.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                copy(&entry.path(), &target)?;
            } else {
                std::fs::copy(entry.path(), target)?;
            }
        }
        Ok(())
    }
    copy(from, to).map_err(|e| format!("cannot copy {} to {}: {e}", from.display(), to.display()))
}

/// Roughly what a run writes: the outcome, each weight export, and its snapshot twice
/// (the new one is written beside the old before it replaces it).
fn bytes_written(plan: &crate::plan::Plan, whens: &[When]) -> u64 {
    let e = &plan.estimate;
    let exports = if whens.is_empty() {
        0
    } else {
        // Every op at most, plus start and end.
        (plan.ops.len() as u64 + 2).saturating_mul(e.synapses.saturating_mul(4))
    };
    let snapshot = e.weight_bytes.saturating_add(e.state_bytes);
    (1u64 << 20)
        .saturating_add(exports)
        .saturating_add(e.record_bytes)
        .saturating_add(snapshot.saturating_mul(2))
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
