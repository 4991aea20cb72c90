//! The command line: one file per subcommand. This is the only module that prints.
//!
//! Exit status: 0 success, 1 when the input has errors (or an expectation fails, in later
//! commands), 2 for usage and I/O problems.

mod check;
mod compare;
mod diff;
mod explain;
mod fmt;
mod generate;
mod lsp;
mod many;
mod merge;
mod output;
mod plan;
mod plot;
mod progress;
mod repl;
mod rerun;
mod run;
mod signals;
mod status;
mod submit;
mod sweep;
mod test;
mod verbose;

use clap::{Parser, Subcommand, ValueEnum};

/// Exit status of a command that found nothing wrong.
pub const OK: i32 = 0;
/// Exit status when the input has errors.
pub const FAILED: i32 = 1;
/// Exit status for usage and I/O problems.
pub const USAGE: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "somnia",
    version = crate::build_info::LONG_VERSION,
    about = "Check, plan and run sleep protocols: wake learning, NREM replay, REM reorganisation.",
    long_about = None,
    propagate_version = true,
    after_help = "Output: results (summaries, tables, JSON) go to stdout; diagnostics, progress and where files went go to stderr. -q and -v work before or after the subcommand."
)]
pub struct Cli {
    /// When to colour diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,
    /// Print only errors, warnings and the result lines (a run's summary and where its
    /// outcome went): no progress bars, no line per run, no other notes.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print what is usually left out: each file written, each op's wall time, each
    /// run's folder, the plan's hashes (see README, "Output").
    #[arg(long, short, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check protocol files and report every problem (exit 0 clean, 1 on errors, 2 on I/O errors).
    Check(check::Args),
    /// Compile a protocol and print its plan: a timeline of ops, or the plan as JSON.
    Plan(plan::Args),
    /// Run a protocol and write its outcome (exit 0 when every expectation passes, 1 when one fails, 2 on errors).
    Run(run::Args),
    /// Run a `sweep`: a protocol over a grid of constants × seeds, in parallel; writes one outcome per run and sweep.csv (exit 0 when its expectations hold, 1 when one fails, 2 on errors).
    Sweep(sweep::Args),
    /// Run a `compare`: every arm on every seed, in parallel; per final value the arms' means, the paired difference with a bootstrap 95 % CI and an effect size (exit 0 when its expectations hold, 1 when one fails, 2 on errors).
    Compare(compare::Args),
    /// Submit a sweep's or comparison's runs to a cluster's scheduler: a job array of shards and a merge job after it (`somnia submit slurm FILE`; exit 0 when submitted, 2 on errors).
    Submit(submit::Args),
    /// Build a sweep's or comparison's tables from the runs its shards wrote, naming runs that are missing or unfinished (exit 0 when all are complete and the expectations hold, 1 when one fails, 2 when runs are missing).
    Merge(merge::Args),
    /// Say which runs of a sweep or comparison are complete, unfinished or missing, from their folders (exit 0 when every run is complete, 1 when some are not, 2 on errors).
    Status(status::Args),
    /// Run protocol files as regression tests: their expectations, golden outcomes and comparisons; ends with `N passed, M failed` (exit 0 when nothing failed, 1 when something did, 2 on errors).
    Test(test::Args),
    /// Draw an outcome's plots (hypnogram, accuracy per task, weight histograms around each sleep, receptive fields of saved weights) or a sweep's (each metric against the swept value) as SVG files beside it (exit 0, 2 when it cannot be read or written).
    Plot(plot::Args),
    /// Compare two outcomes metric by metric (exit 0 when nothing moved, 1 when something did, 2 when a file cannot be read).
    Diff(diff::Args),
    /// Format protocol files in place, one layout for all (comments kept); `--check` prints the diff instead and exits 1 when a file would change; `-` formats stdin to stdout.
    Fmt(fmt::Args),
    /// A language server on stdin/stdout for editors: diagnostics as `check` gives them, hover, completion, go to definition, formatting (docs/editors.md).
    Lsp(lsp::Args),
    /// Explain a diagnostic code, or list the built-ins.
    Explain(explain::Args),
    /// A live session: add definitions, instantiate a protocol's network, run phases one at a time, inspect and fork (reads stdin when it is not a terminal; exit 1 when an entry failed).
    Repl(repl::Args),
    /// Print a shell completion script for bash, zsh, fish, elvish or powershell on stdout.
    Completions(generate::CompletionsArgs),
    /// Print the man page `somnia.1` on stdout, or write it and one page per subcommand
    /// (`somnia-run.1`, …) into `--out DIR` (exit 0, 2 when a file cannot be written).
    Man(generate::ManArgs),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// How diagnostics are printed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Graphical reports for people.
    Human,
    /// One JSON document for tools.
    Json,
}

/// Parses the command line and runs the command; returns the exit status.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { USAGE } else { OK };
            let _ = e.print();
            return code;
        }
    };
    let color = output::color_enabled(cli.color);
    output::set_verbosity(match (cli.quiet, cli.verbose) {
        (true, _) => output::Verbosity::Quiet,
        (_, true) => output::Verbosity::Verbose,
        _ => output::Verbosity::Normal,
    });
    let status = match cli.command {
        Command::Check(a) => check::run(a, color),
        Command::Plan(a) => plan::run(a, color),
        Command::Run(a) => run::run(a, color),
        Command::Sweep(a) => sweep::run(a, color),
        Command::Compare(a) => compare::run(a, color),
        Command::Submit(a) => submit::run(a, color),
        Command::Merge(a) => merge::run(a, color),
        Command::Status(a) => status::run(a),
        Command::Test(a) => test::run(a, color),
        Command::Diff(a) => diff::run(a),
        Command::Plot(a) => plot::run(a),
        Command::Fmt(a) => fmt::run(a, color),
        Command::Lsp(a) => lsp::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Repl(a) => repl::run(a, color),
        Command::Completions(a) => generate::completions(a),
        Command::Man(a) => generate::man(a),
    };
    // A report that could not be written is not a success, whatever the command found.
    match crate::console::failure() {
        Some((stream, e)) => output::fail(
            crate::diagnostics::Code::E503,
            &format!("cannot write to {stream}: {e}"),
        ),
        None => status,
    }
}
