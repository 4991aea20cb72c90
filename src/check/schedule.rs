//! Static checks of schedules: every conditional loop bounded, every `restore` preceded by
//! its `checkpoint`, no empty loops, no checkpoint left unused.

use super::program::Program;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::Spanned;
use crate::syntax::ast::{Item, Stmt, StmtKind};

/// Runs the schedule checks on every protocol of the program.
pub fn check_schedules(prog: &Program, diags: &mut Diagnostics) {
    for (_, item) in prog.items() {
        let Item::Protocol(p) = item else { continue };
        for s in &p.schedules {
            let mut checkpoints: Vec<(Spanned<String>, bool)> = Vec::new();
            walk(&s.body, &mut checkpoints, diags);
            for (c, restored) in checkpoints {
                if !restored {
                    diags.push(
                        Diagnostic::new(
                            Code::W004,
                            c.span,
                            format!("checkpoint \"{}\" is never restored", c.node),
                        )
                        .label("saved but never used")
                        .help("remove it, or add `restore` where the fork should start again"),
                    );
                }
            }
        }
    }
}

fn walk(body: &[Stmt], checkpoints: &mut Vec<(Spanned<String>, bool)>, diags: &mut Diagnostics) {
    for s in body {
        match &s.node {
            StmtKind::For { body, .. }
            | StmtKind::Repeat { body, .. }
            | StmtKind::Until { body, .. } => {
                if let StmtKind::Until {
                    max: None, cond, ..
                } = &s.node
                {
                    diags.push(
                        Diagnostic::new(Code::E301, cond.span, "`until` needs a bound")
                            .label("this loop might never end")
                            .help("add `max N` after the condition: `until accuracy(seen) > 90 % max 10 { ... }`"),
                    );
                }
                if body.is_empty() {
                    diags.push(
                        Diagnostic::new(Code::W005, s.span, "this loop does nothing")
                            .label("empty body")
                            .help("add statements to the loop or remove it"),
                    );
                }
                walk(body, checkpoints, diags);
            }
            StmtKind::Checkpoint(name) => {
                if !checkpoints.iter().any(|(c, _)| c.node == name.node) {
                    checkpoints.push((name.clone(), false));
                }
            }
            StmtKind::Restore(name) => {
                match checkpoints.iter_mut().find(|(c, _)| c.node == name.node) {
                    Some((_, restored)) => *restored = true,
                    None => {
                        let known: Vec<&str> =
                            checkpoints.iter().map(|(c, _)| c.node.as_str()).collect();
                        diags.push(
                            Diagnostic::new(
                                Code::E304,
                                name.span,
                                format!("no checkpoint \"{}\" before this `restore`", name.node),
                            )
                            .label("nothing saved under this name yet")
                            .suggest_string(&name.node, name.span, known)
                            .help_if_none(&format!(
                                "add `checkpoint \"{}\"` earlier in the schedule",
                                name.node
                            )),
                        );
                    }
                }
            }
            StmtKind::Call { .. } | StmtKind::Measure { .. } => {}
        }
    }
}
