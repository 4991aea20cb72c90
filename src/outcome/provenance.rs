//! Provenance: where an outcome came from — the somnia build, the command line, the
//! `--set` overrides and the data files read. Not a measured value: like `timing`, goldens
//! leave it out and `somnia test` does not compare it; `somnia diff` names what differs.

use super::data_files::{self, DataFile};
use crate::check::eval::Eval;
use crate::check::program::Program;
use crate::check::value::Value;
use crate::diagnostics::Diagnostics;
use crate::plan::Plan;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a run was made. Outcomes written before it existed read with every field empty
/// ([`Provenance::is_missing`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Provenance {
    /// The somnia version (also the outcome's top-level `somnia`).
    pub somnia: String,
    /// The full git hash of the source tree built, or `unknown`.
    pub commit: String,
    /// Its abbreviated hash, or `unknown`.
    pub commit_short: String,
    /// Whether the tree had uncommitted changes; `None` (null) when not known.
    pub dirty: Option<bool>,
    /// The process's command line, program name first.
    pub command: Vec<String>,
    /// Every `--set NAME=VALUE` the plan was compiled with; a sweep's swept constants too.
    #[serde(default)]
    pub overrides: BTreeMap<String, Override>,
    /// Every file the plan's datasets read, in dataset order.
    #[serde(default)]
    pub data: Vec<DataFile>,
}

/// One `--set` value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Override {
    /// The value as written (`20000steps`).
    pub text: String,
    /// The value it evaluates to, in readable units (`20000 steps`); absent when it is not
    /// a number, boolean, word or string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl Provenance {
    /// The provenance of a run of `plan` in this process: the build, the command line and
    /// the plan's data files, without overrides (the plan does not know them; the caller
    /// that compiled it adds them with [`overrides`]).
    pub fn of(plan: &Plan) -> Provenance {
        Provenance {
            somnia: crate::build_info::VERSION.to_string(),
            commit: crate::build_info::COMMIT.to_string(),
            commit_short: crate::build_info::COMMIT_SHORT.to_string(),
            dirty: crate::build_info::dirty(),
            command: std::env::args_os()
                .map(|a| a.to_string_lossy().into_owned())
                .collect(),
            overrides: BTreeMap::new(),
            data: data_files::of_plan(plan),
        }
    }

    /// True for an outcome written before provenance was recorded, and for a golden.
    pub fn is_missing(&self) -> bool {
        self.somnia.is_empty()
    }
}

/// The `--set` values `sets`, each with the value it evaluates to in `program` (the
/// program they were checked with). Later values of one name win, as in the plan.
pub fn overrides(program: &Program, sets: &[(String, String)]) -> BTreeMap<String, Override> {
    sets.iter()
        .map(|(name, text)| {
            let value = resolve(program, name, text);
            (
                name.clone(),
                Override {
                    text: text.clone(),
                    value,
                },
            )
        })
        .collect()
}

/// `text` evaluated in the main module, in readable units: cheap (constants are small
/// expressions), and the checker already reported whatever is wrong with it. Parsed as
/// the source the session made of it (`--set NAME`), so its spans name a real file.
fn resolve(program: &Program, name: &str, text: &str) -> Option<String> {
    let shown = format!("--set {name}");
    let (id, _) = program
        .sources
        .iter()
        .filter(|(_, f)| f.name == shown && f.text == text)
        .last()?;
    let expr = crate::syntax::parse_expr(id, text).ok()?;
    let mut diags = Diagnostics::new();
    let value = Eval::new(program, &mut diags).eval(&expr);
    if diags.has_errors() {
        return None;
    }
    match value {
        Value::Num(v, d) => Some(crate::units::format_quantity(v, d)),
        Value::Bool(b) => Some(b.to_string()),
        Value::Symbol(s) => Some(s),
        Value::Str(s) => Some(format!("{s:?}")),
        _ => None,
    }
}
