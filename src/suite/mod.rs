//! The test runner behind `somnia test`: protocol files as regression tests.
//!
//! A suite covers the protocol files under some paths. Every protocol with expectations runs
//! on its seed (or on each of `--seeds`), every protocol with a golden outcome runs on the
//! golden's seed and has its final values compared with it, and every `compare` runs its
//! arms over its seeds. A run needed twice (a protocol's own expectations and an arm of a
//! comparison, same seed) runs once. Sweeps are long by nature and are left to
//! `somnia sweep`: the suite lists them as skipped.
//!
//! The suite is built in three steps the CLI drives: [`Suite::plan`] (check every file, choose
//! the runs), [`Suite::run`] (the runs, on a thread pool) and [`Suite::checks`] (one verdict per
//! expectation, golden and failure).

mod compares;
pub mod discover;

use crate::compare;
use crate::data::EvalSplit;
use crate::diagnostics::render::{self, Style};
use crate::outcome::{ExpectationResult, golden};
use crate::plan::Options as PlanOptions;
use crate::session::{self, Report, Sets};
use crate::sweep::{self, Config, PointRun};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// How to run a suite.
pub struct Options<'a> {
    /// `--set` values applied to every run.
    pub sets: &'a Sets,
    /// Seeds replacing each protocol's own seed and each comparison's seeds.
    pub seeds: Option<Vec<u64>>,
    /// Keep only protocols, comparisons and sweeps whose name, or whose file's path,
    /// contains one of these texts (all when there are none).
    pub filters: Vec<String>,
    pub threads: usize,
    /// Where the runs' outcomes go: `out/<file>/<protocol>-seed<N>/`.
    pub out: PathBuf,
    /// Keep an earlier outcome that ran the same work to completion.
    pub resume: bool,
    /// Write each protocol's golden outcome instead of comparing with it.
    pub bless: bool,
    /// Set by a signal: runs stop at the next step boundary, runs not started do not start.
    pub stop: Option<Arc<AtomicBool>>,
}

/// A check's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Passed,
    Failed,
    /// Not run: a sweep, a golden for a seed not run, a protocol with nothing to check.
    Skipped,
    /// A golden outcome was written (`--bless`); neither passed nor failed.
    Blessed,
}

/// One line of the report.
#[derive(Debug, Clone)]
pub struct Check {
    pub file: PathBuf,
    /// `src · seed 1`, `compare src vs sequential · seeds 1, 2, 3`, `sweep …`.
    pub subject: String,
    pub status: Status,
    /// The expectation, when the check is one.
    pub expectation: Option<ExpectationResult>,
    /// What was checked otherwise (golden, failure, skip reason), one line.
    pub text: String,
    /// More lines: the values that moved, a rendered diagnostic.
    pub detail: Option<String>,
}

/// One run: a protocol of a file on a seed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Job {
    pub file: usize,
    pub protocol: String,
    pub seed: u64,
}

/// One protocol file of the suite.
pub struct Unit {
    pub path: PathBuf,
    /// Its folder under the output folder (the file's stem, made unique).
    pub slug: String,
    /// The checked file, or why it could not be read.
    pub report: Result<Report, String>,
}

enum Target {
    /// A file that failed to load or check.
    Broken {
        file: usize,
    },
    Protocol {
        file: usize,
        plan: usize,
        seeds: Vec<u64>,
        golden: Option<PathBuf>,
    },
    /// A protocol nothing checks.
    Idle {
        file: usize,
        plan: usize,
    },
    Compare {
        file: usize,
        index: usize,
        seeds: Vec<u64>,
    },
    Sweep {
        file: usize,
        index: usize,
    },
}

/// The files, what to check in them, and the runs that takes.
pub struct Suite {
    pub units: Vec<Unit>,
    targets: Vec<Target>,
    pub jobs: Vec<Job>,
}

impl Suite {
    /// Checks every file and chooses the runs.
    pub fn plan(files: &[PathBuf], opts: &Options) -> Suite {
        let mut suite = Suite {
            units: Vec::new(),
            targets: Vec::new(),
            jobs: Vec::new(),
        };
        let mut slugs: HashMap<String, usize> = HashMap::new();
        for path in files {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "protocol".into());
            let n = slugs.entry(stem.clone()).or_default();
            *n += 1;
            let slug = if *n == 1 { stem } else { format!("{stem}-{n}") };
            let report = session::check_file(path, opts.sets, &PlanOptions::default())
                .map_err(|e| e.to_string());
            suite.units.push(Unit {
                path: path.clone(),
                slug,
                report,
            });
            suite.plan_file(suite.units.len() - 1, opts);
        }
        suite
    }

    fn plan_file(&mut self, file: usize, opts: &Options) {
        let unit = &self.units[file];
        let report = match &unit.report {
            Ok(r) if !r.has_errors() => r,
            _ => {
                self.targets.push(Target::Broken { file });
                return;
            }
        };
        let path_text = unit.path.display().to_string();
        let selected = |names: &[&str]| {
            opts.filters.is_empty()
                || opts.filters.iter().any(|f| {
                    path_text.contains(f.as_str()) || names.iter().any(|n| n.contains(f.as_str()))
                })
        };
        let compares: Vec<usize> = (0..report.compares.len())
            .filter(|&i| {
                let c = &report.compares[i];
                let mut names: Vec<&str> = c.arms.iter().map(String::as_str).collect();
                names.push(&c.name);
                selected(&names)
            })
            .collect();
        let mut targets = Vec::new();
        let mut jobs = Vec::new();
        for (i, plan) in report.plans.iter().enumerate() {
            if !selected(&[&plan.protocol]) {
                continue;
            }
            let golden_path = golden::path(&unit.path, &plan.protocol);
            let has_golden = opts.bless || golden_path.exists();
            if plan.expectations.is_empty() && !has_golden {
                let in_compare = compares
                    .iter()
                    .any(|&c| report.compares[c].arms.contains(&plan.protocol));
                if !in_compare {
                    targets.push(Target::Idle { file, plan: i });
                }
                continue;
            }
            let mut seeds = opts.seeds.clone().unwrap_or_else(|| vec![plan.seed]);
            if opts.bless && !seeds.contains(&plan.seed) {
                seeds.push(plan.seed);
            }
            jobs.extend(seeds.iter().map(|&seed| Job {
                file,
                protocol: plan.protocol.clone(),
                seed,
            }));
            targets.push(Target::Protocol {
                file,
                plan: i,
                seeds,
                golden: has_golden.then_some(golden_path),
            });
        }
        for &index in &compares {
            let c = &report.compares[index];
            let seeds = opts.seeds.clone().unwrap_or_else(|| c.seeds.clone());
            for arm in &c.arms {
                jobs.extend(seeds.iter().map(|&seed| Job {
                    file,
                    protocol: arm.clone(),
                    seed,
                }));
            }
            targets.push(Target::Compare { file, index, seeds });
        }
        for (index, s) in report.sweeps.iter().enumerate() {
            if selected(&[&s.name, &s.protocol]) {
                targets.push(Target::Sweep { file, index });
            }
        }
        self.targets.extend(targets);
        for j in jobs {
            if !self.jobs.contains(&j) {
                self.jobs.push(j);
            }
        }
    }

    /// Whether anything was found to run or report.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// The folder of a job's outcome.
    pub fn job_dir(&self, opts: &Options, job: &Job) -> PathBuf {
        opts.out
            .join(&self.units[job.file].slug)
            .join(format!("{}-seed{}", job.protocol, job.seed))
    }

    /// Runs every job, `opts.threads` at a time; `done` hears of each as it ends. The results
    /// come back in the order of `self.jobs`.
    pub fn run(
        &self,
        opts: &Options,
        done: &(dyn Fn(&Job, &PointRun) + Sync),
    ) -> Result<Vec<PointRun>, String> {
        sweep::on_pool(opts.threads, self.jobs.len(), |i| {
            let job = &self.jobs[i];
            let cfg = Config {
                file: &self.units[job.file].path,
                sets: opts.sets,
                out: opts.out.clone(),
                threads: 1,
                eval: EvalSplit::Test,
                resume: opts.resume,
                // The output folder belongs to the suite (the CLI checks it).
                force: true,
                stop: opts.stop.clone(),
                collect: false,
            };
            let run = sweep::Job {
                index: i,
                seed: job.seed,
                protocol: job.protocol.clone(),
                sets: opts.sets.to_vec(),
                slug: job.protocol.clone(),
            };
            let r = sweep::run_job(&cfg, &run, Some(self.job_dir(opts, job)));
            done(job, &r);
            r
        })
    }

    /// Every check, in file order: each protocol's expectations per seed and its golden, then
    /// the comparisons, then the sweeps (skipped). With `opts.bless`, goldens are written
    /// here.
    pub fn checks(&self, opts: &Options, runs: &[PointRun]) -> Vec<Check> {
        let run_of = |file: usize, protocol: &str, seed: u64| -> Option<&PointRun> {
            let i = self
                .jobs
                .iter()
                .position(|j| j.file == file && j.protocol == protocol && j.seed == seed)?;
            runs.get(i)
        };
        let mut checks = Vec::new();
        for t in &self.targets {
            match t {
                Target::Broken { file } => checks.push(self.broken(*file)),
                Target::Idle { file, plan } => {
                    let p = &self.report(*file).plans[*plan];
                    checks.push(Check {
                        file: self.units[*file].path.clone(),
                        subject: p.protocol.clone(),
                        status: Status::Skipped,
                        expectation: None,
                        text: "nothing to check: no expectations and no golden outcome (`somnia test --bless` writes one)".into(),
                        detail: None,
                    });
                }
                Target::Protocol {
                    file,
                    plan,
                    seeds,
                    golden,
                } => {
                    let p = &self.report(*file).plans[*plan];
                    let path = &self.units[*file].path;
                    let mut golden_seed_run = false;
                    for &seed in seeds {
                        let subject = format!("{} · seed {seed}", p.protocol);
                        let Some(r) = run_of(*file, &p.protocol, seed) else {
                            continue;
                        };
                        if let Some(c) = failed_run(path, &subject, r) {
                            checks.push(c);
                            continue;
                        }
                        let Some(o) = &r.outcome else { continue };
                        for e in &o.expectations {
                            checks.push(expectation_check(path, &subject, e));
                        }
                        if let Some(g) = golden {
                            if opts.bless {
                                if seed == p.seed {
                                    checks.push(bless(path, &subject, g, o));
                                }
                            } else if let Some(c) =
                                golden_check(path, &subject, g, o, &p.tolerances, seed)
                            {
                                golden_seed_run = true;
                                checks.push(c);
                            }
                        }
                    }
                    if let (Some(g), false, false) = (golden, golden_seed_run, opts.bless) {
                        let seed = golden::read(g).ok().flatten().map(|o| o.seed);
                        checks.push(Check {
                            file: path.clone(),
                            subject: p.protocol.clone(),
                            status: Status::Skipped,
                            expectation: None,
                            text: format!(
                                "golden {}: its seed{} was not run",
                                g.display(),
                                seed.map(|s| format!(" ({s})")).unwrap_or_default()
                            ),
                            detail: None,
                        });
                    }
                }
                Target::Compare { file, index, seeds } => {
                    let c = &self.report(*file).compares[*index];
                    let path = &self.units[*file].path;
                    let seed_list: Vec<String> = seeds.iter().map(u64::to_string).collect();
                    let subject = format!("compare {} · seeds {}", c.name, seed_list.join(", "));
                    let mut arm_runs = Vec::new();
                    for (a, arm) in c.arms.iter().enumerate() {
                        for &seed in seeds {
                            if let Some(r) = run_of(*file, arm, seed) {
                                let mut r = r.clone();
                                r.point = a;
                                if let Some(f) =
                                    failed_run(path, &format!("{subject} · {arm} seed {seed}"), &r)
                                {
                                    checks.push(f);
                                }
                                arm_runs.push(r);
                            }
                        }
                    }
                    let mut cmp = c.clone();
                    cmp.seeds = seeds.clone();
                    let results = compare::expectations(&cmp, &arm_runs);
                    for e in &results {
                        checks.push(expectation_check(path, &subject, e));
                    }
                    checks.extend(
                        self.write_tables(opts, *file, &subject, &cmp, &arm_runs, &results),
                    );
                }
                Target::Sweep { file, index } => {
                    let s = &self.report(*file).sweeps[*index];
                    let path = &self.units[*file].path;
                    checks.push(Check {
                        file: path.clone(),
                        subject: format!("sweep {}", s.name),
                        status: Status::Skipped,
                        expectation: None,
                        text: format!(
                            "sweeps are not run by `somnia test`; `somnia sweep {} --sweep {}` runs it",
                            path.display(),
                            s.name
                        ),
                        detail: None,
                    });
                }
            }
        }
        checks
    }

    fn report(&self, file: usize) -> &Report {
        self.units[file]
            .report
            .as_ref()
            .expect("only checked files have targets")
    }

    fn broken(&self, file: usize) -> Check {
        let unit = &self.units[file];
        let (text, detail) = match &unit.report {
            Err(e) => (format!("cannot be read: {e}"), None),
            Ok(r) => {
                let errors = r.diagnostics.iter().filter(|d| d.is_error()).count();
                let style = Style {
                    color: false,
                    width: 100,
                };
                (
                    format!(
                        "does not check: {errors} error{}",
                        if errors == 1 { "" } else { "s" }
                    ),
                    Some(render::render_all_human(
                        &r.diagnostics,
                        &r.program.sources,
                        style,
                    )),
                )
            }
        };
        Check {
            file: unit.path.clone(),
            subject: unit.path.display().to_string(),
            status: Status::Failed,
            expectation: None,
            text,
            detail,
        }
    }
}

/// The failed check of a run that stopped or never started, if it did.
fn failed_run(file: &Path, subject: &str, r: &PointRun) -> Option<Check> {
    let stopped = r.outcome.as_ref().is_some_and(|o| o.status != "complete");
    if r.error.is_none() && !stopped {
        return None;
    }
    Some(Check {
        file: file.to_path_buf(),
        subject: subject.to_string(),
        status: Status::Failed,
        expectation: None,
        text: format!(
            "the run stopped on an error (outcome in {})",
            r.dir.display()
        ),
        detail: r.error.clone(),
    })
}

fn expectation_check(file: &Path, subject: &str, e: &ExpectationResult) -> Check {
    Check {
        file: file.to_path_buf(),
        subject: subject.to_string(),
        status: if e.passed {
            Status::Passed
        } else {
            Status::Failed
        },
        expectation: Some(e.clone()),
        text: e.text.clone(),
        detail: None,
    }
}

fn bless(file: &Path, subject: &str, path: &Path, o: &crate::outcome::Outcome) -> Check {
    let (status, text) = match golden::write(path, o) {
        Ok(()) => (
            Status::Blessed,
            format!("golden written: {}", path.display()),
        ),
        Err(e) => (
            Status::Failed,
            format!("cannot write the golden {}: {e}", path.display()),
        ),
    };
    Check {
        file: file.to_path_buf(),
        subject: subject.to_string(),
        status,
        expectation: None,
        text,
        detail: None,
    }
}

/// The comparison of a run with the golden, when the golden is for this seed.
fn golden_check(
    file: &Path,
    subject: &str,
    path: &Path,
    o: &crate::outcome::Outcome,
    tolerances: &std::collections::BTreeMap<String, f64>,
    seed: u64,
) -> Option<Check> {
    let check = |status, text: String, detail| Check {
        file: file.to_path_buf(),
        subject: subject.to_string(),
        status,
        expectation: None,
        text,
        detail,
    };
    let g = match golden::read(path) {
        Ok(Some(g)) => g,
        Ok(None) => return None,
        Err(e) => return Some(check(Status::Failed, e, None)),
    };
    if g.seed != seed {
        return None;
    }
    let v = golden::compare(&g, o, tolerances);
    let changed = if v.plan_changed {
        " (the plan changed since it was blessed)"
    } else {
        ""
    };
    Some(if v.passed() {
        check(
            Status::Passed,
            format!(
                "golden {}: {} values within tolerance",
                path.display(),
                v.compared
            ),
            None,
        )
    } else {
        let lines: Vec<String> = v
            .moved
            .iter()
            .map(|(c, t)| {
                let show = |x: Option<f64>| x.map_or("—".to_string(), |x| format!("{x:.6}"));
                let delta = c.delta().map_or(String::new(), |d| format!("  Δ {d:+.6}"));
                format!(
                    "{}[{}]  golden {} → now {}{delta}  (tolerance {t:.3e})",
                    c.metric,
                    c.key,
                    show(c.a),
                    show(c.b)
                )
            })
            .collect();
        check(
            Status::Failed,
            format!(
                "golden {}: {} of {} values moved{changed}",
                path.display(),
                v.moved.len(),
                v.compared
            ),
            Some(lines.join("\n")),
        )
    })
}
