//! The options of the commands that run one protocol many times (`sweep`, `compare`).

use super::run::Split;
use crate::console::eprintln;
use crate::data::EvalSplit;
use crate::outcome::write::OUTCOME_FILE;
use crate::session;
use crate::sweep::manifest::{Entry, Kind, MANIFEST_FILE, Manifest};
use crate::sweep::{Config, Job, PointRun, Shard};
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
    /// Compute task metrics on the validation split instead of the test split.
    #[arg(long, value_enum, default_value_t = Split::Test)]
    pub eval: Split,
    /// Run only shard K of N (`--shard 3/8`): every N-th run, starting at the K-th. Finished
    /// runs are kept (as with --resume); `somnia merge DIR` builds the tables once every
    /// shard has run.
    #[arg(long, value_name = "K/N", value_parser = str::parse::<Shard>)]
    pub shard: Option<Shard>,
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
            // A shard run again (a failed array task resubmitted) keeps what it finished.
            resume: self.resume || self.shard.is_some(),
            force: self.force,
            stop: Some(super::signals::install().flag),
            collect: false,
            eval: match self.eval {
                Split::Test => EvalSplit::Test,
                Split::Validation => EvalSplit::Validation,
            },
        }
    }
}

/// The line for a finished run of a sweep, comparison or suite (`what`: its label and
/// seed), `None` with `-q`; with `-v` it names the run's folder.
pub fn run_line(what: &str, r: &crate::sweep::PointRun) -> Option<String> {
    if super::output::quiet() {
        return None;
    }
    let folder = if super::output::verbose() {
        format!(" → {}", r.dir.display())
    } else {
        String::new()
    };
    Some(format!(
        "{what}: {} ({:.1} s){folder}",
        how_it_ended(r),
        r.seconds
    ))
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

/// The manifest of `jobs` (each with its label), naming each run's folder by compiling it.
pub fn manifest(
    cfg: &Config,
    kind: Kind,
    item: &str,
    jobs: &[Job],
    labels: &[String],
) -> Result<Manifest, String> {
    let folders = crate::sweep::folders(cfg, jobs)?;
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot tell the current folder: {e}"))?;
    Ok(Manifest {
        schema: 1,
        kind,
        item: item.to_string(),
        file: cfg.file.to_path_buf(),
        cwd,
        sets: cfg.sets.to_vec(),
        eval: cfg.eval.word().to_string(),
        runs: jobs
            .iter()
            .zip(labels)
            .zip(folders)
            .enumerate()
            .map(|(run, ((job, label), folder))| Entry {
                run,
                index: job.index,
                label: label.clone(),
                seed: job.seed,
                folder: folder.as_ref().ok().cloned(),
                error: folder.err(),
            })
            .collect(),
    })
}

/// Before a sweep or comparison runs: its manifest written into `cfg.out`, after refusing
/// to overwrite earlier outcomes without --force or --resume (`table`: the file the
/// command writes beside the runs). A shard writes the manifest only where there is none
/// (the shards of one submission all write the same one), and never refuses.
pub fn prepare(
    runs: &ManyRuns,
    cfg: &Config,
    manifest: &Manifest,
    tables: &[&str],
) -> Result<(), String> {
    let out = &cfg.out;
    if !runs.force && !runs.resume && runs.shard.is_none() {
        let mut existing: Vec<PathBuf> = manifest
            .runs
            .iter()
            .filter_map(|r| r.folder.as_ref())
            .map(|f| out.join(f).join(OUTCOME_FILE))
            .chain(tables.iter().map(|t| out.join(t)))
            .filter(|f| f.exists())
            .collect();
        if let Some(first) = existing.first().cloned() {
            existing.truncate(3);
            return Err(format!(
                "{} exists{}; pass --resume to keep finished runs, --force to overwrite, or --out to write elsewhere",
                first.display(),
                if existing.len() > 1 {
                    " (and other outcomes of these runs)"
                } else {
                    ""
                }
            ));
        }
    }
    super::output::writable_folder(out)?;
    if runs.shard.is_some() {
        if let Ok(old) = Manifest::read(out)
            && &old != manifest
        {
            eprintln!(
                "warning: {} lists other runs than this shard's file and --set values do; `somnia merge` will report the difference",
                out.join(MANIFEST_FILE).display()
            );
            return Ok(());
        }
        return manifest.write(out, false);
    }
    manifest.write(out, runs.resume || runs.force)
}

/// After a shard's runs: one line for the shard and each run that did not complete; exit 0
/// when every run of the shard completed (or was already complete), 2 otherwise.
pub fn shard_done(shard: Shard, runs: &[PointRun], labels: &[String], cfg: &Config) -> i32 {
    let kept = runs.iter().filter(|r| r.reused).count();
    let failed: Vec<(&PointRun, &String)> = runs
        .iter()
        .zip(labels)
        .filter(|(r, _)| r.error.is_some())
        .collect();
    eprintln!(
        "shard {shard}: {} runs, {} done, {kept} already complete, {} not complete → {}",
        runs.len(),
        runs.len() - kept - failed.len(),
        failed.len(),
        cfg.out.display()
    );
    for (r, label) in &failed {
        eprintln!(
            "{label} seed {} ({}):\n{}",
            r.seed,
            r.dir.display(),
            r.error.as_deref().unwrap_or_default()
        );
    }
    if cfg
        .stop
        .as_ref()
        .is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed))
    {
        eprintln!("interrupted: run the same shard again to continue it");
        return super::signals::install().exit_code();
    }
    if failed.is_empty() {
        super::OK
    } else {
        super::USAGE
    }
}
