//! Check: the loaded program → diagnostics, before anything is planned or run.
//!
//! Each concern is a small pass that pushes diagnostics and carries on: names and
//! namespaces ([`program`]), the evaluator with units and types ([`eval`], [`arith`],
//! [`bind`]), definitions ([`items`], [`network`], [`phases`]), derived protocols
//! ([`protocol`]), schedules ([`schedule`]), warnings ([`lints`]) and the sizes accepted
//! ([`limits`]). The plan stage reuses
//! the evaluator with concrete arguments.

pub mod arith;
pub mod bind;
pub mod builtin_values;
pub mod definitions;
pub mod environment;
pub mod eval;
pub mod functions;
pub mod items;
pub mod limits;
pub mod lints;
pub mod network;
pub mod phases;
pub mod program;
pub mod protocol;
pub mod schedule;
pub mod ties;
pub mod unit_help;
pub mod value;

use crate::diagnostics::Diagnostics;
use eval::Eval;
use program::{ItemId, Program};
use std::collections::HashSet;

/// Checks every definition of the program; returns the items they refer to.
pub fn check_definitions(prog: &Program, diags: &mut Diagnostics) -> HashSet<ItemId> {
    prog.lint_shadowing(diags);
    schedule::check_schedules(prog, diags);
    let mut ev = Eval::new(prog, diags);
    let ids: Vec<ItemId> = prog.items().map(|(id, _)| id).collect();
    for id in ids {
        ev.check_item(id);
    }
    std::mem::take(&mut ev.used)
}
