//! One run of a sweep or comparison: what it runs, the folder it writes, and running it.
//!
//! A run's folder is named from its content — the point or arm, the seed and a short hash
//! of (protocol, point, seed, the plan's work hash, the evaluation split): `nap=200steps-
//! seed2-1f3a9c0b`. Shards of one sweep on different machines therefore never write the same
//! folder for different work, a run that is already complete is found again by its name,
//! and an edited protocol writes new folders beside the old ones instead of over them.

use super::{Config, PointRun};
use crate::data::EvalSplit;
use crate::diagnostics::render::{self, Style};
use crate::engine::runner::SNAPSHOT_FILE;
use crate::engine::{self, Quiet};
use crate::outcome::Outcome;
use crate::outcome::folder::{Found, RunFolder, found, staging_of};
use crate::outcome::write::{METRICS_FILE, OUTCOME_FILE, to_csv, write_outcome};
use crate::plan::Plan;
use crate::session::{self, Report};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Instant;

/// One run: a protocol with its constants set, on one seed.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// The sweep's point or the comparison's arm.
    pub index: usize,
    pub seed: u64,
    pub protocol: String,
    /// `--set` values, the point's constants last.
    pub sets: Vec<(String, String)>,
    /// The readable start of the folder name: the point's constants or the arm.
    pub slug: String,
}

/// Characters a folder name keeps; every other one becomes `_`, so a path or a string value
/// never makes nested folders or a name a shell has to quote.
fn safe(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let keep = c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '=' | ',' | '+' | '-');
        let c = if keep { c } else { '_' };
        // One `_` for a run of them; never a leading `.` (a hidden folder) or `-`.
        if c == '_' && out.ends_with('_') {
            continue;
        }
        if out.is_empty() && matches!(c, '.' | '-') {
            out.push('_');
            continue;
        }
        out.push(c);
    }
    // Long grids stay well under file systems' 255-byte name limit.
    if out.len() > 80 {
        out.truncate(80);
    }
    out
}

impl Job {
    /// The name of this run's folder once its plan's work hash is known.
    pub fn folder_name(&self, work_hash: &str, eval: EvalSplit) -> String {
        let mut h = Sha256::new();
        for part in [
            "somnia run 1",
            &self.protocol,
            &self.slug,
            &self.seed.to_string(),
            work_hash,
            eval.word(),
        ] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        let digest = h.finalize();
        let short: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        format!("{}seed{}-{short}", self.prefix(), self.seed)
    }

    /// The name of a run whose plan did not compile: it has no work hash (and no folder).
    pub fn unnamed(&self) -> String {
        format!("{}seed{}", self.prefix(), self.seed)
    }

    fn prefix(&self) -> String {
        let slug = safe(&self.slug);
        if slug.is_empty() {
            String::new()
        } else {
            format!("{slug}-")
        }
    }

    /// Checks and compiles the file with this run's constants and seed.
    pub fn compile(&self, cfg: &Config) -> Result<Report, String> {
        let opts = crate::plan::Options {
            seed: Some(self.seed),
            ..Default::default()
        };
        let report = session::check_file(cfg.file, &self.sets, &opts).map_err(|e| e.to_string())?;
        if report.has_errors() {
            return Err(render::render_all_human(
                &report.diagnostics,
                &report.program.sources,
                STYLE,
            ));
        }
        if report.plan(&self.protocol).is_none() {
            return Err(format!("the protocol `{}` did not compile", self.protocol));
        }
        Ok(report)
    }

    /// The folder this run writes under `cfg.out`, compiling its plan to name it.
    pub fn folder(&self, cfg: &Config) -> Result<String, String> {
        let report = self.compile(cfg)?;
        let plan = report
            .plan(&self.protocol)
            .expect("compile checked the plan");
        Ok(self.folder_name(&crate::plan::hash::work_hash(plan), cfg.eval))
    }
}

const STYLE: Style = Style {
    color: false,
    width: 100,
};

/// Runs `job`, writing its outcome into `dir` (`None`: its content-named folder under
/// `cfg.out`), or keeps the outcome already there when `--resume` finds the same work
/// finished. With `cfg.collect` nothing runs: the run is read back or reported missing.
pub fn run_job(cfg: &Config, job: &Job, dir: Option<PathBuf>) -> PointRun {
    let start = Instant::now();
    let mut result = PointRun {
        point: job.index,
        seed: job.seed,
        dir: dir.clone().unwrap_or_else(|| cfg.out.join(job.unnamed())),
        outcome: None,
        error: None,
        seconds: 0.0,
        reused: false,
    };
    let report = match job.compile(cfg) {
        Ok(r) => r,
        Err(e) => {
            result.error = Some(e);
            return result;
        }
    };
    let plan = report
        .plan(&job.protocol)
        .expect("compile checked the plan");
    let dir = dir.unwrap_or_else(|| {
        cfg.out
            .join(job.folder_name(&crate::plan::hash::work_hash(plan), cfg.eval))
    });
    result.dir = dir.clone();
    if cfg.collect {
        collect(&dir, plan, cfg.eval, &mut result);
        return result;
    }
    if cfg.stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed)) {
        result.error = Some("not run: the sweep was interrupted".into());
        return result;
    }
    let mut resume = None;
    let found_here = found(&dir);
    if found_here == Found::Complete
        && cfg.resume
        && let Some(mut o) = reusable(&dir, plan, cfg.eval)
    {
        // The work is the same, the expectations may not be: judge them anew.
        o.expectations = crate::outcome::expect::evaluate_all(&plan.expectations, &o);
        result.outcome = Some(o);
        result.reused = true;
        return result;
    }
    if cfg.resume {
        resume = unfinished(&dir, plan, cfg.eval);
    }
    // Without --force, only this plan's own runs are replaced: an unfinished one with
    // --resume, or a complete one whose files are not whole.
    let ours = same_work(&dir, plan);
    if found_here != Found::Nothing && !cfg.force && !(cfg.resume && ours) {
        result.error = Some(format!(
            "{} exists and is not a complete run of this plan; pass --force to overwrite it{}",
            dir.join(OUTCOME_FILE).display(),
            if cfg.resume {
                ""
            } else {
                ", or --resume to keep or continue it"
            }
        ));
        return result;
    }
    let folder = match RunFolder::prepare(&dir, 1 << 20, resume.is_none()) {
        Ok(f) => f,
        Err(e) => {
            result.error = Some(e);
            return result;
        }
    };
    let control = engine::Control {
        stop: cfg.stop.clone(),
        snapshots: Some(engine::Snapshots::new(
            folder.staging.join(SNAPSHOT_FILE),
            engine::Every::Time(std::time::Duration::from_secs(600)),
        )),
        resume,
    };
    let mut quiet = Quiet;
    let mut recorder = None;
    let progress: &mut dyn engine::Progress = if plan.recordings.is_empty() {
        &mut quiet
    } else {
        recorder.insert(crate::engine::recording_export::RecordingSaver::new(
            &folder.staging,
            &mut quiet,
        ))
    };
    let (mut outcome, error) =
        engine::run_with(plan, &engine::Options { eval: cfg.eval }, progress, control);
    // A recording that could not be written is an error of the run, as in `somnia run`.
    let unwritten = recorder
        .map(|r| r.errors.join("\n"))
        .filter(|e| !e.is_empty());
    outcome.provenance.overrides =
        crate::outcome::provenance::overrides(&report.program, &job.sets);
    if let Some(e) = error {
        let d = e.to_diagnostic(&report.program.sources);
        result.error = Some(render::render_human(&d, &report.program.sources, STYLE));
    }
    let complete = outcome.status == "complete";
    if complete {
        let _ = std::fs::remove_file(folder.staging.join(SNAPSHOT_FILE));
    }
    let written = write_outcome(&folder.staging, &outcome)
        .map_err(|e| {
            format!(
                "cannot write the outcome into {}: {e}",
                folder.staging.display()
            )
        })
        .and_then(|()| folder.commit(complete));
    if let Err(msg) = written.and(unwritten.map_or(Ok(()), Err)) {
        result.error = Some(match result.error.take() {
            Some(prev) => format!("{prev}\n{msg}"),
            None => msg,
        });
    }
    result.outcome = Some(outcome);
    result.seconds = start.elapsed().as_secs_f64();
    result
}

/// What `somnia merge` finds of a run: its complete outcome (expectations judged anew), the
/// outcome of a run that stopped, or nothing.
fn collect(dir: &Path, plan: &Plan, eval: EvalSplit, result: &mut PointRun) {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(mut o) = reusable(dir, plan, eval) {
        o.expectations = crate::outcome::expect::evaluate_all(&plan.expectations, &o);
        result.outcome = Some(o);
        result.reused = true;
        return;
    }
    let stopped = std::fs::read_to_string(dir.join(OUTCOME_FILE))
        .ok()
        .and_then(|t| serde_json::from_str::<Outcome>(&t).ok())
        .filter(|o| o.work_hash == crate::plan::hash::work_hash(plan));
    result.error = Some(match stopped {
        Some(o) => {
            let status = o.status.clone();
            result.outcome = Some(o);
            format!("{name}: not complete (status `{status}`)")
        }
        None if staging_of(dir).exists() => format!(
            "{name}: not complete (running, or stopped before it wrote an outcome: {} holds what it did)",
            staging_of(dir).display()
        ),
        None if dir.join(OUTCOME_FILE).exists() => {
            format!("{name}: its outcome.json is not a whole outcome of this run")
        }
        None => format!("{name}: missing (no shard has run it)"),
    });
}

/// The complete outcome in `dir` when it ran this plan on this split and every file of the
/// run is whole (metrics.csv is the outcome's timeline).
fn reusable(dir: &Path, plan: &Plan, eval: EvalSplit) -> Option<Outcome> {
    let o: Outcome =
        serde_json::from_str(&std::fs::read_to_string(dir.join(OUTCOME_FILE)).ok()?).ok()?;
    let same = o.status == "complete"
        && o.work_hash == crate::plan::hash::work_hash(plan)
        && o.evaluated_on == eval.word();
    let csv = std::fs::read(dir.join(METRICS_FILE)).ok()?;
    (same && csv == to_csv(&o)).then_some(o)
}

/// Whether the outcome in `dir` ran this plan's work (complete or not).
fn same_work(dir: &Path, plan: &Plan) -> bool {
    std::fs::read_to_string(dir.join(OUTCOME_FILE))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["work_hash"].as_str().map(str::to_string))
        .is_some_and(|h| h == crate::plan::hash::work_hash(plan))
}

/// The snapshot of this plan's unfinished run in `dir` (or beside it), to continue.
fn unfinished(dir: &Path, plan: &Plan, eval: EvalSplit) -> Option<engine::Snapshot> {
    let hash = crate::plan::hash::work_hash(plan);
    [staging_of(dir), dir.to_path_buf()]
        .iter()
        .filter_map(|d| engine::Snapshot::read(&d.join(SNAPSHOT_FILE)).ok())
        .find(|s| s.work_hash == hash && s.eval == eval)
        .inspect(|_| {
            // A snapshot in the folder itself continues in a fresh staging folder.
            let staging = staging_of(dir);
            if !staging.join(SNAPSHOT_FILE).exists() {
                let _ = copy_folder(dir, &staging);
            }
        })
}

/// Copies a run's folder (one level: a run's files and its weights/ folder).
fn copy_folder(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_folder(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(slug: &str, seed: u64) -> Job {
        Job {
            index: 0,
            seed,
            protocol: "p".into(),
            sets: Vec::new(),
            slug: slug.into(),
        }
    }

    #[test]
    fn names_are_readable_safe_and_change_with_the_content() {
        let a = job("nap=200steps", 2).folder_name("abc", EvalSplit::Test);
        assert!(a.starts_with("nap=200steps-seed2-"), "{a}");
        assert_eq!(a.len(), "nap=200steps-seed2-".len() + 8);
        assert_eq!(
            a,
            job("nap=200steps", 2).folder_name("abc", EvalSplit::Test)
        );
        for other in [
            job("nap=200steps", 2).folder_name("abd", EvalSplit::Test),
            job("nap=200steps", 2).folder_name("abc", EvalSplit::Validation),
            job("nap=200steps", 3).folder_name("abc", EvalSplit::Test),
            job("nap=300steps", 2).folder_name("abc", EvalSplit::Test),
        ] {
            assert_ne!(a, other);
        }
        assert!(
            job("", 1)
                .folder_name("h", EvalSplit::Test)
                .starts_with("seed1-")
        );
    }

    #[test]
    fn paths_and_strings_never_make_nested_or_hidden_folders() {
        assert_eq!(
            safe("data=../data/my set/x.csv"),
            "data=.._data_my_set_x.csv"
        );
        assert_eq!(safe(".hidden"), "_hidden");
        assert_eq!(safe("-rf"), "_rf");
        assert_eq!(safe("a\"b\"/\\c"), "a_b_c");
        assert!(safe(&"x".repeat(300)).len() <= 80);
        assert_eq!(
            safe("noise_level=0.004V,nap=200steps"),
            "noise_level=0.004V,nap=200steps"
        );
    }
}
