//! `somnia submit slurm FILE [--sweep NAME | --compare NAME] [--out DIR] [--chunk M] ...`
//!
//! Spreads a sweep's or comparison's runs over a Slurm cluster: writes `DIR/manifest.json`,
//! `DIR/slurm/runs.sbatch` (a job array, one task per shard of `--chunk` runs) and
//! `DIR/slurm/merge.sbatch` (`somnia merge DIR`, after the array), submits both with `sbatch`
//! and records the job ids in `DIR/slurm/submission.json`. Submitted again, it submits only
//! the shards that still have runs to do; their complete runs are kept. `--dry-run` writes
//! the files and submits nothing. Exit 0 when submitted (or written), 2 on errors.

use super::many;
use super::run::Split;
use super::{OK, USAGE, output};
use crate::console::eprintln;
use crate::data::EvalSplit;
use crate::sweep::manifest::{Kind, Manifest};
use crate::sweep::slurm::{self, Request};
use crate::sweep::{self, Job};
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub scheduler: Scheduler,
}

#[derive(clap::Subcommand, Debug)]
pub enum Scheduler {
    /// Submit to Slurm with sbatch: a job array of shards and a merge job after it.
    Slurm(SlurmArgs),
}

#[derive(clap::Args, Debug)]
pub struct SlurmArgs {
    /// The protocol file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The sweep to submit, by its protocol's name.
    #[arg(long, short, conflicts_with = "compare")]
    pub sweep: Option<String>,
    /// The comparison to submit, as `a vs b` or by any of its arms.
    #[arg(long, short)]
    pub compare: Option<String>,
    /// Runs per array task (raised when the cluster's MaxArraySize needs it).
    #[arg(long, value_name = "M", default_value_t = 1)]
    pub chunk: usize,
    /// CPUs per array task: its runs go this many at a time.
    #[arg(long, value_name = "C", default_value_t = 1)]
    pub cpus: usize,
    /// At most this many array tasks at once (`--array=…%P`).
    #[arg(long, value_name = "P")]
    pub max_running: Option<usize>,
    /// The partition (`#SBATCH --partition`).
    #[arg(long)]
    pub partition: Option<String>,
    /// The time limit of each array task (`--time`, e.g. `02:00:00`).
    #[arg(long)]
    pub time: Option<String>,
    /// Memory per task (`--mem`, e.g. `4G`).
    #[arg(long)]
    pub mem: Option<String>,
    /// The account to charge (`--account`).
    #[arg(long)]
    pub account: Option<String>,
    /// Another `#SBATCH` option, as written (`--sbatch-arg=--qos=short`; repeatable).
    #[arg(long = "sbatch-arg", value_name = "OPTION", allow_hyphen_values = true)]
    pub sbatch_args: Vec<String>,
    /// A shell line each job runs before somnia (`--setup 'module load gcc/12'`; repeatable).
    #[arg(long, value_name = "LINE")]
    pub setup: Vec<String>,
    /// The somnia binary the nodes run (default: this one).
    #[arg(long, value_name = "PATH")]
    pub somnia: Option<PathBuf>,
    /// Write the manifest and the scripts, submit nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Replace a constant in every run: `--set sleep_cap=2000steps` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = crate::session::parse_set)]
    pub sets: Vec<(String, String)>,
    /// Where the runs are written, on a file system every node sees (default: a folder under
    /// runs/ named after the item).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace a manifest in DIR that lists other runs (no run folder is removed).
    #[arg(long)]
    pub force: bool,
    /// Compute task metrics on the validation split instead of the test split.
    #[arg(long, value_enum, default_value_t = Split::Test)]
    pub eval: Split,
}

pub const SLURM_DIR: &str = "slurm";
const SUBMISSION_FILE: &str = "submission.json";

/// N of the last submission's `--shard K/N`, from `DIR/slurm/submission.json`.
pub fn shards_of(dir: &Path) -> Option<usize> {
    let text = std::fs::read_to_string(dir.join(SLURM_DIR).join(SUBMISSION_FILE)).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["shards"].as_u64().map(|n| n as usize)
}

pub fn run(a: Args, color: bool) -> i32 {
    let Scheduler::Slurm(a) = a.scheduler;
    match submit(&a, color) {
        Ok(()) => OK,
        Err(Some(e)) => {
            eprintln!("error: {e}");
            USAGE
        }
        Err(None) => USAGE,
    }
}

/// The sweep or comparison chosen for submission, with its runs.
struct Item {
    kind: Kind,
    name: String,
    jobs: Vec<Job>,
    /// One label per job: the point's label or the arm's name.
    labels: Vec<String>,
}

/// The item's kind, name and runs (each with its label).
fn runs_of(a: &SlurmArgs, report: &crate::session::Report) -> Result<Item, Option<String>> {
    let sets = &a.sets;
    let want_sweep = a.sweep.is_some() || (a.compare.is_none() && report.compares.is_empty());
    if want_sweep {
        let sw = output::choose_sweep(report, a.sweep.as_deref(), &a.file).ok_or(None)?;
        let points = sweep::grid(sw).map_err(Some)?;
        let jobs = sweep::jobs(sets, sw, &points);
        let labels = jobs.iter().map(|j| points[j.index].label()).collect();
        return Ok(Item {
            kind: Kind::Sweep,
            name: sw.name.clone(),
            jobs,
            labels,
        });
    }
    if a.compare.is_none() && !report.sweeps.is_empty() {
        return Err(Some(format!(
            "{} has both sweeps and comparisons; choose one with --sweep or --compare",
            a.file.display()
        )));
    }
    let cmp = output::choose_compare(report, a.compare.as_deref(), &a.file).ok_or(None)?;
    let jobs = crate::compare::jobs(sets, cmp);
    let labels = jobs.iter().map(|j| cmp.arms[j.index].clone()).collect();
    Ok(Item {
        kind: Kind::Compare,
        name: cmp.name.clone(),
        jobs,
        labels,
    })
}

fn submit(a: &SlurmArgs, color: bool) -> Result<(), Option<String>> {
    let report = output::checked_report(&a.file, &a.sets, None, color, USAGE).map_err(|_| None)?;
    let Item {
        kind,
        name: item,
        jobs,
        labels,
    } = runs_of(a, &report)?;
    let out = a.out.clone().unwrap_or_else(|| {
        PathBuf::from("runs").join(format!("{}-slurm", item.replace(' ', "-").replace(',', "")))
    });
    output::writable_folder(&out).map_err(Some)?;
    let out = std::path::absolute(&out).map_err(|e| Some(format!("cannot resolve --out: {e}")))?;
    let cfg = sweep::Config {
        file: &a.file,
        sets: &a.sets,
        out: out.clone(),
        threads: std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        eval: match a.eval {
            Split::Test => EvalSplit::Test,
            Split::Validation => EvalSplit::Validation,
        },
        resume: true,
        force: false,
        stop: None,
        collect: false,
    };
    let manifest = many::manifest(&cfg, kind, &item, &jobs, &labels).map_err(Some)?;
    manifest.write(&out, a.force).map_err(Some)?;
    let total = manifest.runs.len();
    let limit = cluster_max_array_size();
    let (shards, chunk) = slurm::shards_for(total, a.chunk, limit);
    if chunk != a.chunk {
        eprintln!(
            "note: {total} runs in chunks of {} would exceed the cluster's array limit (MaxArraySize {limit}); chunks of {chunk} instead",
            a.chunk
        );
    }
    let todo = shards_to_run(&out, &manifest, shards);
    if todo.is_empty() {
        eprintln!(
            "every run of {} `{item}` is complete in {}: nothing to submit; `somnia merge {}` writes the tables",
            kind.word(),
            out.display(),
            out.display()
        );
        return Ok(());
    }
    let somnia = match &a.somnia {
        Some(p) => std::path::absolute(p).map_err(|e| Some(format!("--somnia: {e}")))?,
        None => std::env::current_exe()
            .map_err(|e| Some(format!("cannot find this somnia binary: {e}")))?,
    };
    let request = Request {
        somnia,
        command: kind.word(),
        item: item.clone(),
        file: manifest.file.clone(),
        workdir: manifest.cwd.clone(),
        out: out.clone(),
        sets: a.sets.clone(),
        eval: manifest.eval.clone(),
        shards,
        array: todo.clone(),
        max_running: a.max_running,
        cpus: a.cpus.max(1),
        partition: a.partition.clone(),
        time: a.time.clone(),
        mem: a.mem.clone(),
        account: a.account.clone(),
        sbatch_args: a.sbatch_args.clone(),
        setup: a.setup.clone(),
    };
    let dir = out.join(SLURM_DIR);
    let runs_file = dir.join("runs.sbatch");
    let merge_file = dir.join("merge.sbatch");
    std::fs::create_dir_all(dir.join("logs"))
        .and_then(|()| {
            crate::outcome::write::atomic_write(
                &runs_file,
                slurm::array_script(&request).as_bytes(),
            )
        })
        .and_then(|()| {
            crate::outcome::write::atomic_write(
                &merge_file,
                slurm::merge_script(&request).as_bytes(),
            )
        })
        .map_err(|e| {
            Some(format!(
                "cannot write the scripts into {}: {e}",
                dir.display()
            ))
        })?;
    let runs_in = |k: usize| sweep::Shard { k, n: shards }.runs(total).count();
    eprintln!(
        "{} `{item}`: {total} runs in {shards} shards of up to {chunk}; {} to submit ({} runs) → {}",
        kind.word(),
        todo.len(),
        todo.iter().map(|&k| runs_in(k)).sum::<usize>(),
        out.display()
    );
    if a.dry_run {
        output::out(&format!(
            "wrote {} and {}\nsubmit with: sbatch --parsable {} && sbatch --dependency=afterany:<array job id> {}\n",
            runs_file.display(),
            merge_file.display(),
            runs_file.display(),
            merge_file.display()
        ));
        return Ok(());
    }
    let array_job = sbatch(&[runs_file.as_os_str().to_string_lossy().as_ref()])?;
    let merge_job = sbatch(&[
        &format!("--dependency=afterany:{array_job}"),
        merge_file.as_os_str().to_string_lossy().as_ref(),
    ])?;
    let record = serde_json::json!({
        "shards": shards,
        "chunk": chunk,
        "array": slurm::array_spec(&todo, a.max_running),
        "array_job": array_job,
        "merge_job": merge_job,
    });
    crate::outcome::write::atomic_write(
        &dir.join(SUBMISSION_FILE),
        format!("{record:#}\n").as_bytes(),
    )
    .map_err(|e| {
        Some(format!(
            "submitted, but cannot write {SUBMISSION_FILE}: {e}"
        ))
    })?;
    output::out(&format!(
        "array job {array_job} ({} tasks, shards {} of {shards})\nmerge job {merge_job} (after {array_job})\nfollow with: somnia status {}\n",
        todo.len(),
        slurm::array_spec(&todo, None),
        out.display()
    ));
    Ok(())
}

/// The shards (1-based, of `n`) with a run that is not complete.
fn shards_to_run(out: &Path, manifest: &Manifest, n: usize) -> Vec<usize> {
    let mut todo: Vec<usize> = manifest
        .runs
        .iter()
        .filter(|e| super::status::state(out, e) != super::status::State::Complete)
        .map(|e| e.run % n + 1)
        .collect();
    todo.sort_unstable();
    todo.dedup();
    todo
}

/// The cluster's MaxArraySize, or Slurm's default when scontrol cannot say.
fn cluster_max_array_size() -> usize {
    Command::new("scontrol")
        .args(["show", "config"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| slurm::max_array_size(&String::from_utf8_lossy(&o.stdout)))
        .unwrap_or(slurm::DEFAULT_MAX_ARRAY_SIZE)
}

/// Runs `sbatch --parsable ARGS`; the job id.
fn sbatch(args: &[&str]) -> Result<String, Option<String>> {
    let out = Command::new("sbatch")
        .arg("--parsable")
        .args(args)
        .output()
        .map_err(|e| {
            Some(format!(
                "cannot run sbatch: {e} (is this a Slurm login node? `--dry-run` writes the scripts without submitting)"
            ))
        })?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(Some(format!(
            "sbatch {} failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    slurm::job_id(&stdout)
        .ok_or_else(|| Some(format!("sbatch printed no job id: `{}`", stdout.trim())))
}
