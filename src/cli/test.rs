//! `somnia test [PATH...] [--filter TEXT] [--seeds 1..3] [-j N] [--bless] [--out DIR]`
//!
//! Runs protocol files as regression tests (see `crate::suite`): one line per check on
//! stdout, the closing line `N passed, M failed` (`, K skipped` when something was
//! skipped). Each comparison's tables go beside its runs (`DIR/<file>/<a>-vs-<b>/`); one run
//! on fewer than 5 seeds is warned about (W010) before anything runs. Exit 0 when nothing
//! failed, 1 when something did, 2 when nothing could be run (no such path, no protocol
//! files, an output folder that is not the suite's).

use super::output;
use super::{FAILED, OK, USAGE};
use crate::console::eprintln;
use crate::suite::{self, Check, Job, Status, Suite};
use crate::sweep::PointRun;
use std::path::{Path, PathBuf};

/// The file that marks a folder as written by `somnia test`, so it may be overwritten.
const MARKER: &str = ".somnia-test";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Protocol files, or folders searched for `*.sleep` files.
    #[arg(value_name = "PATH", default_value = "protocols")]
    pub paths: Vec<PathBuf>,
    /// Keep only protocols, comparisons and sweeps whose name (or file path) contains TEXT
    /// (repeatable: any of them).
    #[arg(long = "filter", value_name = "TEXT")]
    pub filters: Vec<String>,
    /// Run every protocol and comparison on these seeds instead of their own: `1..3` or
    /// `1,2,5`.
    #[arg(long, value_name = "SEEDS", value_parser = parse_seeds)]
    pub seeds: Option<Seeds>,
    /// Runs at a time (default: the number of cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Write each protocol's golden outcome (`X.<protocol>.golden.json` beside `X.sleep`,
    /// on the protocol's seed) instead of comparing with it.
    #[arg(long)]
    pub bless: bool,
    /// Replace a constant in every run: `--set sleep_cap=2000steps` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = crate::session::parse_set)]
    pub sets: Vec<(String, String)>,
    /// Where the runs' outcomes go; the folder is the suite's and is overwritten.
    #[arg(long, value_name = "DIR", default_value = "runs/test")]
    pub out: PathBuf,
    /// Keep each earlier outcome that ran the same work to completion.
    #[arg(long)]
    pub resume: bool,
}

/// Seeds given on the command line.
#[derive(Debug, Clone)]
pub struct Seeds(pub Vec<u64>);

/// `1..3`, `1,2,5` or `4`.
fn parse_seeds(s: &str) -> Result<Seeds, String> {
    let bad = || format!("`{s}`: seeds are `1..3`, `1,2,5` or one number");
    let seeds: Vec<u64> = if let Some((a, b)) = s.split_once("..") {
        let a: u64 = a.trim().parse().map_err(|_| bad())?;
        let b: u64 = b.trim().parse().map_err(|_| bad())?;
        if b < a {
            return Err(format!("`{s}`: the range is empty"));
        }
        (a..=b).collect()
    } else {
        s.split(',')
            .map(|x| x.trim().parse().map_err(|_| bad()))
            .collect::<Result<_, _>>()?
    };
    if seeds.is_empty() {
        return Err(bad());
    }
    Ok(Seeds(seeds))
}

pub fn run(a: Args, _color: bool) -> i32 {
    let files = match suite::discover::protocol_files(&a.paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    if files.is_empty() {
        eprintln!("error: no `*.sleep` files in {}", shown(&a.paths));
        return USAGE;
    }
    if let Err(e) = claim(&a.out) {
        eprintln!("error: {e}");
        return USAGE;
    }
    let opts = suite::Options {
        sets: &a.sets,
        seeds: a.seeds.as_ref().map(|s| s.0.clone()),
        filters: a.filters.clone(),
        threads: a.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        }),
        out: a.out.clone(),
        resume: a.resume,
        bless: a.bless,
        stop: Some(super::signals::install().flag),
    };
    let suite = Suite::plan(&files, &opts);
    if suite.is_empty() {
        eprintln!(
            "error: nothing to test in {}{}",
            shown(&a.paths),
            if a.filters.is_empty() {
                String::new()
            } else {
                format!(" matching `{}`", a.filters.join("` or `"))
            }
        );
        return USAGE;
    }
    for w in suite.few_seeds() {
        eprintln!("warning[W010]: {w}");
    }
    output::note(&format!(
        "{} file{}, {} run{}, {} at a time → {}",
        files.len(),
        plural(files.len()),
        suite.jobs.len(),
        plural(suite.jobs.len()),
        opts.threads,
        a.out.display()
    ));
    let done = |job: &Job, r: &PointRun| {
        let what = format!(
            "{} {} seed {}",
            suite.units[job.file].slug, job.protocol, job.seed
        );
        if let Some(line) = super::many::run_line(&what, r) {
            eprintln!("  {line}");
        }
    };
    let runs = match suite.run(&opts, &done) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    let checks = suite.checks(&opts, &runs);
    output::out(&report(&checks));
    let stop = super::signals::install();
    if stop.requested() {
        eprintln!("interrupted: continue with the same command and --resume");
        return stop.exit_code();
    }
    if checks.iter().any(|c| c.status == Status::Failed) {
        FAILED
    } else {
        OK
    }
}

/// Makes `out` the suite's folder: a new folder, or one an earlier `somnia test` marked.
fn claim(out: &Path) -> Result<(), String> {
    let marker = out.join(MARKER);
    let in_use = std::fs::read_dir(out)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if in_use && !marker.exists() {
        return Err(format!(
            "{} exists and was not written by `somnia test`; choose another folder with --out",
            out.display()
        ));
    }
    std::fs::create_dir_all(out)
        .and_then(|()| {
            std::fs::write(
                &marker,
                "written by `somnia test`; overwritten by the next one\n",
            )
        })
        .map_err(|e| format!("cannot write into {}: {e}", out.display()))
}

/// The checks grouped by file, then the closing line.
pub fn report(checks: &[Check]) -> String {
    let mut text = String::new();
    let mut file: Option<&Path> = None;
    for c in checks {
        if file != Some(c.file.as_path()) {
            text.push_str(&format!("{}\n", c.file.display()));
            file = Some(c.file.as_path());
        }
        let line = match &c.expectation {
            Some(e) => output::expectation_line(e),
            None => format!("{} {}", mark(c.status), c.text),
        };
        let (m, rest) = line.split_once(' ').unwrap_or((&line, ""));
        text.push_str(&format!("  {m} {}  {rest}\n", c.subject));
        if let Some(d) = &c.detail {
            for l in d.lines() {
                text.push_str(&format!("      {l}\n"));
            }
        }
    }
    let count = |s| checks.iter().filter(|c| c.status == s).count();
    text.push_str(&format!(
        "{} passed, {} failed",
        count(Status::Passed),
        count(Status::Failed)
    ));
    let skipped = count(Status::Skipped);
    if skipped > 0 {
        text.push_str(&format!(", {skipped} skipped"));
    }
    text.push('\n');
    text
}

fn mark(s: Status) -> &'static str {
    match s {
        Status::Passed => "✓",
        Status::Failed => "✗",
        Status::Skipped => "-",
        Status::Blessed => "✎",
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn shown(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_ranges_lists_or_one() {
        assert_eq!(parse_seeds("1..3").unwrap().0, vec![1, 2, 3]);
        assert_eq!(parse_seeds("1, 2,5").unwrap().0, vec![1, 2, 5]);
        assert_eq!(parse_seeds("7").unwrap().0, vec![7]);
        assert!(parse_seeds("3..1").is_err());
        assert!(parse_seeds("a").is_err());
    }
}
