//! The options of the commands that run one protocol many times (`sweep`, `compare`).

use super::run::Split;
use crate::data::EvalSplit;
use crate::session;
use crate::sweep::Config;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct ManyRuns {
    /// Runs at a time (default: the number of cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Replace a constant in every run: `--set sleep_cap=2000steps` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = session::parse_set)]
    pub sets: Vec<(String, String)>,
    /// Where to write the outcomes (default: a folder under runs/ named after the item).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Overwrite existing outcomes.
    #[arg(long)]
    pub force: bool,
    /// Keep each existing outcome that ran the same work to completion and run the rest (an
    /// interrupted or extended run goes on where it stopped).
    #[arg(long)]
    pub resume: bool,
    /// No progress bar (one line per finished run instead).
    #[arg(long, short)]
    pub quiet: bool,
    /// Compute task metrics on the validation split instead of the test split.
    #[arg(long, value_enum, default_value_t = Split::Test)]
    pub eval: Split,
}

impl ManyRuns {
    /// Runs at a time: `-j`, or one per core.
    pub fn threads(&self) -> usize {
        self.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        })
    }

    /// How to run them, writing under `out`.
    pub fn config<'a>(&'a self, file: &'a Path, out: PathBuf) -> Config<'a> {
        Config {
            file,
            sets: &self.sets,
            out,
            threads: self.threads(),
            resume: self.resume,
            force: self.force,
            stop: Some(super::signals::install().flag),
            eval: match self.eval {
                Split::Test => EvalSplit::Test,
                Split::Validation => EvalSplit::Validation,
            },
        }
    }
}

/// One word for how a run of a sweep or comparison ended, for its progress line.
pub fn how_it_ended(r: &crate::sweep::PointRun) -> String {
    match (&r.error, &r.outcome) {
        (None, Some(_)) if r.reused => "kept (--resume)".into(),
        (None, Some(_)) => "done".into(),
        (_, Some(o)) if o.status == "interrupted" => "interrupted".into(),
        (Some(e), None) if e.starts_with("not run") => "not run (interrupted)".into(),
        _ => "stopped on an error".into(),
    }
}
