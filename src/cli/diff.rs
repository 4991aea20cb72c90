//! `somnia diff A.json B.json [--tolerance X]`
//!
//! Compares two outcomes metric by metric: how their provenance differs (build, overrides,
//! data files, command line), every final value of either, its change, and the
//! expectations whose verdict differs. Exit 0 when no final value moved by more than the
//! tolerance and no verdict changed, 1 when something did, 2 when a file cannot be read.
//! Like a different plan, a different provenance does not change the exit status: it says
//! why values may have moved, not that they did.

use super::{FAILED, OK, output};
use crate::diagnostics::Code;
use crate::outcome::Outcome;
use crate::outcome::diff;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The first outcome (`outcome.json`, or the folder holding it).
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// The second outcome.
    #[arg(value_name = "B")]
    pub b: PathBuf,
    /// Changes up to this size (absolute) count as unchanged.
    #[arg(long, default_value_t = 0.0, value_name = "X")]
    pub tolerance: f64,
    /// Show only the values that moved.
    #[arg(long)]
    pub changed: bool,
}

fn load(path: &Path) -> Result<Outcome, String> {
    let file = if path.is_dir() {
        path.join(crate::outcome::write::OUTCOME_FILE)
    } else {
        path.to_path_buf()
    };
    crate::outcome::read::file(&file)
}

pub fn run(a: Args) -> i32 {
    // NaN compares false with everything: every change would count as unchanged.
    if !(a.tolerance >= 0.0 && a.tolerance.is_finite()) {
        return output::fail(
            Code::E502,
            &format!(
                "--tolerance {}: a tolerance is a finite number ≥ 0",
                a.tolerance
            ),
        );
    }
    let (oa, ob) = match (load(&a.a), load(&a.b)) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(e), _) | (_, Err(e)) => return output::fail(Code::E501, &e),
    };
    let mut text = format!(
        "A {} (protocol {}, seed {}, {})\nB {} (protocol {}, seed {}, {})\n",
        a.a.display(),
        oa.protocol,
        oa.seed,
        oa.status,
        a.b.display(),
        ob.protocol,
        ob.seed,
        ob.status
    );
    text.push_str(
        if !oa.work_hash.is_empty() && oa.work_hash == ob.work_hash {
            "same work (equal work hashes)\n"
        } else {
            "different plans\n"
        },
    );
    text.push_str(&provenance_section(&oa, &ob));
    let show = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.6}"));
    let changes = diff::final_values(&oa, &ob);
    let mut moved = 0;
    text.push_str(&format!(
        "\n  {:<32} {:>14} {:>14} {:>14}\n",
        "final value", "A", "B", "B − A"
    ));
    for c in &changes {
        let m = c.moved(a.tolerance);
        moved += m as usize;
        if a.changed && !m {
            continue;
        }
        text.push_str(&format!(
            "{} {:<32} {:>14} {:>14} {:>14}\n",
            if m { "*" } else { " " },
            format!("{}[{}]", c.metric, c.key),
            show(c.a),
            show(c.b),
            c.delta().map_or("—".to_string(), |d| format!("{d:+.6}"))
        ));
    }
    let verdicts = diff::verdicts(&oa, &ob);
    for (t, x, y) in &verdicts {
        let word = |v: &Option<bool>| match v {
            Some(true) => "✓",
            Some(false) => "✗",
            None => "—",
        };
        text.push_str(&format!("  expectation {} → {}  {t}\n", word(x), word(y)));
    }
    text.push_str(&format!(
        "\n{moved} of {} final values moved{}, {} expectation verdict{} changed\n",
        changes.len(),
        if a.tolerance > 0.0 {
            format!(" by more than {}", a.tolerance)
        } else {
            String::new()
        },
        verdicts.len(),
        if verdicts.len() == 1 { "" } else { "s" }
    ));
    output::out(&text);
    if moved == 0 && verdicts.is_empty() {
        OK
    } else {
        FAILED
    }
}

/// `provenance: the same`, or one line per difference: what, A → B.
fn provenance_section(a: &Outcome, b: &Outcome) -> String {
    let changes = diff::provenance(a, b);
    if changes.is_empty() {
        return "provenance: the same\n".into();
    }
    let mut text = format!(
        "provenance: {} difference{}\n",
        changes.len(),
        if changes.len() == 1 { "" } else { "s" }
    );
    for c in &changes {
        // Long sides (command lines) one under the other, so they can be compared by eye.
        if c.a.chars().count() + c.b.chars().count() > 60 {
            text.push_str(&format!("  {}\n    A {}\n    B {}\n", c.what, c.a, c.b));
        } else {
            text.push_str(&format!("  {:<32} {} → {}\n", c.what, c.a, c.b));
        }
    }
    text
}
