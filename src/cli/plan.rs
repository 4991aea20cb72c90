//! `somnia plan FILE [--protocol NAME] [--json]`

use super::output;
use super::{FAILED, OK, USAGE};
use crate::plan::{FilePlans, timeline};
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
    /// Replace the protocol's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Replace a constant: `--set sleep_base=20000steps` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE", value_parser = session::parse_set)]
    pub sets: Vec<(String, String)>,
}

pub fn run(a: Args, color: bool) -> i32 {
    let report = match output::checked_report(&a.file, &a.sets, a.seed, color, FAILED) {
        Ok(r) => r,
        Err(status) => return status,
    };
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
    if a.json {
        let text = match &a.protocol {
            Some(_) => serde_json::to_string_pretty(plans[0]),
            None => serde_json::to_string_pretty(&FilePlans::of(&report)),
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
