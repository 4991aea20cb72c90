//! Warnings about programs that are valid but probably not what was meant.

use super::program::{ItemId, Program};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::Span;
use crate::syntax::ast::Item;
use std::collections::HashSet;

/// W001: a file with no items.
pub fn lint_empty_files(prog: &Program, diags: &mut Diagnostics) {
    for (i, m) in prog.modules.iter().enumerate() {
        let text = &prog.sources.get(m.file).text;
        if m.items.is_empty()
            && !diags
                .iter()
                .any(|d| d.is_error() && d.span.is_some_and(|s| s.file == m.file))
        {
            let len = text.trim_end().len().min(text.len());
            diags.push(
                Diagnostic::new(
                    Code::W001,
                    Span::new(crate::load::file_of(i), 0, len),
                    format!("{} defines nothing", prog.sources.get(m.file).name),
                )
                .label("no items in this file")
                .help(
                    "a protocol file holds items: `import`, `let`, `dataset`, `tasks`, `network`, `rule`, `phase`, `protocol`, `compare`, `sweep`",
                ),
            );
        }
    }
}

/// W002: definitions of the main file that nothing uses.
pub fn lint_unused(prog: &Program, used: &HashSet<ItemId>, diags: &mut Diagnostics) {
    for (id, item) in prog.items() {
        if id.module != 0 || used.contains(&id) {
            continue;
        }
        let kind = match item {
            Item::Let(_)
            | Item::Dataset(_)
            | Item::Tasks(_)
            | Item::Rule(_)
            | Item::Network(_)
            | Item::Phase(_) => item.kind_word(),
            _ => continue,
        };
        let Some(name) = item.name() else { continue };
        if name.node.starts_with('_') {
            continue;
        }
        diags.push(
            Diagnostic::new(
                Code::W002,
                name.span,
                format!("{kind} `{}` is never used", name.node),
            )
            .label("defined but not used by any protocol")
            .help("remove it, or start its name with `_` to keep it quietly"),
        );
    }
}

/// W003: protocols that check nothing (unless a `compare` or `sweep` checks them).
pub fn lint_expectations(prog: &Program, diags: &mut Diagnostics) {
    let mut checked: HashSet<&str> = HashSet::new();
    for (_, item) in prog.items() {
        match item {
            Item::Compare(c) if !c.expects.is_empty() => {
                checked.extend(c.arms.iter().map(|a| a.node.as_str()))
            }
            Item::Sweep(s) if !s.expects.is_empty() => {
                checked.insert(s.protocol.node.as_str());
            }
            _ => {}
        }
    }
    for (id, item) in prog.items() {
        let Item::Protocol(p) = item else { continue };
        if id.module != 0 || !p.expects.is_empty() || checked.contains(p.name.node.as_str()) {
            continue;
        }
        diags.push(
            Diagnostic::new(
                Code::W003,
                p.name.span,
                format!("protocol `{}` has no expectations", p.name.node),
            )
            .label("nothing here can fail")
            .help("add `expect final accuracy(...) > ...` so `somnia test` guards the result"),
        );
    }
}
