//! `somnia run` again on a folder that holds a complete outcome: the outcome is up to date
//! when it was made from the same inputs by the same build, and then the run is not
//! repeated (runs are deterministic: it would write the same numbers). Otherwise the
//! differences are named and nothing is overwritten without `--force`.

use super::Cli;
use super::run::Args;
use crate::build_info;
use crate::outcome::Outcome;
use crate::plan::Plan;
use crate::plan::hash::work_hash;

/// What differs between the inputs of the stored outcome `o` and of this run (`plan`
/// compiled from `a`, evaluated on `eval`); empty when the outcome is up to date.
pub fn differences(o: &Outcome, plan: &Plan, a: &Args, eval: &str) -> Vec<String> {
    let mut why = Vec::new();
    if o.protocol != plan.protocol {
        why.push(format!(
            "protocol `{}` there, `{}` now",
            o.protocol, plan.protocol
        ));
    }
    if o.seed != plan.seed {
        why.push(format!("seed {} there, {} now", o.seed, plan.seed));
    }
    if o.work_hash != work_hash(plan) {
        if o.protocol == plan.protocol && o.seed == plan.seed {
            why.push("the plan (the protocol's definitions or --set values)".into());
        }
    } else if o.source_hash != plan.source_hash {
        why.push(
            "the file's text (the same work; expectations, tolerances or comments changed)".into(),
        );
    }
    if o.evaluated_on != eval {
        why.push(format!(
            "evaluated on the {} split there, {eval} now",
            o.evaluated_on
        ));
    }
    why.extend(build(o));
    why.extend(data(o, plan));
    why.extend(options(o, a));
    why
}

/// The build: the same commit, with no uncommitted changes on either side (a dirty build
/// cannot be told apart from another one of the same commit).
fn build(o: &Outcome) -> Option<String> {
    let p = &o.provenance;
    let shown = |commit: &str, dirty: Option<bool>| match dirty {
        Some(true) => format!("{commit} with uncommitted changes"),
        _ => commit.to_string(),
    };
    let then = shown(&p.commit_short, p.dirty);
    let now = shown(build_info::COMMIT_SHORT, build_info::dirty());
    if p.is_missing() || p.commit == "unknown" || build_info::COMMIT == "unknown" {
        return Some(format!(
            "the build (written by somnia {} of commit {then}, this is commit {now}: cannot tell them apart)",
            if p.somnia.is_empty() { "?" } else { &p.somnia }
        ));
    }
    if p.commit != build_info::COMMIT {
        return Some(format!("the build (commit {then} there, {now} now)"));
    }
    if p.dirty != Some(false) || build_info::dirty() != Some(false) {
        return Some(format!(
            "the build (commit {then} there, {now} now; uncommitted changes cannot be compared)"
        ));
    }
    None
}

/// The data files the plan reads, by their SHA-256.
fn data(o: &Outcome, plan: &Plan) -> Option<String> {
    let now = crate::outcome::data_files::of_plan(plan);
    let key = |d: &crate::outcome::data_files::DataFile| (d.path.clone(), d.sha256.clone());
    let then: Vec<_> = o.provenance.data.iter().map(key).collect();
    let now: Vec<_> = now.iter().map(key).collect();
    if then == now {
        return None;
    }
    let changed: Vec<String> = now
        .iter()
        .filter(|d| !then.contains(d))
        .map(|(path, _)| path.clone())
        .collect();
    Some(if changed.is_empty() {
        "the data files read".into()
    } else {
        format!("the data files ({} changed)", changed.join(", "))
    })
}

/// What this command asks to be written that the stored run's command did not:
/// `--save-weights` points and `--plots` (read back from its recorded command line).
fn options(o: &Outcome, a: &Args) -> Vec<String> {
    use clap::Parser;
    let old = match Cli::try_parse_from(&o.provenance.command) {
        Ok(Cli {
            command: super::Command::Run(old),
            ..
        }) => Some(old),
        _ => None,
    };
    let mut why = Vec::new();
    let (weights, plots) = old.map_or((None, false), |r| (Some(r.save_weights), r.plots));
    if !a.save_weights.is_empty() && weights.as_ref() != Some(&a.save_weights) {
        why.push(format!(
            "--save-weights {} (the stored run saved {})",
            a.save_weights.join(","),
            match &weights {
                Some(w) if w.is_empty() => "no weights".to_string(),
                Some(w) => w.join(","),
                None => "what its command line, not readable here, said".to_string(),
            }
        ));
    }
    if a.plots && !plots {
        why.push("--plots (the stored run drew none; `somnia plot DIR` draws them)".into());
    }
    why
}
