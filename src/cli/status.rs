//! `somnia status DIR`
//!
//! What the runs listed in `DIR/manifest.json` have done, read from their folders alone
//! (nothing is compiled, so it answers at once on a login node): how many are complete,
//! unfinished (an outcome that says `interrupted` or `error`), running or stopped before
//! their first outcome (only a `.partial` folder), or missing; each run that is not complete
//! by name, with its shard when the runs were submitted as a job array; and whether the
//! tables were merged. Exit 0 when every run is complete, 1 when some are not, 2 when the
//! manifest cannot be read.

use super::{FAILED, OK, USAGE, output};
use crate::console::eprintln;
use crate::outcome::folder::staging_of;
use crate::outcome::write::OUTCOME_FILE;
use crate::sweep::manifest::{Entry, Manifest};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The folder the runs are written into.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// Where one run is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    Complete,
    /// Its outcome says how it stopped (`interrupted`, `error`).
    Stopped(String),
    /// Only a staging folder: running now, or killed before it wrote an outcome.
    Started,
    Missing,
    /// Its plan does not compile.
    Broken,
}

impl State {
    fn word(&self) -> String {
        match self {
            State::Complete => "complete".into(),
            State::Stopped(s) => s.clone(),
            State::Started => "running or killed".into(),
            State::Missing => "missing".into(),
            State::Broken => "does not compile".into(),
        }
    }
}

/// The state of one run of the manifest in `dir`.
pub fn state(dir: &Path, entry: &Entry) -> State {
    let Some(folder) = &entry.folder else {
        return State::Broken;
    };
    let run = dir.join(folder);
    let status = std::fs::read_to_string(run.join(OUTCOME_FILE))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["status"].as_str().map(str::to_string));
    match status.as_deref() {
        Some("complete") => State::Complete,
        Some(other) => State::Stopped(other.to_string()),
        None if staging_of(&run).exists() => State::Started,
        None if run.join(OUTCOME_FILE).exists() => State::Stopped("unreadable outcome".into()),
        None => State::Missing,
    }
}

pub fn run(a: Args) -> i32 {
    let manifest = match Manifest::read(&a.dir) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE;
        }
    };
    let shards = super::submit::shards_of(&a.dir);
    let states: Vec<State> = manifest.runs.iter().map(|e| state(&a.dir, e)).collect();
    let mut counts: BTreeMap<&State, usize> = BTreeMap::new();
    for s in &states {
        *counts.entry(s).or_default() += 1;
    }
    let mut text = format!(
        "{} {} ({}) → {}: {} runs\n  {}\n",
        manifest.kind.word(),
        manifest.item,
        manifest.file.display(),
        a.dir.display(),
        manifest.runs.len(),
        counts
            .iter()
            .map(|(s, n)| format!("{n} {}", s.word()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut open_shards = std::collections::BTreeSet::new();
    for (entry, s) in manifest.runs.iter().zip(&states) {
        if *s == State::Complete {
            continue;
        }
        let shard = shards.map(|n| entry.run % n + 1);
        if let Some(k) = shard {
            open_shards.insert(k);
        }
        text.push_str(&format!(
            "  {:<18} {} seed {}  {}{}\n",
            s.word(),
            entry.label,
            entry.seed,
            entry.folder.as_deref().unwrap_or("(no folder)"),
            shard
                .map(|k| format!("  (shard {k}/{})", shards.unwrap_or(1)))
                .unwrap_or_default()
        ));
    }
    let table = match manifest.kind {
        crate::sweep::manifest::Kind::Sweep => crate::sweep::table::SWEEP_FILE,
        crate::sweep::manifest::Kind::Compare => crate::compare::tables::COMPARE_JSON,
    };
    let merged = a.dir.join(table).exists();
    let all = states.iter().all(|s| *s == State::Complete);
    text.push_str(&match (all, merged) {
        (true, true) => format!("  merged: {}\n", a.dir.join(table).display()),
        (true, false) => format!(
            "  every run is complete: `somnia merge {}` writes the tables\n",
            a.dir.display()
        ),
        (false, _) if !open_shards.is_empty() => format!(
            "  shards with runs to do: {}; `somnia submit slurm` with the same arguments submits only those\n",
            open_shards
                .iter()
                .map(|k| k.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ),
        (false, _) => String::new(),
    });
    output::out(&text);
    if all { OK } else { FAILED }
}
