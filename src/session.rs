//! A session: the front half of the pipeline run over one file — load, check, plan every
//! protocol, check comparisons and sweeps, lint. The CLI (and later the REPL and the test
//! runner) are thin drivers over this.

use crate::check::{self, lints, program::Program};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::{self, LoadError, Loaded};
use crate::plan::compare::{self, CompareIr, SweepIr};
use crate::plan::expect::{Arm, Measured};
use crate::plan::ir::{Op, Plan};
use crate::plan::{self, Options};
use crate::source::SourceFile;
use crate::syntax::{self, ast::Item};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Everything the front end learnt about one file.
pub struct Report {
    pub program: Program,
    /// Sorted, each problem once.
    pub diagnostics: Vec<Diagnostic>,
    /// The plans of the file's protocols that compiled, in file order.
    pub plans: Vec<Plan>,
    pub compares: Vec<CompareIr>,
    pub sweeps: Vec<SweepIr>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Every plan of the file with its comparisons and sweeps (`somnia plan FILE --json`).
    pub fn file_plans(&self) -> plan::FilePlans<'_> {
        plan::FilePlans {
            plans: &self.plans,
            compares: &self.compares,
            sweeps: &self.sweeps,
        }
    }

    pub fn plan(&self, protocol: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.protocol == protocol)
    }

    /// Names of the protocols of the main file.
    pub fn protocol_names(&self) -> Vec<String> {
        self.program.modules[0]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Protocol(p) => Some(p.name.node.clone()),
                _ => None,
            })
            .collect()
    }
}

/// `--set` values as written: `NAME=VALUE`.
pub type Sets = [(String, String)];

/// Checks and plans a file on disk.
pub fn check_file(path: &Path, sets: &Sets, opts: &Options) -> Result<Report, LoadError> {
    let mut diags = Diagnostics::new();
    let loaded = load::load_root(path, &mut diags)?;
    Ok(finish(loaded, diags, sets, opts))
}

/// Checks and plans source text (tests, the REPL); imports are relative to `base`.
pub fn check_text(
    name: &str,
    text: &str,
    base: Option<&Path>,
    sets: &Sets,
    opts: &Options,
) -> Report {
    let mut diags = Diagnostics::new();
    let loaded = load::load_text(name, text, base, &mut diags);
    finish(loaded, diags, sets, opts)
}

fn finish(mut loaded: Loaded, mut diags: Diagnostics, sets: &Sets, opts: &Options) -> Report {
    // `--set` values become small sources of their own, so their errors have spans too.
    let mut opts = opts.clone();
    for (name, text) in sets {
        let id = loaded
            .sources
            .add(SourceFile::new(format!("--set {name}"), None, text.clone()));
        match syntax::parse_expr(id, text) {
            Ok(e) => opts.sets.push((name.clone(), e)),
            Err(errs) => diags.extend(errs),
        }
    }
    let prog = Program::new(loaded, &mut diags);
    let mut used: HashSet<_> = check::check_definitions(&prog, &mut diags);
    let mut plans = Vec::new();
    let mut arms: HashMap<String, Arm> = HashMap::new();
    let protocols: Vec<_> = prog
        .items()
        .filter(|(_, i)| matches!(i, Item::Protocol(_)))
        .map(|(id, _)| id)
        .collect();
    for id in protocols {
        let compiled = plan::compile(&prog, id, &opts, &mut diags);
        used.extend(compiled.used);
        if let Some(p) = compiled.plan
            && id.module == 0
        {
            arms.insert(p.protocol.clone(), arm_of(&p));
            plans.push(p);
        }
    }
    let compare::Compiled {
        compares,
        sweeps,
        used: used_by_checks,
    } = compare::compile_all(&prog, &arms, &mut diags);
    used.extend(used_by_checks);
    for c in &compares {
        for a in &c.arms {
            if let Some(id) = prog.lookup(0, a) {
                used.insert(id);
            }
        }
    }
    // A protocol that did not compile used less than it names: unused-definition
    // warnings would be noise next to its errors.
    if !diags.has_errors() {
        lints::lint_unused(&prog, &used, &mut diags);
        lints::lint_expectations(&prog, &mut diags);
    }
    lints::lint_empty_files(&prog, &mut diags);
    Report {
        program: prog,
        diagnostics: diags.into_sorted(),
        plans,
        compares,
        sweeps,
    }
}

/// What a plan measures and which phases it runs, for the expectations of comparisons.
pub fn arm_of(p: &Plan) -> Arm {
    let mut measured = Vec::new();
    let mut phases = Vec::new();
    fn walk(ops: &[Op], measured: &mut Vec<Measured>, phases: &mut Vec<String>) {
        for op in ops {
            match op {
                Op::Measure { metrics, label, .. } => {
                    let id = measured.last().map_or(0, |m: &Measured| m.measure + 1);
                    measured.extend(metrics.iter().map(|m| Measured {
                        metric: m.clone(),
                        label: label.clone(),
                        measure: id,
                    }))
                }
                Op::Wake { phase, .. }
                | Op::Sleep { phase, .. }
                | Op::Forage { phase, .. }
                | Op::Perturb { phase, .. } => phases.push(phase.clone()),
                Op::Until { body, .. } => walk(body, measured, phases),
                Op::Checkpoint { .. } | Op::Restore { .. } => {}
            }
        }
    }
    walk(&p.ops, &mut measured, &mut phases);
    Arm {
        name: p.protocol.clone(),
        measured,
        phases,
    }
}

/// Parses `NAME=VALUE`.
pub fn parse_set(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((n, v)) if !n.trim().is_empty() && !v.trim().is_empty() => {
            Ok((n.trim().to_string(), v.trim().to_string()))
        }
        _ => Err(format!("expected NAME=VALUE, found `{s}`")),
    }
}
