//! `somnia plan FILE [--protocol NAME] [--json] [--svg OUT.svg [--force]]`

use super::output;
use super::{FAILED, OK, USAGE};
use crate::console::eprintln;
use crate::plan::timeline;
use crate::session;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The protocol file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The protocol to plan (default: every protocol of the file).
    #[arg(long, short)]
    pub protocol: Option<String>,
    /// Print the plan as JSON instead of a timeline.
    #[arg(long)]
    pub json: bool,
    /// Write the plan's hypnogram to this SVG file (instead of printing the timeline).
    #[arg(long, value_name = "OUT.svg", conflicts_with = "json")]
    pub svg: Option<PathBuf>,
    /// Overwrite the file given to --svg if it exists.
    #[arg(long, requires = "svg")]
    pub force: bool,
    /// Replace the protocol's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Replace a constant: `--set sleep_base=20000steps` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = session::parse_set)]
    pub sets: Vec<(String, String)>,
}

pub fn run(a: Args, color: bool) -> i32 {
    let mut report = match output::checked_report(&a.file, &a.sets, a.seed, color, FAILED) {
        Ok(r) => r,
        Err(status) => return status,
    };
    time_by_data(&mut report.plans);
    let plans: Vec<&crate::plan::Plan> = match &a.protocol {
        Some(name) => match output::find_protocol(&report, name, &a.file) {
            Some(p) => vec![p],
            None => return USAGE,
        },
        None => report.plans.iter().collect(),
    };
    if plans.is_empty() {
        eprintln!("error: {} defines no protocol", a.file.display());
        return USAGE;
    }
    for p in &plans {
        super::output::detail(&format!(
            "{}: plan hash {}, work hash {} (an outcome of this plan records both)",
            p.protocol,
            crate::plan::hash::plan_hash(p),
            crate::plan::hash::work_hash(p)
        ));
    }
    if let Some(out) = &a.svg {
        return write_svg(&a, out, &plans);
    }
    if a.json {
        let text = match &a.protocol {
            Some(_) => serde_json::to_string_pretty(plans[0]),
            None => serde_json::to_string_pretty(&report.file_plans()),
        };
        super::output::out(&format!("{}\n", text.expect("plans serialise")));
    } else if a.protocol.is_some() {
        super::output::out(&timeline::timeline(plans[0]));
    } else {
        super::output::out(&timeline::file_text(
            &report.plans,
            &report.compares,
            &report.sweeps,
        ));
    }
    OK
}

/// Times each plan by the sizes of its tasks as read from its data; a plan whose data
/// cannot be read keeps the times its task caps give (the header says so).
fn time_by_data(plans: &mut [crate::plan::Plan]) {
    let mut read: Vec<(String, crate::plan::cost::Sizes)> = Vec::new();
    for p in plans {
        // Plans of one file mostly share their data: read it once per datasets, tasks, seed.
        let key = serde_json::to_string(&(&p.datasets, &p.task_lists, p.seed)).unwrap_or_default();
        let sizes = match read.iter().find(|(k, _)| *k == key) {
            Some((_, s)) => Some(s.clone()),
            None => crate::data::sizes::of(p)
                .ok()
                .inspect(|s| read.push((key, s.clone()))),
        };
        if let Some(s) = sizes {
            crate::plan::estimate::with_sizes(p, s);
        }
    }
}

/// `--svg OUT`: the hypnogram of the one protocol planned, never over an existing file
/// without `--force`.
fn write_svg(a: &Args, out: &std::path::Path, plans: &[&crate::plan::Plan]) -> i32 {
    let plan = match plans {
        [p] => p,
        many => {
            let names: Vec<&str> = many.iter().map(|p| p.protocol.as_str()).collect();
            eprintln!(
                "error: {} has several protocols; choose the one to draw with --protocol: {}",
                a.file.display(),
                names.join(", ")
            );
            return USAGE;
        }
    };
    if out.exists() && !a.force {
        eprintln!(
            "error: {} exists; pass --force to overwrite it",
            out.display()
        );
        return USAGE;
    }
    if out.is_dir() {
        eprintln!("error: {} is a folder; give a file name", out.display());
        return USAGE;
    }
    let svg = match crate::plot::hypnogram::plan_svg(plan) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "error: cannot draw the hypnogram of `{}`: {e}",
                plan.protocol
            );
            return USAGE;
        }
    };
    if let Err(e) = crate::outcome::write::atomic_write(out, svg.as_bytes()) {
        eprintln!("error: cannot write {}: {e}", out.display());
        return USAGE;
    }
    eprintln!(
        "hypnogram of `{}` written to {}",
        plan.protocol,
        out.display()
    );
    OK
}
